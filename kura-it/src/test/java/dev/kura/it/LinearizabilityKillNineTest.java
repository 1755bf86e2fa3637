package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.testing.linearizability.History;
import dev.kura.testing.linearizability.LinearizabilityChecker;
import dev.kura.testing.linearizability.Op;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

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
        try (S3Client s3 = server.client()) { // the port outlives the process: this client talks to the restarted one too
            RegisterClient.run(client, s3, BUCKET, history, stop);
        }
    }
}
