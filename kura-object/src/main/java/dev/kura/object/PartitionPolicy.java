package dev.kura.object;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * When to split or merge a bucket's partitions — a pure function of what the budgets saw, so it is
 * tested as a table. A partition over its budget (it turned requests away) for {@code splitAfter}
 * without a break is split at the median of the keys it was recently asked for, so a hot prefix is
 * cut inside itself and each half gets a full budget. Two neighbours both under a tenth of their
 * budgets for ten times {@code splitAfter} merge back. At most one change per bucket per decision.
 */
final class PartitionPolicy {
    /** Keys order as S3 orders them: by their UTF-8 bytes (not Java's UTF-16 order). */
    static final Comparator<String> KEY_ORDER = (a, b) -> Arrays.compareUnsigned(utf8(a), utf8(b));

    private PartitionPolicy() {
    }

    /**
     * One partition as the budgets saw it.
     *
     * @param start   its first key; {@code end} the next partition's start, or null for the last
     * @param hotFor  how long it has been over budget without a break (null: not over budget now)
     * @param coldFor how long it has been under a tenth of its budgets (null: not cold now)
     * @param sample  keys recently asked for
     */
    record Load(long id, String start, String end, Duration hotFor, Duration coldFor, List<String> sample) {
    }

    sealed interface Decision {
    }

    record Split(long partition, String at) implements Decision {
    }

    record Merge(long left, long right) implements Decision {
    }

    /** The change to make now (partitions in key order), or null. */
    static Decision decide(List<Load> partitions, Duration splitAfter) {
        for (Load p : partitions) {
            if (p.hotFor() != null && p.hotFor().compareTo(splitAfter) >= 0) {
                String at = splitKey(p.start(), p.end(), p.sample());
                if (at != null) {
                    return new Split(p.id(), at);
                }
            }
        }
        Duration mergeAfter = splitAfter.multipliedBy(10);
        for (int i = 0; i + 1 < partitions.size(); i++) {
            Load a = partitions.get(i);
            Load b = partitions.get(i + 1);
            if (cold(a, mergeAfter) && cold(b, mergeAfter)) {
                return new Merge(a.id(), b.id());
            }
        }
        return null;
    }

    private static boolean cold(Load p, Duration mergeAfter) {
        return p.coldFor() != null && p.coldFor().compareTo(mergeAfter) >= 0;
    }

    /**
     * The median of the sampled keys inside {@code [start, end)}, moved up past the lowest sampled key
     * when most traffic is to that key itself; null when the traffic is all one key (a single hot key
     * cannot be split, as in S3) or there is no sample.
     */
    static String splitKey(String start, String end, List<String> sample) {
        List<String> inside = new ArrayList<>();
        for (String k : sample) {
            if (KEY_ORDER.compare(k, start) >= 0 && (end == null || KEY_ORDER.compare(k, end) < 0)) {
                inside.add(k);
            }
        }
        inside.sort(KEY_ORDER);
        // Above the lowest sampled key, so both halves keep some of the traffic (and the cut is above start).
        for (int i = inside.size() / 2; i < inside.size(); i++) {
            if (KEY_ORDER.compare(inside.get(i), inside.getFirst()) > 0) {
                return inside.get(i);
            }
        }
        return null;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
