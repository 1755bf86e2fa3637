package dev.kura.bench.load;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the workers measure, harvested once a second by the sampler. Workers record always; the
 * sampler decides which intervals count (not the warm-up, not after the deadline), so there is no
 * phase check on the hot path and every count is exact: counters are swapped to zero, histograms
 * flipped by HdrHistogram's {@link Recorder}.
 */
public final class Stats {
    /** The S3 operations a workload issues. */
    public enum Op { PUT, GET, STAT, DELETE, LIST, MULTIPART }

    private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(2);

    private final EnumMap<Op, Recorder> recorders = new EnumMap<>(Op.class);
    private final EnumMap<Op, AtomicLong> ops = new EnumMap<>(Op.class);
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong items = new AtomicLong();
    private Map<String, Long> errors = new TreeMap<>();
    private long slowdowns;

    public Stats() {
        for (Op op : Op.values()) {
            recorders.put(op, new Recorder(MAX_MICROS, 3));
            ops.put(op, new AtomicLong());
        }
    }

    /** One successful operation and its latency. */
    public void ok(Op op, long nanos) {
        recorders.get(op).recordValue(Math.clamp(TimeUnit.NANOSECONDS.toMicros(nanos), 0, MAX_MICROS));
        ops.get(op).incrementAndGet();
    }

    /** One failed operation: {@code code} is the S3 error code, the HTTP status, or {@code io:...}. */
    public synchronized void failed(String code) {
        if ("SlowDown".equals(code)) {
            slowdowns++;
        } else {
            errors.merge(code, 1L, Long::sum);
        }
    }

    /** Body bytes moved, counted as they move. */
    public void bytes(long n) {
        bytes.addAndGet(n);
    }

    /** Keys listed (the list workload). */
    public void items(long n) {
        items.addAndGet(n);
    }

    /** Everything recorded since the previous harvest. */
    public Interval harvest() {
        EnumMap<Op, Histogram> hist = new EnumMap<>(Op.class);
        EnumMap<Op, Long> counts = new EnumMap<>(Op.class);
        for (Op op : Op.values()) {
            hist.put(op, recorders.get(op).getIntervalHistogram());
            counts.put(op, ops.get(op).getAndSet(0));
        }
        Map<String, Long> e;
        long s;
        synchronized (this) {
            e = errors;
            s = slowdowns;
            errors = new TreeMap<>();
            slowdowns = 0;
        }
        return new Interval(hist, counts, bytes.getAndSet(0), items.getAndSet(0), e, s);
    }

    /** One harvest, or the sum of several. */
    public record Interval(EnumMap<Op, Histogram> latencies, EnumMap<Op, Long> ops, long bytes, long items,
                           Map<String, Long> errors, long slowdowns) {
        public static Interval empty() {
            EnumMap<Op, Histogram> h = new EnumMap<>(Op.class);
            EnumMap<Op, Long> c = new EnumMap<>(Op.class);
            for (Op op : Op.values()) {
                h.put(op, new Histogram(MAX_MICROS, 3));
                c.put(op, 0L);
            }
            return new Interval(h, c, 0, 0, new TreeMap<>(), 0);
        }

        /** Adds {@code other} into this (mutating its histograms and maps). */
        public Interval plus(Interval other) {
            EnumMap<Op, Long> c = new EnumMap<>(ops);
            for (Op op : Op.values()) {
                latencies.get(op).add(other.latencies.get(op));
                c.merge(op, other.ops.get(op), Long::sum);
            }
            Map<String, Long> e = new TreeMap<>(errors);
            other.errors.forEach((k, v) -> e.merge(k, v, Long::sum));
            return new Interval(latencies, c, bytes + other.bytes, items + other.items, e, slowdowns + other.slowdowns);
        }

        public long totalOps() {
            return ops.values().stream().mapToLong(Long::longValue).sum();
        }

        public long totalErrors() {
            return errors.values().stream().mapToLong(Long::longValue).sum();
        }

        /** All operations' latencies in one histogram (microseconds). */
        public Histogram allLatencies() {
            Histogram all = new Histogram(MAX_MICROS, 3);
            latencies.values().forEach(all::add);
            return all;
        }
    }
}
