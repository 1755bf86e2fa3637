package dev.kura.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.index.BucketRecord;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import dev.kura.testing.linearizability.History;
import dev.kura.testing.linearizability.LinearizabilityChecker;
import dev.kura.testing.linearizability.Op;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Six clients, two on each of the three members, race PUT, conditional PUT (If-None-Match: *, If-Match),
 * GET and DELETE on three keys of an unversioned bucket through the replicated index while the leader is
 * stopped midway; the recorded history must be linearizable per key (kura-testing's full checker): one
 * order explains everything every client saw, across the loss of the leader — nothing acknowledged lost,
 * no stale read from a follower, no conditional write decided on a stale state. A write whose answer was
 * lost with the leader ({@code OutcomeUnknown}) may have happened or not.
 */
class ClusterLinearizabilityTest {
    static final long B = 7;
    static final String[] KEYS = {"x", "y", "z"};

    @TempDir
    Path root;

    @Test
    void concurrentClientsOnEveryMemberSeeOneOrderPerKeyAcrossTheLossOfTheLeader() throws Exception {
        History history = new History();
        AtomicLong numbers = new AtomicLong();
        try (TestCluster cluster = TestCluster.start(root, TestCluster.settings(0, 8L << 20, 1024))) {
            int leader = cluster.awaitLeader();
            cluster.client(leader).apply(new IndexCommand.CreateBucket(new BucketRecord("lin", B, TestCluster.T0, "owner",
                    "us-east-1", BucketRecord.Versioning.UNVERSIONED)));
            AtomicBoolean stop = new AtomicBoolean();
            AtomicBoolean leaderGone = new AtomicBoolean();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                int client = c;
                int member = c % 3;
                ReplicatedIndex index = cluster.client(member);
                threads.add(Thread.ofPlatform().name("linear-" + c).start(() -> {
                    Random random = new Random(client);
                    String[] lastRead = new String[KEYS.length];
                    while (!stop.get() && !(member == leader && leaderGone.get())) {
                        step(index, client, random, lastRead, history, numbers);
                    }
                }));
            }
            Thread.sleep(1_500);
            leaderGone.set(true);
            cluster.stopMember(leader); // its clients stop; the others' requests follow the new leader
            Thread.sleep(3_000);
            stop.set(true);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
        List<Op> ops = history.ops();
        long answered = ops.stream().filter(o -> o.outcome() != Op.Outcome.UNKNOWN).count();
        assertThat(answered).as("operations answered").isGreaterThan(50);
        assertThat(ops).as("conditional writes refused").anyMatch(o -> o.outcome() == Op.Outcome.PRECONDITION_FAILED);
        assertThat(ops).as("If-Match writes done").anyMatch(o -> o.kind() == Op.Kind.PUT_IF_MATCH
                && o.outcome() == Op.Outcome.OK);
        LinearizabilityChecker.Result result = LinearizabilityChecker.check(ops);
        System.out.printf("cluster linearizability: %d operations, %d answered, %d unknown: %s%n", ops.size(), answered,
                ops.size() - answered, result.linearizable() ? "linearizable" : "NOT");
        assertThat(result.linearizable()).as("%s", result).isTrue();
    }

    /** One random operation, recorded with what came back. */
    private static void step(ReplicatedIndex index, int client, Random random, String[] lastRead, History history,
                             AtomicLong numbers) {
        int k = random.nextInt(KEYS.length);
        String key = KEYS[k];
        int dice = random.nextInt(100);
        Op.Kind kind = dice < 35 ? Op.Kind.GET : dice < 55 ? Op.Kind.PUT : dice < 70 ? Op.Kind.PUT_IF_ABSENT
                : dice < 85 ? Op.Kind.PUT_IF_MATCH : Op.Kind.DELETE;
        if (kind == Op.Kind.PUT_IF_MATCH && lastRead[k] == null) {
            kind = Op.Kind.GET;
        }
        long n = numbers.incrementAndGet();
        ObjectRecord record = TestCluster.object(key, n);
        String value = kind == Op.Kind.GET || kind == Op.Kind.DELETE ? null : record.etag(); // etags are unique
        String expected = kind == Op.Kind.PUT_IF_MATCH ? lastRead[k] : null;
        History.Pending p = history.invoke(client, kind, key, value, expected);
        try {
            switch (kind) {
                case GET -> {
                    String read = index.latest(B, key).map(ObjectRecord::etag).orElse(null);
                    lastRead[k] = read;
                    p.ok(read);
                }
                case DELETE -> {
                    index.apply(new IndexCommand.DeleteObject(B, key, Precondition.NONE, Instant.now()));
                    p.ok();
                }
                default -> {
                    Precondition pre = switch (kind) {
                        case PUT_IF_ABSENT -> new Precondition.IfNoneMatchAny();
                        case PUT_IF_MATCH -> new Precondition.IfMatch(expected);
                        default -> Precondition.NONE;
                    };
                    index.apply(new IndexCommand.PutObject(B, record, pre, null));
                    lastRead[k] = value;
                    p.ok();
                }
            }
        } catch (IndexException.PreconditionFailed | IndexException.NoSuchKey e) {
            if (kind == Op.Kind.PUT_IF_ABSENT || kind == Op.Kind.PUT_IF_MATCH) {
                p.preconditionFailed(); // answered: nothing written (If-Match on no object is refused too)
            } else {
                p.unknown();
            }
        } catch (IndexException | RuntimeException e) {
            p.unknown(); // OutcomeUnknown (the leader lost mid-request), or no read index during the election
        }
    }
}
