package dev.kura.index;

import dev.kura.common.ChecksumAlgorithm;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A multipart upload in progress: what CreateMultipartUpload asked for, kept until the upload is
 * completed or aborted. Lives under its key, so a key's uploads and versions share a partition.
 *
 * @param checksumAlgorithm the additional checksum the parts carry, or null
 * @param checksumType      FULL_OBJECT or COMPOSITE when an algorithm is set
 * @param lock              the Object Lock retention and legal hold the completed version gets, or null
 * @param acl               the access control list the completed version gets (encoded by the layer
 *                          above), or null for private to the owner
 */
public record UploadRecord(String key, String uploadId, Instant initiated, Map<String, String> headers,
                           Map<String, String> userMetadata, ChecksumAlgorithm checksumAlgorithm,
                           ObjectRecord.Checksum.Type checksumType, String storageClass, String owner,
                           Map<String, String> tags, ObjectRecord.Lock lock, String acl) {
    public UploadRecord {
        Objects.requireNonNull(key);
        Objects.requireNonNull(uploadId);
        headers = Map.copyOf(headers);
        userMetadata = Map.copyOf(userMetadata);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    /** Without an access control list of its own. */
    public UploadRecord(String key, String uploadId, Instant initiated, Map<String, String> headers,
                        Map<String, String> userMetadata, ChecksumAlgorithm checksumAlgorithm,
                        ObjectRecord.Checksum.Type checksumType, String storageClass, String owner,
                        Map<String, String> tags, ObjectRecord.Lock lock) {
        this(key, uploadId, initiated, headers, userMetadata, checksumAlgorithm, checksumType, storageClass, owner, tags,
                lock, null);
    }

    /** Without Object Lock settings for the completed version. */
    public UploadRecord(String key, String uploadId, Instant initiated, Map<String, String> headers,
                        Map<String, String> userMetadata, ChecksumAlgorithm checksumAlgorithm,
                        ObjectRecord.Checksum.Type checksumType, String storageClass, String owner,
                        Map<String, String> tags) {
        this(key, uploadId, initiated, headers, userMetadata, checksumAlgorithm, checksumType, storageClass, owner, tags,
                null, null);
    }
}
