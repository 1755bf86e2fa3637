package dev.kura.index;

import java.time.Instant;

/**
 * A bucket. {@code id} is the internal id used in every object key (never the name), so a
 * deleted and re-created bucket never sees the old bucket's rows.
 */
public record BucketRecord(String name, long id, Instant createdAt, String owner, String region,
                           Versioning versioning) {
    public enum Versioning { UNVERSIONED, ENABLED, SUSPENDED }
}
