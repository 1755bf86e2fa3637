package dev.kura.storage.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.InsufficientDrivesException;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.storage.local.LocalBlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErasureBlobStoreTest {
    /** Small units make many stripes out of little data, so boundaries are exercised cheaply. */
    static final int UNIT = 4096;

    @TempDir
    Path dir;
    final Random rnd = new Random(7);
    final List<LocalBlobStore> drives = new ArrayList<>();

    /**
     * Six drives, two per zone. Formatting always writes zone "local", so each drive gets a
     * hand-written header first (the documented properties format), which open() then loads.
     */
    private List<LocalBlobStore> sixDrivesInThreeZones() throws IOException {
        for (int i = 0; i < 6; i++) {
            Path root = dir.resolve("d" + i);
            Files.createDirectories(root);
            Files.writeString(root.resolve("kura-drive.properties"),
                    "format=1\ndrive.id=" + UUID.randomUUID() + "\nzone=z" + (i / 2) + "\n");
            drives.add(LocalBlobStore.open(root, new RealFileIo(), false));
        }
        return drives;
    }

    private ErasureBlobStore store(int k, int m) throws IOException {
        return ErasureBlobStore.open(sixDrivesInThreeZones(), k, m, UNIT);
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes in uneven chunks so unit and stripe boundaries fall inside writes. */
    private static DataLocation write(ErasureBlobStore s, DataId id, byte[] data) throws IOException {
        try (BlobWriter w = s.create(s.place(id), "bucket/key")) {
            int chunk = 1;
            for (int off = 0; off < data.length; off += chunk, chunk = chunk * 3 + 1) {
                w.write(data, off, Math.min(chunk, data.length - off));
            }
            return w.commit();
        }
    }

    private static byte[] read(ErasureBlobStore s, DataLocation loc, long off, long len) throws IOException {
        try (InputStream in = s.open(loc, off, len)) {
            return in.readAllBytes();
        }
    }

    private LocalBlobStore drive(String id) {
        return drives.stream().filter(d -> d.driveId().equals(id)).findFirst().orElseThrow();
    }

    private Path shardFile(DataLocation loc, int shard) {
        return drive(loc.drives().get(shard)).dataFile(loc.dataId());
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

    @Test
    void roundTripsEverySizeAroundUnitAndStripeBoundaries() throws IOException {
        for (int[] km : new int[][] {{4, 2}, {2, 2}}) {
            drives.clear();
            int k = km[0];
            try (ErasureBlobStore s = ErasureBlobStore.open(sixDrivesInThreeZonesIn("km" + k), k, km[1], UNIT)) {
                for (int size : new int[] {0, 1, UNIT - 1, UNIT, UNIT + 1, k * UNIT, k * UNIT + 1, (3 << 20) + 7}) {
                    byte[] data = bytes(size, size);
                    DataId id = DataId.random(rnd);
                    DataLocation loc = write(s, id, data);
                    assertThat(loc.scheme()).isEqualTo("rs-" + k + "-" + km[1]);
                    assertThat(loc.drives()).hasSize(k + km[1]).doesNotHaveDuplicates().doesNotContain("-");
                    assertThat(loc.blockSize()).isEqualTo(UNIT);
                    assertThat(loc.length()).isEqualTo(size);
                    assertThat(read(s, loc, 0, size)).as("size %d, rs-%d-%d", size, k, km[1]).isEqualTo(data);
                    assertThat(s.verify(loc)).isZero();
                    long shardBytes = Math.ceilDiv((long) size, (long) k * UNIT) * UNIT;
                    for (int i = 0; i < loc.drives().size(); i++) {
                        assertThat(Files.size(shardFile(loc, i))).isGreaterThanOrEqualTo(shardBytes);
                    }
                }
            }
        }
    }

    private List<LocalBlobStore> sixDrivesInThreeZonesIn(String sub) throws IOException {
        Path saved = dir;
        dir = dir.resolve(sub);
        try {
            return sixDrivesInThreeZones();
        } finally {
            dir = saved;
        }
    }

    @Test
    void servesRangesAcrossStripeBoundaries() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            int stripe = 4 * UNIT;
            byte[] data = bytes(3 * stripe + 123, 1);
            DataLocation loc = write(s, DataId.random(rnd), data);
            long[][] ranges = {{0, 1}, {stripe - 1, 2}, {stripe - 5, stripe + 10}, {UNIT - 3, 7},
                    {stripe + UNIT, 2 * UNIT}, {0, data.length}, {data.length - 1, 1}, {data.length, 0},
                    {123, 3 * stripe}, {2 * stripe + 3 * UNIT + 5, 118}};
            for (long[] r : ranges) {
                assertThat(read(s, loc, r[0], r[1])).as("range %d+%d", r[0], r[1])
                        .isEqualTo(Arrays.copyOfRange(data, (int) r[0], (int) (r[0] + r[1])));
            }
            try (InputStream in = s.open(loc, stripe - 2, 2 * stripe)) {
                assertThat(in.read()).isEqualTo(Byte.toUnsignedInt(data[stripe - 2]));
                assertThat(in.skip(stripe)).isEqualTo(stripe);
                assertThat(in.read()).isEqualTo(Byte.toUnsignedInt(data[2 * stripe - 1]));
                assertThat(in.readAllBytes()).isEqualTo(Arrays.copyOfRange(data, 2 * stripe, 3 * stripe - 2));
                assertThat(in.read()).isEqualTo(-1);
            }
            assertThatThrownBy(() -> s.open(loc, data.length - 1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void readsByteExactWithAnyOneOrTwoShardFilesDeleted() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            byte[] data = bytes(5 * 4 * UNIT + 321, 2);
            for (int a = 0; a < 6; a++) {
                for (int b = a; b < 6; b++) {
                    DataLocation loc = write(s, DataId.random(rnd), data);
                    Files.delete(shardFile(loc, a));
                    if (b != a) {
                        Files.delete(shardFile(loc, b));
                    }
                    assertThat(read(s, loc, 0, data.length)).as("lost shards %d and %d", a, b).isEqualTo(data);
                    assertThat(read(s, loc, UNIT + 7, 3 * UNIT))
                            .isEqualTo(Arrays.copyOfRange(data, UNIT + 7, 4 * UNIT + 7));
                    assertThat(s.verify(loc)).isEqualTo(a == b ? 1 : 2);
                }
            }
        }
    }

    @Test
    void readsByteExactDespiteCorruptBlocksInAnyShard() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            byte[] data = bytes(3 * 4 * UNIT + 99, 3);
            for (int shard = 0; shard < 6; shard++) {
                DataLocation loc = write(s, DataId.random(rnd), data);
                corrupt(loc, shard, 1);
                assertThat(read(s, loc, 0, data.length)).as("corrupt shard %d", shard).isEqualTo(data);
                assertThat(s.verify(loc)).isEqualTo(1);
            }
            // Four bad shards in all, never more than two in one stripe: each stripe still has k good,
            // which only works if a shard with one bad block is asked again for the next stripe.
            DataLocation loc = write(s, DataId.random(rnd), data);
            Files.delete(shardFile(loc, 0));
            corrupt(loc, 1, 0);
            corrupt(loc, 2, 1);
            corrupt(loc, 3, 2);
            assertThat(read(s, loc, 0, data.length)).isEqualTo(data);
            assertThat(s.verify(loc)).isEqualTo(4);
        }
    }

    @Test
    void refusesToReadWhenMoreShardsAreLostThanParity() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            byte[] data = bytes(3 * 4 * UNIT, 4);
            DataLocation gone = write(s, DataId.random(rnd), data);
            for (int shard : new int[] {0, 3, 5}) {
                Files.delete(shardFile(gone, shard));
            }
            assertThatThrownBy(() -> read(s, gone, 0, data.length)).isInstanceOf(IOException.class)
                    .hasMessageContaining("only 3 readable shards, 4 needed");

            // Corruption in the second stripe only: the first stripe is served, then the read fails.
            DataLocation rotten = write(s, DataId.random(rnd), data);
            for (int shard : new int[] {1, 2, 4}) {
                corrupt(rotten, shard, 1);
            }
            try (InputStream in = s.open(rotten, 0, data.length)) {
                assertThat(in.readNBytes(4 * UNIT)).isEqualTo(Arrays.copyOf(data, 4 * UNIT));
                assertThatThrownBy(() -> in.read(new byte[10])).isInstanceOf(IOException.class)
                        .hasMessageContaining("stripe 1");
            }
        }
    }

    @Test
    void placementSpreadsShardsEvenlyOverZonesAndIsDeterministic() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            Map<String, Integer> firstShardCounts = new HashMap<>();
            for (int i = 0; i < 200; i++) {
                DataId id = DataId.random(rnd);
                DataLocation loc = s.place(id);
                assertThat(loc).isEqualTo(s.place(id));
                assertThat(loc.drives()).hasSize(6).doesNotHaveDuplicates();
                Map<String, Integer> perZone = new HashMap<>();
                loc.drives().forEach(d -> perZone.merge(drive(d).zone(), 1, Integer::sum));
                assertThat(perZone).containsOnlyKeys("z0", "z1", "z2").allSatisfy((z, n) -> assertThat(n).isEqualTo(2));
                firstShardCounts.merge(loc.drives().getFirst(), 1, Integer::sum);
            }
            // Rendezvous hashing spreads shard 0 (and so the read load) over all drives.
            assertThat(firstShardCounts).hasSize(6).allSatisfy((d, n) -> assertThat(n).isBetween(15, 60));
        }
        drives.clear();
        try (ErasureBlobStore s = ErasureBlobStore.open(sixDrivesInThreeZonesIn("two"), 2, 1, UNIT)) {
            for (int i = 0; i < 50; i++) {
                DataLocation loc = s.place(DataId.random(rnd));
                assertThat(loc.drives().stream().map(d -> drive(d).zone()).distinct()).hasSize(3);
            }
        }
    }

    @Test
    void narrowsToFewerDataShardsKeepingParityWhenDrivesAreUnwritable() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            LocalBlobStore lost = drives.get(3);
            Files.delete(lost.root().resolve("kura-drive.properties")); // looks unmounted
            assertThat(s.isWritable()).isTrue();
            DataLocation planned = s.place(DataId.random(rnd));
            assertThat(planned.scheme()).isEqualTo("rs-3-2");
            assertThat(planned.drives()).hasSize(5).doesNotContain(lost.driveId());
            byte[] data = bytes(2 * 4 * UNIT + 17, 5);
            DataLocation loc = write(s, planned.dataId(), data);
            assertThat(loc.scheme()).isEqualTo("rs-3-2");
            Files.delete(shardFile(loc, 2));
            Files.delete(shardFile(loc, 4));
            assertThat(read(s, loc, 0, data.length)).isEqualTo(data);

            Files.delete(drives.get(0).root().resolve("kura-drive.properties")); // a whole zone of two is gone
            DataLocation two = write(s, s.place(DataId.random(rnd)).dataId(), data);
            assertThat(two.scheme()).isEqualTo("rs-2-2");
            assertThat(read(s, two, 0, data.length)).isEqualTo(data);

            for (int i : new int[] {1, 2, 4}) {
                Files.delete(drives.get(i).root().resolve("kura-drive.properties"));
            }
            assertThat(s.isWritable()).isFalse();
            assertThatThrownBy(() -> s.place(DataId.random(rnd))).isInstanceOf(InsufficientDrivesException.class)
                    .hasMessageContaining("needs at least 2 writable drives to keep parity, only 1 of 6");
        }
    }

    @Test
    void smallDataIsWholeCopiesOnParityPlusOneDrivesInDistinctZones() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            for (long size : new long[] {0, 1, 1000, 2L * UNIT}) {
                DataLocation planned = s.place(DataId.random(rnd), size);
                assertThat(planned.scheme()).as("size %d", size).isEqualTo("rs-1-2");
                assertThat(planned.drives().stream().map(d -> drive(d).zone()).distinct()).hasSize(3);
            }
            assertThat(s.place(DataId.random(rnd), 2L * UNIT + 1).scheme()).isEqualTo("rs-4-2");
            assertThat(s.place(DataId.random(rnd), -1).scheme()).isEqualTo("rs-4-2");
            byte[] data = bytes(1000, 9);
            DataLocation loc = write(s, s.place(DataId.random(rnd), data.length).dataId(), data);
            assertThat(loc.scheme()).isEqualTo("rs-4-2"); // write() places without a size: the default layout
            DataLocation small = s.place(DataId.random(rnd), data.length);
            try (BlobWriter w = s.create(small, "small")) {
                w.write(data, 0, data.length);
                small = w.commit();
            }
            // one stripe whose unit is the size rounded up to 512 bytes, not a full unit of padding
            assertThat(small.blockSize()).isEqualTo(1024);
            assertThat(Files.size(shardFile(small, 2))).isLessThan(1024 + 512);
            Files.delete(shardFile(small, 0));
            Files.delete(shardFile(small, 1));
            assertThat(read(s, small, 0, data.length)).isEqualTo(data); // any one copy is the object
            assertThat(s.place(DataId.random(rnd), 0).blockSize()).isEqualTo(512);
            assertThat(s.place(DataId.random(rnd), 2L * UNIT).blockSize()).isEqualTo(2 * UNIT);
            // longer than announced (a length the client got wrong is refused above this layer, but
            // the layout copes): more stripes of the same unit
            DataLocation longer = s.place(DataId.random(rnd), 100);
            byte[] more = bytes(3000, 10);
            try (BlobWriter w = s.create(longer, "longer")) {
                w.write(more, 0, more.length);
                longer = w.commit();
            }
            assertThat(read(s, longer, 0, more.length)).isEqualTo(more);
            assertThat(read(s, longer, 700, 1000)).isEqualTo(java.util.Arrays.copyOfRange(more, 700, 1700));
        }
    }

    @Test
    void aReadThatRebuildsFromParityReportsTheDataForRepairOncePerStream() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            List<DataLocation> reported = new ArrayList<>();
            s.onDegradedRead(reported::add);
            byte[] data = bytes(3 * 4 * UNIT + 5, 11);
            DataLocation loc = write(s, DataId.random(rnd), data);
            assertThat(read(s, loc, 0, data.length)).isEqualTo(data);
            assertThat(reported).isEmpty(); // healthy: nothing to report
            Files.delete(shardFile(loc, 1));
            assertThat(read(s, loc, 0, data.length)).isEqualTo(data);
            assertThat(reported).containsExactly(loc); // three degraded stripes, one report
            s.repair(loc);
            reported.clear();
            assertThat(read(s, loc, 0, data.length)).isEqualTo(data);
            assertThat(reported).isEmpty();
        }
    }

    /** Six drives in three zones and a seventh, spare, in z1. */
    private void sevenDrivesInThreeZones() throws IOException {
        sixDrivesInThreeZones();
        Path seventh = dir.resolve("d6");
        Files.createDirectories(seventh);
        Files.writeString(seventh.resolve("kura-drive.properties"), "format=1\ndrive.id=" + UUID.randomUUID() + "\nzone=z1\n");
        drives.add(LocalBlobStore.open(seventh, new RealFileIo(), false));
    }

    @Test
    void aLostWritesSlotIsRebuiltOntoASpareDriveInTheLeastUsedZone() throws IOException {
        sevenDrivesInThreeZones();
        try (ErasureBlobStore s = ErasureBlobStore.open(new ArrayList<>(drives), 4, 2, UNIT)) {
            byte[] data = bytes(2 * 4 * UNIT + 99, 13);
            DataLocation loc = write(s, DataId.random(rnd), data);
            int lost = loc.drives().indexOf(loc.drives().stream().filter(d -> drive(d).zone().equals("z1"))
                    .findFirst().orElseThrow());
            String gone = loc.drives().get(lost);
            Files.delete(shardFile(loc, lost));
            List<String> withHole = new ArrayList<>(loc.drives());
            withHole.set(lost, ErasureBlobStore.MISSING); // as a write that lost this shard records it
            DataLocation holed = new DataLocation(loc.dataId(), loc.layoutEpoch(), loc.scheme(), withHole, loc.blockSize(),
                    loc.length());
            String unused = drives.stream().map(LocalBlobStore::driveId).filter(d -> !loc.drives().contains(d))
                    .findFirst().orElseThrow();

            dev.kura.storage.RepairResult r = s.repair(holed);
            assertThat(r.shardsRebuilt()).isEqualTo(1);
            assertThat(r.relocated()).isNotNull();
            assertThat(r.relocated().drives().get(lost)).isIn(unused, gone).isNotEqualTo(ErasureBlobStore.MISSING);
            assertThat(drive(r.relocated().drives().get(lost)).zone()).isEqualTo("z1"); // z1 had one shard left
            assertThat(s.verify(r.relocated())).isZero();
            assertThat(read(s, r.relocated(), 0, data.length)).isEqualTo(data);
            assertThat(s.repair(r.relocated()).relocated()).isNull(); // healthy now: nothing moves

            s.delete(holed); // a delete through the old location still finds the relocated shard
            assertThat(drives.stream().filter(d -> Files.exists(d.dataFile(loc.dataId())))).isEmpty();
        }
    }

    /**
     * A shard whose drive hangs in its commit (a node cut off by the network, a dying disk) does not hold the
     * write: once the quorum has committed, the write returns after the grace, the slot keeps its drive
     * (it is most likely coming), the data reads back meanwhile from the others, and when the straggler
     * lands the data verifies whole.
     */
    @Test
    void aShardWhoseDriveHangsInItsCommitDoesNotHoldTheWrite() throws Exception {
        sevenDrivesInThreeZones();
        byte[] data = bytes(3 * 4 * UNIT + 5, 31);
        DataId id = DataId.random(rnd);
        // (stores here are not closed: closing one closes its drives)
        ErasureBlobStore reference = ErasureBlobStore.open(new ArrayList<>(drives), 4, 2, UNIT);
        String hanging = reference.place(id).drives().get(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        List<dev.kura.storage.ShardDrive> set = new ArrayList<>();
        for (LocalBlobStore d : drives) {
            set.add(d.driveId().equals(hanging) ? new HangingDrive(d, release) : d);
        }
        ErasureBlobStore s = ErasureBlobStore.open(set, 4, 2, UNIT);
        try {
            java.util.concurrent.CompletableFuture<DataLocation> written =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return write(s, id, data);
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
            // Without the grace the write would wait for the release, which comes only after this.
            DataLocation loc = written.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(loc.drives()).as("the straggler's slot keeps its drive").contains(hanging)
                    .doesNotContain(ErasureBlobStore.MISSING);
            assertThat(read(s, loc, 0, data.length)).as("read while the straggler hangs").isEqualTo(data);
            // A drive slow without failing would collect a left-behind commit per write: past a few, it
            // takes no new data until they land.
            try (var side = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
                java.util.List<java.util.concurrent.Future<DataLocation>> more = new ArrayList<>();
                for (int i = 0; i < ErasureBlobStore.MAX_STRAGGLERS_PER_DRIVE + 2; i++) {
                    DataId next = DataId.random(rnd);
                    while (!reference.place(next).drives().contains(hanging)) {
                        next = DataId.random(rnd); // each of them leaves a commit behind on the hanging drive
                    }
                    DataId placed = next;
                    more.add(side.submit(() -> write(s, placed, data))); // side by side: one grace for all
                }
                for (var f : more) {
                    f.get(60, java.util.concurrent.TimeUnit.SECONDS);
                }
            }
            for (int i = 0; i < 20; i++) {
                assertThat(s.place(DataId.random(rnd)).drives()).as("placement past the straggler cap").doesNotContain(hanging);
            }
            release.countDown();
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (s.verify(loc) != 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // the straggler, released, lands
            }
            assertThat(s.verify(loc)).as("bad shards once the straggler landed").isZero();
            assertThat(read(s, loc, 0, data.length)).isEqualTo(data);
            deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            boolean back = false;
            while (!back && System.nanoTime() < deadline) {
                back = s.place(DataId.random(rnd)).drives().contains(hanging); // every straggler landed
                Thread.sleep(20);
            }
            assertThat(back).as("the drive takes data again once its stragglers landed").isTrue();
        } finally {
            release.countDown();
        }
    }

    /**
     * A shard on a drive known to be unreachable (a node that stopped answering) is read last: a read of the
     * data goes to parity first and never waits on it while the others are enough.
     */
    @Test
    void aReadGoesToParityBeforeADriveKnownToBeUnreachable() throws IOException {
        sevenDrivesInThreeZones();
        byte[] data = bytes(2 * 4 * UNIT + 7, 33);
        DataLocation loc = write(ErasureBlobStore.open(new ArrayList<>(drives), 4, 2, UNIT), DataId.random(rnd), data);
        String silent = loc.drives().get(0); // a data shard: a healthy read would open it
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(0);
        HangingDrive unreachable = new HangingDrive(drive(silent), never, true);
        List<dev.kura.storage.ShardDrive> set = new ArrayList<>();
        for (LocalBlobStore d : drives) {
            set.add(d.driveId().equals(silent) ? unreachable : d);
        }
        ErasureBlobStore s = ErasureBlobStore.open(set, 4, 2, UNIT);
        assertThat(read(s, loc, 0, data.length)).isEqualTo(data);
        assertThat(unreachable.opens.get()).as("reads of the unreachable drive's shard").isZero();
    }

    /**
     * Enough shards committed is not enough when they all lie in one zone of a placement over two: the write
     * fails rather than be acknowledged on a single zone (1+2 over three drives in two zones, the other
     * zone's shard failing its commit).
     */
    @Test
    void aWriteWhoseCommittedShardsLieInOneZoneOfTwoFails() throws IOException {
        List<LocalBlobStore> six = sixDrivesInThreeZones(); // d0, d1 in z0; d2 in z1
        java.util.concurrent.CountDownLatch failNow = new java.util.concurrent.CountDownLatch(0);
        List<dev.kura.storage.ShardDrive> set = List.of(six.get(0), six.get(1), new HangingDrive(six.get(2), failNow, false, true));
        ErasureBlobStore s = ErasureBlobStore.open(new ArrayList<>(set), 1, 2, UNIT);
        DataId id = DataId.random(rnd);
        assertThat(s.place(id).drives()).hasSize(3);
        assertThatThrownBy(() -> write(s, id, bytes(1000, 5))).isInstanceOf(IOException.class)
                .hasMessageContaining("committed only in one zone");
        // With both zones committing, the same write succeeds.
        ErasureBlobStore healthy = ErasureBlobStore.open(new ArrayList<>(six.subList(0, 3)), 1, 2, UNIT);
        DataLocation loc = write(healthy, DataId.random(rnd), bytes(1000, 5));
        assertThat(read(healthy, loc, 0, 1000)).isEqualTo(bytes(1000, 5));
    }

    /** A drive whose writers hang in commit until released (test double of a drive cut off mid-write). */
    private static final class HangingDrive extends dev.kura.storage.ForwardingShardDrive {
        private final java.util.concurrent.CountDownLatch release;
        private final boolean knownUnreachable;
        private final boolean failCommit;
        final AtomicInteger opens = new AtomicInteger();

        HangingDrive(LocalBlobStore drive, java.util.concurrent.CountDownLatch release) {
            this(drive, release, false);
        }

        HangingDrive(LocalBlobStore drive, java.util.concurrent.CountDownLatch release, boolean knownUnreachable) {
            this(drive, release, knownUnreachable, false);
        }

        /** {@code failCommit}: commits fail (once released) instead of landing. */
        HangingDrive(LocalBlobStore drive, java.util.concurrent.CountDownLatch release, boolean knownUnreachable,
                     boolean failCommit) {
            super(drive);
            this.release = release;
            this.knownUnreachable = knownUnreachable;
            this.failCommit = failCommit;
        }

        @Override
        public boolean isKnownUnreachable() {
            return knownUnreachable;
        }

        @Override
        public BlobWriter create(DataLocation planned, String label, boolean mayJournal) throws IOException {
            BlobWriter w = drive.create(planned, label, mayJournal);
            return new BlobWriter() {
                @Override
                public void write(ByteBuffer b) throws IOException {
                    w.write(b);
                }

                @Override
                public DataLocation commit(Barrier beforeVisible, byte[] annotation) throws IOException {
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted", e);
                    }
                    if (failCommit) {
                        w.abort();
                        throw new IOException("drive " + drive.driveId() + " cut off during its commit");
                    }
                    return w.commit(beforeVisible, annotation);
                }

                @Override
                public void abort() {
                    w.abort();
                }
            };
        }

        @Override
        public InputStream open(DataLocation location, long offset, long length) throws IOException {
            opens.incrementAndGet();
            return drive.open(location, offset, length);
        }
    }

    /**
     * A drive leaving the set (its node removed): new data never goes there, a repair moves its good shards
     * onto other drives, the data reads back from the new location,
     * and dropMoved removes the copies left on the leaving drive. One that cannot be read is rebuilt
     * elsewhere from parity.
     */
    @Test
    void aRepairMovesTheShardsOfADriveLeavingTheSetAndNewDataAvoidsIt() throws IOException {
        sevenDrivesInThreeZones();
        byte[] data = bytes(2 * 4 * UNIT + 99, 21);
        // Written before the drive was leaving (this store is not closed: closing it would close the drives).
        ErasureBlobStore before = ErasureBlobStore.open(new ArrayList<>(drives), 4, 2, UNIT);
        DataLocation loc = write(before, DataId.random(rnd), data);
        String leaving = loc.drives().get(2);
        List<dev.kura.storage.ShardDrive> set = new ArrayList<>();
        for (LocalBlobStore d : drives) {
            set.add(d.driveId().equals(leaving) ? new dev.kura.storage.RetiredDrive(d) : d);
        }
        try (ErasureBlobStore s = ErasureBlobStore.open(set, 4, 2, UNIT)) {
            for (int i = 0; i < 20; i++) {
                assertThat(s.place(DataId.random(rnd)).drives()).as("new data").doesNotContain(leaving);
            }
            assertThat(read(s, loc, 0, data.length)).as("still read where it is").isEqualTo(data);
            dev.kura.storage.RepairResult r = s.repair(loc);
            assertThat(r.shardsRebuilt()).isEqualTo(1);
            assertThat(r.relocated()).isNotNull();
            assertThat(r.relocated().drives()).doesNotContain(leaving);
            assertThat(r.relocated().drives().get(2)).isNotEqualTo(ErasureBlobStore.MISSING);
            assertThat(r.relocated().drives()).as("one shard per drive").doesNotHaveDuplicates();
            assertThat(read(s, r.relocated(), 0, data.length)).isEqualTo(data);
            assertThat(s.verify(r.relocated())).isZero();
            assertThat(Files.exists(drive(leaving).dataFile(loc.dataId()))).isTrue();
            s.dropMoved(loc, r.relocated());
            assertThat(Files.exists(drive(leaving).dataFile(loc.dataId()))).as("the old copy, dropped").isFalse();
            assertThat(s.repair(r.relocated()).relocated()).as("nothing left to move").isNull();

            // Another object's shard on the leaving drive is unreadable (the node died): rebuilt elsewhere.
            DataLocation other = write(before, DataId.random(rnd), data);
            while (!other.drives().contains(leaving)) { // six of seven drives: soon one with a shard there
                other = write(before, DataId.random(rnd), data);
            }
            int slot = other.drives().indexOf(leaving);
            Files.delete(shardFile(other, slot));
            dev.kura.storage.RepairResult r2 = s.repair(other);
            assertThat(r2.relocated().drives()).doesNotContain(leaving);
            assertThat(read(s, r2.relocated(), 0, data.length)).isEqualTo(data);
            // A cluster node's store keeps the slot of a drive it does not know (another node's, not learned
            // yet): a repair leaves it; by default such a drive is gone for good and its shard is rebuilt elsewhere.
            DataLocation third = write(before, DataId.random(rnd), data);
            String unknown = third.drives().get(0);
            Files.delete(shardFile(third, 0));
            List<dev.kura.storage.ShardDrive> without = new ArrayList<>(drives.stream().filter(d -> !d.driveId().equals(unknown))
                    .toList());
            ErasureBlobStore cluster = ErasureBlobStore.open(without, 4, 2, UNIT);
            cluster.keepUnknownDrives();
            dev.kura.storage.RepairResult kept = cluster.repair(third);
            assertThat(kept.relocated()).isNull();
            assertThat(kept.shardsUnrepairable()).isEqualTo(1);
            assertThat(ErasureBlobStore.open(without, 4, 2, UNIT).repair(third).relocated().drives()).doesNotContain(unknown);
        }
    }

    @Test
    void aScrubFindsAndRepairsACorruptAnnotationEvenWhenTheDataIsEmpty() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            byte[] annotation = bytes(3000, 17);
            DataLocation planned = s.place(DataId.random(rnd));
            DataLocation loc;
            try (BlobWriter w = s.create(planned, "bucket/manifest")) {
                loc = w.commit(() -> { }, annotation);
            }
            assertThat(s.verify(loc)).isZero();
            Path victim = shardFile(loc, 3);
            byte[] file = Files.readAllBytes(victim);
            file[file.length / 2] ^= 0x40; // the middle of an empty shard's file is its annotation
            Files.write(victim, file);
            assertThat(s.verify(loc)).isEqualTo(1);
            assertThat(s.repair(loc).shardsRebuilt()).isEqualTo(1);
            assertThat(s.verify(loc)).isZero();
            assertThat(drive(loc.drives().get(3)).readAnnotation(loc.dataId())).hasValueSatisfying(
                    a -> assertThat(a).isEqualTo(annotation));
        }
    }

    @Test
    void theNarrowedLayoutKeepsTheConfiguredParityWhileItCan() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            assertThat(s.narrowed(6)).isEqualTo(new ErasureBlobStore.Layout(4, 2));
            assertThat(s.narrowed(5)).isEqualTo(new ErasureBlobStore.Layout(3, 2));
            assertThat(s.narrowed(4)).isEqualTo(new ErasureBlobStore.Layout(2, 2));
            assertThat(s.narrowed(3)).isEqualTo(new ErasureBlobStore.Layout(1, 2));
            assertThat(s.narrowed(2)).isEqualTo(new ErasureBlobStore.Layout(1, 1));
            assertThat(s.narrowed(1)).isNull();
        }
    }

    @Test
    void aShardFailingDuringTheWriteIsRecordedAsMissingAndTheDataStaysReadable() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            DataLocation planned = s.place(DataId.random(rnd));
            failWritesOf(drive(planned.drives().get(4)), planned.dataId()); // its shard file cannot be created
            byte[] data = bytes(4 * UNIT + 5, 6);
            DataLocation loc;
            try (BlobWriter w = s.create(planned, "b/k")) {
                w.write(data, 0, data.length);
                loc = w.commit();
            }
            assertThat(loc.drives().get(4)).isEqualTo(ErasureBlobStore.MISSING);
            assertThat(loc.drives()).filteredOn(d -> !d.equals("-")).hasSize(5);
            assertThat(read(s, loc, 0, data.length)).isEqualTo(data);
            assertThat(s.verify(loc)).isEqualTo(1);
        }
    }

    @Test
    void aWriteBelowQuorumFailsAndLeavesNothingBehind() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            DataLocation planned = s.place(DataId.random(rnd));
            failWritesOf(drive(planned.drives().get(0)), planned.dataId());
            failWritesOf(drive(planned.drives().get(5)), planned.dataId());
            byte[] data = bytes(4 * UNIT + 5, 6); // shards small enough for the drives' journals
            BlobWriter w = s.create(planned, "b/k");
            w.write(data, 0, data.length);
            assertThatThrownBy(w::commit).isInstanceOf(IOException.class)
                    .hasMessageContaining("lost its quorum: only 4 of 6 shards writable, 5 needed");
            for (String d : planned.drives()) {
                assertThat(drive(d).dataFile(planned.dataId())).doesNotExist();
            }
            // The four shards that made it into their journals were deleted with a journal entry of
            // their own: a replay at the next open does not bring them back.
            for (String d : List.of(planned.drives().get(0), planned.drives().get(5))) {
                Files.delete(drive(d).dataFile(planned.dataId()).getParent()); // the drive mended
            }
            for (String d : planned.drives()) {
                Path root = drive(d).root();
                drive(d).close();
                try (LocalBlobStore reopened = LocalBlobStore.open(root, new RealFileIo(), false)) {
                    assertThat(reopened.dataFile(planned.dataId())).doesNotExist();
                }
            }
        }
    }

    @Test
    void shardsGoThroughTheDrivesJournalsOnlyWhenTheyAreKnownToBeSmall() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            byte[] data = bytes(4 * 3 * UNIT, 11); // three stripes: shards of three units (12 KiB)
            long before = journalEntries();
            DataLocation known = s.place(DataId.random(rnd), data.length);
            assertThat(known.scheme()).isEqualTo("rs-4-2");
            try (BlobWriter w = s.create(known, "known")) {
                w.write(data, 0, data.length);
                known = w.commit();
            }
            assertThat(journalEntries() - before).as("each shard one journal entry").isEqualTo(6);
            before = journalEntries();
            DataLocation unknown = s.place(DataId.random(rnd), -1);
            try (BlobWriter w = s.create(unknown, "unknown")) {
                w.write(data, 0, data.length);
                unknown = w.commit();
            }
            assertThat(journalEntries() - before).as("length unknown: the large way").isZero();
            assertThat(read(s, known, 0, data.length)).isEqualTo(data);
            assertThat(read(s, unknown, 0, data.length)).isEqualTo(data);
        }
    }

    private long journalEntries() {
        return drives.stream().mapToLong(d -> d.journalStats()[1]).sum();
    }

    @Test
    void aLargeWriteBelowQuorumFailsAtCreate() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            DataLocation planned = s.place(DataId.random(rnd), -1); // length unknown: shards written as large ones
            deleteTree(drive(planned.drives().get(0)).root().resolve("tmp"));
            deleteTree(drive(planned.drives().get(5)).root().resolve("tmp"));
            assertThatThrownBy(() -> s.create(planned, "b/k")).isInstanceOf(IOException.class)
                    .hasMessageContaining("lost its quorum: only 4 of 6 shards writable, 5 needed");
            for (String d : planned.drives()) {
                assertThat(drive(d).dataFile(planned.dataId())).doesNotExist();
            }
        }
    }

    @Test
    void commitRunsTheBarrierOnceAndAFailingBarrierPublishesNothing() throws IOException {
        try (ErasureBlobStore s = store(4, 2)) {
            byte[] data = bytes(3 * UNIT, 8);
            AtomicInteger calls = new AtomicInteger();
            DataLocation planned = s.place(DataId.random(rnd));
            DataLocation loc;
            try (BlobWriter w = s.create(planned, "b/k")) {
                w.write(data, 0, data.length);
                loc = w.commit(() -> {
                    calls.incrementAndGet();
                    for (String d : planned.drives()) {
                        assertThat(drive(d).dataFile(planned.dataId())).doesNotExist();
                    }
                });
            }
            assertThat(calls).hasValue(1);
            assertThat(read(s, loc, 0, data.length)).isEqualTo(data);

            DataLocation other = s.place(DataId.random(rnd));
            try (BlobWriter w = s.create(other, "b/k")) {
                w.write(data, 0, data.length);
                assertThatThrownBy(() -> w.commit(() -> {
                    throw new IOException("index down");
                })).hasMessage("index down");
            }
            for (String d : other.drives()) {
                assertThat(drive(d).dataFile(other.dataId())).doesNotExist();
                assertThat(drive(d).root().resolve("tmp")).isEmptyDirectory();
            }
        }
    }

    @Test
    void deleteRemovesEveryShardAndToleratesAbsentOnes() throws IOException {
        try (ErasureBlobStore s = store(2, 2)) {
            DataLocation loc = write(s, DataId.random(rnd), bytes(5 * UNIT, 9));
            Files.delete(shardFile(loc, 1));
            s.delete(loc);
            for (int i = 0; i < 4; i++) {
                assertThat(shardFile(loc, i)).doesNotExist();
            }
            s.delete(loc);
            assertThat(s.verify(loc)).isEqualTo(4);
        }
    }

    @Test
    void refusesLayoutsThatCannotWork() throws IOException {
        List<LocalBlobStore> three = sixDrivesInThreeZones().subList(0, 3);
        assertThatThrownBy(() -> ErasureBlobStore.open(three, 4, 2, UNIT)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rs-4-2 needs 6 distinct drives (one per shard), only 3 given");
        assertThatThrownBy(() -> ErasureBlobStore.open(three, 0, 1, UNIT)).hasMessageContaining("k=0");
        assertThatThrownBy(() -> ErasureBlobStore.open(three, 2, -1, UNIT)).hasMessageContaining("m=-1");
        assertThatThrownBy(() -> ErasureBlobStore.open(List.of(three.get(0), three.get(0)), 1, 1, UNIT))
                .hasMessageContaining("same drive id");
        assertThatThrownBy(() -> ErasureBlobStore.open(three, 2, 1, 0)).hasMessageContaining("stripe unit");
    }

    /**
     * Makes every write of {@code id} to this drive fail, the small (journaled) and the large (temp
     * file) way alike: a regular file sits where the data file's fan-out directory must be.
     */
    static void failWritesOf(LocalBlobStore drive, DataId id) throws IOException {
        Path fanout = drive.dataFile(id).getParent();
        assertThat(fanout).as("no other data under this fan-out directory yet").doesNotExist();
        Files.createDirectories(fanout.getParent());
        Files.createFile(fanout);
    }

    private static void deleteTree(Path p) throws IOException {
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }
}
