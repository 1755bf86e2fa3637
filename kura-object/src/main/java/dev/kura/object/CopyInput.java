package dev.kura.object;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.index.Precondition;
import java.util.Map;

/**
 * What a CopyObject writes: the destination and the metadata chosen by the directives (the source's,
 * or the request's under REPLACE).
 *
 * @param checksum an additional checksum to compute, or null to keep the source's algorithm
 * @param sse       the destination's server-side encryption ({@link Sse#NONE}: the destination bucket's default)
 * @param sourceKey the source's SSE-C key ({@code x-amz-copy-source-server-side-encryption-customer-*}), or null
 */
public record CopyInput(String sourceBucket, String bucket, String key, Map<String, String> headers,
                        Map<String, String> userMetadata, String storageClass, Map<String, String> tags,
                        ChecksumAlgorithm checksum, Precondition precondition, dev.kura.index.ObjectRecord.Lock lock,
                        WriteAccess access, Sse sse, Sse.Customer sourceKey) {

    public CopyInput {
        sse = sse == null ? Sse.NONE : sse;
    }

    public CopyInput(String sourceBucket, String bucket, String key, Map<String, String> headers,
                     Map<String, String> userMetadata, String storageClass, Map<String, String> tags,
                     ChecksumAlgorithm checksum, Precondition precondition, dev.kura.index.ObjectRecord.Lock lock,
                     WriteAccess access) {
        this(sourceBucket, bucket, key, headers, userMetadata, storageClass, tags, checksum, precondition, lock, access,
                Sse.NONE, null);
    }

    public CopyInput(String sourceBucket, String bucket, String key, Map<String, String> headers,
                     Map<String, String> userMetadata, String storageClass, Map<String, String> tags,
                     ChecksumAlgorithm checksum, Precondition precondition, dev.kura.index.ObjectRecord.Lock lock) {
        this(sourceBucket, bucket, key, headers, userMetadata, storageClass, tags, checksum, precondition, lock, null,
                Sse.NONE, null);
    }

    public CopyInput(String sourceBucket, String bucket, String key, Map<String, String> headers,
                     Map<String, String> userMetadata, String storageClass, Map<String, String> tags,
                     ChecksumAlgorithm checksum, Precondition precondition) {
        this(sourceBucket, bucket, key, headers, userMetadata, storageClass, tags, checksum, precondition, null);
    }
}
