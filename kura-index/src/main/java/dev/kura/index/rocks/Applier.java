package dev.kura.index.rocks;

import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.IndexResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.LongAdder;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatchWithIndex;

/**
 * The single writer of the index (see {@link RocksObjectIndex} for the design). Runs on one platform
 * thread: RocksDB calls are JNI calls, which would pin a virtual thread's carrier anyway.
 *
 * <p>Shutdown: {@link #stop} enqueues a STOP marker under the same lock that guards submission, so
 * every command accepted before it is applied and none is accepted after it. If the thread dies
 * of something unexpected, it stops accepting and fails whatever is queued, so no caller waits forever.
 */
final class Applier {
    static final int DEFAULT_MAX_BATCH = 256;

    private static final System.Logger LOG = System.getLogger(Applier.class.getName());
    private static final Pending STOP = new Pending(null, null, false, null, null);
    /** The position of the last logged command applied ({@link RocksObjectIndex#applyLogged}). */
    static final byte[] LOG_APPLIED_ROW = dev.kura.index.codec.KeyCodec.metaRow("log-applied");

    /** Test seams: run on the applier thread before it drains the queue, and before it writes. */
    record Hooks(Runnable beforeDrain, BatchWriteHook beforeWrite) {
        static final Hooks NONE = new Hooks(() -> { }, () -> { });
    }

    interface BatchWriteHook {
        void run() throws RocksDBException;
    }

    /**
     * A queued command, or a sync barrier ({@code command == null}). {@code sync}: the caller waits
     * for durability, so the batch that carries it is written with a synced write. {@code position}: the
     * command's place in a replicated log (null when it has none), recorded in the same batch.
     */
    private record Pending(IndexCommand command, CompletableFuture<IndexResult> result, boolean sync,
                           LogPosition position, byte[] callKey) {
    }

    /** What one command did: a result, or why it was rejected. */
    private record Outcome(IndexResult result, Throwable failure) {
    }

    private final RocksEngine engine;
    private final Hooks hooks;
    private final int maxBatch;
    private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
    private final Object submitLock = new Object();
    private final LongAdder batchesWritten = new LongAdder();
    private final LongAdder walSyncs = new LongAdder();
    private final LongAdder syncedWrites = new LongAdder();
    /** Batches written so far, and how many of them are known durable (a synced write covers all before it). */
    private volatile long written;
    private volatile long syncedThrough;
    private final Thread thread;
    private boolean accepting = true; // guarded by submitLock
    private volatile boolean lastWriteFailed;
    /** Run after a batch that changed a bucket is written, before its callers are answered. */
    private volatile Runnable afterBucketChange = () -> { };

    /** Told when the thread dies of something unexpected (the process should not go on without writes). */
    private volatile java.util.function.Consumer<Throwable> onDeath = e -> { };

    /** Log entries a logged call is remembered for ({@link LogCalls}). */
    private final long callRetention;

    private Applier(RocksEngine engine, Hooks hooks, int maxBatch, long callRetention) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch < 1");
        }
        this.engine = engine;
        this.hooks = hooks;
        this.maxBatch = maxBatch;
        this.callRetention = callRetention;
        this.thread = Thread.ofPlatform().name("kura-index-applier").daemon(true).unstarted(this::run);
    }

    static Applier start(RocksEngine engine, Hooks hooks, int maxBatch) {
        return start(engine, hooks, maxBatch, LogCalls.DEFAULT_RETENTION);
    }

    static Applier start(RocksEngine engine, Hooks hooks, int maxBatch, long callRetention) {
        Applier applier = new Applier(engine, hooks, maxBatch, callRetention);
        applier.thread.start();
        return applier;
    }

    void onDeath(java.util.function.Consumer<Throwable> c) {
        this.onDeath = c;
    }

    void afterBucketChange(Runnable r) {
        this.afterBucketChange = r;
    }

    /** Queues a command; with {@code sync} its future completes only once it is durable. */
    CompletableFuture<IndexResult> submit(IndexCommand command, boolean sync) {
        return submit(command, sync, null, null);
    }

    /**
     * Queues a command taken from a replicated log at {@code position}; the batch that applies it also
     * records the position (the last one of the batch), whether the command succeeds or is rejected. A
     * {@code callKey} (the caller's id for the call, or null) makes a repeat of an applied call fail with
     * {@link DuplicateLogCall} instead of applying it again.
     */
    CompletableFuture<IndexResult> submit(IndexCommand command, boolean sync, LogPosition position, byte[] callKey) {
        CompletableFuture<IndexResult> result = new CompletableFuture<>();
        synchronized (submitLock) {
            if (!accepting) {
                result.completeExceptionally(new IndexException.EngineFailure("index is closed", null));
                return result;
            }
            queue.add(new Pending(command, result, sync, position, callKey));
        }
        return result;
    }

    /**
     * A future that completes once every batch written before this call is durable: at once when a
     * synced write already covered them, else with the next synced write (group-committed with
     * whatever else is queued) or a log sync of its own.
     */
    CompletableFuture<IndexResult> durable() {
        if (syncedThrough >= written) {
            return CompletableFuture.completedFuture(IndexResult.DONE);
        }
        return submit(null, true);
    }

    /** Stops accepting, lets the thread apply what was accepted, and waits for it to finish. */
    void stop() {
        synchronized (submitLock) {
            if (accepting) {
                accepting = false;
                queue.add(STOP);
            }
        }
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true; // native handles must not be freed under a running batch
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    boolean isHealthy() {
        return thread.isAlive() && !lastWriteFailed;
    }

    int queued() {
        return queue.size();
    }

    long batchesWritten() {
        return batchesWritten.sum();
    }

    /** Batches written with a synced write: the fsyncs of the log that carried commands. */
    long syncedWrites() {
        return syncedWrites.sum();
    }

    /** Log syncs done for barriers alone (no batch of their own to carry the sync). */
    long walSyncs() {
        return walSyncs.sum();
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(maxBatch);
        Throwable died = null;
        try {
            while (true) {
                batch.clear();
                batch.add(queue.take());
                hooks.beforeDrain().run();
                queue.drainTo(batch, maxBatch - 1);
                boolean stop = batch.getLast() == STOP; // nothing is accepted after STOP
                if (stop) {
                    batch.removeLast();
                }
                if (!batch.isEmpty()) {
                    commit(batch);
                }
                if (stop) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            LOG.log(System.Logger.Level.ERROR, "index applier interrupted; no more writes", e);
            died = e;
        } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "index applier died; no more writes", e);
            died = e;
            throw e;
        } finally {
            failQueued(batch);
            if (died != null) {
                onDeath.accept(died);
            }
        }
    }

    /**
     * Applies the commands in order into one batch, writes it once — synced when any caller waits for
     * durability — then answers every caller. A synced write also makes every earlier unsynced batch
     * durable (they precede it in the one log), which is what {@link #durable} relies on.
     */
    private void commit(List<Pending> batch) {
        List<Outcome> outcomes = new ArrayList<>(batch.size());
        boolean sync = false;
        boolean bucketChange = false;
        LogPosition position = null;
        try (WriteBatchWithIndex writes = new WriteBatchWithIndex(true)) {
            CommandApplier applier = new CommandApplier(engine.db(), engine.readOptions(), writes);
            for (Pending p : batch) {
                sync |= p.sync();
                outcomes.add(p.command() == null ? new Outcome(IndexResult.DONE, null) : applyLogged(applier, writes, p));
                bucketChange |= p.command() != null && BucketCache.changesBuckets(p.command());
                if (p.position() != null) {
                    position = p.position(); // logged commands are queued in log order
                }
            }
            if (position != null) {
                // In the batch that carries the commands: state and position are durable together.
                writes.put(LOG_APPLIED_ROW, position.encode());
                LogCalls.prune(engine.db(), writes, position.index() - callRetention);
            }
            if (writes.count() > 0) {
                hooks.beforeWrite().run();
                engine.db().write(sync ? engine.syncWrite() : engine.lazyWrite(), writes);
                batchesWritten.increment();
                if (sync) {
                    syncedWrites.increment();
                }
                written = written + 1;
                lastWriteFailed = false;
            } else if (sync && syncedThrough < written) {
                engine.db().syncWal();
                walSyncs.increment();
            }
            if (sync) {
                syncedThrough = written;
            }
        } catch (RocksDBException | RuntimeException e) {
            // Nothing of the batch is committed; a rejection may have been decided on an earlier
            // command's effect that is now lost, so every caller gets the engine failure.
            lastWriteFailed = true;
            IndexException failure = new IndexException.EngineFailure("index write failed", e);
            batch.forEach(p -> p.result().completeExceptionally(failure));
            return;
        }
        if (bucketChange) {
            afterBucketChange.run();
        }
        for (int i = 0; i < batch.size(); i++) {
            Outcome o = outcomes.get(i);
            if (o.failure() == null) {
                batch.get(i).result().complete(o.result());
            } else {
                batch.get(i).result().completeExceptionally(o.failure());
            }
        }
    }

    /** A logged call already applied is refused; else it is applied and, when it has a call key, recorded. */
    private Outcome applyLogged(CommandApplier applier, WriteBatchWithIndex writes, Pending p) throws RocksDBException {
        if (p.callKey() == null) {
            return applyOne(applier, writes, p.command());
        }
        long at = p.position().index();
        if (LogCalls.isRepeat(engine.db(), engine.readOptions(), writes, p.callKey(), at, callRetention)) {
            return new Outcome(null, new DuplicateLogCall("log entry " + at + " repeats a call already applied", at));
        }
        Outcome outcome = applyOne(applier, writes, p.command());
        LogCalls.record(writes, p.callKey(), at);
        return outcome;
    }

    /**
     * Applies one command inside a save point, so a command that fails half-way (a bug, a bad
     * argument, a read error) leaves nothing in the batch; the other commands go ahead.
     */
    private static Outcome applyOne(CommandApplier applier, WriteBatchWithIndex writes, IndexCommand command)
            throws RocksDBException {
        writes.setSavePoint();
        try {
            IndexResult result = applier.apply(command);
            writes.popSavePoint();
            return new Outcome(result, null);
        } catch (IndexException | RuntimeException e) {
            writes.rollbackToSavePoint();
            return new Outcome(null, e);
        } catch (RocksDBException e) {
            writes.rollbackToSavePoint();
            return new Outcome(null, new IndexException.EngineFailure("index read failed", e));
        }
    }

    /** After the thread ends: refuse new commands and fail every one still waiting (no-op if answered). */
    private void failQueued(List<Pending> inFlight) {
        synchronized (submitLock) {
            accepting = false;
        }
        // The batch in hand may have been written before the thread died: its outcome is unknown.
        IndexException unknown = new IndexException.OutcomeUnknown("index applier stopped during the write", null);
        for (Pending p : inFlight) {
            if (p != STOP) {
                p.result().completeExceptionally(unknown);
            }
        }
        IndexException closed = new IndexException.EngineFailure("index is closed", null);
        for (Pending p; (p = queue.poll()) != null; ) {
            if (p != STOP) {
                p.result().completeExceptionally(closed);
            }
        }
    }
}
