package dev.kura.object;

import dev.kura.common.DataId;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.ObjectIndex;
import dev.kura.index.PendingFree;
import dev.kura.index.WriteIntent;
import dev.kura.storage.BlobStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes garbage the index names explicitly, without scanning drives:
 * <ul>
 *   <li>write intents of writes that can no longer commit: every intent recorded before this
 *       process started (its writer died with the old process), and any older than
 *       {@link #INTENT_LIFETIME};</li>
 *   <li>pending frees (data of replaced or deleted versions) once {@link #FREE_GRACE} has passed —
 *       the window between a reader looking a record up and opening its data — and no read that
 *       opens data lazily (a multipart stream, {@link ActiveReads}) began before the free, unless
 *       that read has streamed for more than {@link #MAX_READ_HOLD}.</li>
 * </ul>
 * Each piece of data is deleted (durably) before its row is cleared, so a crash mid-sweep only
 * repeats a delete of absent data. The row clears are unsynced index applies: losing one at a
 * crash costs the same repeat, never a leak. Deletes run a few at a time, since each ends in a
 * directory fsync that the disk can overlap with others.
 */
public final class Sweeper {
    static final Duration INTENT_LIFETIME = Duration.ofHours(24);
    static final Duration FREE_GRACE = Duration.ofSeconds(5);
    static final Duration MAX_READ_HOLD = Duration.ofHours(1);
    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);
    private static final int BATCH = 1000;
    private static final int PARALLEL_DELETES = 8;

    private final ObjectIndex index;
    private final BlobStore store;
    private final InstantSource clock;
    private final Instant bootTime;
    private final ActiveReads reads;
    private final java.util.concurrent.atomic.AtomicLong removedTotal = new java.util.concurrent.atomic.AtomicLong();
    private volatile long backlog;

    public Sweeper(ObjectIndex index, BlobStore store, InstantSource clock, Instant bootTime, ActiveReads reads) {
        this.index = index;
        this.store = store;
        this.clock = clock;
        this.bootTime = bootTime;
        this.reads = reads;
    }

    /** One pass over every intent and pending free; returns how many pieces of data were removed. */
    public int sweepOnce() throws IOException, IndexException {
        int removed = sweepIntents() + sweepFrees();
        removedTotal.addAndGet(removed);
        return removed;
    }

    /** Pieces of data removed since start. */
    public long removedTotal() {
        return removedTotal.get();
    }

    /** Pending frees the last pass saw and left for later (still in their grace period, or held by a read). */
    public long backlog() {
        return backlog;
    }

    private int sweepIntents() throws IOException, IndexException {
        Instant now = clock.instant();
        int removed = 0;
        while (true) {
            List<Deletion> work = new ArrayList<>();
            for (WriteIntent intent : index.intents(BATCH)) { // oldest first
                if (!(intent.createdAt().isBefore(bootTime) || intent.createdAt().plus(INTENT_LIFETIME).isBefore(now))) {
                    break;
                }
                work.add(new Deletion(intent.location(), () -> index.applyUnsynced(
                        new IndexCommand.CancelIntent(intent.location().dataId()))));
            }
            removed += run(work);
            if (work.size() < BATCH) {
                return removed;
            }
        }
    }

    private int sweepFrees() throws IOException, IndexException {
        Instant now = clock.instant();
        Optional<Instant> oldestRead = reads.oldestStart().filter(t -> t.plus(MAX_READ_HOLD).isAfter(now));
        int removed = 0;
        long seen = 0;
        DataId after = null;
        while (true) {
            List<PendingFree> page = index.pendingFrees(after, BATCH);
            seen += page.size();
            List<Deletion> work = new ArrayList<>();
            for (PendingFree free : page) {
                boolean graceOver = free.since().plus(FREE_GRACE).isBefore(now);
                boolean noReaderBefore = oldestRead.isEmpty() || oldestRead.get().isAfter(free.since());
                if (graceOver && noReaderBefore) {
                    work.add(new Deletion(free.location(), () -> index.applyUnsynced(
                            new IndexCommand.CompleteFree(free.location().dataId()))));
                }
            }
            removed += run(work);
            if (page.size() < BATCH) {
                backlog = seen - removed;
                return removed;
            }
            after = page.getLast().location().dataId();
        }
    }

    /** Data to remove, then the index change that forgets it. */
    private record Deletion(dev.kura.common.DataLocation location, Forget forget) {
    }

    private interface Forget {
        void run() throws IndexException;
    }

    /** Deletes the data of each item (a few at a time), then forgets the ones deleted. */
    private int run(List<Deletion> work) throws IOException, IndexException {
        if (work.isEmpty()) {
            return 0;
        }
        Semaphore slots = new Semaphore(PARALLEL_DELETES);
        List<Future<?>> deleted = new ArrayList<>(work.size());
        IOException firstFailure = null;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Deletion d : work) {
                deleted.add(pool.submit(() -> {
                    slots.acquire();
                    try {
                        if (!d.location().isInline()) { // inline data goes with its index row
                            store.delete(d.location());
                        }
                        return null;
                    } finally {
                        slots.release();
                    }
                }));
            }
            int removed = 0;
            for (int i = 0; i < work.size(); i++) {
                try {
                    deleted.get(i).get();
                    work.get(i).forget().run();
                    removed++;
                } catch (ExecutionException e) {
                    firstFailure = firstFailure != null ? firstFailure
                            : new IOException("sweeper could not delete " + work.get(i).location().dataId(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("sweeper interrupted", e);
                }
            }
            if (removed > 0) {
                LOG.debug("sweeper removed {} data items", removed);
            }
            if (firstFailure != null) {
                throw firstFailure; // the rest is retried on the next pass
            }
            return removed;
        }
    }
}
