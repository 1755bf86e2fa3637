package dev.kura.frontend.telemetry;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses which buckets get metric series of their own, so that a server with 100,000 buckets does
 * not hand Prometheus 100,000 series per metric. A bucket gets its own label when it is
 * <ul>
 *   <li>on the opt-in list, or</li>
 *   <li>one of the first {@code maxPromoted} buckets proven to have served {@code threshold}
 *       successful requests since the process started — the busy ones. Requests are counted in a
 *       table of fixed size with the space-saving algorithm (Metwally, Agrawal and El Abbadi, 2005: a
 *       bucket not in the table replaces the one with the lowest count and inherits that count as
 *       its possible error), so memory stays bounded however many buckets there are. Promotion uses
 *       the guaranteed count (count minus error), so a crowd of cold buckets never earns a label,
 *       while a bucket receiving more than 1/capacity of the traffic always stays in the table and
 *       does.</li>
 * </ul>
 * Everything else is counted under {@value #OTHER}. A bucket keeps its label until the process
 * restarts: a counter whose traffic moved to {@value #OTHER} and back would appear to go backwards.
 * Failed requests do not count toward promotion, so a client probing names that do not exist cannot
 * take the places of real buckets.
 */
final class BucketSeries {
    static final String OTHER = "_other";

    private final Set<String> labelled = ConcurrentHashMap.newKeySet();
    private final int maxPromoted;
    private final long threshold;
    private final int capacity;
    /** bucket → {count, error}: count overestimates by at most error. */
    private final Map<String, long[]> candidates = new HashMap<>(); // guarded by this
    private volatile int promoted; // written under this

    /**
     * @param optIn       buckets that always have their own series
     * @param maxPromoted how many more buckets may earn one by traffic (0: opt-in only)
     * @param threshold   successful requests a bucket needs to earn one
     */
    BucketSeries(Collection<String> optIn, int maxPromoted, long threshold) {
        if (maxPromoted < 0 || threshold < 1) {
            throw new IllegalArgumentException("maxPromoted >= 0 and threshold >= 1 required");
        }
        labelled.addAll(optIn);
        this.maxPromoted = maxPromoted;
        this.threshold = threshold;
        this.capacity = Math.max(64, 4 * maxPromoted);
    }

    /**
     * The label for one request to {@code bucket} ({@code null}: the request named no bucket), counting
     * it toward promotion when it {@code succeeded}.
     */
    String label(String bucket, boolean succeeded) {
        if (bucket == null) {
            return null;
        }
        if (labelled.contains(bucket)) {
            return bucket;
        }
        if (!succeeded || promoted >= maxPromoted) {
            return OTHER;
        }
        synchronized (this) {
            if (labelled.contains(bucket)) {
                return bucket;
            }
            if (count(bucket) >= threshold && promoted < maxPromoted) {
                candidates.remove(bucket);
                labelled.add(bucket);
                promoted++;
                if (promoted >= maxPromoted) {
                    candidates.clear(); // no longer needed
                }
                return bucket;
            }
        }
        return OTHER;
    }

    /** Counts one request in the space-saving table; returns a lower bound of the bucket's count. */
    private long count(String bucket) {
        long[] entry = candidates.get(bucket);
        if (entry == null) {
            long floor = 0;
            if (candidates.size() >= capacity) {
                Map.Entry<String, long[]> min = null;
                for (Map.Entry<String, long[]> e : candidates.entrySet()) {
                    if (min == null || e.getValue()[0] < min.getValue()[0]) {
                        min = e;
                    }
                }
                floor = min.getValue()[0];
                candidates.remove(min.getKey());
            }
            entry = new long[] {floor, floor};
            candidates.put(bucket, entry);
        }
        entry[0]++;
        return entry[0] - entry[1];
    }

    /** Buckets with a label of their own now. */
    Set<String> labelled() {
        return Set.copyOf(labelled);
    }
}
