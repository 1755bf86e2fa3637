package dev.kura.it;

import static dev.kura.it.ZoneFailureTest.admin;
import static dev.kura.it.ZoneFailureTest.number;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * kill -9 of a {@code kura server} process on six drives in three zones with 4+2 erasure coding:
 * while PUTs are in flight, and while a heal rebuilds a replaced zone. See also
 * {@link DriveFaultIoErrorTest} (a drive failing I/O) and {@link DriveFaultFullDriveTest} (a drive
 * filling up).
 */
class DriveFaultTest {
    @TempDir
    Path dir;

    /**
     * Eight writers of mixed sizes (inline threshold off, so every object is sharded over the
     * drives), kill -9 mid-flight, restart on the same drives: every acknowledged PUT reads back
     * byte-exact, every visible object is exactly one PUT's bytes; then every object is deleted and
     * after the sweeper's grace no file is left in any drive's {@code data/} or {@code tmp/} — so no
     * shard survived the crash that no record or intent named.
     */
    @Test
    void killNineDuringWritesLosesNothingAcknowledgedAndLeavesNoOrphan() throws Exception {
        DriveRig rig = new DriveRig(dir);
        List<String> args = rig.args("--inline-threshold", "-1");
        Map<String, String> acked = new ConcurrentHashMap<>();
        Map<String, String> attempted = new ConcurrentHashMap<>();
        Map<String, String> inFlight = new ConcurrentHashMap<>();
        long t0 = System.nanoTime();
        ServerProcess first = rig.start(args);
        try (S3Client s3 = first.client()) {
            s3.createBucket(b -> b.bucket("crash"));
            KillNineTest.writeThenKill9(first, 8, 3000, (writer, i, rnd) -> {
                String key = "w" + writer + "/k" + (i % 25); // overwrites too
                int size = switch (i % 4) {
                    case 0 -> 1 + rnd.nextInt(4_000);
                    case 1 -> 20_000 + rnd.nextInt(200_000);
                    case 2 -> 256 * 1024 + 1 + rnd.nextInt(400_000);
                    default -> 600_000 + rnd.nextInt(900_000);
                };
                byte[] body = new byte[size];
                rnd.nextBytes(body);
                String md5 = KillNineTest.md5(body);
                attempted.put(key + "#" + md5, md5);
                inFlight.put(key, md5);
                s3.putObject(r -> r.bucket("crash").key(key), RequestBody.fromBytes(body));
                acked.put(key, md5);
                inFlight.remove(key);
            });
        } finally {
            first.kill9();
        }
        System.out.printf("kill -9 during writes: %d PUTs acknowledged, %d in flight at the kill, %.1f s%n",
                acked.size(), inFlight.size(), (System.nanoTime() - t0) / 1e9);
        assertThat(acked).as("PUTs acknowledged before the kill").hasSizeGreaterThan(10);

        try (ServerProcess again = rig.start(args); S3Client s3 = again.client()) {
            DriveRig.explained(again, () -> {
                for (var e : acked.entrySet()) {
                    String md5 = KillNineTest.md5(s3.getObjectAsBytes(r -> r.bucket("crash").key(e.getKey())).asByteArray());
                    // The last acknowledged value, or the overwrite in flight at the kill (it may have committed).
                    assertThat(md5).as("key %s", e.getKey()).isIn(e.getValue(), inFlight.get(e.getKey()));
                }
                List<S3Object> visible = s3.listObjectsV2Paginator(r -> r.bucket("crash")).contents().stream().toList();
                assertThat(visible.size()).isGreaterThanOrEqualTo(acked.size());
                for (S3Object o : visible) {
                    String md5 = KillNineTest.md5(s3.getObjectAsBytes(r -> r.bucket("crash").key(o.key())).asByteArray());
                    assertThat(attempted).as("visible %s was sent whole", o.key()).containsKey(o.key() + "#" + md5);
                    assertThat(o.eTag()).isEqualTo("\"" + md5 + "\"");
                }
                int shardsBefore = 0;
                for (int i = 0; i < DriveRig.DRIVES; i++) {
                    shardsBefore += rig.dataFiles(i).size();
                }
                assertThat(shardsBefore).as("objects are on the drives").isPositive();

                int deleted = DriveRig.deleteAll(s3, "crash");
                assertThat(deleted).isEqualTo(visible.size());
                // Frees wait out a 5 s grace, the sweeper runs every second; intents of the killed
                // process are swept at start.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                List<Path> left;
                while (true) {
                    left = new ArrayList<>();
                    for (int i = 0; i < DriveRig.DRIVES; i++) {
                        left.addAll(rig.dataFiles(i));
                        left.addAll(rig.tmpFiles(i));
                    }
                    if (left.isEmpty() || System.nanoTime() > deadline) {
                        break;
                    }
                    Thread.sleep(250);
                }
                assertThat(left).as("files on the drives 15 s after every object (of %d shard files) was deleted: orphans",
                        shardsBefore).isEmpty();
            });
        }
        System.out.printf("kill -9 during writes: done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /**
     * A zone is lost and replaced; kill -9 while the heal rebuilds it; after a restart a heal
     * finishes with nothing failed, and then the data survives losing a different zone — so the
     * interrupted heal left no torn shard behind and the restarted one completed the rebuild.
     */
    @Test
    void killNineDuringHealThenHealCompletesAndAnotherZoneCanBeLost() throws Exception {
        DriveRig rig = new DriveRig(dir);
        List<String> args = rig.args("--inline-threshold", "-1");
        Map<String, Integer> written = new TreeMap<>();
        int[] sizes = {3_000, 70_000, 300_000, 1_100_000, 2_500_000};
        long t0 = System.nanoTime();
        String statusAtKill;
        int[] lost = new int[1];
        ServerProcess first = rig.start(args);
        try (S3Client s3 = first.client(); ExecutorService pool = Executors.newFixedThreadPool(8)) {
            String[] status = new String[1];
            DriveRig.explained(first, () -> {
                s3.createBucket(b -> b.bucket("heal"));
                DriveRig.putAll(s3, pool, "heal", "o/", sizes, 200, written);
                System.out.printf("kill -9 during heal: %d objects written in %.1f s%n", written.size(),
                        (System.nanoTime() - t0) / 1e9);
                // Small data is whole copies on three drives, larger data six shards: count what z1 holds.
                lost[0] = rig.dataFiles(2).size() + rig.dataFiles(3).size();
                rig.vanish(2, 3); // zone z1
                Files.createDirectories(rig.drive(2));
                Files.createDirectories(rig.drive(3));
                admin(rig.endpoint(), "drives", "format", rig.drive(2).toString());
                admin(rig.endpoint(), "drives", "format", rig.drive(3).toString()); // each format starts a heal
                admin(rig.endpoint(), "heal", "--json");
                Thread.sleep(400);
                status[0] = admin(rig.endpoint(), "heal", "--status", "--json");
            });
            statusAtKill = status[0];
            first.kill9();
        } finally {
            first.kill9();
        }
        try (ServerProcess again = rig.start(args); S3Client s3 = again.client();
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            // Counted once the drives are open again: a rebuilt shard whose drive-journal entry was
            // durable at the kill is back in place by then (replay), so the heal has one less to do.
            int rebuiltAtKill = rig.dataFiles(2).size() + rig.dataFiles(3).size();
            System.out.printf("kill -9 during heal: killed with %d shard files rebuilt of %d; heal status then: %s",
                    rebuiltAtKill, lost[0], statusAtKill);
            DriveRig.explained(again, () -> {
                for (int i = 0; i < DriveRig.DRIVES; i++) {
                    assertThat(rig.tmpFiles(i)).as("temp files on d%d after the restart", i).isEmpty();
                }
                assertThat(admin(rig.endpoint(), "drives")).doesNotContain("offline").doesNotContain("unformatted");
                String heal = admin(rig.endpoint(), "heal", "--wait", "--json");
                System.out.printf("kill -9 during heal: heal after the restart: %s", heal);
                assertThat(number(heal, "failed")).as("heal after the restart: %s", heal).isZero();
                assertThat(number(heal, "checked")).isGreaterThanOrEqualTo(written.size());
                assertThat(number(heal, "repaired")).as("the restarted heal rebuilt what the killed one had not")
                        .isEqualTo(lost[0] - rebuiltAtKill);
                assertThat(rig.dataFiles(2).size() + rig.dataFiles(3).size()).as("shard files on z1").isEqualTo(lost[0]);
                String second = admin(rig.endpoint(), "heal", "--wait", "--json");
                assertThat(number(second, "repaired")).as("a second heal finds nothing: %s", second).isZero();

                rig.vanish(4, 5); // zone z2
                DriveRig.readAll(s3, pool, "heal", written);
            });
        }
        System.out.printf("kill -9 during heal: done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
}
