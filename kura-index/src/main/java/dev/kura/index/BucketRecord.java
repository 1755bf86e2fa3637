package dev.kura.index;

import java.time.Instant;
import java.util.Map;

/**
 * A bucket. {@code id} is the internal id used in every object key (never the name), so a
 * deleted and re-created bucket never sees the old bucket's rows.
 */
public record BucketRecord(String name, long id, Instant createdAt, String owner, String region,
                           Versioning versioning, Map<String, String> tags) {
    public enum Versioning { UNVERSIONED, ENABLED, SUSPENDED }

    public BucketRecord {
        tags = tags == null ? Map.of() : Map.copyOf(tags);
    }

    public BucketRecord(String name, long id, Instant createdAt, String owner, String region, Versioning versioning) {
        this(name, id, createdAt, owner, region, versioning, Map.of());
    }

    public BucketRecord withTags(Map<String, String> newTags) {
        return new BucketRecord(name, id, createdAt, owner, region, versioning, newTags);
    }
}
