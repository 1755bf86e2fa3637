package dev.kura.frontend.telemetry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BucketSeriesTest {
    @Test
    void optInBucketsAlwaysHaveTheirOwnLabel() {
        BucketSeries s = new BucketSeries(List.of("photos"), 0, 10);
        assertThat(s.label("photos", true)).isEqualTo("photos");
        assertThat(s.label("photos", false)).isEqualTo("photos");
        assertThat(s.label("other", true)).isEqualTo(BucketSeries.OTHER);
        assertThat(s.label(null, true)).isNull();
    }

    @Test
    void aHundredThousandColdBucketsShareOneLabel() {
        BucketSeries s = new BucketSeries(List.of(), 20, 100);
        Set<String> labels = new HashSet<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 100_000; i++) {
                labels.add(s.label("bucket-" + i, true));
            }
        }
        // three requests each: none is proven busy, whatever the table's overestimates
        assertThat(labels).containsExactly(BucketSeries.OTHER);
    }

    @Test
    void busyBucketsEarnALabelAmongManyColdOnesUpToTheCap() {
        BucketSeries s = new BucketSeries(List.of(), 3, 100);
        for (int i = 0; i < 50_000; i++) {
            s.label("cold-" + i, true);
            s.label("hot-" + (i % 5), true); // five hot buckets, 10,000 requests each
        }
        assertThat(s.labelled()).hasSize(3).allMatch(b -> b.startsWith("hot-"));
        String first = s.labelled().iterator().next();
        assertThat(s.label(first, true)).isEqualTo(first);
        assertThat(s.label("cold-1", true)).isEqualTo(BucketSeries.OTHER);
    }

    @Test
    void failedRequestsDoNotEarnALabel() {
        BucketSeries s = new BucketSeries(List.of(), 5, 10);
        for (int i = 0; i < 1000; i++) {
            assertThat(s.label("no-such-bucket", false)).isEqualTo(BucketSeries.OTHER);
        }
        assertThat(s.labelled()).isEmpty();
        String last = null;
        for (int i = 0; i < 10; i++) {
            last = s.label("real", true);
        }
        assertThat(last).isEqualTo("real");
    }
}
