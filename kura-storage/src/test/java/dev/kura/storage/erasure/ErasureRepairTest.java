package dev.kura.storage.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.RepairResult;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.storage.local.LocalBlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErasureRepairTest {
    static final int UNIT = 4096;
    static final String LABEL = "bucket/key/v1 \u00e9";

    @TempDir
    Path dir;
    final Random rnd = new Random(11);
    final List<LocalBlobStore> drives = new ArrayList<>();

    private ErasureBlobStore store(int k, int m) throws IOException {
        for (int i = 0; i < 6; i++) {
            Path root = dir.resolve("d" + i);
            Files.createDirectories(root);
            Files.writeString(root.resolve("kura-drive.properties"),
                    "format=1\ndrive.id=" + UUID.randomUUID() + "\nzone=z" + (i / 2) + "\n");
            drives.add(LocalBlobStore.open(root, new RealFileIo(), false));
        }
        return ErasureBlobStore.open(drives, k, m, UNIT);
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private DataLocation write(ErasureBlobStore s, byte[] data) throws IOException {
        try (BlobWriter w = s.create(s.place(DataId.random(rnd)), LABEL)) {
            w.write(data, 0, data.length);
            return w.commit();
        }
    }

    private static byte[] read(ErasureBlobStore s, DataLocation loc) throws IOException {
        try (InputStream in = s.open(loc, 0, loc.length())) {
            return in.readAllBytes();
        }
    }

    private LocalBlobStore drive(String id) {
        return drives.stream().filter(d -> d.driveId().equals(id)).findFirst().orElseThrow();
    }

    private Path shardFile(DataLocation loc, int shard) {
        return drive(loc.drives().get(shard)).dataFile(loc.dataId());
    }

    /** Every shard file's bytes, in shard order (null for a shard without a file). */
    private byte[][] snapshot(DataLocation loc) throws IOException {
        byte[][] files = new byte[loc.drives().size()][];
        for (int i = 0; i < files.length; i++) {
            if (!loc.drives().get(i).equals(ErasureBlobStore.MISSING) && Files.exists(shardFile(loc, i))) {
                files[i] = Files.readAllBytes(shardFile(loc, i));
            }
        }
        return files;
    }

    /** Flips one payload byte in block {@code block} of a shard file (its header length is at bytes 6..7). */
    private void corrupt(DataLocation loc, int shard, int block) throws IOException {
        try (FileChannel ch = FileChannel.open(shardFile(loc, shard), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer h = ByteBuffer.allocate(8);
            ch.read(h, 0);
            long at = Short.toUnsignedInt(h.getShort(6)) + (long) block * (UNIT + 4) + 100;
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, at);
            one.put(0, (byte) (one.get(0) ^ 0x5a)).rewind();
            ch.write(one, at);
        }
    }

    private void assertNoTempFiles() throws IOException {
        for (LocalBlobStore d : drives) {
            assertThat(d.root().resolve("tmp")).isEmptyDirectory();
        }
    }

    @Test
    void aDeletedShardIsRewrittenByteForByte() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            for (int size : new int[] {0, 1, 5 * 4 * UNIT + 321}) {
                byte[] data = bytes(size, size);
                for (int shard = 0; shard < 6; shard++) {
                    DataLocation loc = write(s, data);
                    byte[][] before = snapshot(loc);
                    Files.delete(shardFile(loc, shard));
                    assertThat(s.verify(loc)).isEqualTo(1);
                    assertThat(s.repair(loc)).as("size %d shard %d", size, shard).isEqualTo(new RepairResult(6, 1, 0));
                    assertThat(snapshot(loc)).isDeepEqualTo(before);
                    assertThat(s.verify(loc)).isZero();
                    assertThat(read(s, loc)).isEqualTo(data);
                }
            }
            assertNoTempFiles();
        }
    }

    @Test
    void everyShardCarriesTheAnnotationAndARebuiltShardKeepsIt() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            byte[] data = bytes(5 * 4 * UNIT + 321, 5);
            byte[] annotation = "what this data is".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            DataLocation loc;
            try (BlobWriter w = s.create(s.place(DataId.random(rnd)), LABEL)) {
                w.write(data, 0, data.length);
                loc = w.commit(() -> { }, annotation);
            }
            for (int i = 0; i < 6; i++) {
                assertThat(drive(loc.drives().get(i)).readAnnotation(loc.dataId())).as("shard %d", i)
                        .hasValueSatisfying(a -> assertThat(a).isEqualTo(annotation));
            }
            byte[][] before = snapshot(loc);
            Files.delete(shardFile(loc, 4));
            assertThat(s.repair(loc)).isEqualTo(new RepairResult(6, 1, 0));
            assertThat(snapshot(loc)[4]).isEqualTo(before[4]);
            assertThat(read(s, loc)).isEqualTo(data);
        }
    }

    @Test
    void aCorruptParityBlockIsRepaired() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            DataLocation loc = write(s, bytes(3 * 4 * UNIT + 99, 1));
            byte[][] before = snapshot(loc);
            corrupt(loc, 5, 2);
            assertThat(s.verify(loc)).isEqualTo(1);
            assertThat(s.repair(loc)).isEqualTo(new RepairResult(6, 1, 0));
            assertThat(snapshot(loc)).isDeepEqualTo(before);
            assertThat(s.verify(loc)).isZero();
        }
    }

    @Test
    void twoBadShardsAreBothRebuiltEvenWhenBadBlocksAreSpreadOverMoreShardsThanParity() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            byte[] data = bytes(4 * 4 * UNIT + 5, 2);
            DataLocation loc = write(s, data);
            byte[][] before = snapshot(loc);
            Files.delete(shardFile(loc, 1));
            corrupt(loc, 4, 0);
            assertThat(s.repair(loc)).isEqualTo(new RepairResult(6, 2, 0));
            assertThat(snapshot(loc)).isDeepEqualTo(before);

            // Three shards with one bad block each, in different stripes: only three shards are fully
            // healthy (k = 4), so the rebuild must use the good blocks of the bad shards too.
            corrupt(loc, 0, 0);
            corrupt(loc, 2, 1);
            corrupt(loc, 5, 3);
            assertThat(s.verify(loc)).isEqualTo(3);
            assertThat(s.repair(loc)).isEqualTo(new RepairResult(6, 3, 0));
            assertThat(snapshot(loc)).isDeepEqualTo(before);
            assertThat(read(s, loc)).isEqualTo(data);
        }
    }

    @Test
    void moreLostShardsThanParityFailsAndChangesNothing() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            DataLocation loc = write(s, bytes(3 * 4 * UNIT + 7, 3));
            Files.delete(shardFile(loc, 0));
            Files.delete(shardFile(loc, 3));
            corrupt(loc, 5, 1);
            byte[][] before = snapshot(loc);
            assertThatThrownBy(() -> s.repair(loc)).isInstanceOf(IOException.class)
                    .hasMessageContaining("stripe 1 has only 3 good shards, 4 needed");
            assertThat(snapshot(loc)).isDeepEqualTo(before);
            assertThat(shardFile(loc, 0)).doesNotExist();
            assertThat(shardFile(loc, 3)).doesNotExist();
            assertNoTempFiles();
            assertThat(s.verify(loc)).isEqualTo(3);
        }
    }

    @Test
    void shardsOnUnwritableOrUnknownDrivesAreCountedAndTheOthersRebuilt() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            DataLocation loc = write(s, bytes(2 * 4 * UNIT + 17, 4));
            byte[][] before = snapshot(loc);
            Files.delete(shardFile(loc, 2));
            Files.delete(shardFile(loc, 4));
            LocalBlobStore unwritable = drive(loc.drives().get(2));
            Path header = unwritable.root().resolve("kura-drive.properties");
            byte[] headerBytes = Files.readAllBytes(header);
            Files.delete(header); // looks unmounted
            assertThat(unwritable.isWritable()).isFalse();
            assertThat(s.repair(loc)).isEqualTo(new RepairResult(6, 1, 1));
            assertThat(shardFile(loc, 2)).doesNotExist();
            assertThat(shardFile(loc, 4)).hasBinaryContent(before[4]);
            assertThat(s.verify(loc)).isEqualTo(1);
            Files.write(header, headerBytes); // back: now it is rebuilt too
            assertThat(s.repair(loc)).isEqualTo(new RepairResult(6, 1, 0));
            assertThat(snapshot(loc)).isDeepEqualTo(before);

            // A "-" slot (the shard failed during the write) cannot be rebuilt in place.
            DataLocation planned = s.place(DataId.random(rnd));
            String failing = planned.drives().get(5);
            ErasureBlobStoreTest.failWritesOf(drive(failing), planned.dataId());
            DataLocation partial;
            try (BlobWriter w = s.create(planned, LABEL)) {
                w.write(bytes(UNIT * 5, 5), 0, UNIT * 5);
                partial = w.commit();
            }
            Files.delete(drive(failing).dataFile(planned.dataId()).getParent());
            assertThat(partial.drives().get(5)).isEqualTo(ErasureBlobStore.MISSING);
            byte[][] partialBefore = snapshot(partial);
            Files.delete(shardFile(partial, 0));
            assertThat(s.repair(partial)).isEqualTo(new RepairResult(6, 1, 1)); // every slot is checked
            assertThat(snapshot(partial)).isDeepEqualTo(partialBefore);
        }
    }

    @Test
    void healthyDataIsReadAndNothingIsWritten() throws Exception {
        try (ErasureBlobStore s = store(4, 2)) {
            DataLocation loc = write(s, bytes(3 * 4 * UNIT + 1, 6));
            List<BasicFileAttributes> before = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                before.add(Files.readAttributes(shardFile(loc, i), BasicFileAttributes.class));
            }
            Thread.sleep(20);
            assertThat(s.repair(loc)).isEqualTo(new RepairResult(6, 0, 0));
            for (int i = 0; i < 6; i++) {
                BasicFileAttributes now = Files.readAttributes(shardFile(loc, i), BasicFileAttributes.class);
                assertThat(now.lastModifiedTime()).isEqualTo(before.get(i).lastModifiedTime());
                assertThat(now.fileKey()).isEqualTo(before.get(i).fileKey()); // the same file, not a copy
            }
            assertNoTempFiles();
        }
    }

    @Test
    void singleDriveDataIsOnlyVerified() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            LocalBlobStore d = drives.get(0);
            byte[] data = bytes(3 * UNIT + 3, 7);
            DataLocation loc;
            try (BlobWriter w = d.create(d.place(DataId.random(rnd)), LABEL)) {
                w.write(data, 0, data.length);
                loc = w.commit();
            }
            assertThat(s.repair(loc)).isEqualTo(new RepairResult(1, 0, 0));
            assertThat(s.verify(loc)).isZero();
            try (FileChannel ch = FileChannel.open(d.dataFile(loc.dataId()), StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 200);
            }
            assertThat(s.repair(loc)).isEqualTo(new RepairResult(1, 0, 1));
            assertThat(s.verify(loc)).isEqualTo(1);
        }
    }

    @Test
    void repairRunsWhileReadersStreamTheSameData() throws Exception {
        try (ErasureBlobStore s = store(4, 2)) {
            byte[] data = bytes((3 << 20) + 7, 8);
            DataLocation loc = write(s, data);
            byte[][] before = snapshot(loc);

            // One reader, repair between its reads: it holds the old files' handles.
            Files.delete(shardFile(loc, 0));
            corrupt(loc, 1, 3);
            corrupt(loc, 1, 150);
            try (InputStream in = s.open(loc, 0, data.length)) {
                byte[] head = in.readNBytes(1 << 20);
                assertThat(s.repair(loc)).isEqualTo(new RepairResult(6, 2, 0));
                byte[] tail = in.readAllBytes();
                assertThat(head).isEqualTo(Arrays.copyOf(data, 1 << 20));
                assertThat(tail).isEqualTo(Arrays.copyOfRange(data, 1 << 20, data.length));
            }
            assertThat(snapshot(loc)).isDeepEqualTo(before);

            // Readers in threads, and two repairs of the same data at once: one rebuilds, one finds it healthy.
            Files.delete(shardFile(loc, 2));
            corrupt(loc, 3, 77);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                AtomicBoolean done = new AtomicBoolean();
                CountDownLatch reading = new CountDownLatch(2);
                List<Future<Integer>> readers = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    readers.add(pool.submit(() -> {
                        int reads = 0;
                        do {
                            try (InputStream in = s.open(loc, 0, data.length)) {
                                byte[] first = in.readNBytes(UNIT);
                                reading.countDown();
                                assertThat(first).isEqualTo(Arrays.copyOf(data, UNIT));
                                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, UNIT, data.length));
                            }
                            reads++;
                        } while (!done.get());
                        return reads;
                    }));
                }
                reading.await();
                CompletableFuture<RepairResult> a = CompletableFuture.supplyAsync(() -> repairUnchecked(s, loc), pool);
                CompletableFuture<RepairResult> b = CompletableFuture.supplyAsync(() -> repairUnchecked(s, loc), pool);
                RepairResult ra = a.get();
                RepairResult rb = b.get();
                done.set(true);
                for (Future<Integer> r : readers) {
                    assertThat(r.get()).isPositive();
                }
                assertThat(ra.shardsRebuilt() + rb.shardsRebuilt()).isEqualTo(2);
                assertThat(ra.shardsUnrepairable() + rb.shardsUnrepairable()).isZero();
            } finally {
                pool.shutdownNow();
            }
            assertThat(snapshot(loc)).isDeepEqualTo(before);
            assertThat(s.verify(loc)).isZero();
            assertNoTempFiles();
        }
    }

    private static RepairResult repairUnchecked(ErasureBlobStore s, DataLocation loc) {
        try {
            return s.repair(loc);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
