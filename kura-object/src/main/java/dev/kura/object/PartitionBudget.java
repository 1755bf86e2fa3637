package dev.kura.object;

import dev.kura.index.PartitionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

/**
 * One partition's budgets and what it saw: a token bucket for reads and one for writes, counters,
 * the recent keys, and — measured once a tick — its rates and how long it has been hot (turning
 * requests away) or cold (under a tenth of both budgets).
 */
final class PartitionBudget {
    final long id;
    final String start;
    final String end; // null: the last partition
    final Instant since;
    final KeySample sample = new KeySample(256); // keys recently asked for: where a split cuts
    final Counters counters;
    private final TokenBucket reads;
    private final TokenBucket writes;

    // Written by the tick thread only; read by reports.
    private long lastTick;
    private long lastThrottled;
    private long lastReads;
    private long lastWrites;
    private volatile double readRate;
    private volatile double writeRate;
    private volatile double throttledRate;
    private long hotSince = -1;
    private long coldSince;

    /** Totals since start, kept across a change of the partition's end (same id and start). */
    static final class Counters {
        final LongAdder admittedReads = new LongAdder();
        final LongAdder admittedWrites = new LongAdder();
        final LongAdder throttledReads = new LongAdder();
        final LongAdder throttledWrites = new LongAdder();
    }

    /**
     * @param before the partition that had this id and start (its counters carry on), or null
     * @param holder the partition whose range held this one's start (its recent keys in this range carry on), or null
     */
    PartitionBudget(PartitionRecord record, String end, PartitionBudgets.Settings settings, long now,
                    PartitionBudget before, PartitionBudget holder) {
        this.id = record.id();
        this.start = record.start();
        this.end = end;
        this.since = record.since();
        this.counters = before == null ? new Counters() : before.counters;
        if (holder != null) {
            for (String k : holder.sample.keys()) {
                if (PartitionPolicy.KEY_ORDER.compare(k, start) >= 0
                        && (end == null || PartitionPolicy.KEY_ORDER.compare(k, end) < 0)) {
                    sample.add(k);
                }
            }
        }
        this.reads = new TokenBucket(settings.readRate(), now);
        this.writes = new TokenBucket(settings.writeRate(), now);
        this.lastTick = now;
        this.coldSince = now;
        this.lastReads = counters.admittedReads.sum();
        this.lastWrites = counters.admittedWrites.sum();
        this.lastThrottled = counters.throttledReads.sum() + counters.throttledWrites.sum();
    }

    boolean take(RequestBudget.Kind kind, long now) {
        boolean ok = (kind == RequestBudget.Kind.READ ? reads : writes).tryTake(now);
        (kind == RequestBudget.Kind.READ
                ? ok ? counters.admittedReads : counters.throttledReads
                : ok ? counters.admittedWrites : counters.throttledWrites).increment();
        return ok;
    }

    /** Rates since the last tick; starts or ends the hot and cold stretches. */
    void measure(long now, PartitionBudgets.Settings settings) {
        double seconds = Math.max(1e-3, (now - lastTick) / 1e9);
        long r = counters.admittedReads.sum();
        long w = counters.admittedWrites.sum();
        long t = counters.throttledReads.sum() + counters.throttledWrites.sum();
        readRate = (r - lastReads) / seconds;
        writeRate = (w - lastWrites) / seconds;
        throttledRate = (t - lastThrottled) / seconds;
        boolean hot = t > lastThrottled;
        boolean cold = readRate < settings.readRate() / 10 && writeRate < settings.writeRate() / 10;
        hotSince = hot ? (hotSince < 0 ? lastTick : hotSince) : -1;
        coldSince = cold ? (coldSince < 0 ? lastTick : coldSince) : -1;
        lastTick = now;
        lastReads = r;
        lastWrites = w;
        lastThrottled = t;
    }

    PartitionPolicy.Load load(long now) {
        return new PartitionPolicy.Load(id, start, end, hotSince < 0 ? null : Duration.ofNanos(now - hotSince),
                coldSince < 0 ? null : Duration.ofNanos(now - coldSince), sample.keys());
    }

    double readRate() {
        return readRate;
    }

    double writeRate() {
        return writeRate;
    }

    double throttledRate() {
        return throttledRate;
    }
}
