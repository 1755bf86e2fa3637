package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.testing.linearizability.History;
import dev.kura.testing.linearizability.LinearizabilityChecker;
import dev.kura.testing.linearizability.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Six AWS SDK clients (no retries) race PUT, conditional PUT ({@code If-None-Match: *} and
 * {@code If-Match}), GET and DELETE on three keys of a real server process, which is killed with
 * kill -9 in the middle and restarted on the same data; the recorded history — every request with
 * the instants it was sent and answered, and what came back — must be linearizable per key
 * ({@link LinearizabilityChecker}): one order of the operations explains everything every client saw,
 * so nothing acknowledged was lost or undone by the crash, no read saw a write that had not
 * happened or went back in time, and no conditional write decided on a stale state.
 */
class LinearizabilityKillNineTest {
    private static final String BUCKET = "linear";
    private static final int CLIENTS = 6;
    private static final String[] KEYS = {"k0", "k1", "k2"};

    @Test
    void concurrentClientsSeeOneOrderPerKeyAcrossAKillNine() throws Exception {
        Path data = Files.createTempDirectory("kura-linear");
        int port = ServerProcess.freePort();
        int admin = ServerProcess.freePort();
        History history = new History();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<ServerProcess> server = new AtomicReference<>(ServerProcess.start(data, port, admin, "-Xmx512m"));
        try {
            try (S3Client s3 = server.get().client()) {
                s3.createBucket(b -> b.bucket(BUCKET));
            }
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                clients.add(Thread.ofPlatform().name("linear-" + c).start(() -> run(client, server.get(), history, stop)));
            }
            Thread.sleep(2_500);
            server.get().kill9();
            server.set(ServerProcess.start(data, port, admin, "-Xmx512m")); // same ports: the clients carry on
            Thread.sleep(2_500);
            stop.set(true);
            for (Thread t : clients) {
                t.join(30_000);
            }
        } finally {
            server.get().close();
            TestFiles.deleteTree(data);
        }
        List<Op> ops = history.ops();
        long answered = ops.stream().filter(o -> o.outcome() != Op.Outcome.UNKNOWN).count();
        long refused = ops.stream().filter(o -> o.outcome() == Op.Outcome.PRECONDITION_FAILED).count();
        long createdOrMatched = ops.stream().filter(o -> o.outcome() == Op.Outcome.OK
                && (o.kind() == Op.Kind.PUT_IF_ABSENT || o.kind() == Op.Kind.PUT_IF_MATCH)).count();
        assertThat(answered).as("operations answered").isGreaterThan(200);
        assertThat(refused).as("conditional writes refused").isPositive();
        assertThat(createdOrMatched).as("conditional writes done").isPositive();
        long start = System.nanoTime();
        LinearizabilityChecker.Result result = LinearizabilityChecker.check(ops);
        System.out.printf("linearizability: %d operations (%d answered, %d unknown, %d conditional writes refused, "
                        + "%d done), checked in %d ms: %s%n", ops.size(), answered, ops.size() - answered, refused,
                createdOrMatched, (System.nanoTime() - start) / 1_000_000, result.linearizable() ? "linearizable" : "NOT");
        assertThat(result.linearizable()).as("%s", result).isTrue();
    }

    private static void run(int client, ServerProcess server, History history, AtomicBoolean stop) {
        Random random = new Random(client);
        String[] lastRead = new String[KEYS.length]; // the value this client last saw per key, for If-Match
        S3Client s3 = server.client(); // the port outlives the process: this client talks to the restarted one too
        try {
            while (!stop.get()) {
                int k = random.nextInt(KEYS.length);
                String key = KEYS[k];
                int dice = random.nextInt(100);
                Op.Kind kind = dice < 30 ? Op.Kind.GET : dice < 50 ? Op.Kind.PUT : dice < 65 ? Op.Kind.PUT_IF_ABSENT
                        : dice < 85 ? Op.Kind.PUT_IF_MATCH : Op.Kind.DELETE;
                if (kind == Op.Kind.PUT_IF_MATCH && lastRead[k] == null) {
                    kind = Op.Kind.GET;
                }
                String value = kind == Op.Kind.GET || kind == Op.Kind.DELETE ? null : history.uniqueValue(client);
                String expected = kind == Op.Kind.PUT_IF_MATCH ? lastRead[k] : null;
                History.Pending p = history.invoke(client, kind, key, value, expected);
                try {
                    switch (kind) {
                        case GET -> {
                            String read = get(s3, key);
                            lastRead[k] = read;
                            p.ok(read);
                        }
                        case PUT -> {
                            s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromString(value));
                            p.ok();
                            lastRead[k] = value;
                        }
                        case PUT_IF_ABSENT -> {
                            s3.putObject(b -> b.bucket(BUCKET).key(key).ifNoneMatch("*"), RequestBody.fromString(value));
                            p.ok();
                            lastRead[k] = value;
                        }
                        case PUT_IF_MATCH -> {
                            s3.putObject(b -> b.bucket(BUCKET).key(key).ifMatch(etag(expected)),
                                    RequestBody.fromString(value));
                            p.ok();
                            lastRead[k] = value;
                        }
                        case DELETE -> {
                            s3.deleteObject(b -> b.bucket(BUCKET).key(key));
                            p.ok();
                        }
                    }
                } catch (S3Exception e) {
                    boolean conditional = kind == Op.Kind.PUT_IF_ABSENT || kind == Op.Kind.PUT_IF_MATCH;
                    // 412, or If-Match's 404 NoSuchKey: answered, and nothing was written
                    if (conditional && (e.statusCode() == 412 || (kind == Op.Kind.PUT_IF_MATCH && e.statusCode() == 404))) {
                        p.preconditionFailed();
                    } else {
                        p.unknown();
                    }
                } catch (RuntimeException e) { // the server is being killed or restarted
                    if (!refused(e)) {
                        p.unknown(); // cut off mid-request: it may have taken effect
                    } // a refused connection sent nothing: the operation did not happen, and is not recorded
                    sleep(50);
                }
            }
        } finally {
            s3.close();
        }
    }

    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    private static String get(S3Client s3, String key) {
        try {
            return s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asString(StandardCharsets.UTF_8);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    private static String etag(String value) {
        try {
            byte[] md5 = MessageDigest.getInstance("MD5").digest(value.getBytes(StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(md5) + "\"";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
