package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * kill -9 of a real server process while PUTs are in flight: after a restart every acknowledged
 * object is there, byte for byte, and every object that is visible holds exactly the bytes one of
 * the PUTs sent — never a partial or mixed object.
 */
class KillNineTest {

    @Test
    void acknowledgedPutsSurviveKillNine() throws Exception {
        Path data = Files.createTempDirectory("kura-kill9");
        int port = ServerProcess.freePort();
        int admin = ServerProcess.freePort();
        Map<String, String> acked = new ConcurrentHashMap<>();
        Map<String, String> attempted = new ConcurrentHashMap<>();
        Map<String, String> inFlight = new ConcurrentHashMap<>();
        try {
            ServerProcess server = ServerProcess.start(data, port, admin, "-Xmx512m");
            try (S3Client s3 = server.client()) {
                s3.createBucket(b -> b.bucket("crash"));
                writeThenKill9(server, 8, 2500, (writer, i, rnd) -> {
                    String key = "w" + writer + "/k" + (i % 40); // overwrites too
                    byte[] body = new byte[1 + rnd.nextInt(300_000)];
                    rnd.nextBytes(body);
                    String md5 = md5(body);
                    attempted.put(key + "#" + md5, md5);
                    inFlight.put(key, md5);
                    s3.putObject(r -> r.bucket("crash").key(key), RequestBody.fromBytes(body));
                    acked.put(key, md5);
                    inFlight.remove(key);
                });
            }
            assertThat(acked).as("PUTs acknowledged before the kill").hasSizeGreaterThan(10);

            try (ServerProcess again = ServerProcess.start(data, port, admin, "-Xmx512m"); S3Client after = again.client()) {
                for (var e : acked.entrySet()) {
                    String md5 = md5(after.getObjectAsBytes(r -> r.bucket("crash").key(e.getKey())).asByteArray());
                    // The last acknowledged value, or the overwrite in flight at the kill (it may have committed).
                    assertThat(md5).as("key %s", e.getKey()).isIn(e.getValue(), inFlight.get(e.getKey()));
                }
                List<S3Object> visible = after.listObjectsV2Paginator(r -> r.bucket("crash")).contents().stream().toList();
                assertThat(visible.size()).isGreaterThanOrEqualTo(acked.size());
                for (S3Object o : visible) {
                    String md5 = md5(after.getObjectAsBytes(r -> r.bucket("crash").key(o.key())).asByteArray());
                    assertThat(attempted).as("visible %s was sent whole", o.key()).containsKey(o.key() + "#" + md5);
                    assertThat(o.eTag()).isEqualTo("\"" + md5 + "\"");
                }
            }
        } finally {
            TestFiles.deleteTree(data);
        }
    }

    /** One write of a writer thread: its number, the iteration, its own random source. */
    interface Step {
        void write(int writer, int i, Random rnd) throws Exception;
    }

    /**
     * Runs {@code writers} threads, each doing {@code step} for i = 0, 1, … with its own seeded random
     * source, kills the server with SIGKILL after {@code millis}, and waits for the threads: a step that
     * throws (the server died under it) ends its thread.
     */
    static void writeThenKill9(ServerProcess server, int writers, long millis, Step step) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        for (int w = 0; w < writers; w++) {
            int writer = w;
            pool.submit(() -> {
                Random rnd = new Random(writer);
                for (int i = 0; !stop.get(); i++) {
                    try {
                        step.write(writer, i, rnd);
                    } catch (Exception e) {
                        return null;
                    }
                }
                return null;
            });
        }
        Thread.sleep(millis);
        server.kill9();
        stop.set(true);
        pool.shutdown();
        assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    }

    static String md5(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
