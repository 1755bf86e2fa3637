package dev.kura.index.rocks;

import dev.kura.index.BucketRecord;
import dev.kura.index.IndexCommand;
import dev.kura.common.DataId;
import dev.kura.index.IndexException;
import dev.kura.index.IndexOutcome;
import dev.kura.index.IndexResult;
import dev.kura.index.ListPage;
import dev.kura.index.ListQuery;
import dev.kura.index.ObjectIndex;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.PendingFree;
import dev.kura.index.UploadPage;
import dev.kura.index.UploadRecord;
import dev.kura.index.WriteIntent;
import dev.kura.index.codec.KeyCodec;
import dev.kura.index.codec.RecordCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;

/**
 * The index on one node: embedded RocksDB.
 *
 * <h2>One writer, group commit</h2>
 * Every change goes through a single applier thread ({@link Applier}). {@link #apply} puts the command
 * on a queue and waits; the applier takes whatever has queued up (up to a bound), applies those commands
 * in order into one {@code WriteBatchWithIndex}, writes the batch once with a synced write, and only
 * then answers every waiting caller. A synced write costs an fsync of the log — milliseconds on most
 * disks — and while one is in progress the next callers queue up, so under load many PUTs share one
 * fsync. With no load a batch is one command and nothing waits for a timer.
 *
 * <h2>Why the preconditions are checked in the apply</h2>
 * If-None-Match, If-Match, "bucket exists", "bucket is empty" are decided by the applier against the
 * state the command will actually be applied to — the database overlaid with the earlier commands of
 * the same batch — never by the caller reading first and writing later, which would race with every
 * other writer. Because the applier is the only writer, that check-then-write is atomic without locks.
 * This is also the shape of a Raft state machine: a replicated log of commands, each applied
 * deterministically, in order, by one thread on every replica; the Raft engine can reuse
 * {@link CommandApplier} as is.
 *
 * <p>A command whose check fails is rejected before it writes anything (and each command runs inside a
 * batch save point, so even one that throws half-way leaves no trace); the other commands of the batch go
 * ahead. Rejections are answered only after the batch is durable, since a rejection may rest on an
 * earlier command of the same batch.
 *
 * <h2>Failures</h2>
 * If the synced write fails, nothing of the batch is committed and every caller in it gets
 * {@link IndexException.EngineFailure}; {@link #isHealthy} reports false until a write succeeds again.
 * A caller interrupted while waiting also gets EngineFailure, but its command may still be applied —
 * the outcome is unknown, as for any request that times out; intents make the data side safe.
 *
 * <h2>Reads</h2>
 * Reads go straight to the database and see every committed batch. Since a caller is answered only
 * after its batch is written, every read that starts after {@code apply} returns sees the change.
 * A read-write lock keeps {@link #close} from freeing native handles under a running read.
 */
public final class RocksObjectIndex implements ObjectIndex {
    private final RocksEngine engine;
    private final Applier applier;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean handlesClosed; // guarded by lifecycle

    private final BucketCache bucketCache = new BucketCache();

    /** The last logged position applied when the index was opened: a replayed log skips up to it. */
    private final LogPosition appliedAtOpen;
    /** The last position handed to {@link #applyLogged}; positions must increase. */
    private final java.util.concurrent.atomic.AtomicReference<LogPosition> lastLogged =
            new java.util.concurrent.atomic.AtomicReference<>();

    private RocksObjectIndex(RocksEngine engine, Applier applier) {
        this.engine = engine;
        this.applier = applier;
        applier.afterBucketChange(bucketCache::invalidate);
        this.appliedAtOpen = storedLogPosition().orElse(null);
    }

    /** Opens (creating if missing) the index stored in {@code dir}. */
    public static RocksObjectIndex open(Path dir) throws IOException {
        return open(dir, Applier.Hooks.NONE, Applier.DEFAULT_MAX_BATCH);
    }

    /**
     * Opens the index; {@code onWriterDeath} is told if its single writer thread dies of something
     * unexpected (after which no write can succeed: a server stops rather than limp on read-only).
     * {@code testingWriterDiesAfter} > 0 makes the writer die before that many batch writes, for tests
     * of exactly that path; 0 in production.
     */
    public static RocksObjectIndex open(Path dir, java.util.function.Consumer<Throwable> onWriterDeath,
                                        long testingWriterDiesAfter) throws IOException {
        Applier.Hooks hooks = Applier.Hooks.NONE;
        if (testingWriterDiesAfter > 0) {
            java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
            hooks = new Applier.Hooks(() -> { }, () -> {
                if (writes.incrementAndGet() >= testingWriterDiesAfter) {
                    throw new Error("testing: the index writer dies");
                }
            });
        }
        RocksObjectIndex index = open(dir, hooks, Applier.DEFAULT_MAX_BATCH);
        index.applier.onDeath(onWriterDeath);
        return index;
    }

    static RocksObjectIndex open(Path dir, Applier.Hooks hooks, int maxBatch) throws IOException {
        return open(dir, hooks, maxBatch, LogCalls.DEFAULT_RETENTION);
    }

    static RocksObjectIndex open(Path dir, Applier.Hooks hooks, int maxBatch, long callRetention) throws IOException {
        RocksEngine engine = RocksEngine.open(dir);
        try {
            return new RocksObjectIndex(engine, Applier.start(engine, hooks, maxBatch, callRetention));
        } catch (RuntimeException | Error e) {
            engine.close();
            throw e;
        }
    }

    @Override
    public IndexResult apply(IndexCommand command) throws IndexException {
        Objects.requireNonNull(command, "command");
        return await(applier.submit(command, true));
    }

    @Override
    public List<IndexOutcome> applyAll(List<IndexCommand> commands) {
        List<CompletableFuture<IndexResult>> futures = new ArrayList<>(commands.size());
        for (IndexCommand c : commands) {
            futures.add(applier.submit(Objects.requireNonNull(c, "command"), true));
        }
        List<IndexOutcome> outcomes = new ArrayList<>(futures.size());
        for (CompletableFuture<IndexResult> f : futures) {
            try {
                outcomes.add(new IndexOutcome(await(f), null));
            } catch (IndexException e) {
                outcomes.add(new IndexOutcome(null, e));
            }
        }
        return outcomes;
    }

    @Override
    public IndexResult applyUnsynced(IndexCommand command) throws IndexException {
        Objects.requireNonNull(command, "command");
        return await(applier.submit(command, false));
    }

    @Override
    public void awaitDurable() throws IndexException {
        await(applier.durable());
    }

    // ---- the replicated log's seam (kura-cluster's state machine)

    /**
     * Applies a command taken from a replicated log at {@code position}, exactly as {@link #apply} would,
     * and records the position in the same atomic batch (also when the command is rejected), so the state
     * and the recorded position are always durable together. Used by a Raft state machine whose log is
     * the durable record: the batch is written without a sync of its own (a crash loses a suffix of
     * applies together with their positions, and the log replays them); {@link #awaitDurable} before
     * the log is purged.
     *
     * <p>Positions must increase. A position at or before the one recorded when the index was opened
     * is already applied: nothing is queued and the answer is empty — so replaying a log from an earlier
     * point (a restart replays from the last snapshot) never applies a command twice.
     */
    public Optional<CompletableFuture<IndexResult>> applyLogged(LogPosition position, IndexCommand command) {
        return applyLogged(position, command, null);
    }

    /**
     * As {@link #applyLogged(LogPosition, IndexCommand)}, and the call is remembered by {@code callKey} (the
     * caller's id for it: a Raft client's id and call number) for a long window of log entries: a later
     * entry with the same key is not applied again and fails with {@link DuplicateLogCall}. A client's
     * retry that reaches a new leader before the first copy was applied there is appended twice; this
     * keeps it from being applied twice (a second version pointing at the same data would be a loss
     * waiting to happen). Decided alike on every replica (see {@link LogCalls}).
     */
    public Optional<CompletableFuture<IndexResult>> applyLogged(LogPosition position, IndexCommand command,
                                                                byte[] callKey) {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(command, "command");
        if (appliedAtOpen != null && position.index() <= appliedAtOpen.index()) {
            return Optional.empty();
        }
        LogPosition previous = lastLogged.getAndSet(position);
        if (previous != null && position.index() <= previous.index()) {
            lastLogged.compareAndSet(position, previous);
            throw new IllegalStateException("log position " + position + " does not follow " + previous);
        }
        return Optional.of(applier.submit(command, false, position, callKey == null ? null : callKey.clone()));
    }

    /** The position of the last logged command applied and committed to the database, if any. */
    public Optional<LogPosition> appliedLogPosition() {
        return read(this::storedLogPosition);
    }

    private Optional<LogPosition> storedLogPosition() {
        try {
            return Optional.ofNullable(engine.db().get(Applier.LOG_APPLIED_ROW)).map(LogPosition::decode);
        } catch (RocksDBException e) {
            throw new UncheckedIOException(new IOException("index read failed", e));
        }
    }

    /**
     * Makes everything applied durable, then writes a RocksDB checkpoint of the whole index into
     * {@code target} (which must not exist; SST files are hard links when on the same file system) —
     * a consistent copy that {@link #open} opens as an index. Returns the log position the checkpoint
     * holds. The caller applies nothing meanwhile (a Raft state machine takes snapshots between applies);
     * a position that moved during the checkpoint is refused.
     */
    public Optional<LogPosition> checkpoint(Path target) throws IOException {
        try {
            awaitDurable();
        } catch (IndexException e) {
            throw new IOException("index not durable before checkpoint", e);
        }
        lifecycle.readLock().lock();
        try {
            if (handlesClosed) {
                throw new IOException("index is closed");
            }
            Optional<LogPosition> before = storedLogPosition();
            try (org.rocksdb.Checkpoint checkpoint = org.rocksdb.Checkpoint.create(engine.db())) {
                checkpoint.createCheckpoint(target.toString());
            } catch (RocksDBException e) {
                throw new IOException("checkpoint to " + target + " failed", e);
            }
            if (!before.equals(storedLogPosition())) {
                throw new IllegalStateException("commands were applied during the checkpoint");
            }
            return before;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public Optional<byte[]> inlineData(long bucketId, DataId dataId) { // one index holds every bucket: no need for it
        return read(() -> Optional.ofNullable(engine.db().get(KeyCodec.inlineRow(dataId))));
    }

    private static IndexResult await(CompletableFuture<IndexResult> result) throws IndexException {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IndexException.OutcomeUnknown("interrupted; the command may still be applied", e);
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        }
    }

    private static IndexException rethrow(Throwable cause) {
        return switch (cause) {
            case IndexException e -> e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            default -> new IndexException.OutcomeUnknown("apply failed", cause);
        };
    }

    @Override
    public Optional<BucketRecord> bucket(String name) {
        return bucketCache.bucket(name, () -> read(() -> Optional.ofNullable(engine.db().get(KeyCodec.bucketRow(name)))
                .map(RecordCodec::decodeBucket)));
    }

    @Override
    public List<BucketRecord> buckets() {
        return scanTable(KeyCodec.BUCKET, Integer.MAX_VALUE, RecordCodec::decodeBucket);
    }

    @Override
    public Optional<ObjectRecord> latest(long bucketId, String key) {
        byte[] versions = KeyCodec.versionsOf(bucketId, key);
        return read(() -> {
            List<ObjectRecord> newest = scan(versions, KeyCodec.afterVersionsOf(bucketId, key), 1,
                    RecordCodec::decodeObject);
            return newest.stream().findFirst();
        });
    }

    @Override
    public ListPage list(ListQuery query) {
        return read(() -> {
            try (Slice upper = new Slice(ListScan.upperBound(query));
                 ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
                 RocksIterator it = engine.db().newIterator(options)) {
                return new ListScan(it, query).run();
            }
        });
    }

    @Override
    public Optional<ObjectRecord> version(long bucketId, String key, String versionId) {
        if (ObjectRecord.NULL_VERSION.equals(versionId)) {
            byte[] versions = KeyCodec.versionsOf(bucketId, key);
            return read(() -> scan(versions, KeyCodec.afterVersionsOf(bucketId, key), Integer.MAX_VALUE,
                    RecordCodec::decodeObject).stream().filter(r -> ObjectRecord.NULL_VERSION.equals(r.versionId()))
                    .findFirst());
        }
        java.util.OptionalLong sequence = dev.kura.index.VersionIds.sequenceOf(versionId);
        if (sequence.isEmpty()) {
            return Optional.empty();
        }
        return read(() -> Optional.ofNullable(engine.db().get(KeyCodec.objectRow(bucketId, key, sequence.getAsLong())))
                .map(RecordCodec::decodeObject).filter(r -> versionId.equals(r.versionId())));
    }

    @Override
    public Optional<byte[]> lifecycle(long bucketId) {
        return read(() -> Optional.ofNullable(engine.db().get(KeyCodec.lifecycleRow(bucketId))));
    }

    @Override
    public Optional<byte[]> bucketSetting(long bucketId, dev.kura.index.BucketSetting setting) {
        return read(() -> Optional.ofNullable(engine.db().get(KeyCodec.bucketSettingRow(bucketId, setting))));
    }

    @Override
    public Map<dev.kura.index.BucketSetting, byte[]> bucketSettings(long bucketId) {
        return bucketCache.settings(bucketId, () -> readBucketSettings(bucketId));
    }

    private Map<dev.kura.index.BucketSetting, byte[]> readBucketSettings(long bucketId) {
        byte[] prefix = KeyCodec.bucketSettingsOf(bucketId);
        return read(() -> {
            Map<dev.kura.index.BucketSetting, byte[]> out = new java.util.EnumMap<>(dev.kura.index.BucketSetting.class);
            try (RocksIterator it = engine.db().newIterator()) {
                for (it.seek(prefix); it.isValid() && KeyCodec.startsWith(it.key(), prefix); it.next()) {
                    out.put(KeyCodec.bucketSettingOf(it.key()), it.value());
                }
                it.status();
            }
            return java.util.Collections.unmodifiableMap(out);
        });
    }

    @Override
    public List<dev.kura.index.PartitionRecord> partitions(long bucketId) {
        byte[] prefix = KeyCodec.partitionsOf(bucketId);
        return read(() -> {
            List<dev.kura.index.PartitionRecord> out = new java.util.ArrayList<>();
            try (RocksIterator it = engine.db().newIterator()) {
                for (it.seek(prefix); it.isValid() && KeyCodec.startsWith(it.key(), prefix); it.next()) {
                    out.add(RecordCodec.decodePartition(it.value()));
                }
                it.status();
            }
            return out.isEmpty() ? List.of(dev.kura.index.PartitionRecord.whole()) : List.copyOf(out);
        });
    }

    @Override
    public Optional<dev.kura.index.UserRecord> user(String name) {
        return read(() -> Optional.ofNullable(engine.db().get(KeyCodec.userRow(name))).map(RecordCodec::decodeUser));
    }

    @Override
    public Optional<dev.kura.index.UserRecord> userByAccessKey(String accessKey) {
        return read(() -> {
            byte[] name = engine.db().get(KeyCodec.userByAccessKeyRow(accessKey));
            return name == null ? Optional.<dev.kura.index.UserRecord>empty()
                    : Optional.ofNullable(engine.db().get(KeyCodec.userRow(new String(name, StandardCharsets.UTF_8))))
                            .map(RecordCodec::decodeUser);
        });
    }

    @Override
    public List<dev.kura.index.UserRecord> users() {
        return scanTable(KeyCodec.USER, Integer.MAX_VALUE, RecordCodec::decodeUser);
    }

    @Override
    public dev.kura.index.VersionPage listVersions(dev.kura.index.VersionQuery query) {
        return read(() -> {
            try (Slice upper = new Slice(VersionScan.upperBound(query));
                 ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
                 RocksIterator it = engine.db().newIterator(options)) {
                return new VersionScan(it, query).run();
            }
        });
    }

    @Override
    public Optional<UploadRecord> upload(long bucketId, String key, String uploadId) {
        if (!KeyCodec.isUploadId(uploadId)) {
            return Optional.empty();
        }
        return read(() -> Optional.ofNullable(engine.db().get(KeyCodec.uploadRow(bucketId, key, uploadId)))
                .map(RecordCodec::decodeUpload));
    }

    @Override
    public List<PartRecord> uploadParts(long bucketId, String key, String uploadId, int afterPart, int max) {
        if (!KeyCodec.isUploadId(uploadId)) {
            return List.of();
        }
        byte[] from = KeyCodec.uploadPartRow(bucketId, key, uploadId, Math.max(0, afterPart) + 1);
        byte[] to = KeyCodec.uploadPartRow(bucketId, key, uploadId, Integer.MAX_VALUE);
        return read(() -> scan(from, to, max, RecordCodec::decodePart));
    }

    @Override
    public List<PartRecord> objectParts(long bucketId, String key, long sequence) {
        byte[] from = KeyCodec.objectPartRow(bucketId, key, sequence, 0);
        byte[] to = KeyCodec.objectPartRow(bucketId, key, sequence, Integer.MAX_VALUE);
        return read(() -> scan(from, to, Integer.MAX_VALUE, RecordCodec::decodePart));
    }

    @Override
    public UploadPage uploads(long bucketId, String prefix, String delimiter, String keyMarker, String uploadIdMarker,
                              int max) {
        return read(() -> {
            try (Slice upper = new Slice(KeyCodec.uploadPrefixEnd(bucketId, prefix));
                 ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
                 RocksIterator it = engine.db().newIterator(options)) {
                return UploadScan.run(it, bucketId, prefix, delimiter, keyMarker, uploadIdMarker, max);
            }
        });
    }

    @Override
    public List<WriteIntent> intents(int limit) {
        return scanTable(KeyCodec.INTENT_BY_TIME, limit, RecordCodec::decodeIntent);
    }

    @Override
    public List<PendingFree> pendingFrees(DataId after, int limit) {
        if (after == null) {
            return scanTable(KeyCodec.FREE, limit, RecordCodec::decodePendingFree);
        }
        byte[] from = KeyCodec.freeRow(after);
        from = java.util.Arrays.copyOf(from, from.length + 1); // just past it
        byte[] start = from;
        return read(() -> scan(start, KeyCodec.tableEnd(KeyCodec.FREE), limit, RecordCodec::decodePendingFree));
    }

    @Override
    public boolean isHealthy() {
        lifecycle.readLock().lock();
        try {
            return !handlesClosed && applier.isHealthy();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public Map<String, Long> stats() {
        lifecycle.readLock().lock();
        try {
            if (handlesClosed) {
                return Map.of();
            }
            Map<String, Long> stats = engine.stats();
            stats.put("batches_written", applier.batchesWritten());
            stats.put("wal_syncs", applier.walSyncs());
            stats.put("synced_writes", applier.syncedWrites());
            stats.put("queued_commands", (long) applier.queued());
            return stats;
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    /** Applies everything submitted before the call, stops the applier, then frees the native handles. */
    @Override
    public void close() {
        applier.stop();
        lifecycle.writeLock().lock();
        try {
            if (!handlesClosed) {
                handlesClosed = true;
                engine.close();
            }
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    /** Number of synced batch writes so far: how well group commit is working. */
    long batchesWritten() {
        return applier.batchesWritten();
    }

    /** Commands waiting for the applier. */
    int queued() {
        return applier.queued();
    }

    // ---- read plumbing

    private <T> List<T> scanTable(byte tag, int limit, Function<byte[], T> decode) {
        return read(() -> scan(KeyCodec.table(tag), KeyCodec.tableEnd(tag), limit, decode));
    }

    /** Values of up to {@code limit} rows in {@code [from, to)}, in key order. Call under {@link #read}. */
    private <T> List<T> scan(byte[] from, byte[] to, int limit, Function<byte[], T> decode) throws RocksDBException {
        if (limit < 0) {
            throw new IllegalArgumentException("limit < 0: " + limit);
        }
        List<T> out = new ArrayList<>();
        try (Slice upper = new Slice(to);
             ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
             RocksIterator it = engine.db().newIterator(options)) {
            for (it.seek(from); it.isValid() && out.size() < limit; it.next()) {
                out.add(decode.apply(it.value()));
            }
            it.status();
        }
        return out;
    }

    private interface Read<T> {
        T run() throws RocksDBException;
    }

    private <T> T read(Read<T> read) {
        lifecycle.readLock().lock();
        try {
            if (handlesClosed) {
                throw new IllegalStateException("index is closed");
            }
            return read.run();
        } catch (RocksDBException e) {
            throw new UncheckedIOException(new IOException("index read failed", e));
        } finally {
            lifecycle.readLock().unlock();
        }
    }
}
