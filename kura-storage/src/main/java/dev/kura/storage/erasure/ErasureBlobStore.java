package dev.kura.storage.erasure;

import dev.kura.storage.ShardDrive;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobStore;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.InsufficientDrivesException;
import dev.kura.storage.RepairResult;
import dev.kura.storage.local.LocalBlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link BlobStore} over several {@link LocalBlobStore} drives that stores each piece of data as
 * {@code k} data shards plus {@code m} parity shards ({@link ReedSolomon}), one shard per drive.
 *
 * <h2>On-disk layout</h2>
 * Shard {@code i} of data {@code id} is an ordinary {@link LocalBlobStore} data file for the same
 * {@code id} on drive {@code drives().get(i)} (scheme {@code single}), so it inherits that store's
 * write order (temp file, fsync, rename, fsync directory) and its per-block CRC32C: bitrot is found
 * per block by the drive's own reader. Its header label is {@code "shard i of rs-k-m: <label>"},
 * so a file found alone on a drive says which shard it is. The payload is cut into stripes of
 * {@code k * unit} bytes; stripe {@code s} puts payload bytes {@code [s*k*unit + j*unit, +unit)} in
 * data shard {@code j} at shard offset {@code s*unit}, and its parity in shards {@code k..k+m-1} at
 * the same offset. The last stripe is zero-padded to full units, so every shard file holds
 * {@code stripes * unit} bytes and the shard block size is the unit: one stripe chunk is one
 * checksummed block. The {@link DataLocation} records the scheme {@code "rs-k-m"}, the drive ids in
 * shard order, the unit as {@code blockSize} and the real payload length.
 *
 * <h2>Write quorum</h2>
 * A write succeeds when at least {@code k + 1} shards committed ({@code k} when {@code m = 0}):
 * the data survives the loss of one more drive. A shard whose drive failed during the write is
 * aborted and its slot in the returned location's drive list is {@code "-"} ({@link #MISSING}),
 * so readers know not to look for it and a later repair knows what to rebuild. Below the quorum the
 * committed shards are deleted and the write fails.
 *
 * <h2>Read path</h2>
 * Stripe by stripe, only the stripes covering the range, and in a stripe only the data shards
 * covering it: a healthy read decodes nothing (the code is systematic). When a shard read fails
 * (missing file, checksum mismatch, drive gone, {@code "-"}) the stream reads further shards until
 * {@code k} are good and rebuilds the missing ones; fewer than {@code k} is an IOException, never a
 * wrong byte. See {@link ErasureInputStream}.
 *
 * <h2>Placement</h2>
 * Rendezvous hashing: each drive scores {@code hash(dataId, driveId)}; per zone the drives are
 * ranked by score, zones by their best score, and shards are dealt round-robin over the zones, so
 * they spread over as many zones as there are, evenly, and the same id always gets the same drives
 * while the drive set is unchanged. Unwritable drives are skipped; if too few remain the layout
 * narrows ({@link #narrowed}): the same parity on fewer data shards, then less parity, never none
 * when parity was configured — else {@link InsufficientDrivesException}. Each location records its
 * own layout, so reads and repairs never depend on the configured one.
 *
 * <h2>Repair</h2>
 * {@link #verify} counts bad shards and {@link #repair} rewrites them in place from the others,
 * stripe by stripe, alongside readers; see {@link ShardRepair}.
 *
 * <p>Thread-safe: all state is the immutable drive set, the thread-safe codecs and the repair locks.
 */
public final class ErasureBlobStore implements BlobStore {
    public static final int DEFAULT_STRIPE_UNIT = 64 * 1024;
    /** The placeholder in a location's drive list for a shard that was not written. */
    public static final String MISSING = "-";
    static final int LAYOUT_EPOCH = 1;
    /** Matches LocalBlobStore's largest block size, since a unit is one shard block. */
    static final int MAX_STRIPE_UNIT = 16 << 20;
    private static final Pattern SCHEME = Pattern.compile("rs-(\\d{1,2})-(\\d{1,2})");

    private final List<ShardDrive> drives;
    private final Map<String, ShardDrive> byId;
    private final int k;
    private final int m;
    private final int unit;
    /** One codec per (k, m): narrowed layouts use their own. */
    private final Map<Layout, ErasureCodec> codecs = new ConcurrentHashMap<>();
    private final ShardRepair repairs = new ShardRepair(this);

    /** The shape of one location's stripes, parsed from its scheme. */
    record Layout(int k, int m) {
        String scheme() {
            return "rs-" + k + "-" + m;
        }

        int quorum() {
            return m == 0 ? k : k + 1;
        }

        static Layout of(DataLocation location) {
            Matcher mt = SCHEME.matcher(location.scheme());
            if (!mt.matches()) {
                throw new IllegalArgumentException("not an erasure-coded location: " + location.scheme());
            }
            Layout l = new Layout(Integer.parseInt(mt.group(1)), Integer.parseInt(mt.group(2)));
            if (l.k < 1 || location.drives().size() != l.k + l.m) {
                throw new IllegalArgumentException("location of " + location.dataId() + " has scheme "
                        + location.scheme() + " but " + location.drives().size() + " drives");
            }
            if (location.blockSize() < 1 || location.blockSize() > MAX_STRIPE_UNIT) {
                throw new IllegalArgumentException("stripe unit out of range: " + location.blockSize());
            }
            return l;
        }
    }

    private ErasureBlobStore(List<? extends ShardDrive> drives, int k, int m, int unit) {
        this.drives = List.copyOf(drives);
        this.byId = new LinkedHashMap<>();
        for (ShardDrive d : drives) {
            byId.put(d.driveId(), d);
        }
        this.k = k;
        this.m = m;
        this.unit = unit;
    }

    /** As {@link #open(List, int, int, int)} with {@link #DEFAULT_STRIPE_UNIT}. */
    public static ErasureBlobStore open(List<? extends ShardDrive> drives, int k, int m) {
        return open(drives, k, m, DEFAULT_STRIPE_UNIT);
    }

    /**
     * A store writing {@code k + m} shards over {@code drives}, {@code stripeUnit} bytes per shard per
     * stripe. Takes ownership of the drives ({@link #close()} closes them).
     *
     * @throws IllegalArgumentException when the layout cannot be laid out on these drives
     */
    public static ErasureBlobStore open(List<? extends ShardDrive> drives, int k, int m, int stripeUnit) {
        return open(drives, k, m, stripeUnit, k + m);
    }

    /**
     * As {@link #open(List, int, int, int)} for a drive set some of whose drives are missing right
     * now (a zone down at start): at least {@code minDrives} drives must be there; placement narrows
     * the parity of new data to the drives present, reads rebuild what the missing ones held.
     */
    public static ErasureBlobStore openDegraded(List<? extends ShardDrive> drives, int k, int m, int stripeUnit) {
        return open(drives, k, m, stripeUnit, m == 0 ? k : 2);
    }

    private static ErasureBlobStore open(List<? extends ShardDrive> drives, int k, int m, int stripeUnit, int minDrives) {
        Objects.requireNonNull(drives, "drives");
        if (k < 1) {
            throw new IllegalArgumentException("need at least 1 data shard, got k=" + k);
        }
        if (m < 0) {
            throw new IllegalArgumentException("parity shards cannot be negative, got m=" + m);
        }
        if (minDrives > drives.size()) {
            throw new IllegalArgumentException("rs-" + k + "-" + m + " needs " + minDrives
                    + " distinct drives (one per shard), only " + drives.size() + " given");
        }
        if (stripeUnit < 1 || stripeUnit > MAX_STRIPE_UNIT) {
            throw new IllegalArgumentException("stripe unit must be 1.." + MAX_STRIPE_UNIT + ": " + stripeUnit);
        }
        ErasureCodecs.create(k, m); // refuses shard counts the codec cannot do, with its own message
        if (new HashSet<>(drives.stream().map(ShardDrive::driveId).toList()).size() != drives.size()) {
            throw new IllegalArgumentException("the same drive id appears twice (a copied drive?)");
        }
        return new ErasureBlobStore(drives, k, m, stripeUnit);
    }

    /** Told of every location a read had to rebuild from parity (once per stream); never throws to the reader. */
    private volatile java.util.function.Consumer<DataLocation> onDegradedRead = location -> { };

    private volatile boolean unknownDrivesGone = true;

    /**
     * A drive a location names but this store does not know is, by default, gone for good (removed from
     * the configuration): a repair rebuilds its shards elsewhere. A cluster node's store may simply not
     * know another node's drive yet (that node has not answered since this one started); this keeps such
     * slots, as for a drive that is absent now. Drives leaving the set are named as such
     * ({@link ShardDrive#isRetired}).
     */
    public void keepUnknownDrives() {
        this.unknownDrivesGone = false;
    }

    boolean unknownDrivesGone() {
        return unknownDrivesGone;
    }

    /** Sets who hears of degraded reads (the repair queue). */
    public void onDegradedRead(java.util.function.Consumer<DataLocation> listener) {
        this.onDegradedRead = Objects.requireNonNull(listener);
    }

    void degradedRead(DataLocation location) {
        try {
            onDegradedRead.accept(location);
        } catch (RuntimeException e) {
            // the read succeeded; a lost repair request is found again by the next scrub
        }
    }

    public int dataShards() {
        return k;
    }

    public int parityShards() {
        return m;
    }

    public int stripeUnit() {
        return unit;
    }

    /**
     * Data up to this size is stored as {@code 1 + m} shards, each the whole data (the Cauchy rows of
     * a one-data-shard code are multiples of the data: any one shard rebuilds it): whole copies on
     * {@code m + 1} drives in distinct zones, surviving what erasure-coded data survives. Up to two
     * units it costs no more space than {@code k + m} (whose last stripe is padded to {@code k} units)
     * and writes {@code m + 1} files instead of {@code k + m}.
     */
    public long smallDataLimit() {
        return 2L * unit;
    }

    /**
     * Small data gets one stripe whose unit is its expected length rounded up to {@value #SMALL_UNIT_ALIGN}
     * bytes, so a 4 KiB object is three shard files of about 4 KiB each, not three of a full unit.
     * (Data that turns out longer than expected simply takes more stripes.)
     */
    @Override
    public DataLocation place(DataId id, long expectedLength) throws IOException {
        if (expectedLength < 0 || expectedLength > smallDataLimit() || k == 1) {
            DataLocation l = place(id);
            // the expected length rides in the planned location, so the writer knows its shards' size
            return expectedLength <= 0 ? l : new DataLocation(l.dataId(), l.layoutEpoch(), l.scheme(), l.drives(),
                    l.blockSize(), expectedLength);
        }
        int smallUnit = (int) Math.max(SMALL_UNIT_ALIGN,
                Math.ceilDiv(expectedLength, SMALL_UNIT_ALIGN) * SMALL_UNIT_ALIGN);
        return place(id, 1, m, smallUnit);
    }

    /** The granularity of a small data's stripe unit: 512 bytes, one sector. */
    static final int SMALL_UNIT_ALIGN = 512;

    @Override
    public DataLocation place(DataId id) throws IOException {
        return place(id, k, m, unit);
    }

    /**
     * Shards still committing after their write was answered (see {@link ErasureBlobWriter}), per drive: a
     * drive that is slow without failing would otherwise collect one left-behind commit per write.
     */
    private final Map<String, java.util.concurrent.atomic.AtomicInteger> stragglers =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** A drive with this many shards still committing after their writes were answered takes no new data. */
    static final int MAX_STRAGGLERS_PER_DRIVE = 4;

    void stragglerLeft(String driveId, int delta) {
        stragglers.computeIfAbsent(driveId, d -> new java.util.concurrent.atomic.AtomicInteger()).addAndGet(delta);
    }

    /** Writable, and not behind on shards it was left to commit alone. */
    private boolean takesNewData(ShardDrive d) {
        java.util.concurrent.atomic.AtomicInteger behind = stragglers.get(d.driveId());
        return (behind == null || behind.get() < MAX_STRAGGLERS_PER_DRIVE) && d.isWritable();
    }

    private DataLocation place(DataId id, int dataShards, int parityShards, int stripeUnit) throws IOException {
        List<ShardDrive> usable = drives.stream().filter(this::takesNewData).toList();
        Layout layout = narrowed(dataShards, parityShards, usable.size());
        if (layout == null) {
            throw new InsufficientDrivesException("cannot place " + id + ": rs-" + k + "-" + m + " needs at least "
                    + minWritable() + " writable drives to keep parity, only " + usable.size() + " of "
                    + drives.size() + " are");
        }
        List<String> chosen = spread(id, usable, layout.k() + layout.m());
        return new DataLocation(id, LAYOUT_EPOCH, layout.scheme(), chosen, stripeUnit, 0);
    }

    /**
     * The layout for new data when only {@code writable} drives can take it: the configured one when
     * there are enough; else the same parity on fewer data shards (the data survives as many lost
     * drives as promised, at a higher storage cost), down to one data shard, then less parity — but
     * never none when parity was configured. Null when not even that fits.
     */
    Layout narrowed(int writable) {
        return narrowed(k, m, writable);
    }

    private Layout narrowed(int dataShards, int parityShards, long writable) {
        if (writable >= dataShards + parityShards) {
            return new Layout(dataShards, parityShards);
        }
        if (writable < minWritable()) {
            return null;
        }
        int parity = (int) Math.min(parityShards, writable - 1);
        return new Layout((int) Math.min(dataShards, writable - parity), parity);
    }

    /** The fewest writable drives new data can still be placed on: one data shard plus one parity shard. */
    private int minWritable() {
        return m == 0 ? k : 2;
    }

    /** Rendezvous hashing dealt round-robin over zones; see the class comment. */
    static List<String> spread(DataId id, List<ShardDrive> usable, int n) {
        record Scored(String driveId, String zone, long score) {
        }
        Comparator<Scored> best = (a, b) -> Long.compareUnsigned(b.score, a.score);
        Map<String, List<Scored>> zones = new LinkedHashMap<>();
        for (ShardDrive d : usable) {
            zones.computeIfAbsent(d.zone(), z -> new ArrayList<>())
                    .add(new Scored(d.driveId(), d.zone(), score(id, d.driveId())));
        }
        List<List<Scored>> ranked = new ArrayList<>(zones.values());
        ranked.forEach(l -> l.sort(best));
        ranked.sort((a, b) -> best.compare(a.getFirst(), b.getFirst()));
        List<String> chosen = new ArrayList<>(n);
        for (int round = 0; chosen.size() < n; round++) {
            for (List<Scored> zone : ranked) {
                if (round < zone.size() && chosen.size() < n) {
                    chosen.add(zone.get(round).driveId());
                }
            }
        }
        return chosen;
    }

    /** A well-mixed 64-bit hash of (data id, drive id): FNV-1a over both, then a murmur3 finalizer. */
    static long score(DataId id, String driveId) {
        long h = 0xcbf29ce484222325L;
        String s = id.value() + "/" + driveId;
        for (int i = 0; i < s.length(); i++) {
            h = (h ^ s.charAt(i)) * 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    @Override
    public BlobWriter create(DataLocation planned, String label) throws IOException {
        Objects.requireNonNull(label, "label");
        Layout layout = Layout.of(planned);
        if (planned.drives().contains(MISSING) || new HashSet<>(planned.drives()).size() != planned.drives().size()) {
            throw new IllegalArgumentException("planned location needs distinct drives: " + planned.drives());
        }
        return ErasureBlobWriter.start(this, planned, layout, codec(layout), label);
    }

    @Override
    public InputStream open(DataLocation location, long offset, long length) throws IOException {
        Layout layout = Layout.of(location);
        Objects.checkFromIndexSize(offset, length, location.length());
        return ErasureInputStream.open(this, location, layout, codec(layout), offset, length);
    }

    /**
     * Deletes every shard on its drive; absent shards are fine. A shard on a drive that is not in this
     * store's set (detached) cannot be reached and is left alone. All shards are tried before the
     * first failure is thrown.
     */
    @Override
    public void delete(DataLocation location) throws IOException {
        Layout.of(location);
        IOException failure = null;
        // Every drive of the set, not only those the location names: a repair that rebuilt a shard
        // onto a spare drive and died before the index recorded it left that shard under this id.
        // Only the named drives can hold a temp file of the original write.
        for (ShardDrive d : drives) {
            String driveId = d.driveId();
            try {
                if (location.drives().contains(driveId)) {
                    d.delete(shardLocation(location, driveId));
                } else {
                    d.deleteCommitted(location.dataId());
                }
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * Reads every shard of the data in full, checking every block, and returns how many are missing
     * (including {@code "-"} slots and detached drives) or corrupt: 0 means fully redundant. For a
     * scrubber to decide what to repair; the same check {@link #repair} starts with, so after a
     * repair {@code verify} equals its {@code shardsUnrepairable}. A {@code single} location gives 0 or 1.
     */
    public int verify(DataLocation location) {
        return repairs.verify(location);
    }

    /**
     * Finds the shards of this data that are missing or have any bad block and, for those on drives
     * in the set that are writable, rebuilds them from the others and rewrites each as a complete new
     * shard file for the same data id on the same drive, identical to what the original write
     * produced. {@code shardsChecked} counts every slot, {@code shardsUnrepairable} the bad shards
     * left bad: a {@code "-"} slot, a drive not in the set or not writable, a failed rewrite.
     * Healthy data is read once and nothing is written. Streams stripe by stripe; safe alongside
     * readers of the same data, and repairs of one data id run one at a time. A {@code single}
     * location is only checked. See {@link ShardRepair}.
     *
     * @throws IOException when some stripe has fewer than {@code k} good shards (data lost beyond
     *     parity; nothing is rewritten then), or the data became unreadable during the rebuild
     */
    @Override
    public RepairResult repair(DataLocation location) throws IOException {
        return repairs.repair(location);
    }

    /** Deletes each shard of {@code from} on a drive {@code to} no longer names, where that drive is present. */
    @Override
    public void dropMoved(DataLocation from, DataLocation to) throws IOException {
        if (!from.dataId().equals(to.dataId()) || from.drives().size() != to.drives().size()) {
            throw new IllegalArgumentException("not a relocation of one data: " + from + " -> " + to);
        }
        for (int i = 0; i < from.drives().size(); i++) {
            String left = from.drives().get(i);
            ShardDrive d = MISSING.equals(left) || to.drives().contains(left) ? null : byId.get(left);
            if (d != null && d.isPresent()) {
                d.delete(shardLocation(from, left));
            }
        }
    }

    /** Each shard carries about {@code 1/k} of the bytes, on every drive new data may go to. */
    @Override
    public void checkSpace(long bytes) throws IOException {
        // Drives that are gone are placement's business, not space's; the data fits while enough of
        // the writable drives have room for their shard to keep the (narrowed) layout's parity.
        long perShard = Math.ceilDiv(bytes, k);
        int roomy = 0;
        IOException full = null;
        for (ShardDrive d : drives) {
            if (!d.isWritable()) {
                continue;
            }
            try {
                d.checkSpace(perShard);
                roomy++;
            } catch (IOException e) {
                full = full == null ? e : full;
            }
        }
        if (narrowed(roomy) == null && full != null) {
            throw full;
        }
    }

    /** Enough drives for a layout with at least one parity shard (all {@code k} when {@code m = 0}). */
    @Override
    public boolean isWritable() {
        long writable = drives.stream().filter(ShardDrive::isWritable).count();
        return writable >= minWritable();
    }

    @Override
    public void close() {
        drives.forEach(ShardDrive::close);
    }

    /** The drive holding a shard, or null when the slot is {@code "-"} or the drive is not attached. */
    /** The drives of the set, in order. */
    List<ShardDrive> drives() {
        return drives;
    }

    ShardDrive drive(String driveId) {
        return byId.get(driveId);
    }

    ErasureCodec codec(Layout layout) {
        return codecs.computeIfAbsent(layout, l -> ErasureCodecs.create(l.k, l.m));
    }

    static long stripes(long length, int k, int unit) {
        return Math.ceilDiv(length, (long) k * unit);
    }

    /** Every shard file holds one full unit per stripe. */
    static long shardLength(DataLocation location) {
        Layout l = Layout.of(location);
        return stripes(location.length(), l.k, location.blockSize()) * location.blockSize();
    }

    /** The drive-local location of one shard: the same id, a single-drive scheme, the unit as block size. */
    static DataLocation shardLocation(DataLocation location, String driveId) {
        return new DataLocation(location.dataId(), LocalBlobStore.LAYOUT_EPOCH, LocalBlobStore.SCHEME,
                List.of(driveId), location.blockSize(), shardLength(location));
    }
}
