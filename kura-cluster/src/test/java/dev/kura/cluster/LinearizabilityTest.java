package dev.kura.cluster;

import static dev.kura.cluster.TestCluster.object;
import static dev.kura.cluster.TestCluster.versionedBucket;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.index.IndexCommand;
import dev.kura.index.IndexResult;
import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A recorded concurrent history — a writer and a reader on every member, two keys, a few seconds —
 * checked against what linearizability of each key (a register) implies. The register's writes are
 * versions: each gets a sequence from the index, in commit order, so the order the history must respect
 * is known, and the check is: a write that finished before another began has the smaller sequence; a
 * read returns a version that was written before the read finished and not one that had been superseded
 * before it began; of two reads one after the other, the later never returns an older version.
 */
class LinearizabilityTest {
    static final long B = 1;
    static final List<String> KEYS = List.of("x", "y");
    static final long RUN_NANOS = 3_000_000_000L;

    /** One operation: a write (its version's sequence) or a read (the sequence seen, -1 for none). */
    record Op(boolean write, String key, long sequence, long invoked, long returned) {
    }

    @TempDir
    Path root;

    @Test
    void concurrentWritesAndReadsThroughEveryMemberRespectLinearizabilityPerKey() throws Exception {
        Queue<Op> history = new ConcurrentLinkedQueue<>();
        try (TestCluster cluster = TestCluster.start(root, TestCluster.settings(0, 8L << 20, 1024))) {
            cluster.awaitLeader();
            cluster.client(0).apply(new IndexCommand.CreateBucket(versionedBucket("b", B)));
            long end = System.nanoTime() + RUN_NANOS;
            AtomicLong numbers = new AtomicLong();
            List<Thread> threads = new ArrayList<>();
            List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int m = 0; m < 3; m++) {
                ReplicatedIndex client = cluster.client(m);
                Random rnd = new Random(m);
                threads.add(Thread.ofPlatform().start(() -> run(failures, () -> {
                    while (System.nanoTime() < end) {
                        String key = KEYS.get(rnd.nextInt(KEYS.size()));
                        long invoked = System.nanoTime();
                        IndexResult r = client.apply(new IndexCommand.PutObject(B, object(key, numbers.incrementAndGet()),
                                Precondition.NONE));
                        long returned = System.nanoTime();
                        history.add(new Op(true, key, ((IndexResult.Replaced) r).current().sequence(), invoked, returned));
                    }
                })));
                threads.add(Thread.ofPlatform().start(() -> run(failures, () -> {
                    while (System.nanoTime() < end) {
                        String key = KEYS.get(rnd.nextInt(KEYS.size()));
                        long invoked = System.nanoTime();
                        long seen = client.latest(B, key).map(ObjectRecord::sequence).orElse(-1L);
                        history.add(new Op(false, key, seen, invoked, System.nanoTime()));
                    }
                })));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(failures).isEmpty();
        }
        for (String key : KEYS) {
            List<Op> writes = history.stream().filter(o -> o.write() && o.key().equals(key)).toList();
            List<Op> reads = history.stream().filter(o -> !o.write() && o.key().equals(key)).toList();
            assertThat(writes).hasSizeGreaterThan(5);
            assertThat(reads).hasSizeGreaterThan(5);
            check(writes, reads);
        }
    }

    private static void check(List<Op> writes, List<Op> reads) {
        for (Op w1 : writes) {
            for (Op w2 : writes) {
                if (w1.returned() < w2.invoked()) {
                    assertThat(w1.sequence()).as("a later write got an older version: %s then %s", w1, w2)
                            .isLessThan(w2.sequence());
                }
            }
        }
        for (Op r : reads) {
            if (r.sequence() >= 0) {
                assertThat(writes).as("%s read a version never written before it returned", r)
                        .anyMatch(w -> w.sequence() == r.sequence() && w.invoked() < r.returned());
            }
            for (Op w : writes) {
                if (w.returned() < r.invoked()) {
                    assertThat(r.sequence()).as("stale read %s: %s had finished before it began", r, w)
                            .isGreaterThanOrEqualTo(w.sequence());
                }
            }
        }
        for (Op r1 : reads) {
            for (Op r2 : reads) {
                if (r1.returned() < r2.invoked()) {
                    assertThat(r1.sequence()).as("%s then %s went back in time", r1, r2).isLessThanOrEqualTo(r2.sequence());
                }
            }
        }
    }

    private interface Body {
        void run() throws Exception;
    }

    private static void run(List<Throwable> failures, Body body) {
        try {
            body.run();
        } catch (Throwable t) {
            failures.add(t);
        }
    }
}
