package dev.kura.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kura.console.Dashboard;
import dev.kura.object.PartitionBudgets;
import dev.kura.object.PartitionReport;
import dev.kura.server.admin.StorageAdmin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The console's dashboard over this node's own instruments: the S3 request meters (the same ones
 * {@code /metrics} exposes), the health report, the drives and repair passes of the storage admin,
 * and the partition budgets. {@link #sample()} runs every {@link #STEP_SECONDS} seconds and keeps the
 * last {@link #SAMPLES} cumulative readings; rates and latency percentiles are differences between
 * readings, so a chart shows what happened in each step, not averages since start. Latency
 * percentiles are estimated from the latency histogram's buckets (linear within a bucket, as
 * Prometheus's {@code histogram_quantile}). A figure without a source is left out (null).
 */
final class ConsoleDashboard implements Dashboard {
    static final int STEP_SECONDS = 2;
    static final int SAMPLES = 150; // five minutes
    private static final int MAX_BUCKETS_SCANNED = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One cumulative reading of the meters. */
    private record Reading(Instant at, Map<String, Double> requestsByOp, double requests4xx, double requests5xx,
                           Map<String, Double> errorsByCode, double bytesIn, double bytesOut, double[] latencyBuckets,
                           double latencyCount, Map<String, double[]> latencyByOp, Map<String, Double> countByOp,
                           double throttled) {
    }

    private final MeterRegistry registry;
    private final Health health;
    private final StorageAdmin storage;
    private final Supplier<Long> repairsQueued;
    private final PartitionBudgets budgets;
    private final Supplier<List<String>> bucketNames;
    private final InstantSource clock;
    private final Instant started;
    private final Deque<Reading> readings = new ArrayDeque<>(); // guarded by this

    ConsoleDashboard(MeterRegistry registry, Health health, StorageAdmin storage, Supplier<Long> repairsQueued,
                     PartitionBudgets budgets, Supplier<List<String>> bucketNames, InstantSource clock, Instant started) {
        this.registry = registry;
        this.health = health;
        this.storage = storage;
        this.repairsQueued = repairsQueued;
        this.budgets = budgets;
        this.bucketNames = bucketNames;
        this.clock = clock;
        this.started = started;
    }

    /** Takes one reading (the background executor calls this every {@link #STEP_SECONDS} seconds). */
    void sample() {
        Reading r = read();
        synchronized (this) {
            readings.addLast(r);
            while (readings.size() > SAMPLES + 1) {
                readings.removeFirst();
            }
        }
    }

    private Reading read() {
        Map<String, Double> byOp = new TreeMap<>();
        double r4 = 0;
        double r5 = 0;
        for (Counter c : registry.find("kura.s3.requests").counters()) {
            String op = c.getId().getTag("operation");
            String cls = c.getId().getTag("status_class");
            byOp.merge(op == null ? "?" : op, c.count(), Double::sum);
            if ("4xx".equals(cls)) {
                r4 += c.count();
            } else if ("5xx".equals(cls)) {
                r5 += c.count();
            }
        }
        Map<String, Double> errors = new HashMap<>();
        for (Counter c : registry.find("kura.s3.errors").counters()) {
            errors.merge(String.valueOf(c.getId().getTag("code")), c.count(), Double::sum);
        }
        double in = registry.find("kura.s3.bytes.received").counters().stream().mapToDouble(Counter::count).sum();
        double out = registry.find("kura.s3.bytes.sent").counters().stream().mapToDouble(Counter::count).sum();
        double[] all = null;
        double count = 0;
        Map<String, double[]> latencyByOp = new HashMap<>();
        Map<String, Double> countByOp = new HashMap<>();
        for (Timer t : registry.find("kura.s3.request.duration").timers()) {
            CountAtBucket[] buckets = t.takeSnapshot().histogramCounts();
            double[] counts = new double[buckets.length];
            for (int i = 0; i < buckets.length; i++) {
                counts[i] = buckets[i].count();
            }
            latencyByOp.put(t.getId().getTag("operation"), counts);
            countByOp.put(t.getId().getTag("operation"), (double) t.count());
            if (all == null) {
                all = new double[counts.length];
            }
            for (int i = 0; i < Math.min(all.length, counts.length); i++) {
                all[i] += counts[i];
            }
            count += t.count();
        }
        double throttled = errors.getOrDefault("SlowDown", 0.0);
        return new Reading(clock.instant(), byOp, r4, r5, errors, in, out, all == null ? new double[0] : all, count,
                latencyByOp, countByOp, throttled);
    }

    /** Upper bounds of the latency buckets, in milliseconds (from any timer; they all share them). */
    private double[] bucketBoundsMillis() {
        for (Timer t : registry.find("kura.s3.request.duration").timers()) {
            CountAtBucket[] b = t.takeSnapshot().histogramCounts();
            double[] ms = new double[b.length];
            for (int i = 0; i < b.length; i++) {
                ms[i] = b[i].bucket(TimeUnit.MILLISECONDS);
            }
            return ms;
        }
        return new double[0];
    }

    @Override
    public Map<String, Object> snapshot() {
        List<Reading> rs;
        synchronized (this) {
            rs = new ArrayList<>(readings);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Instant now = clock.instant();
        out.put("generatedAt", now.toString());
        out.put("version", Health.version());
        out.put("uptimeSeconds", (now.toEpochMilli() - started.toEpochMilli()) / 1000);
        out.put("stepSeconds", STEP_SECONDS);
        List<String> failing = health.notReadyBecause();
        List<String> degraded = healthDegraded();
        List<StorageAdmin.DriveStatus> drives = storage == null ? List.of() : storage.drives();
        double[] bounds = bucketBoundsMillis();
        out.put("traffic", traffic(rs, bounds, degraded));
        out.put("capacity", capacity(drives));
        out.put("protection", protection(drives, degraded));
        out.put("hotPrefixes", hotPrefixes());
        out.put("status", status(failing, degraded));
        return out;
    }

    private List<String> healthDegraded() {
        List<String> out = new ArrayList<>();
        try {
            JsonNode detail = JSON.readTree(health.detailJson());
            detail.path("degraded").forEach(n -> out.add(n.asText()));
        } catch (Exception e) {
            out.add("the health report could not be read");
        }
        return out;
    }

    private static Map<String, Object> status(List<String> failing, List<String> degraded) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!failing.isEmpty()) {
            m.put("level", "failing");
            m.put("reasons", failing);
        } else if (!degraded.isEmpty()) {
            m.put("level", "degraded");
            m.put("reasons", degraded);
        } else {
            m.put("level", "healthy");
            m.put("reasons", List.of("every drive is online and the node takes writes"));
        }
        return m;
    }

    private Map<String, Object> traffic(List<Reading> rs, double[] bounds, List<String> degraded) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> series = new ArrayList<>();
        for (int i = 1; i < rs.size(); i++) {
            Reading a = rs.get(i - 1);
            Reading b = rs.get(i);
            double secs = Math.max(0.001, (b.at().toEpochMilli() - a.at().toEpochMilli()) / 1000.0);
            double reqs = sum(b.requestsByOp()) - sum(a.requestsByOp());
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("t", b.at().toEpochMilli());
            p.put("requestsPerSecond", Math.max(0, reqs) / secs);
            Map<String, Double> ops = new TreeMap<>();
            b.requestsByOp().forEach((op, v) -> {
                double d = v - a.requestsByOp().getOrDefault(op, 0.0);
                if (d > 0) {
                    ops.put(op, d / secs);
                }
            });
            p.put("byOperation", ops);
            double errs = (b.requests4xx() + b.requests5xx()) - (a.requests4xx() + a.requests5xx());
            p.put("errorRate", reqs > 0 ? Math.max(0, errs) / reqs : null);
            p.put("serverErrorRate", reqs > 0 ? Math.max(0, b.requests5xx() - a.requests5xx()) / reqs : null);
            p.put("bytesInPerSecond", Math.max(0, b.bytesIn() - a.bytesIn()) / secs);
            p.put("bytesOutPerSecond", Math.max(0, b.bytesOut() - a.bytesOut()) / secs);
            p.put("throttledPerSecond", Math.max(0, b.throttled() - a.throttled()) / secs);
            double[] diff = diff(b.latencyBuckets(), a.latencyBuckets());
            double n = b.latencyCount() - a.latencyCount();
            p.put("p50Millis", quantile(diff, n, bounds, 0.50));
            p.put("p99Millis", quantile(diff, n, bounds, 0.99));
            series.add(p);
        }
        m.put("series", series);
        // The last minute, per operation and error code (what the tables show).
        if (rs.size() >= 2) {
            Reading last = rs.getLast();
            Reading first = rs.get(Math.max(0, rs.size() - 1 - 60 / STEP_SECONDS));
            double secs = Math.max(0.001, (last.at().toEpochMilli() - first.at().toEpochMilli()) / 1000.0);
            List<Map<String, Object>> ops = new ArrayList<>();
            for (var e : last.requestsByOp().entrySet()) {
                double d = e.getValue() - first.requestsByOp().getOrDefault(e.getKey(), 0.0);
                if (d <= 0) {
                    continue;
                }
                Map<String, Object> op = new LinkedHashMap<>();
                op.put("operation", e.getKey());
                op.put("requestsPerSecond", d / secs);
                double[] h = diff(last.latencyByOp().getOrDefault(e.getKey(), new double[0]),
                        first.latencyByOp().getOrDefault(e.getKey(), new double[0]));
                double n = last.countByOp().getOrDefault(e.getKey(), 0.0) - first.countByOp().getOrDefault(e.getKey(), 0.0);
                op.put("p50Millis", quantile(h, n, bounds, 0.50));
                op.put("p99Millis", quantile(h, n, bounds, 0.99));
                ops.add(op);
            }
            ops.sort(Comparator.comparingDouble((Map<String, Object> o) -> (Double) o.get("requestsPerSecond")).reversed());
            m.put("lastMinuteByOperation", ops);
            Reading oldest = rs.getFirst();
            List<Map<String, Object>> codes = new ArrayList<>();
            for (var e : last.errorsByCode().entrySet()) {
                double d = e.getValue() - oldest.errorsByCode().getOrDefault(e.getKey(), 0.0);
                if (d > 0) {
                    codes.add(new LinkedHashMap<>(Map.of("code", e.getKey(), "count", (long) d)));
                }
            }
            codes.sort(Comparator.comparingLong((Map<String, Object> o) -> (Long) o.get("count")).reversed());
            m.put("topErrorCodes", codes.size() > 8 ? codes.subList(0, 8) : codes);
            m.put("errorWindowSeconds", (last.at().toEpochMilli() - oldest.at().toEpochMilli()) / 1000);
        }
        return m;
    }

    private static double sum(Map<String, Double> m) {
        double s = 0;
        for (double v : m.values()) {
            s += v;
        }
        return s;
    }

    private static double[] diff(double[] b, double[] a) {
        double[] d = new double[b.length];
        for (int i = 0; i < b.length; i++) {
            d[i] = Math.max(0, b[i] - (i < a.length ? a[i] : 0));
        }
        return d;
    }

    /**
     * The q-quantile of {@code n} values whose cumulative counts per upper bound are {@code cumulative}:
     * linear within the bucket it falls in; the last bound when it falls beyond it; null without values.
     */
    static Double quantile(double[] cumulative, double n, double[] bounds, double q) {
        if (n <= 0 || cumulative.length == 0 || bounds.length != cumulative.length) {
            return null;
        }
        double rank = q * n;
        double prevCount = 0;
        double prevBound = 0;
        for (int i = 0; i < cumulative.length; i++) {
            if (cumulative[i] >= rank) {
                double inBucket = cumulative[i] - prevCount;
                double frac = inBucket <= 0 ? 1 : (rank - prevCount) / inBucket;
                return prevBound + (bounds[i] - prevBound) * Math.min(1, Math.max(0, frac));
            }
            prevCount = cumulative[i];
            prevBound = bounds[i];
        }
        return bounds[bounds.length - 1];
    }

    private static Map<String, Object> capacity(List<StorageAdmin.DriveStatus> drives) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Map<String, Object>> list = new ArrayList<>();
        Map<String, Map<String, Object>> zones = new TreeMap<>();
        for (StorageAdmin.DriveStatus d : drives) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("id", d.id());
            dm.put("path", d.path());
            dm.put("zone", d.zone());
            dm.put("state", d.state());
            dm.put("reason", d.reason());
            dm.put("usedBytes", d.usedBytes() < 0 ? null : d.usedBytes());
            dm.put("freeBytes", d.freeBytes() < 0 ? null : d.freeBytes());
            dm.put("ioErrors", d.errors());
            list.add(dm);
            Map<String, Object> z = zones.computeIfAbsent(String.valueOf(d.zone()), k -> {
                Map<String, Object> nz = new LinkedHashMap<>();
                nz.put("zone", k);
                nz.put("drives", 0);
                nz.put("online", 0);
                nz.put("usedBytes", 0L);
                nz.put("freeBytes", 0L);
                return nz;
            });
            z.put("drives", (Integer) z.get("drives") + 1);
            if ("online".equals(d.state())) {
                z.put("online", (Integer) z.get("online") + 1);
            }
            if (d.usedBytes() >= 0 && d.freeBytes() >= 0) {
                z.put("usedBytes", (Long) z.get("usedBytes") + d.usedBytes());
                z.put("freeBytes", (Long) z.get("freeBytes") + d.freeBytes());
            }
        }
        m.put("drives", list);
        m.put("zones", new ArrayList<>(zones.values()));
        return m;
    }

    private Map<String, Object> protection(List<StorageAdmin.DriveStatus> drives, List<String> degraded) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("drivesTotal", drives.size());
        m.put("drivesOffline", drives.stream().filter(d -> !"online".equals(d.state())).count());
        m.put("repairsQueued", repairsQueued == null ? null : repairsQueued.get());
        m.put("heal", storage == null ? null : storage.healStatus());
        m.put("scrub", storage == null ? null : storage.scrubStatus());
        m.put("warnings", degraded);
        return m;
    }

    /** The busiest partitions right now (rates over the last second), and any advice about their keys. */
    private List<Map<String, Object>> hotPrefixes() {
        if (budgets == null) {
            return null;
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        List<String> names = bucketNames.get();
        for (String name : names.subList(0, Math.min(names.size(), MAX_BUCKETS_SCANNED))) {
            PartitionReport report = budgets.report(name).orElse(null);
            if (report == null) {
                continue;
            }
            for (PartitionReport.Row r : report.partitions()) {
                double rate = r.readsPerSecond() + r.writesPerSecond();
                if (rate <= 0 && r.throttledReads() + r.throttledWrites() == 0) {
                    continue;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("bucket", name);
                m.put("start", r.start());
                m.put("end", r.end());
                m.put("readsPerSecond", r.readsPerSecond());
                m.put("writesPerSecond", r.writesPerSecond());
                m.put("throttledPerSecond", r.throttledPerSecond());
                m.put("throttledTotal", r.throttledReads() + r.throttledWrites());
                m.put("readBudget", report.readBudget());
                m.put("writeBudget", report.writeBudget());
                m.put("advice", report.advice());
                rows.add(m);
            }
        }
        rows.sort(Comparator.comparingDouble((Map<String, Object> m) ->
                (Double) m.get("readsPerSecond") + (Double) m.get("writesPerSecond")).reversed());
        return rows.size() > 10 ? new ArrayList<>(rows.subList(0, 10)) : rows;
    }
}
