package dev.kura.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.index.BucketRecord;
import dev.kura.index.IndexCommand;
import dev.kura.index.PartitionRecord;
import dev.kura.index.rocks.RocksObjectIndex;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.op.S3Operation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Budgets, splits and merges with a hand-driven clock: no sleeping, exact counts. */
class PartitionBudgetsTest {
    static final Instant T = Instant.parse("2026-12-07T04:00:00Z");

    @TempDir
    Path dir;
    RocksObjectIndex index;
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final TestClock clock = new TestClock(T);
    PartitionBudgets budgets;

    @BeforeEach
    void open() throws Exception {
        index = RocksObjectIndex.open(dir);
        index.apply(new IndexCommand.CreateBucket(new BucketRecord("b", 1, T, "owner", "us-east-1",
                BucketRecord.Versioning.UNVERSIONED)));
        budgets = new PartitionBudgets(index, new PartitionBudgets.Settings(20, 30, Duration.ofSeconds(3)), nanos::get,
                clock);
    }

    @AfterEach
    void close() {
        index.close();
    }

    private boolean put(String key) {
        try {
            budgets.admit(new S3Operation.PutObject("b", key), "PUT");
            return true;
        } catch (S3Exception e) {
            assertThat(e.code()).isEqualTo(S3ErrorCode.SlowDown);
            return false;
        }
    }

    private void second() {
        nanos.addAndGet(1_000_000_000L);
        clock.advance(Duration.ofSeconds(1));
        budgets.tick();
    }

    /** One second of {@code n} PUTs to keys 2026-12-07/NNNNN spread over the hot prefix; returns how many were admitted. */
    private int hotSecond(int n, int offset) {
        int ok = 0;
        for (int i = 0; i < n; i++) {
            nanos.addAndGet(1_000_000_000L / n);
            ok += put("2026-12-07/" + String.format("%05d", (offset + i) * 7919 % 10_000)) ? 1 : 0;
        }
        clock.advance(Duration.ofSeconds(1));
        budgets.tick();
        return ok;
    }

    @Test
    void aPartitionAdmitsItsBudgetAndThenSaysSlowDown() {
        int ok = 0;
        for (int i = 0; i < 50; i++) {
            ok += put("k" + i) ? 1 : 0;
        }
        assertThat(ok).isEqualTo(20); // one second's burst, no time passed
        nanos.addAndGet(500_000_000L);
        assertThat(put("k")).isTrue(); // half a second refills ten
        // Reads have their own budget.
        budgets.admit(new S3Operation.GetObject("b", "k"), "GET");
        assertThatThrownBy(() -> {
            for (int i = 0; i < 40; i++) {
                budgets.admit(new S3Operation.HeadObject("b", "k"), "HEAD");
            }
        }).isInstanceOf(S3Exception.class);
        // Not charged: bucket configuration and unknown buckets.
        for (int i = 0; i < 100; i++) {
            budgets.admit(new S3Operation.GetBucketVersioning("b"), "GET");
            budgets.admit(new S3Operation.PutObject("nope", "k"), "PUT");
        }
        assertThat(budgets.throttled()).singleElement().satisfies(t -> {
            assertThat(t.writes()).isEqualTo(30);
            assertThat(t.reads()).isPositive();
        });
    }

    @Test
    void aPartitionHotForSplitAfterIsSplitInsideTheHotPrefixAndTheAcceptedRateDoubles() {
        int before = hotSecond(100, 0);
        assertThat(before).isBetween(20, 45); // burst + rate
        for (int s = 1; s < 4 && index.partitions(1).size() == 1; s++) {
            hotSecond(100, s * 100);
        }
        assertThat(index.partitions(1)).hasSize(2);
        PartitionRecord upper = index.partitions(1).get(1);
        assertThat(upper.start()).startsWith("2026-12-07/");
        assertThat(upper.since()).isAfter(T);
        int after = hotSecond(100, 1000);
        assertThat(after).isGreaterThanOrEqualTo(38); // two full budgets
        var report = budgets.report("b").orElseThrow();
        assertThat(report.partitions()).hasSize(2);
        assertThat(report.advice()).contains("2026-12-07/");
    }

    @Test
    void aNodeThatDoesNotLeadNeverSplitsButTakesUpTheSplitsOfTheOneThatDoes() throws Exception {
        // Two nodes' budgets over one (replicated) index: the follower measures the same hot prefix...
        PartitionBudgets follower = new PartitionBudgets(index, new PartitionBudgets.Settings(20, 30, Duration.ofSeconds(3)),
                nanos::get, clock);
        for (int s = 0; s < 6; s++) {
            for (int i = 0; i < 100; i++) {
                nanos.addAndGet(10_000_000L);
                try {
                    follower.admit(new S3Operation.PutObject("b", "2026-12-07/" + String.format("%05d", i * 7919 % 10_000)),
                            "PUT");
                } catch (S3Exception e) {
                    assertThat(e.code()).isEqualTo(S3ErrorCode.SlowDown);
                }
            }
            follower.tick(false);
        }
        assertThat(index.partitions(1)).as("only the leader decides splits").hasSize(1);
        assertThat(follower.report("b").orElseThrow().partitions()).hasSize(1);
        // ...and once the leader split the range, the follower's budgets follow it: two partitions, two budgets.
        index.apply(new IndexCommand.SplitPartition(1, 0, "2026-12-07/05000", T));
        follower.tick(false);
        assertThat(follower.report("b").orElseThrow().partitions()).hasSize(2);
    }

    @Test
    void coldNeighboursMergeBack() throws Exception {
        index.apply(new IndexCommand.SplitPartition(1, 0, "m", T));
        put("a"); // the bucket is now tracked
        for (int i = 0; i < 29; i++) {
            second();
        }
        assertThat(index.partitions(1)).hasSize(2);
        second();
        second();
        assertThat(index.partitions(1)).extracting(PartitionRecord::id).containsExactly(0L);
    }

    @Test
    void aDeletedBucketIsForgotten() throws Exception {
        put("a");
        index.apply(new IndexCommand.DeleteBucket("b", 1));
        second();
        assertThat(budgets.throttled()).isEmpty();
        assertThat(budgets.report("b")).isEmpty();
    }
}
