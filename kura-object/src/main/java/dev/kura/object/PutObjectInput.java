package dev.kura.object;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.index.Precondition;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a PutObject asks for, already parsed from the request.
 *
 * @param bucket          the bucket name
 * @param key             the key
 * @param contentLength   the payload length the client declared
 * @param contentMd5      the base64 Content-MD5, or null
 * @param checksum        the additional checksum algorithm, or null
 * @param checksumValue   supplies the expected base64 checksum once the body has been read (from a
 *                        header, or from the trailer of an aws-chunked body); null when none
 * @param headers         system headers to store, by lower-case name
 * @param userMetadata    x-amz-meta-* values by lower-case name without the prefix
 * @param storageClass    the storage class to record
 * @param precondition    If-Match / If-None-Match, decided in the index
 * @param tags            the tag set (x-amz-tagging)
 * @param lock            the Object Lock retention and legal hold asked for (x-amz-object-lock-*), or null
 * @param access          the new version's owner and ACL, or null for the bucket owner's, private
 */
public record PutObjectInput(String bucket, String key, long contentLength, String contentMd5,
                             ChecksumAlgorithm checksum, Supplier<String> checksumValue, Map<String, String> headers,
                             Map<String, String> userMetadata, String storageClass, Precondition precondition,
                             Map<String, String> tags, dev.kura.index.ObjectRecord.Lock lock, WriteAccess access) {

    public PutObjectInput(String bucket, String key, long contentLength, String contentMd5, ChecksumAlgorithm checksum,
                          Supplier<String> checksumValue, Map<String, String> headers, Map<String, String> userMetadata,
                          String storageClass, Precondition precondition, Map<String, String> tags,
                          dev.kura.index.ObjectRecord.Lock lock) {
        this(bucket, key, contentLength, contentMd5, checksum, checksumValue, headers, userMetadata, storageClass,
                precondition, tags, lock, null);
    }

    public PutObjectInput(String bucket, String key, long contentLength, String contentMd5, ChecksumAlgorithm checksum,
                          Supplier<String> checksumValue, Map<String, String> headers, Map<String, String> userMetadata,
                          String storageClass, Precondition precondition, Map<String, String> tags) {
        this(bucket, key, contentLength, contentMd5, checksum, checksumValue, headers, userMetadata, storageClass,
                precondition, tags, null);
    }

    public PutObjectInput(String bucket, String key, long contentLength, String contentMd5, ChecksumAlgorithm checksum,
                          Supplier<String> checksumValue, Map<String, String> headers, Map<String, String> userMetadata,
                          String storageClass, Precondition precondition) {
        this(bucket, key, contentLength, contentMd5, checksum, checksumValue, headers, userMetadata, storageClass,
                precondition, Map.of());
    }
}
