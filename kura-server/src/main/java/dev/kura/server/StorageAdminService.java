package dev.kura.server;

import dev.kura.object.Repairer;
import dev.kura.server.admin.StorageAdmin;
import dev.kura.storage.drives.DriveSet;
import dev.kura.storage.local.LocalBlobStore;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's view of storage: drive states, formatting a waiting drive, and the heal and scrub
 * passes (one of each at a time, on their own threads; asking for one while it runs joins it).
 * Heals run at {@link #HEAL_RATE}, leaving the foreground its share; scrubs spread one pass over
 * {@code --scrub-interval} and run periodically. Formatting a drive starts a heal, which fills it.
 */
final class StorageAdminService implements StorageAdmin, AutoCloseable {
    /** 256 MiB/s of data examined: a fraction of one drive's bandwidth on the machines Kura targets. */
    static final long HEAL_RATE = 256L << 20;
    private static final Logger LOG = LoggerFactory.getLogger(StorageAdminService.class);

    private final Storage storage;
    private final Repairer repairer;
    private final InstantSource clock;
    private final Duration scrubInterval;
    private final ExecutorService workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("kura-repair-", 0).factory());
    private final Pass heal = new Pass("heal");
    private final Pass scrub = new Pass("scrub");
    private volatile boolean closed;

    StorageAdminService(Storage storage, Repairer repairer, InstantSource clock, Duration scrubInterval) {
        this.storage = storage;
        this.repairer = repairer;
        this.clock = clock;
        this.scrubInterval = scrubInterval;
    }

    /** One kind of pass: the running or last one. */
    private final class Pass {
        final String kind;
        CompletableFuture<Void> running; // guarded by this
        Repairer.Progress progress;       // guarded by this
        Instant started;
        Instant finished;

        Pass(String kind) {
            this.kind = kind;
        }

        CompletableFuture<Void> queued; // guarded by this: a pass asked for while one runs

        /**
         * Starts a pass, or — when one is running — queues one to start when it ends (one at most),
         * so whoever asks sees a pass that began after the request: a drive formatted while a heal
         * runs is filled by the next one.
         */
        synchronized CompletableFuture<Void> start(Repairer.Pace pace) {
            if (running == null || running.isDone()) {
                return launch(pace);
            }
            if (queued == null) {
                queued = running.handle((v, e) -> null).thenCompose(v -> {
                    synchronized (this) {
                        queued = null;
                        return launch(pace);
                    }
                });
            }
            return queued;
        }

        private synchronized CompletableFuture<Void> launch(Repairer.Pace pace) {
            Repairer.Progress p = new Repairer.Progress();
            progress = p;
            started = clock.instant();
            finished = null;
            running = CompletableFuture.runAsync(() -> {
                try {
                    repairer.pass(pace, p);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    synchronized (this) {
                        finished = clock.instant();
                    }
                    LOG.info("{} pass done: {} checked, {} shards repaired, {} failed", kind, p.checked.get(),
                            p.repaired.get(), p.failed.get());
                }
            }, workers);
            return running;
        }

        synchronized RepairStatus status() {
            if (progress == null) {
                return new RepairStatus(kind, "idle", 0, 0, 0, null, null);
            }
            return new RepairStatus(kind, finished == null ? "running" : "done", progress.checked.get(),
                    progress.repaired.get(), progress.failed.get(), String.valueOf(started),
                    finished == null ? null : finished.toString());
        }
    }

    @Override
    public List<DriveStatus> drives() {
        List<DriveStatus> out = new ArrayList<>();
        DriveSet set = storage.driveSet();
        if (set == null) {
            for (LocalBlobStore d : storage.onlineDrives()) {
                out.add(status(d.root(), d, "online", null, d.zone()));
            }
            return out;
        }
        for (DriveSet.Drive d : set.drives()) {
            String state = d.state().label();
            String reason = d.reason();
            if (d.store() != null && d.store().isFull()) {
                state = "full";
                reason = "under its free-space reserve; new data goes to the other drives";
            } else if (d.store() != null && !d.store().isWritable()) {
                state = "offline";
                reason = d.store().ioErrors() > 0
                        ? "I/O errors (" + d.store().ioErrors() + " since start); new data goes to other drives for a while"
                        : "its header or directories are gone or not writable (unmounted, failed, read-only)";
            }
            out.add(status(d.spec().path(), d.store(), state, reason, d.store() != null ? d.store().zone() : d.spec().zone()));
        }
        return out;
    }

    private static DriveStatus status(Path path, LocalBlobStore store, String state, String reason, String zone) {
        long total = -1;
        long free = -1;
        try {
            if (Files.exists(path)) {
                FileStore fs = Files.getFileStore(path);
                total = fs.getTotalSpace();
                free = fs.getUsableSpace();
            }
        } catch (IOException e) {
            // unknown: reported as -1
        }
        return new DriveStatus(path.toString(), store == null ? null : store.driveId(), zone, state, reason,
                total < 0 ? -1 : total - free, free, store == null ? 0 : store.ioErrors());
    }

    @Override
    public DriveStatus format(String path) throws IOException {
        DriveSet set = storage.driveSet();
        if (set == null) {
            throw new IOException("Kura runs on its one default drive (no --drive); there is nothing to format");
        }
        DriveSet.Drive d = set.format(Path.of(path));
        heal.start(new Repairer.Pace(HEAL_RATE)); // the healer fills the new drive
        return status(d.spec().path(), d.store(), "online", null, d.store().zone());
    }

    @Override
    public RepairStatus heal(boolean wait) throws InterruptedException {
        return run(heal, new Repairer.Pace(HEAL_RATE), wait);
    }

    @Override
    public RepairStatus scrub(boolean wait) throws InterruptedException {
        // On demand, a scrub goes at the heal rate; the periodic one spreads itself over the interval.
        return run(scrub, new Repairer.Pace(HEAL_RATE), wait);
    }

    private static RepairStatus run(Pass pass, Repairer.Pace pace, boolean wait) throws InterruptedException {
        CompletableFuture<Void> f = pass.start(pace);
        if (wait) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                LOG.warn("{} pass failed: {}", pass.kind, e.getCause().toString());
            }
        }
        return pass.status();
    }

    @Override
    public RepairStatus healStatus() {
        return heal.status();
    }

    @Override
    public RepairStatus scrubStatus() {
        return scrub.status();
    }

    /** Repairs asked for by reads that had to rebuild from parity; bounded, the scrub finds whatever overflows. */
    private final java.util.Set<dev.kura.common.DataLocation> repairQueue = new java.util.LinkedHashSet<>();
    private static final int MAX_QUEUED_REPAIRS = 10_000;
    private final java.util.concurrent.atomic.AtomicLong queuedRepairsDone = new java.util.concurrent.atomic.AtomicLong();

    /** Queues a repair of data a read found degraded; returns at once (called on the reader's thread). */
    void queueRepair(dev.kura.common.DataLocation location) {
        synchronized (repairQueue) {
            if (repairQueue.size() < MAX_QUEUED_REPAIRS && repairQueue.add(location)) {
                repairQueue.notifyAll();
            }
        }
    }

    /** Repairs queued by degraded reads, one at a time, as they come. */
    void startRepairQueue(dev.kura.storage.BlobStore store) {
        workers.submit(() -> {
            while (!closed) {
                dev.kura.common.DataLocation next;
                synchronized (repairQueue) {
                    while (repairQueue.isEmpty()) {
                        try {
                            repairQueue.wait();
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                    var it = repairQueue.iterator();
                    next = it.next();
                    it.remove();
                }
                try {
                    store.repair(next);
                    queuedRepairsDone.incrementAndGet();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("queued repair of {} failed: {}", next.dataId(), e.toString());
                }
            }
        });
    }

    /** Repairs waiting in the queue. */
    long queuedRepairs() {
        synchronized (repairQueue) {
            return repairQueue.size();
        }
    }

    /** Repairs done from the queue since start (for tests and metrics). */
    long queuedRepairsDone() {
        return queuedRepairsDone.get();
    }

    /**
     * Periodic scrubs: one pass per interval, paced to take about the interval, run only when {@code when}
     * says so (always on a single node; in a cluster, on the index leader).
     */
    void startPeriodicScrub(java.util.function.BooleanSupplier when) {
        if (scrubInterval == null || scrubInterval.isZero() || scrubInterval.isNegative()) {
            return;
        }
        workers.submit(() -> {
            while (!closed) {
                try {
                    Thread.sleep(scrubInterval.toMillis());
                    if (!when.getAsBoolean()) {
                        continue;
                    }
                    long used = drives().stream().mapToLong(d -> Math.max(0, d.usedBytes())).sum();
                    scrub.start(Repairer.Pace.spread(used, scrubInterval)).get();
                } catch (InterruptedException e) {
                    return;
                } catch (java.util.concurrent.ExecutionException | RuntimeException e) {
                    LOG.warn("periodic scrub failed: {}", e.toString());
                }
            }
        });
    }

    @Override
    public void close() {
        closed = true;
        workers.shutdownNow();
    }
}
