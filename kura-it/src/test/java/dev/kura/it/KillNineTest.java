package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * kill -9 of a real server process while PUTs are in flight: after a restart every acknowledged
 * object is there, byte for byte, and every object that is visible holds exactly the bytes one of
 * the PUTs sent — never a partial or mixed object.
 */
class KillNineTest {
    private static final String AK = "KILLNINEACCESSKEY01";
    private static final String SK = "kill/nine/secret/0123456789abcdefghijklmn";

    @Test
    void acknowledgedPutsSurviveKillNine() throws Exception {
        Path data = Files.createTempDirectory("kura-kill9");
        try {
            int port = freePort();
            int admin = freePort();
            Process server = start(data, port, admin);
            S3Client s3 = client(port);
            s3.createBucket(b -> b.bucket("crash"));
            Map<String, String> acked = new ConcurrentHashMap<>();
            Map<String, String> attempted = new ConcurrentHashMap<>();
            Map<String, String> inFlight = new ConcurrentHashMap<>();
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService writers = Executors.newFixedThreadPool(8);
            for (int w = 0; w < 8; w++) {
                int writer = w;
                writers.submit(() -> {
                    Random rnd = new Random(writer);
                    for (int i = 0; !stop.get(); i++) {
                        String key = "w" + writer + "/k" + (i % 40); // overwrites too
                        byte[] body = new byte[1 + rnd.nextInt(300_000)];
                        rnd.nextBytes(body);
                        String md5 = md5(body);
                        attempted.put(key + "#" + md5, md5);
                        inFlight.put(key, md5);
                        try {
                            s3.putObject(r -> r.bucket("crash").key(key), RequestBody.fromBytes(body));
                            acked.put(key, md5);
                            inFlight.remove(key);
                        } catch (RuntimeException e) {
                            return null; // the server died
                        }
                    }
                    return null;
                });
            }
            Thread.sleep(2500);
            server.destroyForcibly(); // SIGKILL
            server.waitFor(30, TimeUnit.SECONDS);
            stop.set(true);
            writers.shutdown();
            assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            assertThat(acked).as("PUTs acknowledged before the kill").hasSizeGreaterThan(10);

            Process again = start(data, port, admin);
            try (S3Client after = client(port)) {
                for (var e : acked.entrySet()) {
                    byte[] got = after.getObjectAsBytes(r -> r.bucket("crash").key(e.getKey())).asByteArray();
                    String md5 = md5(got);
                    // The last acknowledged value, or the overwrite that was in flight at the kill (it may have committed).
                    assertThat(md5).as("key %s", e.getKey()).isIn(e.getValue(), inFlight.get(e.getKey()));
                }
                List<S3Object> visible = after.listObjectsV2Paginator(r -> r.bucket("crash")).contents().stream().toList();
                for (S3Object o : visible) {
                    byte[] got = after.getObjectAsBytes(r -> r.bucket("crash").key(o.key())).asByteArray();
                    assertThat(attempted).as("visible %s was sent whole", o.key()).containsKey(o.key() + "#" + md5(got));
                    assertThat(o.eTag()).isEqualTo("\"" + md5(got) + "\"");
                }
                assertThat(visible.size()).isGreaterThanOrEqualTo(Math.min(acked.size(), 1));
            } finally {
                again.destroy();
                again.waitFor(30, TimeUnit.SECONDS);
            }
            s3.close();
        } finally {
            TestFiles.deleteTree(data);
        }
    }

    static Process start(Path data, int port, int admin) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx512m", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "dev.kura.server.Main", "server",
                "--address", "127.0.0.1:" + port, "--admin-address", "127.0.0.1:" + admin, "--data", data.toString());
        pb.environment().put("KURA_ACCESS_KEY", AK);
        pb.environment().put("KURA_SECRET_KEY", SK);
        pb.redirectErrorStream(true);
        pb.redirectOutput(data.resolveSibling(data.getFileName() + ".log").toFile());
        Process p = pb.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("server exited: " + Files.readString(data.resolveSibling(data.getFileName() + ".log")));
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return p;
                }
            } catch (java.io.IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new IllegalStateException("server did not become ready");
    }

    static S3Client client(int port) {
        return S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + port)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(AK, SK)))
                .forcePathStyle(true)
                .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(1)))
                .build();
    }

    static int freePort() throws Exception {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    static String md5(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
