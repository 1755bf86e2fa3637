package dev.kura.object;

import dev.kura.index.BucketRecord;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.ObjectIndex;
import dev.kura.index.PartitionRecord;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.op.S3Operation;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-partition request budgets, as S3 keeps them: each partition of a bucket's key space (index
 * rows, {@link PartitionRecord}) admits about {@code writeRate} writes and {@code readRate} reads a
 * second, each a {@link TokenBucket} in this node's memory; beyond that a request gets 503 SlowDown.
 *
 * <p>{@link #tick} (once a second, from the server's background executor) measures each partition's
 * rates, asks {@link PartitionPolicy} whether a partition that stayed over budget should be split
 * (or cold neighbours merged) and applies that as one index command ({@code SplitPartition},
 * {@code MergePartitions}); then the bucket's partitions are read back from the index. Admission
 * keeps using the previous picture until then, so a split never pauses traffic, and listings never
 * look at partitions at all. Budgets are per node; the index rows are what a cluster shares.
 */
public final class PartitionBudgets implements RequestBudget {
    private static final Logger LOG = LoggerFactory.getLogger(PartitionBudgets.class);

    /**
     * @param writeRate  writes a second per partition ({@code --partition-write-rate}, S3: 3,500)
     * @param readRate   reads a second per partition ({@code --partition-read-rate}, S3: 5,500)
     * @param splitAfter how long a partition stays over budget before it is split ({@code --split-after})
     */
    public record Settings(double writeRate, double readRate, Duration splitAfter) {
        public static final Settings DEFAULTS = new Settings(3500, 5500, Duration.ofSeconds(60));

        public Settings {
            if (writeRate <= 0 || readRate <= 0 || splitAfter.isNegative() || splitAfter.isZero()) {
                throw new IllegalArgumentException("partition rates and --split-after must be positive");
            }
        }
    }

    private final ObjectIndex index;
    private final Settings settings;
    private final LongSupplier nanos;
    private final InstantSource clock;
    private final Map<Long, BucketBudget> buckets = new ConcurrentHashMap<>();

    public PartitionBudgets(ObjectIndex index, Settings settings, LongSupplier nanos, InstantSource clock) {
        this.index = index;
        this.settings = settings;
        this.nanos = nanos;
        this.clock = clock;
    }

    public Settings settings() {
        return settings;
    }

    @Override
    public void admit(S3Operation op, String method) {
        Charge charge = Charge.of(op, method);
        if (charge == null) {
            return;
        }
        Optional<BucketRecord> bucket = index.bucket(charge.bucket());
        if (bucket.isEmpty()) {
            return; // the handler answers NoSuchBucket
        }
        long now = nanos.getAsLong();
        BucketBudget b = buckets.computeIfAbsent(bucket.get().id(), id -> load(charge.bucket(), id, List.of()));
        PartitionBudget p = b.find(charge.key());
        p.sample.add(charge.key());
        if (!p.take(charge.kind(), now)) {
            // https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html
            throw new S3Exception(S3ErrorCode.SlowDown);
        }
    }

    /** Measures every partition, then splits or merges where the policy says so. Never throws. */
    public void tick() {
        tick(true);
    }

    /**
     * As {@link #tick()}; with {@code decide} false (a cluster node that does not lead the index) it only
     * measures, and follows the splits and merges another node decided. Never throws.
     */
    public void tick(boolean decide) {
        long now = nanos.getAsLong();
        for (BucketBudget b : List.copyOf(buckets.values())) {
            try {
                if (!decide) {
                    follow(b, now);
                    continue;
                }
                tick(b, now);
            } catch (RuntimeException e) {
                LOG.warn("partition pass over bucket {} failed: {}", b.name, e.toString());
            }
        }
    }

    /** Measures the bucket's partitions and takes up the index's ranges when they changed. */
    private void follow(BucketBudget b, long now) {
        Optional<BucketRecord> current = index.bucket(b.name);
        if (current.isEmpty() || current.get().id() != b.id) {
            buckets.remove(b.id);
            return;
        }
        PartitionBudget[] parts = b.parts;
        for (PartitionBudget p : parts) {
            p.measure(now, settings);
        }
        List<PartitionRecord> records = index.partitions(b.id);
        boolean same = records.size() == parts.length;
        for (int i = 0; same && i < parts.length; i++) {
            same = records.get(i).id() == parts[i].id && records.get(i).start().equals(parts[i].start);
        }
        if (!same) {
            buckets.put(b.id, load(b.name, b.id, Arrays.asList(parts)));
        }
    }

    private void tick(BucketBudget b, long now) {
        Optional<BucketRecord> current = index.bucket(b.name);
        if (current.isEmpty() || current.get().id() != b.id) {
            buckets.remove(b.id); // deleted (or re-created under a new id): its rows went with it
            return;
        }
        List<PartitionPolicy.Load> loads = new ArrayList<>();
        PartitionBudget[] parts = b.parts;
        for (int i = 0; i < parts.length; i++) {
            parts[i].measure(now, settings);
            loads.add(parts[i].load(now));
        }
        PartitionPolicy.Decision d = PartitionPolicy.decide(loads, settings.splitAfter());
        if (d == null) {
            return;
        }
        IndexCommand command = switch (d) {
            case PartitionPolicy.Split s -> new IndexCommand.SplitPartition(b.id, s.partition(), s.at(), clock.instant());
            case PartitionPolicy.Merge m -> new IndexCommand.MergePartitions(b.id, m.left(), m.right(), clock.instant());
        };
        try {
            index.apply(command);
            LOG.info("bucket {}: {}", b.name, d);
        } catch (IndexException e) {
            LOG.info("bucket {}: {} refused ({}); reloading its partitions", b.name, d, e.toString());
        }
        buckets.put(b.id, load(b.name, b.id, Arrays.asList(parts)));
    }

    /**
     * The bucket's partitions from the index. A partition whose range did not change keeps its state
     * (budgets, sample, hot and cold stretches); a changed one starts with full budgets, the counters
     * of the partition with its id and start, and the recent keys of its range.
     */
    private BucketBudget load(String name, long id, List<PartitionBudget> before) {
        List<PartitionRecord> records = index.partitions(id);
        PartitionBudget[] parts = new PartitionBudget[records.size()];
        long now = nanos.getAsLong();
        for (int i = 0; i < parts.length; i++) {
            PartitionRecord r = records.get(i);
            String end = i + 1 < parts.length ? records.get(i + 1).start() : null;
            PartitionBudget same = null;
            PartitionBudget holder = null;
            for (PartitionBudget p : before) {
                if (p.id == r.id() && p.start.equals(r.start())) {
                    same = p;
                }
                if (PartitionPolicy.KEY_ORDER.compare(p.start, r.start()) <= 0) {
                    holder = p; // the last one starting at or before r: its range held r's start
                }
            }
            parts[i] = same != null && java.util.Objects.equals(same.end, end) ? same
                    : new PartitionBudget(r, end, settings, now, same, holder);
        }
        return new BucketBudget(name, id, parts);
    }

    /** What {@code kura admin partitions} shows; empty when the bucket does not exist. */
    public Optional<PartitionReport> report(String bucketName) {
        Optional<BucketRecord> bucket = index.bucket(bucketName);
        if (bucket.isEmpty()) {
            return Optional.empty();
        }
        BucketBudget b = buckets.get(bucket.get().id());
        if (b == null) {
            b = load(bucketName, bucket.get().id(), List.of()); // no traffic since start: the ranges alone
        }
        return Optional.of(PartitionReport.of(b.name, b.parts, settings));
    }

    /** Throttled requests per bucket and partition since start, for metrics (the caller bounds the labels). */
    public List<PartitionReport.Throttled> throttled() {
        List<PartitionReport.Throttled> out = new ArrayList<>();
        for (BucketBudget b : buckets.values()) {
            for (PartitionBudget p : b.parts) {
                long reads = p.counters.throttledReads.sum();
                long writes = p.counters.throttledWrites.sum();
                if (reads + writes > 0) {
                    out.add(new PartitionReport.Throttled(b.name, p.id, reads, writes));
                }
            }
        }
        return out;
    }

    /** One bucket's partitions in key order, an immutable picture replaced whole after a change. */
    private static final class BucketBudget {
        final String name;
        final long id;
        final PartitionBudget[] parts;
        final byte[][] starts;

        BucketBudget(String name, long id, PartitionBudget[] parts) {
            this.name = name;
            this.id = id;
            this.parts = parts;
            this.starts = new byte[parts.length][];
            for (int i = 0; i < parts.length; i++) {
                starts[i] = PartitionPolicy.utf8(parts[i].start);
            }
        }

        /** The partition holding {@code key}: the last whose start is at or below it. */
        PartitionBudget find(String key) {
            byte[] k = PartitionPolicy.utf8(key);
            int lo = 0;
            int hi = parts.length - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (Arrays.compareUnsigned(starts[mid], k) <= 0) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return parts[lo];
        }
    }
}
