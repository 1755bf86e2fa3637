package dev.kura.testing.fs;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The bookkeeping behind {@link PowerCutFileIo}: the real tree holds the current state, and this
 * class applies namespace changes to it while remembering the durable namespace and each file's
 * synced length. A file that leaves the current namespace while the durable one still names it is
 * moved to a graveyard directory beside the root (same file system: the rename keeps the inode and
 * any open handle) instead of being deleted, so its bytes are still there at the cut.
 * Not thread-safe: the caller holds one lock.
 */
final class ShadowTree {
    /** A file's identity across renames: where its bytes live now and how many of them are durable. */
    static final class Inode {
        Path realPath;
        long syncedLength;

        Inode(Path realPath, long syncedLength) {
            this.realPath = realPath;
            this.syncedLength = syncedLength;
        }
    }

    private final Path root;
    private final Map<Path, Inode> currentFiles = new HashMap<>();
    private final Set<Path> currentDirs = new HashSet<>();
    private final Map<Path, Inode> durableFiles = new HashMap<>();
    private final Set<Path> durableDirs = new HashSet<>();
    private Path graveyard;
    private long graveNumber;

    /** Everything under {@code root} now counts as durable. */
    ShadowTree(Path root) throws IOException {
        this.root = root;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.filter(p -> !p.equals(root)).toList()) {
                if (Files.isDirectory(p)) {
                    currentDirs.add(p);
                } else {
                    currentFiles.put(p, new Inode(p, Files.size(p)));
                }
            }
        }
        durableDirs.addAll(currentDirs);
        durableFiles.putAll(currentFiles);
    }

    /** Records a file just created for writing (not durable until its directory is synced). */
    Inode created(Path p) {
        Inode inode = new Inode(p, 0);
        currentFiles.put(p, inode);
        return inode;
    }

    /** The file currently at {@code p}, or null. */
    Inode inode(Path p) {
        return currentFiles.get(p);
    }

    void move(Path from, Path to) throws IOException {
        Inode inode = currentFiles.get(from);
        if (inode == null) {
            if (currentDirs.contains(from)) {
                throw new UnsupportedOperationException("moving directories is not simulated: " + from);
            }
            throw new NoSuchFileException(from.toString());
        }
        if (currentDirs.contains(to)) {
            throw new IOException("target is a directory: " + to);
        }
        if (from.equals(to)) {
            return;
        }
        Inode displaced = currentFiles.get(to);
        if (displaced != null) {
            unlink(to, displaced);
        }
        Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        currentFiles.remove(from);
        currentFiles.put(to, inode);
        inode.realPath = to;
    }

    boolean delete(Path p) throws IOException {
        Inode inode = currentFiles.get(p);
        if (inode != null) {
            unlink(p, inode);
            return true;
        }
        if (currentDirs.contains(p)) {
            Files.delete(p); // fails on a non-empty directory, like the real thing
            currentDirs.remove(p);
            return true;
        }
        return false;
    }

    void createDirectories(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Path p = dir; !p.equals(root); p = p.getParent()) {
            currentDirs.add(p);
        }
    }

    /** The durable entries of {@code dir} become its current entries (not those of its subdirectories). */
    void directorySynced(Path dir) {
        durableFiles.keySet().removeIf(p -> dir.equals(p.getParent()));
        durableDirs.removeIf(p -> dir.equals(p.getParent()));
        currentFiles.forEach((p, inode) -> {
            if (dir.equals(p.getParent())) {
                durableFiles.put(p, inode);
            }
        });
        currentDirs.stream().filter(p -> dir.equals(p.getParent())).forEach(durableDirs::add);
    }

    /** Removes a name; keeps the bytes in the graveyard while a durable name still refers to them. */
    private void unlink(Path p, Inode inode) throws IOException {
        currentFiles.remove(p);
        if (durableFiles.containsValue(inode)) {
            bury(inode);
        } else {
            Files.delete(p);
        }
    }

    private void bury(Inode inode) throws IOException {
        if (graveyard == null) {
            graveyard = Files.createTempDirectory(root.getParent(), root.getFileName() + ".powercut-");
        }
        Path grave = graveyard.resolve(Long.toString(graveNumber++));
        Files.move(inode.realPath, grave, StandardCopyOption.ATOMIC_MOVE);
        inode.realPath = grave;
    }

    /** Rewrites the real tree to the durable namespace, each file cut to its synced length. */
    void restoreDurable() throws IOException {
        for (Inode inode : currentFiles.values()) {
            bury(inode); // every byte that may be needed is now in the graveyard; the tree holds only directories
        }
        deleteBelow(root, false);
        List<Path> dirs = durableDirs.stream().filter(this::reachable)
                .sorted(Comparator.comparingInt(Path::getNameCount)).toList();
        for (Path d : dirs) {
            Files.createDirectory(d);
        }
        Map<Inode, Path> restored = new HashMap<>();
        for (Map.Entry<Path, Inode> e : durableFiles.entrySet()) {
            if (reachable(e.getKey())) {
                restoreFile(e.getKey(), e.getValue(), restored);
            }
        }
        removeGraveyard();
    }

    /** Keeps the current namespace (every entry change landed) but cuts each file to its synced length. */
    void restoreCurrentNamesWithSyncedContents() throws IOException {
        for (Inode inode : currentFiles.values()) {
            truncate(inode.realPath, inode.syncedLength);
        }
        removeGraveyard();
    }

    /** The first durable name of an inode gets its bytes; a second name (see the model) gets a copy. */
    private static void restoreFile(Path p, Inode inode, Map<Inode, Path> restored) throws IOException {
        Path first = restored.get(inode);
        if (first != null) {
            Files.copy(first, p);
            return;
        }
        Files.move(inode.realPath, p, StandardCopyOption.ATOMIC_MOVE);
        truncate(p, inode.syncedLength);
        restored.put(inode, p);
    }

    private static void truncate(Path p, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
    }

    private boolean reachable(Path p) {
        for (Path d = p.getParent(); !d.equals(root); d = d.getParent()) {
            if (!durableDirs.contains(d)) {
                return false;
            }
        }
        return true;
    }

    private void removeGraveyard() throws IOException {
        if (graveyard != null) {
            deleteBelow(graveyard, true);
            graveyard = null;
        }
    }

    private static void deleteBelow(Path top, boolean includingTop) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(top)) {
            all = new ArrayList<>(s.sorted(Comparator.reverseOrder()).toList());
        }
        if (!includingTop) {
            all.remove(top);
        }
        for (Path p : all) {
            Files.delete(p);
        }
    }
}
