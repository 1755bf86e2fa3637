package dev.kura.frontend.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/**
 * The outbound budget: charges and gives back, refuses when spent, and — when spent — evicts the
 * connection stalled longest, but only one stalled past the eviction threshold.
 */
class OutboundBudgetTest {
    @Test
    void chargesAndGivesBack() {
        OutboundBudget b = new OutboundBudget(1 << 20);
        assertThat(b.acquire(512 << 10, 0)).isTrue();
        assertThat(b.acquire(512 << 10, 0)).isTrue();
        assertThat(b.inUseBytes()).isEqualTo(1 << 20);
        assertThat(b.acquire(1, 20)).as("spent, nobody to evict").isFalse();
        b.release(512 << 10);
        assertThat(b.acquire(256 << 10, 0)).isTrue();
        assertThat(b.evictions()).isZero();
    }

    @Test
    void aSpentBudgetEvictsOnlyAReaderStalledLongEnough() throws Exception {
        OutboundBudget b = new OutboundBudget(1 << 20);
        EmbeddedChannel stalled = new EmbeddedChannel();
        assertThat(b.acquire(1 << 20, 0)).isTrue();
        b.stallBegins(stalled);
        assertThat(b.acquire(1024, 50)).as("a stall under the threshold is not evicted").isFalse();
        assertThat(stalled.isOpen()).isTrue();
        stalled.closeFuture().addListener(f -> b.release(1 << 20)); // its queued writes fail and give back
        long deadline = System.nanoTime() + 10_000_000_000L;
        boolean got = false;
        while (!got && System.nanoTime() < deadline) {
            got = b.acquire(1024, 200); // evicts once the stall passes the threshold
        }
        assertThat(got).isTrue();
        assertThat(stalled.isOpen()).isFalse();
        assertThat(b.evictions()).isEqualTo(1);
    }
}
