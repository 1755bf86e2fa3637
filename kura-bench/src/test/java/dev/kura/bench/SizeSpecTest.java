package dev.kura.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.bench.load.SizeSpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SizeSpecTest {
    @Test
    void parsesSuffixes() {
        assertThat(SizeSpec.parseBytes("512")).isEqualTo(512);
        assertThat(SizeSpec.parseBytes("4KiB")).isEqualTo(4096);
        assertThat(SizeSpec.parseBytes("64MiB")).isEqualTo(64L << 20);
        assertThat(SizeSpec.parseBytes("5GiB")).isEqualTo(5L << 30);
        assertThat(SizeSpec.parseBytes("1.5KB")).isEqualTo(1536);
        assertThat(SizeSpec.parse("4KiB").isFixed()).isTrue();
        assertThatThrownBy(() -> SizeSpec.parseBytes("4XB")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rangesStayInBounds() {
        SizeSpec s = SizeSpec.parse("4KiB-1MiB");
        assertThat(s.min()).isEqualTo(4096);
        assertThat(s.max()).isEqualTo(1 << 20);
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 10_000; i++) {
            assertThat(s.next(r)).isBetween(4096L, 1L << 20);
        }
        assertThat(s.toString()).isEqualTo("4KiB-1MiB");
    }
}
