package dev.kura.storage.drives;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobStore;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.erasure.ErasureBlobStore;
import dev.kura.storage.fs.FileIo;
import dev.kura.storage.local.LocalBlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The drives one Kura was given ({@code --drive PATH[,zone=NAME]}), what state each is in, and the
 * {@link BlobStore} over the usable ones: erasure-coded ({@link ErasureBlobStore}) with the
 * configured {@link Layout}.
 *
 * <h2>Which directories are written</h2>
 * A drive is trusted only with its header, whose set id must be this Kura's. At the very first start
 * of a drive set (no set id recorded in Kura's home yet) every empty or absent configured directory
 * is formatted, so one command starts a new store. From then on an empty directory is never formatted
 * on its own — an unmounted mount point looks empty too, and healing onto the root file system would
 * be a disaster — it waits, {@link State#UNFORMATTED}, for {@link #format} ({@code kura admin drives
 * format PATH}). A drive of another set is {@link State#FOREIGN}, a directory that is not empty and has
 * no header, or that cannot be opened, is {@link State#OFFLINE}; none of them is ever written.
 * Shards are addressed by drive id, so a drive moved to another path is found by its header.
 *
 * <h2>In a cluster</h2>
 * A node's set ({@link #openClustered}) also places shards on the drives of the other nodes
 * ({@link #peerDrives}, {@link dev.kura.storage.ShardDrive}s reached over the network): the store is
 * erasure-coded over this node's online drives and every peer drive known, present or not, so data
 * written by any node can be read and repaired by any other. Until enough drives are known to keep
 * one parity shard, the store refuses writes ({@link InsufficientDrivesException}).
 */
public final class DriveSet implements AutoCloseable {
    /** File in Kura's home recording the set id once the drive set has been created. */
    public static final String SET_FILE = "drive-set.properties";

    /** One configured drive: its path and the failure zone it was given. */
    public record DriveSpec(Path path, String zone) {
        public DriveSpec {
            Objects.requireNonNull(path, "path");
            if (!zone.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new IllegalArgumentException("bad zone name '" + zone + "': letters, digits, '.', '_', '-', at most 64");
            }
        }

        /** {@code PATH} or {@code PATH,zone=NAME}; without a zone each drive is its own zone. */
        public static DriveSpec parse(String text, int index) {
            String[] parts = text.split(",");
            String zone = "zone" + (index + 1);
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (!p.startsWith("zone=")) {
                    throw new IllegalArgumentException("--drive " + text + ": expected PATH[,zone=NAME], not '" + p + "'");
                }
                zone = p.substring(5);
            }
            if (parts[0].isBlank()) {
                throw new IllegalArgumentException("--drive " + text + ": the path is empty");
            }
            return new DriveSpec(Path.of(parts[0].trim()), zone);
        }
    }

    /** K data + M parity shards per stripe. */
    public record Layout(int k, int m) {
        public Layout {
            if (k < 1 || m < 0) {
                throw new IllegalArgumentException("--ec K+M needs K >= 1 and M >= 0, not " + k + "+" + m);
            }
        }

        /** {@code K+M}, e.g. {@code 4+2}. */
        public static Layout parse(String text) {
            String[] kv = text.trim().split("\\+");
            try {
                if (kv.length == 2) {
                    return new Layout(Integer.parseInt(kv[0].trim()), Integer.parseInt(kv[1].trim()));
                }
            } catch (NumberFormatException e) {
                // fall through to the message below
            }
            throw new IllegalArgumentException("--ec expects K+M, e.g. 4+2, not '" + text + "'");
        }

        /**
         * The default for {@code drives} drives: none for one drive; 1+1 for two, 2+1 for three, 2+2
         * for four or five, 4+2 for six or more.
         */
        public static Layout defaultFor(int drives) {
            return switch (drives) {
                case 1 -> new Layout(1, 0);
                case 2 -> new Layout(1, 1);
                case 3 -> new Layout(2, 1);
                case 4, 5 -> new Layout(2, 2);
                default -> new Layout(4, 2);
            };
        }

        /** Refuses a layout these drives cannot serve, saying why. */
        public void check(int drives) {
            if (k + m > drives) {
                throw new IllegalArgumentException("--ec " + this + " needs at least " + (k + m)
                        + " drives (one per shard, each on its own drive); " + drives + " given");
            }
            if (k > 16 || m > 8) {
                throw new IllegalArgumentException("--ec " + this + ": at most 16 data and 8 parity shards");
            }
        }

        @Override
        public String toString() {
            return k + "+" + m;
        }
    }

    public enum State {
        ONLINE, OFFLINE, UNFORMATTED, FOREIGN;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A configured drive now; {@code store} is set when it is online. */
    public record Drive(DriveSpec spec, State state, String reason, LocalBlobStore store) {
        public String id() {
            return store == null ? null : store.driveId();
        }
    }

    private final FileIo io;
    private final Path home;
    private final java.util.Properties known;
    private final String setId;
    private volatile java.util.Set<String> retired = java.util.Set.of();
    private final Layout layout;
    private final int stripeUnit;
    private final List<Drive> drives;
    private final boolean clustered;
    /** Other nodes' drives (a cluster only); the store is rebuilt when they change. */
    private volatile List<dev.kura.storage.ShardDrive> peers = List.of();
    private final Switch store;

    private DriveSet(FileIo io, Path home, String setId, Layout layout, int stripeUnit, List<Drive> drives,
                     java.util.Properties known, boolean clustered) {
        this.clustered = clustered;
        this.io = io;
        this.home = home;
        this.known = known;
        this.setId = setId;
        this.layout = layout;
        this.stripeUnit = stripeUnit;
        this.drives = drives;
        this.store = new Switch(build());
    }

    /**
     * Opens the drive set: reads (or, the first time, creates) the set id in {@code home}, opens
     * every configured drive, and builds the store.
     *
     * @throws IllegalArgumentException the layout cannot be served by this many drives, or too few
     *                                  drives are usable to read and write at all
     */
    public static DriveSet open(Path home, List<DriveSpec> specs, Layout layout, FileIo io) throws IOException {
        layout.check(specs.size());
        return open(home, specs, layout, io, false);
    }

    /**
     * As {@link #open(Path, List, Layout, FileIo)} for one node of a cluster whose nodes hold
     * {@code clusterDrives} drives in all (the layout is checked against those): the store is built over
     * this node's drives and, once {@link #peerDrives} names them, the other nodes'.
     */
    public static DriveSet openClustered(Path home, List<DriveSpec> specs, Layout layout, int clusterDrives, FileIo io)
            throws IOException {
        layout.check(clusterDrives);
        return open(home, specs, layout, io, true);
    }

    private static DriveSet open(Path home, List<DriveSpec> specs, Layout layout, FileIo io, boolean clustered)
            throws IOException {
        Path setFile = home.resolve(SET_FILE);
        boolean fresh = !Files.exists(setFile);
        java.util.Properties known = fresh ? new java.util.Properties() : readSetFile(setFile);
        String setId = fresh ? UUID.randomUUID().toString() : UUID.fromString(known.getProperty("set.id")).toString();
        List<Drive> opened = new ArrayList<>();
        Map<String, Path> seen = new HashMap<>();
        for (DriveSpec spec : specs) {
            Drive d = openOne(spec, setId, fresh, io);
            if (d.store() != null && seen.putIfAbsent(d.id(), spec.path()) != null) {
                d.store().close();
                d = new Drive(spec, State.OFFLINE, "the same drive as " + seen.get(d.id()) + " (a copy or a second path)", null);
            }
            opened.add(d);
        }
        DriveSet set = new DriveSet(io, home, setId, layout, ErasureBlobStore.DEFAULT_STRIPE_UNIT, opened, known,
                clustered);
        set.saveSetFile();
        return set;
    }

    private static Drive openOne(DriveSpec spec, String setId, boolean fresh, FileIo io) {
        Path p = spec.path().toAbsolutePath().normalize();
        try {
            if (!LocalBlobStore.isFormatted(p)) {
                if (!isEmptyOrAbsent(p)) {
                    return new Drive(spec, State.OFFLINE, "not a Kura drive: not empty and without a drive header", null);
                }
                if (!fresh) {
                    return new Drive(spec, State.UNFORMATTED,
                            "empty, never formatted: run 'kura admin drives format " + spec.path() + "' to use it", null);
                }
            }
            LocalBlobStore s = LocalBlobStore.open(p, io, fresh ? new LocalBlobStore.Format(spec.zone(), setId, null) : null,
                    LocalBlobStore.DEFAULT_BLOCK_SIZE);
            if (!setId.equals(s.setId())) {
                s.close();
                return new Drive(spec, State.FOREIGN, "belongs to drive set " + s.setId() + ", not this Kura's " + setId, null);
            }
            s.purgeTemp();
            String note = s.zone().equals(spec.zone()) ? null
                    : "formatted in zone " + s.zone() + " (the header's zone is used, not " + spec.zone() + ")";
            return new Drive(spec, State.ONLINE, note, s);
        } catch (IOException | RuntimeException e) {
            return new Drive(spec, State.OFFLINE, String.valueOf(e.getMessage()), null);
        }
    }

    private static boolean isEmptyOrAbsent(Path p) throws IOException {
        if (!Files.exists(p)) {
            return true;
        }
        try (Stream<Path> entries = Files.list(p)) {
            return entries.findAny().isEmpty();
        }
    }

    private static java.util.Properties readSetFile(Path file) throws IOException {
        java.util.Properties props = new java.util.Properties();
        try (var in = Files.newBufferedReader(file)) {
            props.load(in);
        }
        if (props.getProperty("set.id") == null) {
            throw new IOException("malformed " + file + ": no set.id");
        }
        return props;
    }

    /**
     * Records the set id and which drive id each configured path last held, so a replacement drive
     * formatted at that path takes the dead drive's place (and id): the shards recorded on that id
     * are then rebuilt onto it by the healer.
     */
    private synchronized void saveSetFile() throws IOException {
        known.setProperty("set.id", setId);
        for (Drive d : drives) {
            if (d.store() != null) {
                known.setProperty("drive." + d.spec().path().toAbsolutePath().normalize(), d.store().driveId());
            }
        }
        java.io.StringWriter text = new java.io.StringWriter();
        known.store(text, "Kura's drive set: the drives whose header names this set id are this Kura's; "
                + "drive.PATH is the drive id last seen at PATH");
        writeAtomically(home, home.resolve(SET_FILE), text.toString());
    }

    private static void writeAtomically(Path home, Path file, String content) throws IOException {
        Files.createDirectories(home);
        Path tmp = home.resolve(SET_FILE + ".tmp");
        Files.writeString(tmp, content);
        try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        try (var dir = java.nio.channels.FileChannel.open(home, java.nio.file.StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** The online drives, in configuration order. */
    public synchronized List<LocalBlobStore> online() {
        return drives.stream().filter(d -> d.state() == State.ONLINE).map(Drive::store).toList();
    }

    public synchronized List<Drive> drives() {
        return List.copyOf(drives);
    }

    public Layout layout() {
        return layout;
    }

    public String setId() {
        return setId;
    }

    /** The store over the online drives; it follows drives taken into use by {@link #format}. */
    public BlobStore store() {
        return store;
    }

    /**
     * Takes the empty directory of a configured drive into use: formats it into this set (with its
     * configured zone) and adds it to the store. Refuses an unknown path or one that is not waiting.
     */
    public synchronized Drive format(Path path) throws IOException {
        Path wanted = path.toAbsolutePath().normalize();
        for (int i = 0; i < drives.size(); i++) {
            Drive d = drives.get(i);
            if (!d.spec().path().toAbsolutePath().normalize().equals(wanted)) {
                continue;
            }
            // Waiting at start, or online once but gone since (its header vanished with the old disk).
            boolean replaced = d.state() == State.ONLINE && !LocalBlobStore.isFormatted(wanted);
            if (d.state() != State.UNFORMATTED && !replaced) {
                throw new IOException(path + " is " + d.state().label() + (d.reason() == null ? "" : " (" + d.reason() + ")")
                        + "; only an empty drive waiting to be formatted can be");
            }
            if (!isEmptyOrAbsent(wanted)) {
                throw new IOException(path + " is not empty; refusing to format it");
            }
            String previousId = known.getProperty("drive." + wanted);
            if (d.store() != null) {
                // Closed before the new drive exists: the old store (its journal above all) must not write
                // into the new tree at the same path — two journals numbering segments in one directory.
                d.store().close();
            }
            LocalBlobStore s;
            try {
                s = LocalBlobStore.open(wanted, io, new LocalBlobStore.Format(d.spec().zone(), setId, previousId),
                        LocalBlobStore.DEFAULT_BLOCK_SIZE);
            } catch (IOException | RuntimeException e) {
                if (d.store() != null) { // its old store is closed: the drive is out until a format succeeds
                    drives.set(i, new Drive(d.spec(), State.UNFORMATTED, "formatting failed: " + e.getMessage(), null));
                    try {
                        store.replace(build());
                    } catch (RuntimeException tooFew) {
                        e.addSuppressed(tooFew); // the store keeps its last drives; their calls fail as I/O
                    }
                }
                throw e;
            }
            Drive online = new Drive(d.spec(), State.ONLINE, null, s);
            drives.set(i, online);
            store.replace(build());
            saveSetFile();
            return online;
        }
        throw new IOException(path + " is not one of the configured drives (--drive)");
    }

    private volatile java.util.function.Consumer<DataLocation> onDegradedRead = location -> { };

    /** Who hears of reads that had to rebuild data from parity (kept across stores rebuilt by {@link #format}). */
    public void onDegradedRead(java.util.function.Consumer<DataLocation> listener) {
        onDegradedRead = listener;
        if (store.current instanceof ErasureBlobStore e) {
            e.onDegradedRead(listener);
        }
    }

    /**
     * The other nodes' drives, as the cluster knows them now (present or not): the store is rebuilt over
     * this node's online drives and these. Refused on a set that is not a cluster node's.
     */
    public synchronized void peerDrives(List<? extends dev.kura.storage.ShardDrive> drives) {
        if (!clustered) {
            throw new IllegalStateException("not a cluster node's drive set");
        }
        peers = List.copyOf(drives);
        store.replace(build());
    }

    /**
     * Drives leaving the set, by id (a node removed from the cluster: its drives, seen from the others,
     * and its own, seen from itself): still read, never written, and repairs move their shards away
     * ({@link dev.kura.storage.RetiredDrive}). Rebuilds the store when the set changes.
     */
    public synchronized void retire(java.util.Set<String> driveIds) {
        if (!clustered) {
            throw new IllegalStateException("not a cluster node's drive set");
        }
        java.util.Set<String> now = java.util.Set.copyOf(driveIds);
        if (!now.equals(retired)) {
            retired = now;
            store.replace(build());
        }
    }

    /** The drives {@link #retire} named. */
    public java.util.Set<String> retired() {
        return retired;
    }

    /** The other nodes' drives this set places shards on (empty outside a cluster). */
    public List<dev.kura.storage.ShardDrive> peerDrives() {
        return peers;
    }

    /** The store for the current online drives: a single drive as is, else erasure-coded. */
    private BlobStore build() {
        List<dev.kura.storage.ShardDrive> up = new ArrayList<>();
        drives.stream().filter(d -> d.state() == State.ONLINE).map(Drive::store).forEach(up::add);
        if (clustered) {
            up.addAll(peers);
            if (!retired.isEmpty()) {
                up.replaceAll(d -> retired.contains(d.driveId()) ? new dev.kura.storage.RetiredDrive(d) : d);
            }
            if (up.size() < (layout.m() == 0 ? layout.k() : 2)) { // a one-drive cluster (1+0) needs no other
                return new Unready("this node knows " + up.size() + " drive(s) of the cluster so far; "
                        + "waiting for the other nodes");
            }
        } else if (drives.size() == 1) {
            if (up.isEmpty()) {
                throw new IllegalArgumentException("the only drive is not usable: " + drives.getFirst().reason());
            }
            return (LocalBlobStore) up.getFirst();
        }
        try {
            ErasureBlobStore e = ErasureBlobStore.openDegraded(up, layout.k(), layout.m(), stripeUnit);
            e.onDegradedRead(location -> onDegradedRead.accept(location));
            if (clustered) {
                e.keepUnknownDrives(); // another node's drive not learned yet is not gone; leaving ones are retired
            }
            return e;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("too few usable drives for --ec " + layout + ": " + up.size() + " of "
                    + drives.size() + " (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public synchronized void close() {
        for (Drive d : drives) {
            if (d.store() != null) {
                d.store().close();
            }
        }
    }

    /** A cluster node's store before it knows enough drives: refuses writes, and reads of erasure-coded data. */
    private static final class Unready implements BlobStore {
        private final String why;

        Unready(String why) {
            this.why = why;
        }

        @Override
        public DataLocation place(DataId id) throws IOException {
            throw new dev.kura.storage.InsufficientDrivesException(why);
        }

        @Override
        public BlobWriter create(DataLocation planned, String label) throws IOException {
            throw new dev.kura.storage.InsufficientDrivesException(why);
        }

        @Override
        public InputStream open(DataLocation location, long offset, long length) throws IOException {
            throw new dev.kura.storage.InsufficientDrivesException(why);
        }

        @Override
        public void delete(DataLocation location) throws IOException {
            throw new dev.kura.storage.InsufficientDrivesException(why);
        }

        @Override
        public void checkSpace(long bytes) throws IOException {
            throw new dev.kura.storage.InsufficientDrivesException(why);
        }

        @Override
        public dev.kura.storage.RepairResult repair(DataLocation location) throws IOException {
            throw new dev.kura.storage.InsufficientDrivesException(why);
        }

        @Override
        public boolean isWritable() {
            return false;
        }

        @Override
        public void close() {
        }
    }

    /**
     * The store callers hold: delegates to the current erasure store, rebuilt when a drive is taken
     * into use. Data written whole on one drive (scheme {@code single}, e.g. before the set had more
     * drives) is served by that drive.
     */
    private final class Switch implements BlobStore {
        private volatile BlobStore current;

        Switch(BlobStore first) {
            this.current = first;
        }

        void replace(BlobStore next) {
            current = next; // the old one owns no drive the new one lacks; it is simply dropped
        }

        private BlobStore forLocation(DataLocation location) {
            if (LocalBlobStore.SCHEME.equals(location.scheme()) && !(current instanceof LocalBlobStore)) {
                for (LocalBlobStore d : online()) {
                    if (location.drives().equals(List.of(d.driveId()))) {
                        return d;
                    }
                }
            }
            return current;
        }

        @Override
        public DataLocation place(DataId id) throws IOException {
            return current.place(id);
        }

        @Override
        public DataLocation place(DataId id, long expectedLength) throws IOException {
            return current.place(id, expectedLength);
        }

        @Override
        public BlobWriter create(DataLocation planned, String label) throws IOException {
            return current.create(planned, label);
        }

        @Override
        public InputStream open(DataLocation location, long offset, long length) throws IOException {
            return forLocation(location).open(location, offset, length);
        }

        @Override
        public void delete(DataLocation location) throws IOException {
            forLocation(location).delete(location);
        }

        @Override
        public void checkSpace(long bytes) throws IOException {
            current.checkSpace(bytes);
        }

        @Override
        public dev.kura.storage.RepairResult repair(DataLocation location) throws IOException {
            return forLocation(location).repair(location);
        }

        @Override
        public void dropMoved(DataLocation from, DataLocation to) throws IOException {
            forLocation(from).dropMoved(from, to);
        }

        @Override
        public boolean isWritable() {
            return current.isWritable();
        }

        @Override
        public void close() {
            DriveSet.this.close();
        }
    }
}
