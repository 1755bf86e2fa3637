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
 * @param location      where the bytes are; for a multipart version, its manifest (the small data piece
 *                      completion wrote, annotated with the version and its parts, so a lost index can be
 *                      rebuilt), or null for versions completed before manifests existed
 * @param size          payload size in bytes
 * @param etag          the ETag without quotes
 * @param lastModified  commit time, millisecond precision
 * @param headers       stored system headers by lower-case name (content-type, content-encoding,
 *                      content-disposition, content-language, cache-control, expires)
 * @param userMetadata  {@code x-amz-meta-*} values by lower-case name without the prefix
 * @param checksum      the additional checksum, or null
 * @param storageClass  e.g. STANDARD
 * @param owner         the owner's canonical id
 * @param partCount     0 for data written whole; N for an object completed from N multipart parts,
 *                      whose locations are in their own part rows (then {@code location} is the manifest, never the bytes)
 * @param uploadId      the multipart upload this version was completed from, or null
 * @param tags          the object's tag set
 */
public record ObjectRecord(String key, String versionId, long sequence, boolean deleteMarker, DataLocation location,
                           long size, String etag, Instant lastModified, Map<String, String> headers,
                           Map<String, String> userMetadata, Checksum checksum, String storageClass, String owner,
                           int partCount, String uploadId, Map<String, String> tags, Lock lock, String acl) {
    public static final String NULL_VERSION = "null";

    public ObjectRecord {
        Objects.requireNonNull(key);
        Objects.requireNonNull(versionId);
        headers = Map.copyOf(headers);
        userMetadata = Map.copyOf(userMetadata);
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    /** Without an access control list of its own (private to its owner). */
    public ObjectRecord(String key, String versionId, long sequence, boolean deleteMarker, DataLocation location,
                        long size, String etag, Instant lastModified, Map<String, String> headers,
                        Map<String, String> userMetadata, Checksum checksum, String storageClass, String owner,
                        int partCount, String uploadId, Map<String, String> tags, Lock lock) {
        this(key, versionId, sequence, deleteMarker, location, size, etag, lastModified, headers, userMetadata, checksum,
                storageClass, owner, partCount, uploadId, tags, lock, null);
    }

    /** Without an Object Lock state. */
    public ObjectRecord(String key, String versionId, long sequence, boolean deleteMarker, DataLocation location,
                        long size, String etag, Instant lastModified, Map<String, String> headers,
                        Map<String, String> userMetadata, Checksum checksum, String storageClass, String owner,
                        int partCount, String uploadId, Map<String, String> tags) {
        this(key, versionId, sequence, deleteMarker, location, size, etag, lastModified, headers, userMetadata, checksum,
                storageClass, owner, partCount, uploadId, tags, null);
    }

    /**
     * A version's Object Lock state: a retention ({@code mode} GOVERNANCE or COMPLIANCE until
     * {@code retainUntil}; both null for none) and a legal hold.
     */
    public record Lock(String mode, Instant retainUntil, boolean legalHold) {
        public static final String GOVERNANCE = "GOVERNANCE";
        public static final String COMPLIANCE = "COMPLIANCE";

        public Lock {
            if ((mode == null) != (retainUntil == null)) {
                throw new IllegalArgumentException("a retention has a mode and a date");
            }
            if (mode != null && !isMode(mode)) {
                throw new IllegalArgumentException("bad object lock mode " + mode);
            }
        }

        public static boolean isMode(String mode) {
            return GOVERNANCE.equals(mode) || COMPLIANCE.equals(mode);
        }

        /** True while the retention protects the version at {@code now}. */
        public boolean retainedAt(Instant now) {
            return retainUntil != null && retainUntil.isAfter(now);
        }

        public Lock withRetention(String newMode, Instant until) {
            return new Lock(newMode, until, legalHold);
        }

        public Lock withLegalHold(boolean on) {
            return new Lock(mode, retainUntil, on);
        }
    }

    /** The lock state, never null (empty when none). */
    public Lock lockState() {
        return lock == null ? new Lock(null, null, false) : lock;
    }

    public ObjectRecord withLock(Lock newLock) {
        return new ObjectRecord(key, versionId, sequence, deleteMarker, location, size, etag, lastModified, headers,
                userMetadata, checksum, storageClass, owner, partCount, uploadId, tags, newLock, acl);
    }

    public ObjectRecord withLocation(DataLocation newLocation) {
        return new ObjectRecord(key, versionId, sequence, deleteMarker, newLocation, size, etag, lastModified, headers,
                userMetadata, checksum, storageClass, owner, partCount, uploadId, tags, lock, acl);
    }

    /** A version written whole, without tags. */
    public ObjectRecord(String key, String versionId, long sequence, boolean deleteMarker, DataLocation location,
                        long size, String etag, Instant lastModified, Map<String, String> headers,
                        Map<String, String> userMetadata, Checksum checksum, String storageClass, String owner) {
        this(key, versionId, sequence, deleteMarker, location, size, etag, lastModified, headers, userMetadata, checksum,
                storageClass, owner, 0, null, Map.of());
    }

    public boolean isMultipart() {
        return partCount > 0;
    }

    /** This record as the index commits it: the version id and sequence it assigned. */
    public ObjectRecord withVersion(String newVersionId, long newSequence) {
        return new ObjectRecord(key, newVersionId, newSequence, deleteMarker, location, size, etag, lastModified, headers,
                userMetadata, checksum, storageClass, owner, partCount, uploadId, tags, lock, acl);
    }

    /** A delete marker: a version with no data. */
    public static ObjectRecord deleteMarker(String key, String versionId, long sequence, Instant at, String owner) {
        return new ObjectRecord(key, versionId, sequence, true, null, 0, "", at, Map.of(), Map.of(), null, "STANDARD",
                owner, 0, null, Map.of());
    }

    /**
     * With another access control list: {@code acl} is the layer above's encoded grant list (the
     * index never interprets it); null means private to the owner.
     */
    public ObjectRecord withAcl(String newAcl) {
        return new ObjectRecord(key, versionId, sequence, deleteMarker, location, size, etag, lastModified, headers,
                userMetadata, checksum, storageClass, owner, partCount, uploadId, tags, lock, newAcl);
    }

    /** With another owner (canonical id) and access control list. */
    public ObjectRecord withOwnerAndAcl(String newOwner, String newAcl) {
        return new ObjectRecord(key, versionId, sequence, deleteMarker, location, size, etag, lastModified, headers,
                userMetadata, checksum, storageClass, newOwner, partCount, uploadId, tags, lock, newAcl);
    }

    public ObjectRecord withTags(Map<String, String> newTags) {
        return new ObjectRecord(key, versionId, sequence, deleteMarker, location, size, etag, lastModified, headers,
                userMetadata, checksum, storageClass, owner, partCount, uploadId, newTags, lock, acl);
    }

    /** An additional checksum: full-object or composite (multipart), base64 value. */
    public record Checksum(ChecksumAlgorithm algorithm, String base64, Type type) {
        public enum Type { FULL_OBJECT, COMPOSITE }
    }
}
