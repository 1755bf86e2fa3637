package dev.kura.index;

import java.time.Instant;
import java.util.Map;

/**
 * A bucket. {@code id} is the internal id used in every object key (never the name), so a
 * deleted and re-created bucket never sees the old bucket's rows.
 */
public record BucketRecord(String name, long id, Instant createdAt, String owner, String region,
                           Versioning versioning, Map<String, String> tags, ObjectLock objectLock) {
    public enum Versioning { UNVERSIONED, ENABLED, SUSPENDED }

    /**
     * Object Lock is enabled for the bucket (it is never turned off), with an optional default
     * retention for new versions: {@code mode} GOVERNANCE or COMPLIANCE (null: no default) for
     * {@code days} or {@code years} (exactly one of them positive when there is a mode).
     */
    public record ObjectLock(String mode, int days, int years) {
        public static final ObjectLock ENABLED_WITHOUT_DEFAULT = new ObjectLock(null, 0, 0);

        public ObjectLock {
            if (mode != null && !ObjectRecord.Lock.isMode(mode)) {
                throw new IllegalArgumentException("bad object lock mode " + mode);
            }
            if (mode != null && (days > 0) == (years > 0)) {
                throw new IllegalArgumentException("a default retention has days or years");
            }
        }
    }

    public BucketRecord {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    public BucketRecord(String name, long id, Instant createdAt, String owner, String region, Versioning versioning,
                        Map<String, String> tags) {
        this(name, id, createdAt, owner, region, versioning, tags, null);
    }

    public BucketRecord(String name, long id, Instant createdAt, String owner, String region, Versioning versioning) {
        this(name, id, createdAt, owner, region, versioning, Map.of());
    }

    public BucketRecord withTags(Map<String, String> newTags) {
        return new BucketRecord(name, id, createdAt, owner, region, versioning, newTags, objectLock);
    }

    public BucketRecord withVersioning(Versioning state) {
        return new BucketRecord(name, id, createdAt, owner, region, state, tags, objectLock);
    }

    public BucketRecord withObjectLock(ObjectLock lock) {
        return new BucketRecord(name, id, createdAt, owner, region, versioning, tags, lock);
    }
}
