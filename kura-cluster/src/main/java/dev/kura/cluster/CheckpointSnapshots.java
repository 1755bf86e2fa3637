package dev.kura.cluster;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

/**
 * Where a replica keeps its snapshots: {@code <home>/snapshots/<term>_<index>/}, each a RocksDB
 * checkpoint of the index (its SST files hard-linked, the rest copied) holding the applied log
 * position {@code term:index} in its own {@code m|log-applied} row.
 *
 * <p>Ratis sends a snapshot to a lagging replica file by file from {@link #getSnapshotDir} (paths
 * relative to it) and, on the receiving side, writes them under {@link #getTmpDir} and then
 * <em>replaces</em> the whole snapshot directory with what it received — so the live index never
 * lives here ({@code <home>/index}), and the newest snapshot is found again by listing the directory.
 * Ratis adds an {@code .md5} file next to each file it receives; those are not part of the checkpoint.
 */
final class CheckpointSnapshots implements StateMachineStorage {
    private static final Pattern NAME = Pattern.compile("(\\d+)_(\\d+)");
    private static final int DEFAULT_RETAINED = 2;

    private final Path dir;
    private final Path tmp;

    CheckpointSnapshots(Path home) {
        this.dir = home.resolve("snapshots");
        this.tmp = home.resolve("snapshot-tmp");
    }

    @Override
    public void init(RaftStorage raftStorage) throws IOException {
        Files.createDirectories(dir);
        Files.createDirectories(tmp);
    }

    /** One snapshot on disk: its directory and the log position it holds. */
    record Snapshot(Path dir, TermIndex termIndex) {
    }

    Optional<Snapshot> latest() {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.map(CheckpointSnapshots::parse).flatMap(Optional::stream)
                    .max(Comparator.comparingLong(s -> s.termIndex().getIndex()));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static Optional<Snapshot> parse(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (!m.matches() || !Files.isDirectory(p)) {
            return Optional.empty();
        }
        return Optional.of(new Snapshot(p, TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)))));
    }

    @Override
    public SnapshotInfo getLatestSnapshot() {
        Optional<Snapshot> latest = latest();
        if (latest.isEmpty()) {
            return null;
        }
        try {
            List<FileInfo> files = new ArrayList<>();
            for (Path f : checkpointFiles(latest.get().dir())) {
                files.add(new FileInfo(f.toAbsolutePath(), null)); // Ratis digests while it sends
            }
            return new FileListSnapshotInfo(files, latest.get().termIndex());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The files of a checkpoint directory (without the digests Ratis adds), in name order. */
    static List<Path> checkpointFiles(Path checkpoint) throws IOException {
        try (Stream<Path> s = Files.list(checkpoint)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".md5"))
                    .sorted().toList();
        }
    }

    /** A fresh directory (on the same file system) for a checkpoint about to be taken; it must not exist. */
    Path newTemporary() throws IOException {
        Files.createDirectories(tmp);
        return tmp.resolve("checkpoint-" + System.nanoTime());
    }

    /** Publishes a finished checkpoint as the snapshot at {@code termIndex} (a durable rename). */
    void publish(Path checkpoint, TermIndex termIndex) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(termIndex.getTerm() + "_" + termIndex.getIndex());
        Files.move(checkpoint, target, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(dir);
    }

    @Override
    public void format() {
        // nothing to prepare: the directories are created by init
    }

    @Override
    public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
        int keep = policy != null && policy.getNumSnapshotsRetained() > 0 ? policy.getNumSnapshotsRetained()
                : DEFAULT_RETAINED;
        List<Snapshot> all;
        try (Stream<Path> children = Files.list(dir)) {
            all = children.map(CheckpointSnapshots::parse).flatMap(Optional::stream)
                    .sorted(Comparator.comparingLong((Snapshot s) -> s.termIndex().getIndex()).reversed()).toList();
        }
        for (Snapshot old : all.subList(Math.min(keep, all.size()), all.size())) {
            deleteTree(old.dir());
        }
    }

    @Override
    public java.io.File getSnapshotDir() {
        return dir.toFile();
    }

    @Override
    public java.io.File getTmpDir() {
        return tmp.toFile();
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    static void syncDirectory(Path d) throws IOException {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
