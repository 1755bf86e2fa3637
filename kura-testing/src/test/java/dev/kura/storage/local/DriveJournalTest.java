package dev.kura.storage.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobStore;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.testing.fs.PowerCutFileIo;
import dev.kura.testing.fs.PowerCutFileIo.CutMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The drive journal (group commit of small data files): concurrent writes share fsyncs, a checkpoint
 * makes the files themselves durable and removes the segment, replay restores what a cut lost and
 * ignores a torn tail. The step-by-step power cuts of single writes and deletes are in
 * {@link LocalBlobStoreCrashTest}.
 */
class DriveJournalTest {
    private static final int BLOCK = 4096;

    @TempDir
    Path dir;
    final RealFileIo real = new RealFileIo();
    final Random rnd = new Random(77);

    @Test
    void concurrentSmallWritesShareTheirFsyncs() throws Exception {
        Path disk = dir.resolve("disk");
        try (LocalBlobStore store = LocalBlobStore.open(disk, real, true, BLOCK)) {
            int threads = 16;
            int each = 40;
            Map<DataLocation, byte[]> written = new ConcurrentHashMap<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int t = 0; t < threads; t++) {
                int seed = t;
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        Random r = new Random(seed);
                        for (int i = 0; i < each; i++) {
                            byte[] data = new byte[1 + r.nextInt(3 * BLOCK)];
                            r.nextBytes(data);
                            written.put(write(store, DataId.random(r), data), data);
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                }));
            }
            start.countDown();
            for (Thread w : workers) {
                w.join();
            }
            assertThat(failures).isEmpty();
            long[] stats = store.journalStats();
            assertThat(stats[1]).as("entries").isEqualTo(threads * each);
            // sixteen writers at once: most batches carry several of them
            assertThat(stats[0]).as("batches (fsyncs)").isLessThan(stats[1]);
            for (var e : written.entrySet()) {
                assertThat(read(store, e.getKey())).isEqualTo(e.getValue());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CutMode.class)
    void aCheckpointMakesTheFilesThemselvesDurableAndRemovesTheSegment(CutMode mode) throws IOException {
        Path disk = Files.createDirectory(dir.resolve("disk"));
        LocalBlobStore.open(disk, real, true, BLOCK).close();
        PowerCutFileIo io = new PowerCutFileIo(disk, mode);
        LocalBlobStore store = LocalBlobStore.open(disk, io, false, BLOCK);
        Map<DataLocation, byte[]> written = new java.util.HashMap<>();
        for (int i = 0; i < 5; i++) {
            byte[] data = bytes(100 + i * 1000, i);
            written.put(write(store, DataId.random(rnd), data), data);
        }
        assertThat(segments(disk)).isNotEmpty();
        assertThat(store.checkpointJournal(10_000)).isTrue();
        assertThat(segments(disk)).isEmpty();
        io.powerCut();
        store.close();
        // no segment is left to replay: what survived the cut is what the checkpoint synced
        try (LocalBlobStore rebooted = LocalBlobStore.open(disk, real, false, BLOCK)) {
            for (var e : written.entrySet()) {
                assertThat(read(rebooted, e.getKey())).isEqualTo(e.getValue());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(CutMode.class)
    void replayRestoresAcknowledgedWritesAndKeepsDeletesAfterACut(CutMode mode) throws IOException {
        Path disk = Files.createDirectory(dir.resolve("disk"));
        LocalBlobStore.open(disk, real, true, BLOCK).close();
        PowerCutFileIo io = new PowerCutFileIo(disk, mode);
        LocalBlobStore store = LocalBlobStore.open(disk, io, false, BLOCK);
        byte[] keptData = bytes(3 * BLOCK + 1, 1);
        DataLocation kept = write(store, DataId.random(rnd), keptData);
        DataLocation deleted = write(store, DataId.random(rnd), bytes(BLOCK, 2));
        store.delete(deleted);
        io.powerCut(); // nothing was checkpointed: the files' renames and contents were never synced
        store.close();
        try (LocalBlobStore rebooted = LocalBlobStore.open(disk, real, false, BLOCK)) {
            assertThat(read(rebooted, kept)).isEqualTo(keptData);
            assertThat(rebooted.dataFile(deleted.dataId())).doesNotExist();
            assertThat(segments(disk)).as("replayed segments are removed").isEmpty();
        }
        // and the replay itself was durable: a second cut right after it loses nothing
        PowerCutFileIo again = new PowerCutFileIo(disk, CutMode.LOSE_UNSYNCED_ENTRIES);
        again.powerCut();
        try (LocalBlobStore rebooted = LocalBlobStore.open(disk, real, false, BLOCK)) {
            assertThat(read(rebooted, kept)).isEqualTo(keptData);
        }
    }

    @Test
    void aTornTailIsIgnoredAndLaterSegmentsStillReplay() throws IOException {
        Path disk = dir.resolve("disk");
        LocalBlobStore store = LocalBlobStore.open(disk, real, true, BLOCK);
        byte[] data = bytes(2 * BLOCK, 3);
        DataLocation loc = write(store, DataId.random(rnd), data);
        store.close();
        List<Path> segs = segments(disk);
        assertThat(segs).hasSize(1);
        Path seg = segs.getFirst();
        long whole = Files.size(seg);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer torn = ByteBuffer.allocate(40); // the start of an entry whose batch never synced
            torn.putInt(0x4b4a4531).put((byte) 'W').put(new byte[16]).putInt(5000).flip();
            ch.write(torn);
        }
        assertThat(Files.size(seg)).isGreaterThan(whole);
        Files.delete(store.dataFile(loc.dataId())); // as if the cut lost the unsynced file
        try (LocalBlobStore rebooted = LocalBlobStore.open(disk, real, false, BLOCK)) {
            assertThat(read(rebooted, loc)).isEqualTo(data);
            assertThat(segments(disk)).isEmpty();
        }
    }

    @Test
    void aFileLeftShortIsRewrittenFromTheJournal() throws IOException {
        Path disk = dir.resolve("disk");
        LocalBlobStore store = LocalBlobStore.open(disk, real, true, BLOCK);
        byte[] data = bytes(BLOCK + 17, 4);
        DataLocation loc = write(store, DataId.random(rnd), data);
        store.close();
        Path file = store.dataFile(loc.dataId());
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(10); // renamed before its contents reached the disk
        }
        try (LocalBlobStore rebooted = LocalBlobStore.open(disk, real, false, BLOCK)) {
            assertThat(read(rebooted, loc)).isEqualTo(data);
            assertThat(rebooted.repair(loc).shardsUnrepairable()).isZero();
        }
    }

    private static List<Path> segments(Path disk) throws IOException {
        Path j = disk.resolve(DriveJournal.DIR_NAME);
        if (!Files.exists(j)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(j)) {
            return s.sorted().toList();
        }
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static DataLocation write(BlobStore store, DataId id, byte[] data) throws IOException {
        try (BlobWriter w = store.create(store.place(id), "bucket/key/" + id)) {
            w.write(data, 0, data.length);
            return w.commit();
        }
    }

    private static byte[] read(BlobStore store, DataLocation loc) throws IOException {
        try (InputStream in = store.open(loc, 0, loc.length())) {
            return in.readAllBytes();
        }
    }
}
