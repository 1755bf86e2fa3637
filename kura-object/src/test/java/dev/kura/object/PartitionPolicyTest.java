package dev.kura.object;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The split and merge policy as a table: inputs are what the budgets saw, the output one decision. */
class PartitionPolicyTest {
    static final Duration AFTER = Duration.ofSeconds(60);

    static List<String> hotPrefix(int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add("2026-12-07/" + String.format("%05d", i * 7919 % 10_000));
        }
        return keys;
    }

    @Test
    void aPartitionHotForSplitAfterIsCutInsideItsHotPrefix() {
        var p = new PartitionPolicy.Load(0, "", null, AFTER, null, hotPrefix(200));
        var d = (PartitionPolicy.Split) PartitionPolicy.decide(List.of(p), AFTER);
        assertThat(d.partition()).isEqualTo(0);
        assertThat(d.at()).startsWith("2026-12-07/"); // the median of the traffic, not the middle of the range
        assertThat(PartitionPolicy.KEY_ORDER.compare(d.at(), "2026-12-07/02000")).isPositive();
        assertThat(PartitionPolicy.KEY_ORDER.compare(d.at(), "2026-12-07/08000")).isNegative();
    }

    @Test
    void notHotLongEnoughOrNotHotAtAllMeansNoChange() {
        assertThat(PartitionPolicy.decide(List.of(new PartitionPolicy.Load(0, "", null, AFTER.minusSeconds(1), null,
                hotPrefix(50))), AFTER)).isNull();
        assertThat(PartitionPolicy.decide(List.of(new PartitionPolicy.Load(0, "", null, null, null, hotPrefix(50))),
                AFTER)).isNull();
    }

    @Test
    void oneHotKeyCannotBeSplit() {
        List<String> one = java.util.Collections.nCopies(100, "hot");
        assertThat(PartitionPolicy.decide(List.of(new PartitionPolicy.Load(0, "", null, AFTER, null, one)), AFTER))
                .isNull();
        // ...but a partition starting at the hot key can still be cut above it when other keys follow.
        assertThat(PartitionPolicy.splitKey("hot", null, List.of("hot", "hot", "hot", "hot2"))).isEqualTo("hot2");
    }

    @Test
    void ascendingKeysAreNotSplitBecauseTheirNextKeysWouldAllLandInOneHalf() {
        List<String> ascending = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ascending.add("logs/w3-" + (1000 + i)); // one writer's sequence numbers, oldest first
        }
        assertThat(PartitionPolicy.splitKey("", null, ascending)).isNull();
        // Several writers, each ascending, interleaved: a cut between writers divides the traffic.
        List<String> interleaved = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            interleaved.add("logs/w" + (i % 8) + "-" + (1000 + i / 8));
        }
        assertThat(PartitionPolicy.splitKey("", null, interleaved)).startsWith("logs/w4-");
    }

    @Test
    void theSplitKeyIsStrictlyInsideTheRange() {
        assertThat(PartitionPolicy.splitKey("b", "d", List.of("a", "b", "c", "d", "e"))).isEqualTo("c");
        assertThat(PartitionPolicy.splitKey("b", "d", List.of("a", "e"))).isNull();
        assertThat(PartitionPolicy.splitKey("", null, List.of())).isNull();
    }

    @Test
    void coldNeighboursMergeAfterTenTimesSplitAfter() {
        Duration long_ = AFTER.multipliedBy(10);
        var a = new PartitionPolicy.Load(0, "", "m", null, long_, List.of());
        var b = new PartitionPolicy.Load(4, "m", "t", null, long_, List.of());
        var c = new PartitionPolicy.Load(2, "t", null, null, null, List.of());
        assertThat(PartitionPolicy.decide(List.of(a, b, c), AFTER)).isEqualTo(new PartitionPolicy.Merge(0, 4));
        var bShort = new PartitionPolicy.Load(4, "m", "t", null, long_.minusSeconds(1), List.of());
        assertThat(PartitionPolicy.decide(List.of(a, bShort, c), AFTER)).isNull();
    }

    @Test
    void keysOrderByUtf8BytesNotUtf16() {
        assertThat(PartitionPolicy.KEY_ORDER.compare("\uFFFD", "\uD83D\uDE00")).isNegative();
    }

    @Test
    void adviceNamesTheDominantPrefix() {
        List<String> sample = new ArrayList<>(hotPrefix(90));
        for (int i = 0; i < 10; i++) {
            sample.add("other/" + i);
        }
        assertThat(PartitionReport.advice(sample)).contains("keys starting with 2026-12-07/").contains("90%")
                .contains("high-cardinality part of the key first");
        List<String> spread = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            spread.add(i + "/x");
        }
        assertThat(PartitionReport.advice(spread)).isNull();
    }
}
