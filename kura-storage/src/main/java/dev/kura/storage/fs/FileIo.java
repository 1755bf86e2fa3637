package dev.kura.storage.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The file-system operations the storage layer uses, and nothing more. Everything on a drive goes
 * through this interface so that tests can swap in a simulated disk that loses what was not
 * synced (see {@code dev.kura.testing.fs.PowerCutFileIo} in kura-testing).
 *
 * <p>Durability is explicit, as on a real disk: bytes written to a {@link WritableFile} are durable
 * only after {@link WritableFile#sync()}, and a created, renamed or deleted directory entry only
 * after {@link #syncDirectory(Path)} of its parent directory.
 */
public interface FileIo {

    /** Creates a new, empty file for appending; fails with {@code FileAlreadyExistsException} if it exists. */
    WritableFile createNew(Path file) throws IOException;

    /** Opens an existing file for positional reads. */
    ReadableFile openRead(Path file) throws IOException;

    /** Renames {@code from} to {@code to} atomically, replacing {@code to} if it exists. */
    void atomicMove(Path from, Path to) throws IOException;

    /** Makes the entries of this directory (creates, renames, deletes) durable. */
    void syncDirectory(Path dir) throws IOException;

    /** Deletes a file or an empty directory; returns false if it did not exist. */
    boolean deleteIfExists(Path path) throws IOException;

    /** Creates a directory and any missing parents; an existing directory is fine. */
    void createDirectories(Path dir) throws IOException;

    /**
     * Creates {@code dir} and its missing parents below {@code base}, never {@code base} itself: when
     * base is gone (a drive pulled or wiped) this fails with {@code NoSuchFileException}, so a store
     * still open over a vanished drive does not bring its tree back (where a replacement is formatted).
     */
    default void createDirectoriesBelow(Path base, Path dir) throws IOException {
        if (!dir.startsWith(base)) {
            throw new IllegalArgumentException(dir + " is not below " + base);
        }
        if (!exists(base)) {
            throw new java.nio.file.NoSuchFileException(base.toString(), null, "gone");
        }
        createDirectories(dir);
    }

    boolean exists(Path path);

    /** True when the path exists and this process may write to it (cheap: no I/O on the data). */
    boolean isWritable(Path path);

    /** The entries of a directory, sorted by name. */
    List<Path> list(Path dir) throws IOException;

    /** The size of a file in bytes. */
    long size(Path file) throws IOException;

    /** Forces the contents and metadata of an existing, closed file to stable storage (fsync). */
    void syncFile(Path file) throws IOException;

    /**
     * Makes durable the contents of {@code files} (all under {@code root}) and the directory entries
     * naming them or naming files deleted from {@code dirs}: every directory from each file's or
     * each dir's own up to {@code root}. The default fsyncs each file and each such directory once;
     * an implementation may instead sync the whole file system holding {@code root} (syncfs), which
     * covers all of it in one call.
     */
    default void syncFiles(Path root, java.util.Collection<Path> files, java.util.Collection<Path> dirs)
            throws IOException {
        java.util.Set<Path> toSync = new java.util.TreeSet<>(java.util.Comparator.reverseOrder());
        for (Path f : files) {
            syncFile(f);
            addAncestors(root, f.getParent(), toSync);
        }
        for (Path d : dirs) {
            addAncestors(root, d, toSync);
        }
        for (Path d : toSync) { // deepest first: a child's entry is synced before its parent's
            syncDirectory(d);
        }
    }

    private static void addAncestors(Path root, Path dir, java.util.Set<Path> into) {
        for (Path d = dir; d != null && d.startsWith(root); d = d.getParent()) {
            if (!into.add(d)) {
                return;
            }
        }
    }

    /** Reads a whole (small) file. */
    default byte[] readAllBytes(Path file) throws IOException {
        try (ReadableFile f = openRead(file)) {
            long size = f.size();
            if (size > Integer.MAX_VALUE - 8) {
                throw new IOException("file too large to read whole: " + file);
            }
            ByteBuffer buf = ByteBuffer.allocate((int) size);
            f.readFully(buf, 0);
            return buf.array();
        }
    }
}
