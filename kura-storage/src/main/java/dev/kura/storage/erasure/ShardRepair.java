package dev.kura.storage.erasure;

import dev.kura.storage.ShardDrive;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.RepairResult;
import dev.kura.storage.local.LocalBlobStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Finds and rebuilds bad shards of an {@link ErasureBlobStore} location; see
 * {@link ErasureBlobStore#repair(DataLocation)} and {@link ErasureBlobStore#verify(DataLocation)}.
 *
 * <p>Two passes, each stripe by stripe (memory: about one stripe plus one block per open shard
 * stream and per shard writer). The first reads every shard in full and finds the bad ones and
 * whether every stripe still has {@code k} good units; healthy data ends there, having written
 * nothing. The second opens a {@link LocalBlobStore} writer for each bad shard on a writable drive
 * of the set, reads {@code k} good units per stripe (fully healthy shards first, then the good
 * blocks of bad ones), rebuilds the bad shards' units and writes them, and commits each new shard
 * file; the old bad file is deleted in the commit's barrier, just before the new one is renamed
 * into place, so a shard with a few bad blocks keeps serving its good ones to readers (and to this
 * rebuild) until then. A reader that opened the old file keeps reading it through its handle; one
 * opening the shard in the gap between delete and rename rebuilds from parity.
 *
 * <p>A good shard on a drive that is leaving the set ({@link ShardDrive#isRetired}: its node was removed
 * from the cluster) counts as one to rebuild, onto another drive: repairs are how a leaving node's
 * shards move. The new location is the caller's to record ({@link RepairResult#relocated()}).
 *
 * <p>Repairs of one data id are serialized by a per-id lock held for both passes, so a second
 * repair waits and then finds the data healthy. Thread-safe.
 */
final class ShardRepair {
    private static final System.Logger LOG = System.getLogger(ShardRepair.class.getName());
    private final ErasureBlobStore store;
    private final ConcurrentHashMap<DataId, ReentrantLock> locks = new ConcurrentHashMap<>();

    ShardRepair(ErasureBlobStore store) {
        this.store = store;
    }

    /** What the first pass found. */
    private record Health(boolean[] bad, boolean[] absent, long lostStripe, int goodInLostStripe) {
        int badCount() {
            int c = 0;
            for (boolean b : bad) {
                c += b ? 1 : 0;
            }
            return c;
        }
    }

    int verify(DataLocation location) {
        if (LocalBlobStore.SCHEME.equals(location.scheme())) {
            return singleHealthy(location) ? 0 : 1;
        }
        ErasureBlobStore.Layout layout = ErasureBlobStore.Layout.of(location);
        return scan(location, layout).badCount();
    }

    RepairResult repair(DataLocation location) throws IOException {
        if (LocalBlobStore.SCHEME.equals(location.scheme())) {
            return new RepairResult(1, 0, singleHealthy(location) ? 0 : 1);
        }
        ErasureBlobStore.Layout layout = ErasureBlobStore.Layout.of(location);
        ReentrantLock lock = lock(location.dataId());
        try {
            return repairLocked(location, layout);
        } finally {
            locks.remove(location.dataId(), lock);
            lock.unlock();
        }
    }

    private RepairResult repairLocked(DataLocation location, ErasureBlobStore.Layout layout) throws IOException {
        int n = layout.k() + layout.m();
        Health health = scan(location, layout);
        if (health.lostStripe() >= 0) {
            throw new IOException("data " + location.dataId() + " (" + location.scheme()
                    + ") cannot be repaired: stripe " + health.lostStripe() + " has only "
                    + health.goodInLostStripe() + " good shards, " + layout.k() + " needed");
        }
        List<Integer> targets = new ArrayList<>();
        ShardDrive[] onto = new ShardDrive[n];
        java.util.Set<String> taken = new java.util.HashSet<>(location.drives());
        int unrepairable = 0;
        for (int i = 0; i < n; i++) {
            ShardDrive d = driveOf(location, i);
            if (!health.bad()[i] && d != null && d.isRetired()) {
                onto[i] = spare(location, taken); // a good shard on a drive leaving the set: moved
                if (onto[i] != null) {
                    taken.add(onto[i].driveId());
                    targets.add(i);
                } else {
                    unrepairable++; // no drive to move it to now: not done, say so
                }
            } else if (health.bad()[i]) {
                if (d != null && d.isPresent() && !d.isRetired()) {
                    onto[i] = d; // rebuilt in place
                } else if (isGoneForGood(location, i)) {
                    onto[i] = spare(location, taken); // a "-" slot or a drive gone from the set: elsewhere
                }
                if (onto[i] != null) {
                    taken.add(onto[i].driveId());
                    targets.add(i);
                } else {
                    unrepairable++;
                }
            }
        }
        if (targets.isEmpty()) {
            return new RepairResult(n, 0, unrepairable);
        }
        int[] outcome = rebuild(location, layout, health, targets, onto);
        List<String> drives = new ArrayList<>(location.drives());
        boolean moved = false;
        for (int i : targets) {
            if (outcome[2 + i] == 1 && !onto[i].driveId().equals(drives.get(i))) {
                drives.set(i, onto[i].driveId());
                moved = true;
            }
        }
        DataLocation relocated = moved ? new DataLocation(location.dataId(), location.layoutEpoch(), location.scheme(),
                drives, location.blockSize(), location.length()) : null;
        return new RepairResult(n, outcome[0], unrepairable + outcome[1], relocated);
    }

    /**
     * A slot whose shard will not come back where it was: never written ({@code "-"}), or on a drive
     * that is no longer in the set (unless the store keeps unknown drives: a cluster node's) or is
     * leaving it ({@link ShardDrive#isRetired}). A drive of the set that is merely absent now (unmounted, a zone
     * down) keeps its slot: its shards are rebuilt onto it, or onto its replacement, which takes its id.
     */
    private boolean isGoneForGood(DataLocation location, int i) {
        String id = location.drives().get(i);
        if (ErasureBlobStore.MISSING.equals(id)) {
            return true;
        }
        ShardDrive d = store.drive(id);
        return d == null ? store.unknownDrivesGone() : d.isRetired();
    }

    /** A writable drive holding no shard of this data, in the zone that holds the fewest of them; null if none. */
    private ShardDrive spare(DataLocation location, java.util.Set<String> taken) {
        java.util.Map<String, Integer> perZone = new java.util.HashMap<>();
        for (String id : taken) {
            ShardDrive d = ErasureBlobStore.MISSING.equals(id) ? null : store.drive(id);
            if (d != null && !d.isRetired()) { // a leaving drive's shard is the one being moved
                perZone.merge(d.zone(), 1, Integer::sum);
            }
        }
        ShardDrive best = null;
        for (ShardDrive d : store.drives()) {
            if (taken.contains(d.driveId()) || !d.isWritable()) {
                continue;
            }
            if (best == null || perZone.getOrDefault(d.zone(), 0) < perZone.getOrDefault(best.zone(), 0)) {
                best = d;
            }
        }
        return best;
    }

    /** The second pass; returns {rebuilt, failed to write, then per shard 1 when rebuilt}. */
    private int[] rebuild(DataLocation location, ErasureBlobStore.Layout layout, Health health, List<Integer> targets,
                          ShardDrive[] onto) throws IOException {
        int k = layout.k();
        int n = k + layout.m();
        int unit = location.blockSize();
        BlobWriter[] writers = new BlobWriter[n];
        byte[] annotation = null;
        int failed = 0;
        try (ShardReader reader = new ShardReader(store, location, layout)) {
            reader.checkAll();
            Original original = original(location, layout, health, reader);
            String base = original.label();
            annotation = original.annotation();
            for (int i : targets) {
                try {
                    DataLocation shardHere = ErasureBlobStore.shardLocation(location, onto[i].driveId());
                    if (!onto[i].driveId().equals(location.drives().get(i))) {
                        onto[i].delete(shardHere); // left by a relocation that died before the index heard of it
                    }
                    writers[i] = onto[i].create(shardHere, prefix(i, layout) + base);
                } catch (IOException | RuntimeException e) {
                    failed++; // the drive cannot take the shard now; left for a later repair
                    cannotWrite(location, i, onto[i], "start", e);
                }
            }
            if (failed == targets.size()) {
                return new int[2 + n];
            }
            // Healthy shards first: they need no second try. Bad ones still serve their good blocks.
            List<Integer> order = new ArrayList<>(n);
            for (int pass = 0; pass < 2; pass++) {
                for (int i = 0; i < n; i++) {
                    if (health.bad()[i] == (pass == 1)) {
                        order.add(i);
                    }
                }
            }
            byte[][] chunks = new byte[n][];
            long stripes = ErasureBlobStore.stripes(location.length(), k, unit);
            for (long s = 0; s < stripes; s++) {
                boolean[] present = new boolean[n];
                int good = 0;
                for (int idx = 0; idx < n && good < k; idx++) {
                    int i = order.get(idx);
                    if (chunks[i] == null) {
                        chunks[i] = new byte[unit];
                    }
                    if (reader.read(i, s, chunks[i])) {
                        present[i] = true;
                        good++;
                    }
                }
                if (good < k) {
                    throw new IOException("data " + location.dataId() + " (" + location.scheme() + "): stripe " + s
                            + " has only " + good + " readable shards during repair, " + k + " needed");
                }
                store.codec(layout).reconstruct(chunks, present, 0, unit);
                for (int i : targets) {
                    if (writers[i] == null) {
                        continue;
                    }
                    try {
                        writers[i].write(ByteBuffer.wrap(chunks[i], 0, unit));
                    } catch (IOException | RuntimeException e) {
                        writers[i].abort();
                        writers[i] = null;
                        failed++;
                        cannotWrite(location, i, onto[i], "write", e);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            for (BlobWriter w : writers) {
                if (w != null) {
                    w.abort();
                }
            }
            throw e;
        }
        int[] outcome = new int[2 + n];
        int rebuilt = 0;
        for (int i : targets) {
            if (writers[i] == null) {
                continue;
            }
            ShardDrive d = onto[i];
            DataLocation shard = ErasureBlobStore.shardLocation(location, d.driveId());
            boolean oldFile = !health.absent()[i] && d.driveId().equals(location.drives().get(i));
            try {
                // Only an existing file is deleted: deleting an absent one would remove our temp file.
                writers[i].commit(() -> {
                    if (oldFile) {
                        d.delete(shard);
                    }
                }, annotation);
                rebuilt++;
                outcome[2 + i] = 1;
            } catch (IOException | RuntimeException e) {
                failed++;
                cannotWrite(location, i, d, "commit", e);
            }
        }
        outcome[0] = rebuilt;
        outcome[1] = failed;
        return outcome;
    }

    /** A rebuilt shard that could not be written is counted as failed; the log says why. */
    private static void cannotWrite(DataLocation location, int shard, ShardDrive drive, String step, Exception e) {
        LOG.log(System.Logger.Level.WARNING, "repair of data {0}: shard {1} could not be written to drive {2} ({3}): {4}",
                location.dataId(), shard, drive.driveId(), step, e.toString());
    }

    /** The first pass: reads every unit of every shard once. */
    private Health scan(DataLocation location, ErasureBlobStore.Layout layout) {
        int n = layout.k() + layout.m();
        int unit = location.blockSize();
        long lost = -1;
        int goodInLost = 0;
        try (ShardReader reader = new ShardReader(store, location, layout)) {
            reader.checkAll();
            long stripes = ErasureBlobStore.stripes(location.length(), layout.k(), unit);
            byte[] sink = new byte[stripes == 0 ? 0 : unit];
            for (long s = 0; s < stripes; s++) {
                int good = 0;
                for (int i = 0; i < n; i++) {
                    good += reader.read(i, s, sink) ? 1 : 0;
                }
                if (good < layout.k() && lost < 0) {
                    lost = s;
                    goodInLost = good;
                }
            }
            boolean[] bad = new boolean[n];
            boolean[] absent = new boolean[n];
            for (int i = 0; i < n; i++) {
                bad[i] = reader.bad(i);
                absent[i] = reader.absent(i);
            }
            return new Health(bad, absent, lost, goodInLost);
        }
    }

    /** A {@code single} location has no parity to rebuild it from: its drive gives the verdict. */
    private boolean singleHealthy(DataLocation location) {
        if (location.drives().size() != 1) {
            throw new IllegalArgumentException("a single-drive location needs one drive: " + location.drives());
        }
        ShardDrive d = store.drive(location.drives().getFirst());
        try {
            return d != null && d.repair(location).shardsUnrepairable() == 0;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private ShardDrive driveOf(DataLocation location, int i) {
        String driveId = location.drives().get(i);
        return ErasureBlobStore.MISSING.equals(driveId) ? null : store.drive(driveId);
    }

    /** The label prefix a normal write gives shard {@code i} (see {@link ErasureBlobWriter}). */
    private static String prefix(int i, ErasureBlobStore.Layout layout) {
        return "shard " + i + " of " + layout.scheme() + ": ";
    }

    /** What the original write put in every shard's header and footer besides the data. */
    private record Original(String label, byte[] annotation) {
    }

    /**
     * The caller's label and the annotation of the original write, read back from healthy shards
     * ({@link LocalBlobStore#inspect}, which checks their checksums), so a rebuilt shard's file
     * matches the original byte for byte. The longest label wins: a label cut at the header's limit
     * keeps more after a shorter shard prefix.
     */
    private static Original original(DataLocation location, ErasureBlobStore.Layout layout, Health health,
                                     ShardReader reader) {
        String best = null;
        byte[] annotation = null;
        for (int j = 0; j < health.bad().length; j++) {
            ShardDrive d = health.bad()[j] ? null : reader.drive(j);
            if (d == null) {
                continue;
            }
            try {
                dev.kura.storage.StoredData stored = d.inspect(location.dataId()).orElse(null);
                if (stored == null) {
                    continue;
                }
                String p = prefix(j, layout);
                if (stored.label().startsWith(p) && (best == null || stored.label().length() - p.length() > best.length())) {
                    best = stored.label().substring(p.length());
                }
                if (annotation == null && stored.annotation().length > 0) {
                    annotation = stored.annotation();
                }
            } catch (IOException | RuntimeException e) {
                // try the next shard
            }
        }
        return new Original(best != null ? best : "(label lost; rebuilt by repair)", annotation);
    }

    /** Takes the repair lock of {@code id}, waiting for a repair of the same id that holds it. */
    private ReentrantLock lock(DataId id) {
        ReentrantLock mine = new ReentrantLock();
        mine.lock();
        while (true) {
            ReentrantLock held = locks.putIfAbsent(id, mine);
            if (held == null) {
                return mine;
            }
            if (held.isHeldByCurrentThread()) {
                mine.unlock();
                throw new IllegalStateException("repair of " + id + " re-entered on the same thread");
            }
            held.lock(); // the holder removes its entry before unlocking; then try again
            held.unlock();
        }
    }
}
