package dev.kura.object;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.index.Precondition;
import java.util.Map;

/**
 * What a CopyObject writes: the destination and the metadata chosen by the directives (the source's,
 * or the request's under REPLACE).
 *
 * @param checksum an additional checksum to compute, or null to keep the source's algorithm
 */
public record CopyInput(String sourceBucket, String bucket, String key, Map<String, String> headers,
                        Map<String, String> userMetadata, String storageClass, Map<String, String> tags,
                        ChecksumAlgorithm checksum, Precondition precondition, dev.kura.index.ObjectRecord.Lock lock,
                        WriteAccess access) {

    public CopyInput(String sourceBucket, String bucket, String key, Map<String, String> headers,
                     Map<String, String> userMetadata, String storageClass, Map<String, String> tags,
                     ChecksumAlgorithm checksum, Precondition precondition, dev.kura.index.ObjectRecord.Lock lock) {
        this(sourceBucket, bucket, key, headers, userMetadata, storageClass, tags, checksum, precondition, lock, null);
    }

    public CopyInput(String sourceBucket, String bucket, String key, Map<String, String> headers,
                     Map<String, String> userMetadata, String storageClass, Map<String, String> tags,
                     ChecksumAlgorithm checksum, Precondition precondition) {
        this(sourceBucket, bucket, key, headers, userMetadata, storageClass, tags, checksum, precondition, null);
    }
}
