package dev.kura.testing.fs;

import dev.kura.storage.fs.FileIo;
import dev.kura.storage.fs.ReadableFile;
import dev.kura.storage.fs.WritableFile;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A {@link FileIo} over a real directory tree that knows what a disk would keep if the power failed
 * now, and can make that happen, for crash tests.
 *
 * <h2>The model: the worst cases POSIX allows</h2>
 * <ul>
 *   <li><b>File contents</b> are durable up to the length the file had at its last
 *       {@link WritableFile#sync()}; bytes written after it are lost. A file never synced comes back
 *       empty (if its name comes back at all). Files are append-only through {@link FileIo}, so
 *       "the synced prefix" is exactly what the file held at that sync.</li>
 *   <li><b>Directory entries</b>: creating a file or directory, renaming and deleting change the
 *       parent directory, and the change is durable only after {@link #syncDirectory} of that parent.
 *       That call makes the durable entries of that one directory equal to its current entries (not
 *       those of its subdirectories). A rename between two directories changes both: after syncing
 *       only the target, a cut leaves the file under both names. Real journalling file systems are
 *       kinder; code that is right here is right there.</li>
 *   <li>A path survives only if every directory from the root down to it survives.</li>
 *   <li>Whatever exists when the instance is constructed is durable.</li>
 * </ul>
 * An unsynced entry change may also reach the disk on its own (a journal commit) before the data it
 * names: {@link CutMode#KEEP_UNSYNCED_ENTRIES} models that other extreme, where every entry change
 * lands but file contents are still cut to their synced length. This is what catches a rename
 * before the fsync of the file. Crash tests should run both modes.
 *
 * <h2>Cutting the power</h2>
 * {@link #powerCut()} rewrites the tree to the state its {@link CutMode} says. The instance then
 * stays powered off, as the process would be dead: every call on it or on a file it opened throws
 * IOException ({@link #exists} and {@link #isWritable} answer false), so code still running cannot
 * change the "rebooted" disk. To reboot, construct a new instance on the same root (or use
 * {@code RealFileIo}). {@link #failAfter(int)} makes the n-th mutating call from now (createNew,
 * write, sync, atomicMove, syncDirectory, deleteIfExists, createDirectories; close and reads do not
 * count) throw {@code IOException("simulated power cut …")} without doing its work and cuts the power
 * at that moment, so a crash test can cut a write path at each of its steps in turn.
 *
 * <p>The tree must be changed only through this instance while it is powered; files it does not
 * know are lost at a cut in the default mode. Thread-safe through one lock; built for tests, not
 * speed. See {@link ShadowTree} for how the durable state is kept.
 */
public final class PowerCutFileIo implements FileIo {
    /** What a cut does to directory entries changed since their directory's last sync. */
    public enum CutMode {
        /** They revert: new names vanish, renames and deletes undo. The default. */
        LOSE_UNSYNCED_ENTRIES,
        /** They all landed; only unsynced file contents are lost (new files may come back empty). */
        KEEP_UNSYNCED_ENTRIES
    }

    private final Path root;
    private final CutMode mode;
    private final ShadowTree tree;
    private final Set<Handle> openHandles = new HashSet<>();
    private int operations;
    private int failAt;
    private boolean poweredOff;

    /** Simulates the tree under {@code root} with {@link CutMode#LOSE_UNSYNCED_ENTRIES}. */
    public PowerCutFileIo(Path root) throws IOException {
        this(root, CutMode.LOSE_UNSYNCED_ENTRIES);
    }

    /**
     * Simulates the tree under {@code root}, an existing directory whose current contents count as
     * durable. Its parent must be writable too: files deleted while still durable wait there.
     */
    public PowerCutFileIo(Path root, CutMode mode) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.mode = mode;
        if (!Files.isDirectory(this.root) || this.root.getParent() == null) {
            throw new IllegalArgumentException("not a directory with a parent: " + root);
        }
        this.tree = new ShadowTree(this.root);
    }

    /** The {@code n}-th mutating call from now (1 = the next one) fails and cuts the power. */
    public synchronized void failAfter(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be at least 1: " + n);
        }
        failAt = operations + n;
    }

    /** Mutating calls made so far (including one that failed by {@link #failAfter}). */
    public synchronized int operations() {
        return operations;
    }

    public synchronized boolean isPoweredOff() {
        return poweredOff;
    }

    /** Rewrites the tree as the {@link CutMode} says and powers this instance off for good; idempotent. */
    public synchronized void powerCut() {
        if (poweredOff) {
            return;
        }
        poweredOff = true;
        try {
            for (Handle h : List.copyOf(openHandles)) {
                h.release();
            }
            switch (mode) {
                case LOSE_UNSYNCED_ENTRIES -> tree.restoreDurable();
                case KEEP_UNSYNCED_ENTRIES -> tree.restoreCurrentNamesWithSyncedContents();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not restore the durable state of " + root, e);
        }
    }

    @Override
    public synchronized WritableFile createNew(Path file) throws IOException {
        Path p = inside(file);
        mutation("createNew " + p);
        FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return register(new WriteHandle(ch, tree.created(p)));
    }

    @Override
    public synchronized ReadableFile openRead(Path file) throws IOException {
        checkPowered();
        return register(new ReadHandle(FileChannel.open(inside(file), StandardOpenOption.READ)));
    }

    @Override
    public synchronized void atomicMove(Path from, Path to) throws IOException {
        Path f = inside(from);
        Path t = inside(to);
        mutation("atomicMove " + f + " -> " + t);
        tree.move(f, t);
    }

    @Override
    public synchronized void syncDirectory(Path dir) throws IOException {
        Path d = inside(dir);
        mutation("syncDirectory " + d);
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        }
        tree.directorySynced(d);
    }

    @Override
    public synchronized boolean deleteIfExists(Path path) throws IOException {
        Path p = inside(path);
        mutation("deleteIfExists " + p);
        return tree.delete(p);
    }

    @Override
    public synchronized void createDirectories(Path dir) throws IOException {
        Path d = inside(dir);
        mutation("createDirectories " + d);
        tree.createDirectories(d);
    }

    @Override
    public synchronized boolean exists(Path path) {
        return !poweredOff && Files.exists(inside(path));
    }

    @Override
    public synchronized boolean isWritable(Path path) {
        return !poweredOff && Files.isWritable(inside(path));
    }

    @Override
    public synchronized List<Path> list(Path dir) throws IOException {
        checkPowered();
        try (Stream<Path> s = Files.list(inside(dir))) {
            return s.sorted().toList();
        }
    }

    @Override
    public synchronized long size(Path file) throws IOException {
        checkPowered();
        return Files.size(inside(file));
    }

    @Override
    public synchronized void syncFile(Path file) throws IOException {
        Path p = inside(file);
        mutation("syncFile " + p);
        ShadowTree.Inode inode = tree.inode(p);
        if (inode == null) {
            throw new java.nio.file.NoSuchFileException(p.toString());
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.force(true);
            inode.syncedLength = ch.size();
        }
    }

    /** Counts a mutating call, and fails it (cutting the power) if it is the one {@link #failAfter} named. */
    private void mutation(String what) throws IOException {
        checkPowered();
        operations++;
        if (operations == failAt) {
            powerCut();
            throw new IOException("simulated power cut at operation " + operations + ": " + what);
        }
    }

    private void checkPowered() throws IOException {
        if (poweredOff) {
            throw new IOException("power is off (simulated power cut)");
        }
    }

    private Path inside(Path path) {
        Path p = path.toAbsolutePath().normalize();
        if (!p.startsWith(root)) {
            throw new IllegalArgumentException(path + " is outside the simulated tree " + root);
        }
        return p;
    }

    private <H extends Handle> H register(H h) {
        openHandles.add(h);
        return h;
    }

    /** An open file; all of them die with the power. */
    private abstract class Handle implements Closeable {
        final FileChannel ch;
        private boolean closed;

        Handle(FileChannel ch) {
            this.ch = ch;
        }

        final void checkUsable() throws IOException {
            checkPowered();
            if (closed) {
                throw new ClosedChannelException();
            }
        }

        final void release() throws IOException {
            closed = true;
            openHandles.remove(this);
            ch.close();
        }

        @Override
        public final void close() throws IOException {
            synchronized (PowerCutFileIo.this) {
                if (!closed) {
                    release();
                }
            }
        }
    }

    private final class WriteHandle extends Handle implements WritableFile {
        private final ShadowTree.Inode inode;

        WriteHandle(FileChannel ch, ShadowTree.Inode inode) {
            super(ch);
            this.inode = inode;
        }

        @Override
        public void write(ByteBuffer src) throws IOException {
            synchronized (PowerCutFileIo.this) {
                checkUsable();
                mutation("write " + src.remaining() + " bytes to " + inode.realPath);
                while (src.hasRemaining()) {
                    ch.write(src);
                }
            }
        }

        @Override
        public void sync() throws IOException {
            synchronized (PowerCutFileIo.this) {
                checkUsable();
                mutation("sync " + inode.realPath);
                ch.force(true);
                inode.syncedLength = ch.size();
            }
        }
    }

    private final class ReadHandle extends Handle implements ReadableFile {
        ReadHandle(FileChannel ch) {
            super(ch);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            synchronized (PowerCutFileIo.this) {
                checkUsable();
                return ch.read(dst, position);
            }
        }

        @Override
        public long size() throws IOException {
            synchronized (PowerCutFileIo.this) {
                checkUsable();
                return ch.size();
            }
        }
    }
}
