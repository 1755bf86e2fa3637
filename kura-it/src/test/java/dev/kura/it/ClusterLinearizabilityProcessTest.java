package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.kura.testing.linearizability.History;
import dev.kura.testing.linearizability.LinearizabilityChecker;
import dev.kura.testing.linearizability.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The linearizability check of a recorded history across the faults of a three-process cluster: six AWS
 * SDK clients (no retries), two per node, race PUT, conditional PUT, GET and DELETE on three keys while
 * the index leader is killed with -9 and restarted, and then one node is left alone (the two others
 * frozen with SIGSTOP) — where a write and a read get 503, never an acknowledgement or a stale answer
 * (the write is in the history as an unknown outcome: it may commit once the others are back) — before
 * the two come back. Every client saw what one order of the operations explains, per key
 * ({@link LinearizabilityChecker}); afterwards all three nodes read the same values.
 */
class ClusterLinearizabilityProcessTest {
    private static final String BUCKET = "linear";

    @TempDir
    Path dir;

    @Test
    void oneOrderPerKeyAcrossALeaderKilledAndANodeLeftAlone() throws Exception {
        ClusterNodes.run(dir, 3, this::scenario);
    }

    void scenario(ClusterNodes cluster) throws Exception {
        try (S3Client s3 = cluster.client(0)) {
            s3.createBucket(b -> b.bucket(BUCKET));
        }
        History history = new History();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            int client = c;
            clients.add(Thread.ofPlatform().name("linear-" + c).start(() -> {
                try (S3Client s3 = cluster.onceClient(client % 3)) {
                    RegisterClient.run(client, s3, BUCKET, history, stop);
                }
            }));
        }
        Thread.sleep(3_000);
        int leader = cluster.leader(20);
        assertThat(leader).isNotNegative();
        cluster.kill9(leader);
        Thread.sleep(3_000);
        cluster.launch(leader); // the same ports: its clients carry on once it is up
        cluster.awaitReady(leader, 90);
        Thread.sleep(2_000);

        int alone = (leader + 1) % 3;
        List<Integer> frozen = List.of((alone + 1) % 3, (alone + 2) % 3);
        for (int i : frozen) {
            cluster.pause(i);
        }
        try (S3Client probe = cluster.onceClient(alone)) {
            // Part of the history: a 503 is no answer — the write may still commit once the others are back
            // (it may sit in the log of a leader that was never cut off, only left without followers).
            String minority = history.uniqueValue(6);
            History.Pending write = history.invoke(6, Op.Kind.PUT, "k0", minority, null);
            S3Exception put = catchThrowableOfType(S3Exception.class, () -> probe.putObject(
                    b -> b.bucket(BUCKET).key("k0"), RequestBody.fromString(minority)));
            write.unknown();
            assertThat(put).as("a write through a node without a majority").isNotNull();
            assertThat(put.statusCode()).isEqualTo(503);
            History.Pending read = history.invoke(6, Op.Kind.GET, "k0", null, null);
            S3Exception get = catchThrowableOfType(S3Exception.class,
                    () -> probe.getObjectAsBytes(b -> b.bucket(BUCKET).key("k0")));
            read.unknown();
            assertThat(get).as("a read through a node without a majority").isNotNull();
            assertThat(get.statusCode()).isEqualTo(503);
        } finally {
            for (int i : frozen) {
                cluster.resume(i);
            }
        }
        Thread.sleep(4_000);
        stop.set(true);
        for (Thread t : clients) {
            t.join(60_000);
        }

        List<Op> ops = history.ops();
        long answered = ops.stream().filter(o -> o.outcome() != Op.Outcome.UNKNOWN).count();
        assertThat(answered).as("operations answered").isGreaterThan(100);
        long start = System.nanoTime();
        LinearizabilityChecker.Result result = LinearizabilityChecker.check(ops);
        System.out.printf("cluster linearizability: %d operations (%d answered, %d unknown), checked in %d ms: %s%n",
                ops.size(), answered, ops.size() - answered, (System.nanoTime() - start) / 1_000_000,
                result.linearizable() ? "linearizable" : "NOT");
        assertThat(result.linearizable()).as("%s", result).isTrue();

        // The three nodes agree on every key.
        for (String key : RegisterClient.KEYS) {
            List<String> seen = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                try (S3Client s3 = cluster.client(i)) {
                    seen.add(read(s3, key));
                }
            }
            assertThat(seen).as("%s through the three nodes", key).containsOnly(seen.getFirst());
        }
    }

    private static String read(S3Client s3, String key) {
        try {
            return s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asString(StandardCharsets.UTF_8);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }
}
