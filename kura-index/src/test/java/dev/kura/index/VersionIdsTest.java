package dev.kura.index;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class VersionIdsTest {
    @Test
    void roundTripsAndSortsLikeTheSequence() {
        Random rnd = new Random(3);
        long[] samples = {0, 1, 31, 32, 1_000_000, System.currentTimeMillis() * 1000, Long.MAX_VALUE};
        for (long s : samples) {
            assertThat(VersionIds.sequenceOf(VersionIds.of(s))).hasValue(s);
            assertThat(VersionIds.of(s)).hasSize(VersionIds.LENGTH).matches("[0-9a-v]+");
        }
        for (int i = 0; i < 10_000; i++) {
            long a = rnd.nextLong() & Long.MAX_VALUE;
            long b = rnd.nextLong() & Long.MAX_VALUE;
            assertThat(Integer.signum(VersionIds.of(a).compareTo(VersionIds.of(b))))
                    .isEqualTo(Long.signum(Long.compare(a, b)));
        }
    }

    @Test
    void anythingElseNamesNoVersion() {
        for (String s : new String[] {null, "", "null", "000000000000", "00000000000000", "000000000000w",
                "000000000000A", "8000000000000", "v000000000000"}) {
            assertThat(VersionIds.sequenceOf(s)).as(s).isEmpty();
        }
        assertThat(VersionIds.sequenceOf("7vvvvvvvvvvvv")).hasValue(Long.MAX_VALUE);
    }
}
