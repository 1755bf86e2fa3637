package dev.kura.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The dashboard's percentile estimate from cumulative latency buckets (as Prometheus's histogram_quantile). */
class ConsoleDashboardTest {
    private static final double[] BOUNDS = {1, 2.5, 5, 10, 25};

    @Test
    void interpolatesInsideTheBucketTheRankFallsIn() {
        // 100 requests: 50 up to 1 ms, 40 more up to 2.5 ms, 10 more up to 5 ms
        double[] cumulative = {50, 90, 100, 100, 100};
        assertThat(ConsoleDashboard.quantile(cumulative, 100, BOUNDS, 0.5)).isCloseTo(1.0, within(1e-9));
        assertThat(ConsoleDashboard.quantile(cumulative, 100, BOUNDS, 0.7)).isCloseTo(1.75, within(1e-9));
        assertThat(ConsoleDashboard.quantile(cumulative, 100, BOUNDS, 0.99)).isCloseTo(4.75, within(1e-9));
    }

    @Test
    void beyondTheLastBoundItSaysTheLastBoundAndWithoutRequestsNothing() {
        double[] cumulative = {0, 0, 0, 0, 1};
        assertThat(ConsoleDashboard.quantile(cumulative, 10, BOUNDS, 0.99)).isEqualTo(25.0);
        assertThat(ConsoleDashboard.quantile(new double[5], 0, BOUNDS, 0.5)).isNull();
        assertThat(ConsoleDashboard.quantile(new double[0], 5, new double[0], 0.5)).isNull();
    }
}
