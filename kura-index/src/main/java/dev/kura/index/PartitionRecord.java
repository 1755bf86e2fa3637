package dev.kura.index;

import java.time.Instant;
import java.util.Objects;

/**
 * One partition of a bucket's key space: the keys from {@code start} (inclusive, UTF-8 byte order;
 * "" for the first) up to the next partition's start. A bucket's partitions are contiguous and
 * cover every key; a bucket without partition rows has exactly one, {@link #whole()}. The id names
 * the partition for budgets and metrics; a split keeps the lower half's id and gives the upper half
 * the next id of the bucket, so ids never repeat within a bucket.
 *
 * @param since when the partition got its current range (the split or merge that made it)
 */
public record PartitionRecord(long id, String start, Instant since) {
    public PartitionRecord {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(since, "since");
        if (id < 0) {
            throw new IllegalArgumentException("negative partition id " + id);
        }
    }

    /** The one partition of a bucket that was never split: every key, id 0. */
    public static PartitionRecord whole() {
        return new PartitionRecord(0, "", Instant.EPOCH);
    }
}
