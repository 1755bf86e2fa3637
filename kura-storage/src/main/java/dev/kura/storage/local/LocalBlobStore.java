package dev.kura.storage.local;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobStore;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.StorageFullException;
import dev.kura.storage.fs.FileIo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A {@link BlobStore} on one local drive: a directory holding a {@link DriveHeader} and one file
 * per data id, all through a {@link FileIo}.
 *
 * <h2>Layout</h2>
 * <pre>
 * kura-drive.properties          the drive header (format, drive id, zone)
 * data/abc/abcd…(32 hex)         committed data files, fanned out by the first three hex digits of the id
 *                                (drives formatted before format 3: data/ab/cd/, two levels)
 * journal/…(16 hex).log          group-committed small data files not yet checkpointed ({@link DriveJournal})
 * tmp/&lt;id&gt;.&lt;random&gt;.part         data being written; never read, purged at start
 * </pre>
 * Data files use {@link ShardFormat}: a versioned header (data id, block size, label), blocks each
 * followed by their CRC32C, and a footer (length, block count), so every byte is checked on read
 * and a file can be audited alone.
 *
 * <h2>Write order (the durability promise)</h2>
 * Write the temp file block by block → footer → fsync file → close → create the fan-out
 * directories and fsync their parents (once per directory per process) → rename into
 * {@code data/ab/cd/} → fsync that directory → return the location. A crash anywhere before the last
 * fsync leaves at most a temp file (removed by {@link #purgeTemp()}); the data file is either
 * absent or complete and verified by its checksums.
 *
 * <h2>Concurrency</h2>
 * Thread-safe: writers and readers of different ids share nothing but the set of directories known
 * to be durable. A write and a delete of the same id race; the index prevents that.
 */
public final class LocalBlobStore implements BlobStore, dev.kura.storage.ShardDrive {
    /**
     * 64 KiB: memory per open read stream is one block, and range reads fetch at most two extra
     * blocks, so small blocks keep thousands of concurrent GETs cheap; the checksum costs 4 bytes per
     * block (0.006%) and sequential reads of 64 KiB ride the kernel's readahead. Recorded per data
     * file and per location, so it can change without touching old data.
     */
    public static final int DEFAULT_BLOCK_SIZE = 64 * 1024;
    public static final String SCHEME = "single";
    public static final int LAYOUT_EPOCH = 1;

    private final Path root;
    private final Path dataDir;
    private final Path tmpDir;
    private final FileIo io;
    private final DriveHeader header;
    private final int blockSize;
    private volatile long reserve;
    /** Found once: looking a file store up parses the mount table, while asking it for free space is one statfs. */
    private final java.nio.file.FileStore fileStore;
    /** Directories under data/ whose entry is known durable in its parent, so later writes skip the fsyncs. */
    private final Set<Path> durableDirs = ConcurrentHashMap.newKeySet();
    /** Group commit of small data files; null when the drive was opened without one. */
    private DriveJournal journal;
    private volatile boolean closed;

    private LocalBlobStore(Path root, FileIo io, DriveHeader header, int blockSize) {
        this.root = root;
        this.dataDir = root.resolve("data");
        this.tmpDir = root.resolve("tmp");
        this.io = io;
        this.header = header;
        this.blockSize = blockSize;
        this.fileStore = fileStoreOf(root);
        this.reserve = reserveFor(fileStore);
    }

    private static java.nio.file.FileStore fileStoreOf(Path root) {
        try {
            return java.nio.file.Files.getFileStore(root);
        } catch (IOException e) {
            return null; // space is then not checked; writes still fail cleanly on ENOSPC
        }
    }

    /**
     * The free space kept back from data: 2% of the file system, at least 8 MiB (room for the index's
     * log and a memtable flush on a small disk) and at most 2 GiB.
     */
    private static long reserveFor(java.nio.file.FileStore fileStore) {
        long total;
        try {
            total = fileStore == null ? 0 : fileStore.getTotalSpace();
        } catch (IOException e) {
            total = 0;
        }
        return Math.clamp(total / 50, 8L << 20, 2L << 30);
    }

    /** Changes the free space kept back from data (see {@link #reserveFor}); takes effect for the next check. */
    public void setReserve(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative reserve");
        }
        this.reserve = bytes;
    }

    public long reserve() {
        return reserve;
    }

    @Override
    public void checkSpace(long bytes) throws IOException {
        if (fileStore == null) {
            return;
        }
        long usable = fileStore.getUsableSpace();
        if (usable - bytes < reserve) {
            fullAtNanos = System.nanoTime(); // out of placement for a while: new data goes to drives with room
            throw new StorageFullException("drive " + header.driveId() + " (" + root + ") is full: " + usable
                    + " bytes free, " + reserve + " kept in reserve");
        }
    }

    /** Opens the drive at {@code root} with {@link #DEFAULT_BLOCK_SIZE} for new data. */
    public static LocalBlobStore open(Path root, FileIo io, boolean formatIfEmpty) throws IOException {
        return open(root, io, formatIfEmpty, DEFAULT_BLOCK_SIZE);
    }

    /**
     * Opens the drive at {@code root}. A directory without a drive header is formatted only if it is
     * empty or absent and {@code formatIfEmpty}; otherwise it is refused with an IOException
     * ("not a Kura drive"), never written to.
     *
     * @param blockSize the block size for new data (existing data keeps its own)
     */
    public static LocalBlobStore open(Path root, FileIo io, boolean formatIfEmpty, int blockSize) throws IOException {
        return open(root, io, formatIfEmpty ? new Format(DriveHeader.DEFAULT_ZONE, null, null) : null, blockSize);
    }

    /**
     * How to format an empty drive: its failure zone, the drive set it joins (null for a lone drive
     * outside any set) and its drive id (null: a new one; a replacement drive takes the id of the
     * drive it replaces, so the shards recorded on that id are rebuilt onto it).
     */
    public record Format(String zone, String setId, String driveId) {
    }

    /**
     * Opens the drive at {@code root}, formatting it with {@code formatIfEmpty} when it is empty or
     * absent (null: never format; a directory without a header is then refused).
     */
    public static LocalBlobStore open(Path root, FileIo io, Format formatIfEmpty, int blockSize) throws IOException {
        if (blockSize < 1 || blockSize > ShardFormat.MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("block size out of range: " + blockSize);
        }
        Path abs = root.toAbsolutePath().normalize();
        DriveHeader header = DriveHeader.loadOrFormat(abs, io, formatIfEmpty);
        LocalBlobStore store = new LocalBlobStore(abs, io, header, blockSize);
        store.ensureLayout();
        store.journal = DriveJournal.open(io, abs, header.driveId(), store::dataFile, store.tmpDir, store::noteIoError);
        return store;
    }

    /** data/ and tmp/ may be missing if formatting was cut short; the header says the drive is ours. */
    private void ensureLayout() throws IOException {
        if (!io.exists(dataDir) || !io.exists(tmpDir)) {
            io.createDirectories(dataDir);
            io.createDirectories(tmpDir);
            io.syncDirectory(root);
        }
    }

    public String driveId() {
        return header.driveId();
    }

    public String zone() {
        return header.zone();
    }

    /** The drive set this drive belongs to, or null for a lone drive. */
    public String setId() {
        return header.setId();
    }

    /** True when {@code root} holds a drive header (formatted), without opening the drive. */
    public static boolean isFormatted(Path root) {
        return java.nio.file.Files.exists(root.resolve(DriveHeader.FILE_NAME));
    }

    public Path root() {
        return root;
    }

    /** Where the committed data file of this id lives (for audits and tests). */
    public Path dataFile(DataId id) {
        String v = id.value();
        if (header.fanoutLevels() == 1) {
            return dataDir.resolve(v.substring(0, 3)).resolve(v);
        }
        return dataDir.resolve(v.substring(0, 2)).resolve(v.substring(2, 4)).resolve(v);
    }

    @Override
    public DataLocation place(DataId id) {
        checkNotClosed();
        return new DataLocation(id, LAYOUT_EPOCH, SCHEME, List.of(header.driveId()), blockSize, 0);
    }

    @Override
    public BlobWriter create(DataLocation planned, String label) throws IOException {
        return create(planned, label, true);
    }

    /**
     * As {@link #create(DataLocation, String)}; with {@code mayJournal} false the file is written the
     * large way from the first byte (temp file, fsync, rename) instead of being built in memory for the
     * drive journal until it outgrows it — for callers that expect a large file and hold several
     * writers at once (the shards of one erasure-coded write), so they do not buffer 192 KiB each.
     */
    public BlobWriter create(DataLocation planned, String label, boolean mayJournal) throws IOException {
        checkNotClosed();
        checkOnThisDrive(planned);
        Objects.requireNonNull(label, "label");
        if (planned.blockSize() < 1 || planned.blockSize() > ShardFormat.MAX_BLOCK_SIZE) {
            throw new IllegalArgumentException("block size out of range: " + planned.blockSize());
        }
        checkSpace(0);
        String suffix = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        Path temp = tmpDir.resolve(planned.dataId().value() + "." + suffix + ".part");
        return LocalBlobWriter.start(this, io, planned, temp, label, mayJournal);
    }

    @Override
    public InputStream open(DataLocation location, long offset, long length) throws IOException {
        checkNotClosed();
        checkOnThisDrive(location);
        Objects.checkFromIndexSize(offset, length, location.length());
        Path file = dataFile(location.dataId());
        return BlockInputStream.open(io.openRead(file), location, offset, length, describe(location.dataId()));
    }

    /**
     * Reads the whole file, verifying every block. One drive holds no redundancy, so bad data is
     * reported (unrepairable), never rewritten.
     */
    @Override
    public dev.kura.storage.RepairResult repair(DataLocation location) throws IOException {
        try (InputStream in = open(location, 0, location.length())) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            inspect(location.dataId()); // and the header, footer and annotation checksums
            return dev.kura.storage.RepairResult.HEALTHY_SINGLE;
        } catch (dev.kura.storage.CorruptDataException | java.nio.file.NoSuchFileException | java.io.EOFException e) {
            return new dev.kura.storage.RepairResult(1, 0, 1);
        }
    }

    /** Deletes the data file and any temp file of this id; durable once it returns. Absent is fine. */
    @Override
    public void delete(DataLocation location) throws IOException {
        checkOnThisDrive(location);
        DataId id = location.dataId();
        if (deleteCommitted(id)) {
            return; // committed data has no temp file left: commit renamed it
        }
        // A resurrected temp file is harmless (purged at start), so tmp/ is not fsync'd.
        String prefix = id.value() + ".";
        for (Path p : io.list(tmpDir)) {
            if (p.getFileName().toString().startsWith(prefix)) {
                io.deleteIfExists(p);
            }
        }
    }

    /**
     * Reads the header, footer and annotation of the committed data file of this id (empty when there is
     * none), checking their checksums but not the blocks. The annotation is empty when the data was
     * committed without one (or by an earlier version).
     */
    @Override
    public java.util.Optional<dev.kura.storage.StoredData> inspect(DataId id) throws IOException {
        checkNotClosed();
        Path file = dataFile(id);
        if (!io.exists(file)) {
            return java.util.Optional.empty();
        }
        String name = describe(id);
        try (dev.kura.storage.fs.ReadableFile f = io.openRead(file)) {
            ShardFormat.Header h = ShardFormat.readHeader(f, name);
            if (!h.dataId().equals(id)) {
                throw new dev.kura.storage.CorruptDataException(name + ": header names data " + h.dataId());
            }
            ShardFormat.Footer footer = ShardFormat.readFooter(f, h, name);
            byte[] annotation = ShardFormat.readAnnotation(f, h, name);
            return java.util.Optional.of(new dev.kura.storage.StoredData(id, h.label(), h.blockSize(), footer.length(), annotation));
        } catch (java.nio.file.NoSuchFileException e) {
            return java.util.Optional.empty();
        }
    }

    /** The annotation stored with the data of this id: empty when there is no such data or no annotation. */
    public java.util.Optional<byte[]> readAnnotation(DataId id) throws IOException {
        return inspect(id).map(dev.kura.storage.StoredData::annotation).filter(a -> a.length > 0);
    }

    /**
     * Calls {@code action} with the id of every committed data file on this drive (a walk of
     * {@code data/ab/cd/}; names that are not data ids are skipped). For offline tools such as an index
     * rebuild; the order is unspecified.
     */
    public void forEachData(java.util.function.Consumer<DataId> action) throws IOException {
        checkNotClosed();
        if (!io.exists(dataDir)) {
            return;
        }
        walkData(dataDir, header.fanoutLevels(), "", action);
    }

    /** Visits the data files below {@code dir}, {@code levels} fan-out directories deep, whose names carry {@code prefix}. */
    private void walkData(Path dir, int levels, String prefix, java.util.function.Consumer<DataId> action)
            throws IOException {
        for (Path p : io.list(dir)) {
            String name = p.getFileName().toString();
            if (levels > 0) {
                if (java.nio.file.Files.isDirectory(p)) {
                    walkData(p, levels - 1, prefix + name, action);
                }
            } else if (name.length() == 32 && name.startsWith(prefix)
                    && name.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                action.accept(new DataId(name));
            }
        }
    }

    /** Deletes the committed data file of this id, durably; false when there was none (no temp-file search). */
    public boolean deleteCommitted(DataId id) throws IOException {
        Path file = dataFile(id);
        DriveJournal j = journal;
        if (j != null && j.isPending(id)) {
            // Its write is only in the journal so far: log the delete first, or replay would bring it back.
            DriveJournal.Ticket t = j.commitDelete(id);
            boolean deleted = false;
            try {
                deleted = io.deleteIfExists(file);
                return deleted;
            } finally {
                t.applied(null, deleted ? file.getParent() : null);
            }
        }
        if (io.deleteIfExists(file)) {
            io.syncDirectory(file.getParent());
            return true;
        }
        return false;
    }

    /**
     * Cheap enough for frequent health probes (three stat calls): the header is still there (the
     * drive did not get unmounted) and the directories are writable (a file system remounted
     * read-only after errors fails this).
     */
    @Override
    public boolean isWritable() {
        return isPresent() && !recentlyFailing();
    }

    /**
     * The drive is there — header present, directories writable — whether or not it failed I/O
     * lately: a repair may try it (and notes the error again if it still fails), placement does not.
     */
    public boolean isPresent() {
        return !closed && io.exists(root.resolve(DriveHeader.FILE_NAME))
                && io.isWritable(tmpDir) && io.isWritable(dataDir);
    }

    /**
     * Deletes every temp file: at start they can only belong to writes that never committed. Call it
     * before serving, never while writers are active. Returns how many were removed.
     */
    public int purgeTemp() throws IOException {
        int removed = 0;
        for (Path p : io.list(tmpDir)) {
            if (io.deleteIfExists(p)) {
                removed++;
            }
        }
        if (removed > 0) {
            io.syncDirectory(tmpDir);
        }
        return removed;
    }

    @Override
    public void close() {
        closed = true;
        DriveJournal j = journal;
        if (j != null) {
            j.close();
        }
    }

    /** The drive's journal for small data files (see {@link DriveJournal}); null when it has none. */
    DriveJournal journal() {
        return journal;
    }

    /**
     * Seals the journal's current segment and waits until every segment is checkpointed (its files
     * synced, the segment removed); false when that took longer than {@code timeoutMillis}.
     */
    public boolean checkpointJournal(long timeoutMillis) {
        DriveJournal j = journal;
        return j == null || j.checkpointNow(timeoutMillis);
    }

    /** Journal batches (one fsync each) and the entries written in them since the drive was opened. */
    public long[] journalStats() {
        DriveJournal j = journal;
        return j == null ? new long[2] : new long[] {j.batches(), j.entries()};
    }

    /** Called by a writer whose temp file is complete and synced: rename into place, durably. */
    void publish(Path temp, DataId id) throws IOException {
        Path target = dataFile(id);
        makeDurable(target.getParent());
        if (io.exists(target)) {
            // Data ids are never reused; replacing committed data would silently change an object.
            throw new FileAlreadyExistsException(target.toString(), null, "data id already committed");
        }
        try {
            io.atomicMove(temp, target);
        } catch (java.nio.file.NoSuchFileException e) {
            if (!io.exists(temp)) {
                throw e;
            }
            // The fan-out directory we remembered as durable is gone (the drive's data/ was replaced
            // under us): forget what we knew and make the path again.
            forgetDurable(target.getParent());
            makeDurable(target.getParent());
            io.atomicMove(temp, target);
        }
        try {
            io.syncDirectory(target.getParent());
        } catch (IOException e) {
            unpublish(target, e);
            throw e;
        }
    }

    /**
     * Called by a writer whose complete file is durable in the journal: writes it straight to its
     * place, with no temp file, rename or fsync. A crash that leaves it short or empty is repaired by
     * replay (the journal entry is durable before the first byte is written here), and no reader can
     * see it early: the index names the data only after the commit returns. Returns the data file.
     */
    Path publishJournaled(DataId id, ByteBuffer contents) throws IOException {
        Path target = dataFile(id);
        Path parent = target.getParent();
        if (!knownDirs.contains(parent)) {
            io.createDirectoriesBelow(dataDir, parent);
            knownDirs.add(parent);
        }
        dev.kura.storage.fs.WritableFile f;
        try {
            f = io.createNew(target); // fails if the id is already committed: data ids are never reused
        } catch (java.nio.file.NoSuchFileException e) {
            knownDirs.clear(); // its directory went missing: make it again, never data/ itself (a gone drive stays gone)
            io.createDirectoriesBelow(dataDir, parent);
            f = io.createNew(target);
        }
        try (dev.kura.storage.fs.WritableFile file = f) {
            file.write(contents.duplicate());
        } catch (IOException e) {
            try {
                io.deleteIfExists(target);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed); // replay rewrites it whole; the caller's cleanup deletes it
            }
            throw e;
        }
        return target;
    }

    /** Fan-out directories known to exist (not necessarily durable: journaled writes need no directory sync). */
    private final Set<Path> knownDirs = ConcurrentHashMap.newKeySet();

    /** The rename may or may not be durable; either way commit fails, so the file must not stay visible. */
    private void unpublish(Path target, IOException cause) {
        try {
            io.deleteIfExists(target);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    private void forgetDurable(Path dir) {
        for (Path d = dir; d != null && !d.equals(dataDir); d = d.getParent()) {
            durableDirs.remove(d);
        }
        durableDirs.removeIf(d -> !io.exists(d));
    }

    /**
     * Notes an I/O error of this drive (not a full drive, not bad data: the drive failing). For a
     * while after one, the drive reports itself not writable, so new data is placed elsewhere instead
     * of losing a shard to it again; reads still try it.
     */
    public void noteIoError(IOException e) {
        if (dev.kura.storage.StorageFullException.isFull(e) || e instanceof dev.kura.storage.CorruptDataException) {
            return;
        }
        ioErrors.incrementAndGet();
        lastIoErrorNanos = System.nanoTime();
    }

    /** I/O errors of this drive since it was opened. */
    public long ioErrors() {
        return ioErrors.get();
    }

    /** How long a drive counts as failing after its last I/O error. */
    static final long FAILING_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    private final java.util.concurrent.atomic.AtomicLong ioErrors = new java.util.concurrent.atomic.AtomicLong();
    private volatile long lastIoErrorNanos;

    private boolean recentlyFailing() {
        long last = lastIoErrorNanos;
        long full = fullAtNanos;
        long now = System.nanoTime();
        return (last != 0 && now - last < FAILING_NANOS) || (full != 0 && now - full < FULL_NANOS);
    }

    /** How long a drive found under its reserve stays out of placement before it is asked again. */
    static final long FULL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
    private volatile long fullAtNanos;

    /** True when the drive was under its free-space reserve at its last check (within a few seconds). */
    public boolean isFull() {
        long full = fullAtNanos;
        return full != 0 && System.nanoTime() - full < FULL_NANOS;
    }

    /** Creates a directory under data/ and makes its entry durable in its parent, recursively up to data/. */
    private void makeDurable(Path dir) throws IOException {
        if (dir.equals(dataDir) || durableDirs.contains(dir)) {
            return;
        }
        io.createDirectoriesBelow(dataDir, dir);
        io.syncDirectory(dir.getParent());
        makeDurable(dir.getParent());
        durableDirs.add(dir);
    }

    private void checkOnThisDrive(DataLocation location) {
        if (!SCHEME.equals(location.scheme()) || !location.drives().equals(List.of(header.driveId()))) {
            throw new IllegalArgumentException("location of " + location.dataId() + " is not on drive "
                    + header.driveId() + ": " + location.scheme() + " " + location.drives());
        }
    }

    private void checkNotClosed() {
        if (closed) {
            throw new IllegalStateException("store on " + root + " is closed");
        }
    }

    private String describe(DataId id) {
        return "data " + id + " on drive " + header.driveId() + " (" + dataFile(id) + ")";
    }
}
