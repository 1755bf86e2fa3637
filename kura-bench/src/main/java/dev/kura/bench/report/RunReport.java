package dev.kura.bench.report;

import dev.kura.common.JsonWriter;

import dev.kura.bench.load.BenchConfig;
import dev.kura.bench.load.Run;
import dev.kura.bench.load.Stats;
import dev.kura.bench.load.Workload;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Renders a run's result: a table for people and one JSON line for scripts. */
public final class RunReport {
    private RunReport() {
    }

    public static String table(Run.Result r) {
        BenchConfig c = r.config();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "kura bench %s  %s  bucket %s  size %s  concurrency %d  %.1f s measured"
                        + " (+%d s warm-up)  payload %s%s%n",
                c.workload().label(), c.endpoint(), c.bucket(), c.size(), c.concurrency(), r.windowSeconds(),
                c.warmupSeconds(), c.payload().label(), c.prefixes() > 1 ? "  prefixes " + c.prefixes() : ""));
        sb.append(String.format(Locale.ROOT, "%-9s %9s %10s %9s %9s %9s %9s %9s%n",
                "op", "ops", "ops/s", "MiB/s", "p50 ms", "p90 ms", "p99 ms", "max ms"));
        Stats.Interval t = r.total();
        double s = Math.max(r.windowSeconds(), 1e-9);
        for (Map.Entry<Stats.Op, Long> e : t.ops().entrySet()) {
            if (e.getValue() == 0) {
                continue;
            }
            Histogram h = t.latencies().get(e.getKey());
            sb.append(row(e.getKey().name(), e.getValue(), e.getValue() / s, Double.NaN, h));
        }
        sb.append(row("total", t.totalOps(), t.totalOps() / s, t.bytes() / s / (1 << 20), r.latencies()));
        if (c.workload() == Workload.LIST) {
            sb.append(String.format(Locale.ROOT, "keys listed: %d (%.0f keys/s, %d prepared)%n", t.items(),
                    t.items() / s, r.prepared()));
        }
        sb.append("errors: ").append(t.errors().isEmpty() ? "none" : t.errors().toString())
                .append("   SlowDown (503): ").append(t.slowdowns()).append('\n');
        sb.append(String.format(Locale.ROOT, "generator CPU: %.2f cores (%.0f%% of %d)%n", r.cpuSeconds() / s,
                100 * r.cpuSeconds() / s / Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().availableProcessors()));
        if (c.serverPid() > 0) {
            sb.append(String.format(Locale.ROOT, "server (pid %d): CPU %.2f cores, peak RSS %.0f MiB%n", c.serverPid(),
                    r.serverCpuSeconds() / s, r.serverRssMaxMib()));
        }
        return sb.toString();
    }

    private static String row(String name, long ops, double opsPerS, double mibPerS, Histogram h) {
        return String.format(Locale.ROOT, "%-9s %9d %10.1f %9s %9.2f %9.2f %9.2f %9.2f%n", name, ops, opsPerS,
                Double.isNaN(mibPerS) ? "" : String.format(Locale.ROOT, "%.1f", mibPerS),
                ms(h, 50), ms(h, 90), ms(h, 99), h.getMaxValue() / 1000.0);
    }

    private static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }

    public static String json(Run.Result r) {
        BenchConfig c = r.config();
        Stats.Interval t = r.total();
        double s = Math.max(r.windowSeconds(), 1e-9);
        Histogram all = r.latencies();
        JsonWriter j = new JsonWriter();
        if (c.label() != null) {
            j.field("label", c.label());
        }
        j.field("workload", c.workload().label())
                .field("endpoint", c.endpoint().toString())
                .field("bucket", c.bucket())
                .field("size", c.size().toString())
                .field("size_min", c.size().min())
                .field("size_max", c.size().max())
                .field("concurrency", c.concurrency())
                .field("prefixes", c.prefixes())
                .field("payload", c.payload().label())
                .field("warmup_s", c.warmupSeconds())
                .field("duration_s", r.windowSeconds())
                .field("ops", t.totalOps())
                .field("ops_per_s", t.totalOps() / s)
                .field("mib_per_s", t.bytes() / s / (1 << 20))
                .field("bytes", t.bytes())
                .field("mean_ms", all.getTotalCount() == 0 ? 0 : all.getMean() / 1000.0)
                .field("p50_ms", ms(all, 50))
                .field("p90_ms", ms(all, 90))
                .field("p99_ms", ms(all, 99))
                .field("max_ms", all.getMaxValue() / 1000.0)
                .field("errors", t.totalErrors())
                .field("slowdowns", t.slowdowns())
                .counts("errors_by_code", t.errors())
                .field("client_cpu_cores", r.cpuSeconds() / s)
                .field("prepared_objects", r.prepared());
        if (c.serverPid() > 0) {
            j.field("server_cpu_cores", r.serverCpuSeconds() / s).field("server_rss_max_mib", r.serverRssMaxMib());
        }
        if (c.workload() == Workload.LIST) {
            j.field("keys", t.items()).field("keys_per_s", t.items() / s);
        }
        if (c.workload() == Workload.MIXED) {
            j.field("mix", c.mix().toString());
        }
        JsonWriter byOp = new JsonWriter();
        for (Map.Entry<Stats.Op, Long> e : t.ops().entrySet()) {
            if (e.getValue() > 0) {
                Histogram h = t.latencies().get(e.getKey());
                byOp.field(e.getKey().name().toLowerCase(Locale.ROOT), new JsonWriter()
                        .field("ops", e.getValue())
                        .field("ops_per_s", e.getValue() / s)
                        .field("p50_ms", ms(h, 50))
                        .field("p99_ms", ms(h, 99))
                        .field("max_ms", h.getMaxValue() / 1000.0));
            }
        }
        return j.field("by_op", byOp).field("run_id", c.runId()).toString();
    }
}
