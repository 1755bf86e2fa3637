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
     * @param sample  keys recently asked for, oldest first
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
        List<String> arrived = new ArrayList<>();
        for (String k : sample) {
            if (KEY_ORDER.compare(k, start) >= 0 && (end == null || KEY_ORDER.compare(k, end) < 0)) {
                arrived.add(k);
            }
        }
        List<String> inside = new ArrayList<>(arrived);
        inside.sort(KEY_ORDER);
        // Above the lowest sampled key, so both halves keep some of the traffic (and the cut is above start).
        for (int i = inside.size() / 2; i < inside.size(); i++) {
            if (KEY_ORDER.compare(inside.get(i), inside.getFirst()) > 0) {
                String at = inside.get(i);
                return ascending(arrived, at) ? null : at;
            }
        }
        return null;
    }

    /**
     * True when the newest quarter of the traffic is (almost) all on one side of {@code at}: keys
     * written in ascending (or descending) order — timestamps, sequence numbers — whose next keys
     * would all land in one half, so cutting there would only add a partition. S3 cannot spread
     * such traffic either; its guidance is to lead keys with a high-cardinality part.
     */
    static boolean ascending(List<String> arrived, String at) {
        List<String> newest = arrived.subList(arrived.size() - arrived.size() / 4, arrived.size());
        if (newest.size() < 8) {
            return false;
        }
        long above = newest.stream().filter(k -> KEY_ORDER.compare(k, at) >= 0).count();
        return above * 10 >= newest.size() * 9 || above * 10 <= newest.size();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
