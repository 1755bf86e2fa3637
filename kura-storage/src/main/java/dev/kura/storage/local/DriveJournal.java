package dev.kura.storage.local;

import dev.kura.common.DataId;
import dev.kura.common.Hex;
import dev.kura.storage.fs.FileIo;
import dev.kura.storage.fs.ReadableFile;
import dev.kura.storage.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Group commit for small data files on one drive: one fsync per batch of concurrent writes instead
 * of an fsync of every file and of its directory.
 *
 * <h2>Write protocol</h2>
 * A writer whose whole data file (header, blocks, footer — {@link ShardFormat}) fits in
 * {@link #MAX_FILE_BYTES} keeps it in memory and, after its barrier (the caller's write intent made
 * durable) ran in its own thread:
 * <ol>
 *   <li>{@link #commitWrite} appends the complete file as one entry to the drive's current journal
 *       segment. Concurrent commits are written together and share one fsync of the segment
 *       (leader/follower: the first waiter writes and syncs everything queued, the others wait);</li>
 *   <li>the writer then writes the file straight to its place in {@code data/} with no fsync at all
 *       (no temp file, no rename), and reports the {@link Ticket} applied.</li>
 * </ol>
 * From step 1 on the data survives a crash: the entry is durable, and {@link #replay} at the next open
 * rewrites the file (durably) when the crash lost it or left it short or empty. Before step 1 nothing
 * of the data is on the drive at all. No reader sees the file before it is whole: the caller records
 * the data in its index only after the commit returns.
 *
 * <h2>Checkpoints</h2>
 * A segment is sealed when it reaches {@link #SEGMENT_BYTES} or is {@link #CHECKPOINT_NANOS} old. Once
 * every entry of a sealed segment has been applied, a checkpointer thread makes the files and
 * directory entries durable ({@link FileIo#syncFiles}: one {@code syncfs(2)} on Linux), then deletes
 * the segment. Segments are checkpointed strictly in order.
 *
 * <h2>Deletes</h2>
 * Deleting a data file whose write is in a segment not yet checkpointed first logs a delete entry
 * ({@link #commitDelete}, group-committed like writes), so replay cannot bring a deleted file back.
 * Replay applies each data id's last entry across all segments in order.
 *
 * <h2>Entry format</h2>
 * {@code magic u32 "KJE1" | type u8 ('W' write, 'D' delete) | data id 16 bytes | body length u32 |
 * body | CRC32C u32 of everything before it}; the body of a write is the complete data file. Replay
 * of a segment stops at its first entry that is short or fails its checksum: a torn batch, never
 * acknowledged (a failed batch also ends its segment: later batches go to a new one).
 *
 * <p>Thread-safe.
 */
final class DriveJournal implements AutoCloseable {
    static final String DIR_NAME = "journal";
    /** Data files up to this size (payload up to two 64 KiB blocks with header, CRCs and a metadata footer) go through the journal. */
    static final int MAX_FILE_BYTES = 192 * 1024;
    static final long SEGMENT_BYTES = 16L << 20;
    static final long CHECKPOINT_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAGIC = 0x4b4a4531; // "KJE1"
    private static final byte WRITE = 'W';
    private static final byte DELETE = 'D';
    private static final int HEADER_BYTES = 4 + 1 + 16 + 4;
    private static final int MAX_BODY = MAX_FILE_BYTES + ShardFormat.MAX_ANNOTATION_BYTES;
    private static final String SUFFIX = ".log";

    private final FileIo io;
    /** The drive's root: what a checkpoint syncs. */
    private final Path root;
    private final Path dir;
    private final String name;
    private final Consumer<IOException> onIoError;

    private final ReentrantLock lock = new ReentrantLock();
    /** A batch finished: followers look whether theirs is done. */
    private final Condition batchDone = lock.newCondition();
    /** A sealed segment may have become idle, or the journal closed: the checkpointer looks. */
    private final Condition checkpointable = lock.newCondition();
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private final ArrayDeque<Segment> sealed = new ArrayDeque<>();
    /** Data ids whose last write sits in a segment not yet checkpointed, with that segment. */
    private final Map<DataId, Segment> pending = new ConcurrentHashMap<>();
    private boolean leading;
    private Segment current;
    private long nextGeneration;
    private Thread checkpointer;
    private boolean closed;
    private volatile long batches;
    private volatile long entries;

    private DriveJournal(FileIo io, Path root, String name, long nextGeneration, Consumer<IOException> onIoError) {
        this.io = io;
        this.root = root;
        this.dir = root.resolve(DIR_NAME);
        this.name = name;
        this.nextGeneration = nextGeneration;
        this.onIoError = onIoError;
    }

    /** One segment file: its entries' ids, and what its checkpoint must make durable. */
    private static final class Segment {
        final long generation;
        final Path path;
        final long openedNanos = System.nanoTime();
        WritableFile file;
        long bytes;
        /** Batches being written into it plus entries written but not yet applied. */
        int busy;
        boolean sealed;
        final List<DataId> ids = new ArrayList<>();
        final Set<Path> files = new HashSet<>();
        final Set<Path> dirs = new HashSet<>();

        Segment(long generation, Path path) {
            this.generation = generation;
            this.path = path;
        }
    }

    private static final class Entry {
        final DataId id;
        final byte type;
        final ByteBuffer encoded;
        boolean done;
        IOException failure;
        Segment segment;

        Entry(DataId id, byte type, ByteBuffer encoded) {
            this.id = id;
            this.type = type;
            this.encoded = encoded;
        }
    }

    /**
     * A durable journal entry whose file change is still to be made. The holder must call
     * {@link #applied} exactly once, whether the change worked or not (its segment is not
     * checkpointed before).
     */
    final class Ticket {
        private final Segment segment;
        private boolean applied;

        private Ticket(Segment segment) {
            this.segment = segment;
        }

        /**
         * The change is made (or given up): {@code file} is the data file written (null: none) and
         * {@code deletedFrom} the directory a file was deleted from (null: none).
         */
        void applied(Path file, Path deletedFrom) {
            lock.lock();
            try {
                if (applied) {
                    return;
                }
                applied = true;
                if (file != null) {
                    segment.files.add(file);
                }
                if (deletedFrom != null) {
                    segment.dirs.add(deletedFrom);
                }
                if (--segment.busy == 0 && segment.sealed) {
                    checkpointable.signalAll();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * Replays what the segments left in {@code root/journal} say (see the class comment), makes it
     * durable and removes the segments, then opens the journal for new entries.
     *
     * @param dataFile where the data file of an id lives
     * @param tmpDir   where rewritten files are staged
     */
    static DriveJournal open(FileIo io, Path root, String name, java.util.function.Function<DataId, Path> dataFile,
                             Path tmpDir, Consumer<IOException> onIoError) throws IOException {
        Path dir = root.resolve(DIR_NAME);
        long next = 1;
        if (io.exists(dir)) {
            List<Path> segments = new ArrayList<>();
            for (Path p : io.list(dir)) {
                long gen = generationOf(p);
                if (gen > 0) {
                    segments.add(p);
                    next = Math.max(next, gen + 1);
                }
            }
            if (!segments.isEmpty()) {
                replay(io, root, segments, dataFile, tmpDir);
                for (Path p : segments) {
                    io.deleteIfExists(p);
                }
                io.syncDirectory(dir);
            }
        } else {
            io.createDirectories(dir); // here, once: a segment is never created where its directory vanished
            io.syncDirectory(root);
        }
        return new DriveJournal(io, root, name, next, onIoError);
    }

    /** The segment's generation from its name ({@code 16 hex digits + .log}), or 0 when it is not a segment. */
    private static long generationOf(Path p) {
        String n = p.getFileName().toString();
        if (n.length() != 16 + SUFFIX.length() || !n.endsWith(SUFFIX)) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(n.substring(0, 16), 16);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private record Found(Path segment, long bodyAt, int bodyLength, boolean write) {
    }

    private static void replay(FileIo io, Path root, List<Path> segments,
                               java.util.function.Function<DataId, Path> dataFile, Path tmpDir) throws IOException {
        Map<DataId, Found> last = new LinkedHashMap<>();
        for (Path seg : segments) {
            try (ReadableFile f = io.openRead(seg)) {
                long size = f.size();
                long pos = 0;
                while (pos + HEADER_BYTES + 4 <= size) {
                    ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES);
                    f.readFully(h, pos);
                    h.flip();
                    int magic = h.getInt();
                    byte type = h.get();
                    byte[] id = new byte[16];
                    h.get(id);
                    int length = h.getInt();
                    if (magic != MAGIC || (type != WRITE && type != DELETE) || length < 0 || length > MAX_BODY
                            || pos + HEADER_BYTES + length + 4 > size) {
                        break;
                    }
                    ByteBuffer rest = ByteBuffer.allocate(length + 4);
                    f.readFully(rest, pos + HEADER_BYTES);
                    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                    crc.update(h.array(), 0, HEADER_BYTES);
                    crc.update(rest.array(), 0, length);
                    if ((int) crc.getValue() != rest.getInt(length)) {
                        break; // a torn batch: nothing after it was acknowledged from this segment
                    }
                    DataId dataId = new DataId(Hex.encode(id));
                    last.remove(dataId); // keep the last action's order
                    last.put(dataId, new Found(seg, pos + HEADER_BYTES, length, type == WRITE));
                    pos += HEADER_BYTES + length + 4;
                }
            }
        }
        Set<Path> files = new HashSet<>();
        Set<Path> dirs = new HashSet<>();
        for (Map.Entry<DataId, Found> e : last.entrySet()) {
            Path target = dataFile.apply(e.getKey());
            Found found = e.getValue();
            if (!found.write) {
                if (io.deleteIfExists(target)) {
                    dirs.add(target.getParent());
                }
                continue;
            }
            ByteBuffer body = ByteBuffer.allocate(found.bodyLength);
            try (ReadableFile f = io.openRead(found.segment)) {
                f.readFully(body, found.bodyAt);
            }
            if (!sameContents(io, target, body.array())) {
                Path temp = tmpDir.resolve(e.getKey().value() + ".replay.part");
                io.deleteIfExists(temp);
                try (WritableFile w = io.createNew(temp)) {
                    w.write(ByteBuffer.wrap(body.array()));
                    w.sync();
                }
                io.createDirectories(target.getParent());
                io.atomicMove(temp, target);
            }
            files.add(target);
        }
        io.syncFiles(root, files, dirs);
    }

    private static boolean sameContents(FileIo io, Path file, byte[] expected) throws IOException {
        if (!io.exists(file)) {
            return false;
        }
        try (ReadableFile f = io.openRead(file)) {
            if (f.size() != expected.length) {
                return false;
            }
            ByteBuffer b = ByteBuffer.allocate(expected.length);
            f.readFully(b, 0);
            return Arrays.equals(b.array(), expected);
        } catch (java.nio.file.NoSuchFileException | java.io.EOFException e) {
            return false;
        }
    }

    /** True when the last write of this id is in a segment not yet checkpointed. */
    boolean isPending(DataId id) {
        return pending.containsKey(id);
    }

    /** Makes the complete data file {@code contents} of {@code id} durable in the journal; see the class comment. */
    Ticket commitWrite(DataId id, ByteBuffer contents) throws IOException {
        if (contents.remaining() > MAX_BODY) {
            throw new IllegalArgumentException("journal entry of " + contents.remaining() + " bytes");
        }
        return submit(new Entry(id, WRITE, encode(WRITE, id, contents)));
    }

    /** Durably records that {@code id}'s data file is about to be deleted; apply the ticket after the unlink. */
    Ticket commitDelete(DataId id) throws IOException {
        return submit(new Entry(id, DELETE, encode(DELETE, id, ByteBuffer.allocate(0))));
    }

    private static ByteBuffer encode(byte type, DataId id, ByteBuffer body) {
        int length = body.remaining();
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + length + 4);
        b.putInt(MAGIC).put(type).put(Hex.decode(id.value())).putInt(length).put(body.duplicate());
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.flip();
    }

    private Ticket submit(Entry entry) throws IOException {
        lock.lock();
        try {
            if (closed) {
                throw new IOException("journal of drive " + name + " is closed");
            }
            queue.add(entry);
            while (!entry.done) {
                if (leading) {
                    batchDone.awaitUninterruptibly();
                    continue;
                }
                leading = true;
                List<Entry> batch = new ArrayList<>(queue);
                queue.clear();
                Segment segment = null;
                try {
                    if (closed) { // queued before close: nothing is written once close has begun
                        throw new IOException("journal of drive " + name + " is closed");
                    }
                    segment = segmentFor(batch);
                    segment.busy++;
                    lock.unlock();
                    try {
                        write(segment, batch);
                    } finally {
                        lock.lock();
                    }
                    finish(segment, batch, null);
                } catch (IOException | RuntimeException e) {
                    IOException failure = e instanceof IOException io ? io
                            : new IOException("journal write on drive " + name + " failed: " + e, e);
                    if (segment != null) {
                        seal(segment); // what follows a failed write may be garbage: start a new segment
                    }
                    finish(segment, batch, failure);
                } finally {
                    if (segment != null && --segment.busy == 0 && segment.sealed) {
                        checkpointable.signalAll();
                    }
                    leading = false;
                    batchDone.signalAll();
                }
            }
        } finally {
            lock.unlock();
        }
        if (entry.failure != null) {
            throw new IOException(entry.failure.toString(), entry.failure); // the type too (a bare path said nothing)
        }
        return new Ticket(entry.segment);
    }

    /** Writes and syncs a batch, outside the lock. */
    private void write(Segment segment, List<Entry> batch) throws IOException {
        int total = 0;
        for (Entry e : batch) {
            total += e.encoded.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(total);
        for (Entry e : batch) {
            all.put(e.encoded.duplicate());
        }
        try {
            segment.file.write(all.flip());
            segment.file.sync();
        } catch (IOException e) {
            onIoError.accept(e);
            throw e;
        }
        batches++;
        entries += batch.size();
    }

    /** Under the lock: marks a batch done, each entry holding its segment busy until its ticket is applied. */
    private void finish(Segment segment, List<Entry> batch, IOException failure) {
        for (Entry e : batch) {
            e.done = true;
            if (failure != null) {
                e.failure = failure;
                continue;
            }
            e.segment = segment;
            segment.busy++;
            segment.bytes += e.encoded.remaining();
            segment.ids.add(e.id);
            if (e.type == WRITE) {
                pending.put(e.id, segment);
            }
        }
    }

    /** Under the lock: the segment a batch goes to, sealing a full one and starting a new one as needed. */
    private Segment segmentFor(List<Entry> batch) throws IOException {
        long bytes = 0;
        for (Entry e : batch) {
            bytes += e.encoded.remaining();
        }
        if (current != null && current.bytes > 0 && current.bytes + bytes > SEGMENT_BYTES) {
            seal(current);
        }
        if (current == null) {
            long generation = nextGeneration++;
            Path path = dir.resolve(String.format("%016x", generation) + SUFFIX);
            Segment s = new Segment(generation, path);
            try {
                s.file = io.createNew(path);
                io.syncDirectory(dir);
            } catch (IOException e) {
                onIoError.accept(e);
                if (s.file != null) {
                    closeQuietly(s.file);
                    io.deleteIfExists(path);
                }
                throw e;
            }
            current = s;
            startCheckpointer();
        }
        return current;
    }

    private void seal(Segment s) {
        if (s.sealed) {
            return;
        }
        s.sealed = true;
        sealed.addLast(s);
        if (current == s) {
            current = null;
        }
        checkpointable.signalAll();
    }

    private void startCheckpointer() {
        if (checkpointer == null && !closed) {
            checkpointer = Thread.ofPlatform().daemon().name("kura-journal-" + name).start(this::checkpointLoop);
        }
    }

    /** Seals old segments and checkpoints sealed ones, oldest first, until closed. */
    private void checkpointLoop() {
        while (true) {
            Segment next;
            lock.lock();
            try {
                while (true) {
                    if (closed) {
                        return;
                    }
                    if (current != null && current.bytes > 0
                            && System.nanoTime() - current.openedNanos >= CHECKPOINT_NANOS) {
                        seal(current);
                    }
                    next = sealed.peekFirst();
                    if (next != null && next.busy == 0) {
                        break;
                    }
                    checkpointable.awaitNanos(TimeUnit.MILLISECONDS.toNanos(100));
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                checkpoint(next);
                lock.lock();
                try {
                    sealed.removeFirst();
                    checkpointable.signalAll();
                } finally {
                    lock.unlock();
                }
            } catch (IOException | RuntimeException e) {
                if (e instanceof IOException io) {
                    onIoError.accept(io);
                }
                lock.lock(); // the drive failing (or gone): try again in a while; replay covers a crash meanwhile
                try {
                    if (!closed) {
                        checkpointable.awaitNanos(TimeUnit.SECONDS.toNanos(1));
                    }
                } catch (InterruptedException ie) {
                    return;
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** Makes a sealed, idle segment's changes durable, then forgets it. */
    private void checkpoint(Segment s) throws IOException {
        if (s.file != null) {
            s.file.close();
        }
        io.syncFiles(root, s.files, s.dirs);
        io.deleteIfExists(s.path);
        io.syncDirectory(dir);
        for (DataId id : s.ids) {
            pending.remove(id, s);
        }
    }

    /** Batches written (fsyncs of a segment) and entries in them, since open. */
    long batches() {
        return batches;
    }

    long entries() {
        return entries;
    }

    /**
     * Seals the current segment and waits (at most {@code timeoutMillis}) until every sealed segment is
     * checkpointed; false on timeout. For tests and an orderly shutdown.
     */
    boolean checkpointNow(long timeoutMillis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        lock.lock();
        try {
            if (current != null && current.bytes > 0) {
                seal(current);
            }
            while (!sealed.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || closed) {
                    return false;
                }
                checkpointable.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the checkpointer and refuses further entries, after the batch being written (if any)
     * finished; segments not yet checkpointed stay for replay at the next open.
     */
    @Override
    public void close() {
        Thread t = null;
        lock.lock();
        try {
            closed = true;
            checkpointable.signalAll();
            t = checkpointer;
            // A batch being written finishes first: after close nothing more lands in this directory
            // (a replacement drive formatted at the same path gets a journal of its own there).
            // A write stuck on a dying disk is not waited for past 10 s.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (leading && System.nanoTime() < deadline) {
                batchDone.awaitNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        lock.lock();
        try {
            if (current != null && current.file != null) {
                closeQuietly(current.file);
            }
            for (Segment s : sealed) {
                if (s.file != null) {
                    closeQuietly(s.file);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private static void closeQuietly(WritableFile f) {
        try {
            f.close();
        } catch (IOException e) {
            // closing a segment does not make it more or less durable
        }
    }
}
