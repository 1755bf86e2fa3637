package dev.kura.storage.erasure;

import dev.kura.storage.ShardDrive;

import dev.kura.common.DataLocation;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.StorageFullException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Writes one erasure-coded piece of data: buffers one stripe ({@code k} units), encodes its
 * parity and hands unit {@code i} to the {@link ShardDrive} writer of shard {@code i}. A shard
 * whose drive fails is aborted and dropped while at least the write quorum is left; below it the
 * whole write aborts. Memory: the stripe ({@code (k + m) * unit}) plus one block in each shard
 * writer. Not thread-safe.
 */
final class ErasureBlobWriter implements BlobWriter {
    private enum State { OPEN, COMMITTED, ABORTED }

    /** Shards up to this size (payload) go through the drives' journals: two 64 KiB units. */
    static final long SMALL_SHARD_BYTES = 128 * 1024;

    private final ErasureBlobStore store;
    private final DataLocation planned;
    private final ErasureBlobStore.Layout layout;
    private final ErasureCodec codec;
    private final int unit;
    private final int stripeBytes;
    /** Null once a shard failed (or was never opened). */
    private final BlobWriter[] shards;
    /** Why each dropped shard failed, for the error if the quorum is lost. */
    private final List<IOException> failures = new ArrayList<>();
    private final byte[][] data;
    private final byte[][] parity;
    /** Payload bytes in the current stripe. */
    private int fill;
    private long length;
    private State state = State.OPEN;

    private ErasureBlobWriter(ErasureBlobStore store, DataLocation planned, ErasureBlobStore.Layout layout,
                              ErasureCodec codec) {
        this.store = store;
        this.planned = planned;
        this.layout = layout;
        this.codec = codec;
        this.unit = planned.blockSize();
        this.stripeBytes = layout.k() * unit;
        this.shards = new BlobWriter[layout.k() + layout.m()];
        this.data = new byte[layout.k()][unit];
        this.parity = new byte[layout.m()][unit];
    }

    /** Opens a writer on every shard's drive; a drive that cannot take its shard counts as failed. */
    static ErasureBlobWriter start(ErasureBlobStore store, DataLocation planned, ErasureBlobStore.Layout layout,
                                   ErasureCodec codec, String label) throws IOException {
        ErasureBlobWriter w = new ErasureBlobWriter(store, planned, layout, codec);
        // Shards go through the drives' journals when they are small: small data (one data shard, sized
        // to it), or data expected (planned length) to make shards within the journal's reach; else
        // each shard writer would hold up to the journal's limit in memory before spilling.
        long expected = planned.length();
        boolean mayJournal = layout.k() == 1 || (expected > 0
                && ErasureBlobStore.stripes(expected, layout.k(), planned.blockSize()) * planned.blockSize()
                <= SMALL_SHARD_BYTES);
        for (int i = 0; i < w.shards.length; i++) {
            String driveId = planned.drives().get(i);
            ShardDrive d = store.drive(driveId);
            try {
                if (d == null) {
                    throw new IOException("drive " + driveId + " is not attached");
                }
                w.shards[i] = d.create(ErasureBlobStore.shardLocation(planned, driveId),
                        "shard " + i + " of " + layout.scheme() + ": " + label, mayJournal);
            } catch (IOException | RuntimeException e) {
                w.drop(i, e);
            }
        }
        w.checkQuorum();
        return w;
    }

    @Override
    public void write(ByteBuffer src) throws IOException {
        checkOpen();
        try {
            while (src.hasRemaining()) {
                int shard = fill / unit;
                int at = fill % unit;
                int n = Math.min(src.remaining(), unit - at);
                src.get(data[shard], at, n);
                fill += n;
                length += n;
                if (fill == stripeBytes) {
                    flushStripe();
                }
            }
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }

    /**
     * Commits every surviving shard, all at once (each on its own drive, so their syncs overlap);
     * {@code beforeVisible} runs once, when the first shard is synced and about to become durable or
     * visible, and the others wait for it, so nothing of this data is findable before it returns. Every
     * shard carries the same annotation.
     */
    @Override
    public DataLocation commit(Barrier beforeVisible, byte[] annotation) throws IOException {
        checkOpen();
        Barrier once = new Barrier() {
            private boolean ran;
            private IOException failure;

            @Override
            public synchronized void await() throws IOException {
                if (!ran) {
                    ran = true;
                    try {
                        beforeVisible.await();
                    } catch (IOException | RuntimeException e) {
                        failure = e instanceof IOException io ? io : new IOException("barrier failed: " + e, e);
                        barrierFailed = failure;
                    }
                }
                if (failure != null) {
                    throw failure;
                }
            }
        };
        List<String> drives = new ArrayList<>(planned.drives());
        try {
            if (fill > 0) {
                flushStripe();
            }
            Committed outcome = commitShards(once, annotation);
            Exception[] failed = outcome.failed();
            if (barrierFailed != null) {
                throw barrierFailed; // the caller's barrier failed: the whole write must fail
            }
            for (int i = 0; i < shards.length; i++) {
                if (failed[i] != null) {
                    shards[i] = null; // committed nothing (a writer cleans up after a failed commit)
                    failures.add(failed[i] instanceof IOException io ? io
                            : new IOException("shard " + i + " failed: " + failed[i], failed[i]));
                }
            }
            checkQuorum();
            if (!outcome.durable()) { // enough shards, but every one in the same zone of a placement over several
                IOException e = new IOException("write of " + planned.dataId() + " (" + layout.scheme()
                        + ") committed only in one zone; two are needed before it is acknowledged");
                failures.forEach(e::addSuppressed);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
        state = State.COMMITTED;
        for (int i = 0; i < shards.length; i++) {
            if (shards[i] == null) {
                drives.set(i, ErasureBlobStore.MISSING);
            }
        }
        return new DataLocation(planned.dataId(), planned.layoutEpoch(), planned.scheme(), drives, unit, length);
    }

    private volatile IOException barrierFailed;

    /**
     * How long a commit waits for the shards still committing once the write quorum has: a shard whose drive
     * hangs (a node cut off by the network, a dying disk) must not hold the write. Such a straggler goes on
     * by itself; its slot keeps its drive, and if it never lands, readers find it missing and repair it.
     */
    static final long STRAGGLER_GRACE_MILLIS = 2_000;

    /**
     * Commits the open shards in parallel, each on a thread of its own; the outcome: each slot's failure or null, and whether the write is durable enough.
     * Returns when every shard has finished, or once the write is durable enough — the quorum committed,
     * in at least two zones when the placement spans two or more ({@link #durableEnough}) — and the others
     * had {@link #STRAGGLER_GRACE_MILLIS} more (those are left running, their slots null). Short of that it
     * waits for every shard, so a failed write never leaves one running.
     */
    private Committed commitShards(Barrier once, byte[] annotation) {
        Exception[] failed = new Exception[shards.length];
        boolean[] committed = new boolean[shards.length];
        boolean[] leftBehind = new boolean[shards.length];
        String[] zones = new String[shards.length];
        for (int i = 0; i < shards.length; i++) {
            zones[i] = zoneOf(i);
        }
        int[] finished = new int[1];
        int open = 0;
        for (int i = 0; i < shards.length; i++) {
            if (shards[i] == null) {
                continue;
            }
            open++;
            int shard = i;
            Thread.ofVirtual().name("kura-shard-commit").start(() -> {
                Exception failure = null;
                try {
                    shards[shard].commit(once, annotation);
                } catch (IOException | RuntimeException e) {
                    failure = e;
                }
                synchronized (committed) {
                    failed[shard] = failure;
                    committed[shard] = failure == null;
                    finished[0]++;
                    if (leftBehind[shard]) {
                        store.stragglerLeft(planned.drives().get(shard), -1);
                    }
                    committed.notifyAll();
                }
            });
        }
        boolean interrupted = false;
        synchronized (committed) {
            long graceEnds = 0;
            while (finished[0] < open) {
                try {
                    if (durableEnough(committed, zones)) {
                        long now = System.nanoTime();
                        if (graceEnds == 0) {
                            graceEnds = now + TimeUnit.MILLISECONDS.toNanos(STRAGGLER_GRACE_MILLIS);
                        }
                        if (now >= graceEnds) {
                            break;
                        }
                        TimeUnit.NANOSECONDS.timedWait(committed, graceEnds - now);
                    } else {
                        committed.wait();
                    }
                } catch (InterruptedException e) {
                    interrupted = true; // a shard commit cannot be left running half-way short of durable
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            for (int i = 0; i < shards.length; i++) {
                if (shards[i] != null && !committed[i] && failed[i] == null) { // still committing: left behind
                    leftBehind[i] = true;
                    store.stragglerLeft(planned.drives().get(i), 1);
                }
            }
            // a straggler's later failure does not change what this commit decided
            return new Committed(failed.clone(), durableEnough(committed, zones));
        }
    }

    /**
     * What a commit of the shards decided: each slot's failure (or null), and whether the shards that
     * committed make the write durable enough ({@link #durableEnough}).
     */
    private record Committed(Exception[] failed, boolean durable) {
    }

    /**
     * The write quorum ({@code K+1}, or {@code K} without parity) has committed, and those shards lie in at
     * least two zones whenever the placement spans two or more: a whole zone lost right after the answer
     * leaves the data readable.
     */
    private boolean durableEnough(boolean[] committed, String[] zoneOfShard) {
        int count = 0;
        java.util.Set<String> zones = new java.util.HashSet<>();
        java.util.Set<String> planned = new java.util.HashSet<>();
        for (int i = 0; i < committed.length; i++) {
            if (zoneOfShard[i] != null) { // a drive this store does not know adds no zone
                planned.add(zoneOfShard[i]);
            }
            if (committed[i]) {
                count++;
                if (zoneOfShard[i] != null) {
                    zones.add(zoneOfShard[i]);
                }
            }
        }
        return count >= layout.quorum() && zones.size() >= Math.min(2, planned.size());
    }

    private String zoneOf(int shard) {
        String id = planned.drives().get(shard);
        ShardDrive d = ErasureBlobStore.MISSING.equals(id) ? null : store.drive(id);
        return d == null ? null : d.zone();
    }

    /** Aborts open shards and deletes committed ones: nothing of a failed write stays on any drive. */
    @Override
    public void abort() {
        if (state != State.OPEN) {
            return;
        }
        state = State.ABORTED;
        for (BlobWriter w : shards) {
            if (w != null) {
                w.abort(); // a no-op for a shard that committed; the delete below removes those
            }
        }
        try {
            store.delete(new DataLocation(planned.dataId(), planned.layoutEpoch(), planned.scheme(),
                    planned.drives(), unit, length));
        } catch (IOException | RuntimeException e) {
            // left behind as data without a record; the caller's write intent names it for the sweeper
        }
    }

    /** Pads the stripe to full units with zeros, encodes parity, writes one unit to each shard. */
    private void flushStripe() throws IOException {
        int shard = fill / unit;
        if (fill < stripeBytes) {
            Arrays.fill(data[shard], fill % unit, unit, (byte) 0);
            for (int j = shard + 1; j < data.length; j++) {
                Arrays.fill(data[j], (byte) 0);
            }
        }
        codec.encode(data, parity, 0, unit);
        for (int i = 0; i < shards.length; i++) {
            if (shards[i] == null) {
                continue;
            }
            byte[] chunk = i < data.length ? data[i] : parity[i - data.length];
            try {
                shards[i].write(ByteBuffer.wrap(chunk, 0, unit));
            } catch (IOException | RuntimeException e) {
                drop(i, e);
            }
        }
        checkQuorum();
        fill = 0;
    }

    private void drop(int shard, Exception cause) {
        if (shards[shard] != null) {
            shards[shard].abort();
            shards[shard] = null;
        }
        failures.add(cause instanceof IOException io ? io
                : new IOException("shard " + shard + " failed: " + cause, cause));
    }

    /** Fails the write when fewer shards than the quorum are left; full drives make it a StorageFullException. */
    private void checkQuorum() throws IOException {
        long alive = Arrays.stream(shards).filter(w -> w != null).count();
        if (alive >= layout.quorum()) {
            return;
        }
        String message = "write of " + planned.dataId() + " (" + layout.scheme() + ") lost its quorum: only "
                + alive + " of " + shards.length + " shards writable, " + layout.quorum() + " needed";
        IOException e = failures.stream().anyMatch(StorageFullException::isFull)
                ? new StorageFullException(message) : new dev.kura.storage.QuorumLostException(message);
        failures.forEach(e::addSuppressed);
        abort();
        throw e;
    }

    private void checkOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException(
                    "writer for " + planned.dataId() + " is " + state.name().toLowerCase(Locale.ROOT));
        }
    }
}
