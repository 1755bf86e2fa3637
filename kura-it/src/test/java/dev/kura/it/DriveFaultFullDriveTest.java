package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Drives that fill up, on a real small file system: a 48 MiB tmpfs (so the test needs root to
 * mount it; it is skipped otherwise). Its reserve is then the 8 MiB minimum.
 */
class DriveFaultFullDriveTest {
    static final long MIB = 1L << 20;
    static final long RESERVE = 8 * MIB; // 2% of 48 MiB is less than the 8 MiB minimum
    static final int OBJECT = 1024 * 1024;

    @TempDir
    Path dir;

    static long free(Path p) throws java.io.IOException {
        return Files.getFileStore(p).getUsableSpace();
    }

    /** A PUT that failed must have been refused for space or drives, never an internal error. */
    static void checkRefusal(Throwable t, List<String> refusals) {
        Throwable e = t instanceof java.util.concurrent.ExecutionException ? t.getCause() : t;
        assertThat(e).as("a failed PUT").isInstanceOf(S3Exception.class);
        S3Exception s = (S3Exception) e;
        assertThat(s.statusCode()).as("status of a refused PUT: %s", s.getMessage()).isIn(503, 507);
        if (s.statusCode() == 507) {
            assertThat(s.awsErrorDetails().errorCode()).isEqualTo("InsufficientStorage");
        }
        synchronized (refusals) {
            refusals.add(s.statusCode() + " " + s.awsErrorDetails().errorCode());
        }
    }

    /**
     * One of six drives (d5, zone z2) is a 48 MiB tmpfs; most of it is taken by a ballast file,
     * objects fill the rest until the drive is under its reserve. Writes keep succeeding (the other
     * drives take them; d5 gets no more shards), every object reads back byte-exact, and once the
     * objects are deleted the space comes back within seconds and d5 takes shards again.
     */
    @Test
    void oneFullDriveOfSixDoesNotStopWritesAndTakesDataAgainOnceFreed() throws Exception {
        DriveRig rig = new DriveRig(dir);
        Path small = rig.drive(5);
        assumeThat(DriveRig.mountTmpfs(small, 48)).as("root, to mount a 48 MiB tmpfs").isTrue();
        long t0 = System.nanoTime();
        try {
            Map<String, Integer> written = new TreeMap<>();
            List<String> refusals = new ArrayList<>();
            try (ServerProcess server = rig.start(rig.args("--inline-threshold", "-1")); S3Client s3 = server.client();
                 ExecutorService pool = Executors.newFixedThreadPool(8)) {
                DriveRig.explained(server, () -> {
                    s3.createBucket(b -> b.bucket("full"));
                    // Something else took most of the file system: the objects only have to fill ~12 MiB.
                    try (RandomAccessFile ballast = new RandomAccessFile(small.resolve("ballast").toFile(), "rw")) {
                        byte[] chunk = new byte[(int) MIB];
                        for (long left = free(small) - RESERVE - 12 * MIB; left > 0; left -= chunk.length) {
                            ballast.write(chunk, 0, (int) Math.min(left, chunk.length));
                        }
                    }
                    int n = 0;
                    while (free(small) >= RESERVE + OBJECT / 4 && n < 200) {
                        List<Future<?>> batch = new ArrayList<>();
                        for (int i = 0; i < 8; i++, n++) {
                            String key = "fill/" + n;
                            batch.add(pool.submit(() -> put(s3, key, OBJECT, written)));
                        }
                        for (Future<?> f : batch) {
                            try {
                                f.get();
                            } catch (java.util.concurrent.ExecutionException e) {
                                checkRefusal(e, refusals);
                            }
                        }
                    }
                    System.out.printf("full drive: d5 under its reserve after %d PUTs (%d refused: %s), %d bytes free, %d shards on it%n",
                            n, refusals.size(), refusals, free(small), rig.dataFiles(5).size());
                    assertThat(free(small)).as("d5 filled to its reserve").isLessThan(RESERVE + OBJECT / 4);

                    int onFull = rig.dataFiles(5).size();
                    List<Future<?>> more = new ArrayList<>();
                    for (int i = 0; i < 40; i++) {
                        String key = "more/" + i;
                        int size = i % 2 == 0 ? OBJECT : 300_000;
                        more.add(pool.submit(() -> put(s3, key, size, written)));
                    }
                    for (Future<?> f : more) {
                        f.get(); // a full drive among six does not refuse writes
                    }
                    assertThat(rig.dataFiles(5).size()).as("shards put on the full drive").isEqualTo(onFull);
                    assertThat(free(small)).as("free space on d5 stays around its reserve").isGreaterThan(RESERVE - 8 * OBJECT / 4);
                    DriveRig.readAll(s3, pool, "full", written);
                    for (int i = 0; i < DriveRig.DRIVES; i++) {
                        assertThat(rig.tmpFiles(i)).as("temp files on d%d", i).isEmpty();
                    }

                    List<ObjectIdentifier> fill = written.keySet().stream().filter(k -> k.startsWith("fill/"))
                            .map(k -> ObjectIdentifier.builder().key(k).build()).toList();
                    s3.deleteObjects(r -> r.bucket("full").delete(Delete.builder().objects(fill).quiet(true).build()));
                    written.keySet().removeIf(k -> k.startsWith("fill/"));
                    long deleted = System.nanoTime();
                    while (free(small) < RESERVE + 8 * MIB && System.nanoTime() - deleted < TimeUnit.SECONDS.toNanos(12)) {
                        Thread.sleep(200);
                    }
                    System.out.printf("full drive: %.1f s after the delete, %d bytes free on d5%n",
                            (System.nanoTime() - deleted) / 1e9, free(small));
                    assertThat(free(small)).as("space on d5 freed within ~10 s of the delete").isGreaterThanOrEqualTo(RESERVE + 8 * MIB);
                    int before = rig.dataFiles(5).size();
                    for (int i = 0; i < 8; i++) {
                        put(s3, "after/" + i, OBJECT, written);
                    }
                    assertThat(rig.dataFiles(5).size()).as("d5 takes shards again").isGreaterThan(before);
                    DriveRig.readAll(s3, pool, "full", written);
                });
            }
        } finally {
            DriveRig.unmount(small);
        }
        System.out.printf("full drive of six: done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Kura on one drive ({@code --data} on a tmpfs, no {@code --drive}): PUTs of 256 KiB
     * until refused; every refusal is 507 InsufficientStorage, never 500; no partial file is left in
     * the drive's {@code tmp/}; every accepted object reads back; once half the objects are deleted
     * a PUT succeeds again within 10 s, without a restart.
     */
    @Test
    void aSingleFullDriveRefusesWith507AndTakesWritesAgainOnceFreed() throws Exception {
        Path data = dir.resolve("data");
        // 96 MiB, not 48: the index lives on this file system too, and RocksDB preallocates its
        // write-ahead log (1.1 x the 32 MiB memtable) and manifest (4 MiB) — about 40 MiB at start.
        assumeThat(DriveRig.mountTmpfs(data, 96)).as("root, to mount a 96 MiB tmpfs").isTrue();
        long t0 = System.nanoTime();
        try {
            Map<String, Integer> written = new TreeMap<>();
            List<String> refusals = new ArrayList<>();
            try (ServerProcess server = ServerProcess.start(data, ServerProcess.freePort(), ServerProcess.freePort(),
                    List.of("--access-log", "off"), "-Xmx512m"); S3Client s3 = server.client();
                 ExecutorService pool = Executors.newFixedThreadPool(8)) {
                DriveRig.explained(server, () -> {
                    s3.createBucket(b -> b.bucket("single"));
                    int n = 0;
                    int refusedInARow = 0;
                    while (refusedInARow < 5 && n < 400) {
                        try {
                            put(s3, "k" + n, 256 * 1024, written);
                            refusedInARow = 0;
                        } catch (RuntimeException e) {
                            checkRefusal(e, refusals);
                            assertThat(refusals.getLast()).isEqualTo("507 InsufficientStorage");
                            refusedInARow++;
                        }
                        n++;
                    }
                    System.out.printf("single full drive: %d PUTs accepted, then refused: %s; %d bytes free%n",
                            written.size(), refusals, free(data));
                    assertThat(refusedInARow).as("the drive refused once full").isEqualTo(5);
                    assertThat(written.size()).as("PUTs accepted before it was full").isGreaterThan(100);
                    assertThat(DriveRig.files(data.resolve("drive0"), "tmp")).as("partial files left in tmp/").isEmpty();
                    DriveRig.readAll(s3, pool, "single", written);

                    List<String> half = written.keySet().stream().filter(k -> Integer.parseInt(k.substring(1)) % 2 == 0).toList();
                    s3.deleteObjects(r -> r.bucket("single").delete(Delete.builder().quiet(true)
                            .objects(half.stream().map(k -> ObjectIdentifier.builder().key(k).build()).toList()).build()));
                    written.keySet().removeAll(half);
                    long deleted = System.nanoTime();
                    boolean stored = false;
                    while (!stored && System.nanoTime() - deleted < TimeUnit.SECONDS.toNanos(10)) {
                        try {
                            put(s3, "again", 256 * 1024, written);
                            stored = true;
                        } catch (RuntimeException e) {
                            checkRefusal(e, refusals);
                            Thread.sleep(300);
                        }
                    }
                    System.out.printf("single full drive: a PUT succeeded %.1f s after deleting half%n",
                            (System.nanoTime() - deleted) / 1e9);
                    assertThat(stored).as("a PUT succeeds within 10 s of deleting half the objects").isTrue();
                    DriveRig.readAll(s3, pool, "single", written);
                    assertThat(DriveRig.files(data.resolve("drive0"), "tmp")).as("partial files left in tmp/").isEmpty();
                });
            }
        } finally {
            DriveRig.unmount(data);
        }
        System.out.printf("single full drive: done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    static Void put(S3Client s3, String key, int size, Map<String, Integer> written) {
        String bucket = key.startsWith("k") || key.equals("again") ? "single" : "full";
        s3.putObject(r -> r.bucket(bucket).key(key), RequestBody.fromBytes(DriveRig.content(key, size)));
        synchronized (written) {
            written.put(key, size);
        }
        return null;
    }
}
