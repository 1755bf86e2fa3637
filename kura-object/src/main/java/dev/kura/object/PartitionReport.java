package dev.kura.object;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A bucket's partitions as an operator sees them ({@code kura admin partitions BUCKET}): ranges,
 * the rates measured over the last tick, requests turned away since start, and plain advice when
 * one prefix takes most of the traffic.
 *
 * @param advice null when there is nothing to say
 */
public record PartitionReport(String bucket, double writeBudget, double readBudget, List<Row> partitions,
                              String advice) {

    /** One partition: keys from {@code start} up to {@code end} (null: no end). */
    public record Row(long id, String start, String end, Instant since, double readsPerSecond, double writesPerSecond,
                      double throttledPerSecond, long throttledReads, long throttledWrites) {
    }

    /** Throttled totals of one partition, for metrics. */
    public record Throttled(String bucket, long partition, long reads, long writes) {
    }

    static PartitionReport of(String bucket, PartitionBudget[] parts, PartitionBudgets.Settings settings) {
        List<Row> rows = new ArrayList<>();
        List<String> sample = new ArrayList<>();
        long throttled = 0;
        for (int i = 0; i < parts.length; i++) {
            PartitionBudget p = parts[i];
            long tr = p.counters.throttledReads.sum();
            long tw = p.counters.throttledWrites.sum();
            throttled += tr + tw;
            rows.add(new Row(p.id, p.start, p.end, p.since, p.readRate(),
                    p.writeRate(), p.throttledRate(), tr, tw));
            sample.addAll(p.sample.keys());
        }
        return new PartitionReport(bucket, settings.writeRate(), settings.readRate(), rows,
                throttled > 0 ? advice(sample) : null);
    }

    /**
     * When more than half of the recent requests share one prefix (up to a '/'), names the longest
     * such prefix: keys that start with a date or a sequence all land in one partition, and a
     * partition can only be split between keys that differ early.
     */
    static String advice(List<String> sample) {
        if (sample.size() < 20) {
            return null;
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String key : sample) {
            for (int i = key.indexOf('/'); i >= 0; i = key.indexOf('/', i + 1)) {
                counts.merge(key.substring(0, i + 1), 1, Integer::sum);
            }
        }
        String best = null;
        int bestCount = 0;
        for (var e : counts.entrySet()) {
            if (e.getValue() * 2 > sample.size() && (best == null || e.getKey().length() > best.length())) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        if (best == null) {
            return null;
        }
        return "most requests (" + (100 * bestCount / sample.size()) + "%) go to keys starting with " + best
                + ": put the high-cardinality part of the key first, dates last";
    }
}
