package dev.kura.index;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The index seam: the ordered map {@code (bucket, key, version) -> ObjectRecord} plus buckets,
 * write intents and deferred frees. Shaped for Raft: every change is an {@link IndexCommand}
 * carrying its preconditions, checked inside the atomic apply (never get-then-put), and every
 * non-deterministic value (ids, timestamps, sequences) is chosen before the command is applied.
 *
 * <p>{@link #apply} returns only once the change is durable (synced); after it returns, every
 * read sees it (read-after-write). Concurrent applies are group-committed.
 */
public interface ObjectIndex extends AutoCloseable {

    /**
     * Applies one command atomically and durably.
     *
     * @throws IndexException.PreconditionFailed   an If-Match / If-None-Match precondition does not hold
     * @throws IndexException.NoSuchBucket         the bucket does not exist (or not with that id)
     * @throws IndexException.BucketAlreadyExists  CreateBucket on a taken name (carries the existing record)
     * @throws IndexException.BucketNotEmpty       DeleteBucket on a bucket with objects or intents
     */
    IndexResult apply(IndexCommand command) throws IndexException;

    /**
     * Applies several independent commands, each exactly as {@link #apply} would (each with its own
     * outcome; one failing does not stop the others), group-committed, so N commands cost a few
     * synced writes rather than N. Returns once every one is durable, outcomes in command order.
     */
    default List<IndexOutcome> applyAll(List<IndexCommand> commands) {
        List<IndexOutcome> outcomes = new java.util.ArrayList<>(commands.size());
        for (IndexCommand c : commands) {
            try {
                outcomes.add(new IndexOutcome(apply(c), null));
            } catch (IndexException e) {
                outcomes.add(new IndexOutcome(null, e));
            }
        }
        return outcomes; // one by one; an engine that group-commits submits them all at once
    }

    /**
     * Applies a command atomically but without waiting for it to be durable: it is visible at once
     * and becomes durable at the latest with the next synced apply or {@link #awaitDurable}. A crash
     * may lose it. Only for commands whose loss is harmless or that the caller makes durable before
     * it relies on them: write intents (made durable before the data they name can exist, see
     * ARCHITECTURE.md), intent cancels and completed frees (losing one makes the sweeper repeat an
     * idempotent delete).
     */
    IndexResult applyUnsynced(IndexCommand command) throws IndexException;

    /**
     * Returns once every command applied before the call is durable. Free when a synced write has
     * happened since (the common case under load); otherwise one log sync, shared by concurrent callers.
     */
    void awaitDurable() throws IndexException;

    /**
     * The id a new bucket named {@code name} gets, made from a random candidate: the candidate itself
     * here; an index split into groups makes the id name the bucket's group, so a command that carries
     * only the bucket id finds its group without a lookup.
     */
    default long newBucketId(String name, long random) {
        return random;
    }

    /**
     * The bytes of a small object stored inside the index ({@link dev.kura.common.DataLocation#isInline()});
     * {@code bucketId} is the bucket whose object holds the data (an index split into groups asks only
     * that bucket's group).
     */
    Optional<byte[]> inlineData(long bucketId, dev.kura.common.DataId dataId);

    Optional<BucketRecord> bucket(String name);

    /** All buckets, ordered by name. */
    List<BucketRecord> buckets();

    /** The newest version of a key (which may be a delete marker), if any. */
    Optional<ObjectRecord> latest(long bucketId, String key);

    /** Lists current object versions in S3 order (UTF-8 byte order of keys). */
    ListPage list(ListQuery query);

    /**
     * One version (or delete marker) of a key by its version id; "null" names the null version. Empty
     * when there is no such version, including for a string that is no version id at all.
     */
    Optional<ObjectRecord> version(long bucketId, String key, String versionId);

    /** Lists every version and delete marker (ListObjectVersions). */
    VersionPage listVersions(VersionQuery query);

    /** A bucket's lifecycle configuration document, if it has one. */
    Optional<byte[]> lifecycle(long bucketId);

    /** One settings document of a bucket ({@link IndexCommand.PutBucketSetting}), if set. */
    Optional<byte[]> bucketSetting(long bucketId, BucketSetting setting);

    /** Every settings document of a bucket, read with one short scan. */
    Map<BucketSetting, byte[]> bucketSettings(long bucketId);

    /**
     * A bucket's partitions in key order: contiguous ranges covering every key, the first starting
     * at "" ({@link PartitionRecord#whole()} alone for a bucket never split, or an unknown one).
     */
    default List<PartitionRecord> partitions(long bucketId) {
        return List.of(PartitionRecord.whole());
    }

    /** A user by name. */
    Optional<UserRecord> user(String name);

    /** The user whose current access key id this is. */
    Optional<UserRecord> userByAccessKey(String accessKey);

    /** Every user, in name order. */
    List<UserRecord> users();

    /** A multipart upload in progress. */
    Optional<UploadRecord> upload(long bucketId, String key, String uploadId);

    /** Parts of an upload in progress with numbers above {@code afterPart}, ascending, at most {@code max}. */
    List<PartRecord> uploadParts(long bucketId, String key, String uploadId, int afterPart, int max);

    /** The parts of a completed multipart version, ascending (offsets set). */
    List<PartRecord> objectParts(long bucketId, String key, long sequence);

    /** Uploads in progress in key order (then initiation order), after the markers, at most {@code max}. */
    UploadPage uploads(long bucketId, String prefix, String delimiter, String keyMarker, String uploadIdMarker, int max);

    /** Write intents recorded and not yet cleared, oldest first, at most {@code limit}. */
    List<WriteIntent> intents(int limit);

    /** Data whose record was replaced or deleted and that the sweeper must still remove. */
    default List<PendingFree> pendingFrees(int limit) {
        return pendingFrees(null, limit);
    }

    /** Pending frees in data id order after {@code after} (exclusive; null: from the first), at most {@code limit}. */
    List<PendingFree> pendingFrees(dev.kura.common.DataId after, int limit);

    /** True when the index is open and answering. */
    boolean isHealthy();

    /**
     * Engine gauges and counters for metrics and health, by stable snake_case name (the RocksDB
     * engine's are listed in docs/telemetry.md); empty when the engine has none. Cheap enough to
     * call once per metrics scrape; never throws.
     */
    default Map<String, Long> stats() {
        return Map.of();
    }

    @Override
    void close();
}
