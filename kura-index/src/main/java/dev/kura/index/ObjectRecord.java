package dev.kura.index;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.common.DataLocation;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One version of one key.
 *
 * @param key           the key exactly as sent (never normalised)
 * @param versionId     {@code "null"} for the null version, else an opaque id
 * @param sequence      commit-order sort position among the key's versions (higher = newer)
 * @param deleteMarker  true for a delete marker (then {@code location} is null and size 0)
 * @param location      where the bytes are
 * @param size          payload size in bytes
 * @param etag          the ETag without quotes
 * @param lastModified  commit time, millisecond precision
 * @param headers       stored system headers by lower-case name (content-type, content-encoding,
 *                      content-disposition, content-language, cache-control, expires)
 * @param userMetadata  {@code x-amz-meta-*} values by lower-case name without the prefix
 * @param checksum      the additional checksum, or null
 * @param storageClass  e.g. STANDARD
 * @param owner         the owner's canonical id
 */
public record ObjectRecord(String key, String versionId, long sequence, boolean deleteMarker, DataLocation location,
                           long size, String etag, Instant lastModified, Map<String, String> headers,
                           Map<String, String> userMetadata, Checksum checksum, String storageClass, String owner) {
    public static final String NULL_VERSION = "null";

    public ObjectRecord {
        Objects.requireNonNull(key);
        Objects.requireNonNull(versionId);
        headers = Map.copyOf(headers);
        userMetadata = Map.copyOf(userMetadata);
    }

    /** An additional checksum: full-object or composite (multipart), base64 value. */
    public record Checksum(ChecksumAlgorithm algorithm, String base64, Type type) {
        public enum Type { FULL_OBJECT, COMPOSITE }
    }
}
