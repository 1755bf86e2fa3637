package dev.kura.bench.report;

import dev.kura.common.JsonReader;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kura bench compare-report DIR}: turns a {@code scripts/bench-compare.sh} results directory
 * ({@code cells.jsonl}: one generator JSON line per run, labelled by server; {@code limits.json})
 * into the Markdown tables of docs/BENCHMARKS.md, with each Kura figure as a fraction of its limit
 * and the targets checked.
 */
@Command(name = "kura bench compare-report", mixinStandardHelpOptions = true,
        description = "Markdown tables from a bench-compare results directory.")
public final class CompareReport implements Callable<Integer> {
    @Parameters(paramLabel = "DIR", description = "results directory (cells.jsonl, limits.json)")
    Path dir;

    @Option(names = "--subject", description = "label of the server under test (default: ${DEFAULT-VALUE})")
    String subject = "kura";

    @Option(names = "--peer", description = "label of the peer (default: ${DEFAULT-VALUE})")
    String peer = "s3proxy";

    private final PrintStream out;

    public CompareReport(PrintStream out) {
        this.out = out;
    }

    private record Cell(String workload, String size, int concurrency) {
    }

    @Override
    public Integer call() throws Exception {
        Map<String, Object> limits = JsonReader.object(Files.readString(dir.resolve("limits.json")).strip());
        Map<Cell, Map<String, Map<String, Object>>> cells = new LinkedHashMap<>();
        for (String line : Files.readAllLines(dir.resolve("cells.jsonl"))) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> j = JsonReader.object(line);
            Cell c = new Cell((String) j.get("workload"), (String) j.get("size"), num(j, "concurrency").intValue());
            cells.computeIfAbsent(c, k -> new LinkedHashMap<>()).put((String) j.get("label"), j);
        }
        double loopback = num(limits, "loopback_tcp_mib_per_s");
        double putLimit = Math.min(num(limits, "md5_mib_per_s"), num(limits, "disk_write_fsync_mib_per_s"));
        out.printf("| op | size | conc. | %s ops/s | %s MiB/s | %s p50 / p99 ms | %s ops/s | %s MiB/s | %s p50 / p99 ms"
                + " | %s ÷ %s | %s vs its limit |%n", subject, subject, subject, peer, peer, peer, subject, peer, subject);
        out.println("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|");
        List<String> details = new ArrayList<>();
        for (Map.Entry<Cell, Map<String, Map<String, Object>>> e : cells.entrySet()) {
            Cell c = e.getKey();
            Map<String, Object> s = e.getValue().get(subject);
            Map<String, Object> p = e.getValue().get(peer);
            out.printf("| %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |%n", c.workload().toUpperCase(Locale.ROOT),
                    c.workload().equals("list") ? "10,000 keys, pages of 1,000" : c.size(), c.concurrency(),
                    f(s, "ops_per_s", 0), mib(s), lat(s), f(p, "ops_per_s", 0), mib(p), lat(p), ratio(s, p),
                    limitFraction(c, s, loopback, putLimit, num(limits, "fsync_4k_per_s")));
            for (Map<String, Object> r : e.getValue().values()) {
                details.add(String.format(Locale.ROOT, "| %s | %s %s c%d | %s | %s | %s | %s | %s | %s |", r.get("label"),
                        c.workload(), c.size(), c.concurrency(), f(r, "server_cpu_cores", 2), f(r, "client_cpu_cores", 2),
                        f(r, "server_rss_max_mib", 0), f(r, "errors", 0), f(r, "slowdowns", 0),
                        r.get("payload")));
            }
        }
        out.println();
        out.println("| server | cell | server CPU (cores) | generator CPU (cores) | server peak RSS (MiB) | errors | 503 SlowDown | payload |");
        out.println("|---|---|---:|---:|---:|---:|---:|---|");
        details.forEach(out::println);
        out.println();
        verdicts(cells, loopback, putLimit);
        return 0;
    }

    private void verdicts(Map<Cell, Map<String, Map<String, Object>>> cells, double loopback, double putLimit) {
        out.println("| target | measured | verdict |");
        out.println("|---|---|---|");
        double bestGet = best(cells, "get", "64MiB", "mib_per_s");
        if (bestGet > 0) {
            verdict("64 MiB GET ≥ 60% of loopback TCP (" + fmt(loopback, 0) + " MiB/s)",
                fmt(bestGet, 0) + " MiB/s = " + pct(bestGet / loopback), bestGet >= 0.6 * loopback);
        }
        double bestPut = best(cells, "put", "64MiB", "mib_per_s");
        if (bestPut > 0) {
            verdict("64 MiB PUT ≥ 70% of min(MD5, fsync'd disk write) (" + fmt(putLimit, 0) + " MiB/s)",
                fmt(bestPut, 0) + " MiB/s = " + pct(bestPut / putLimit), bestPut >= 0.7 * putLimit);
        }
        for (String w : List.of("put", "get")) {
            Map<String, Map<String, Object>> c = cells.get(new Cell(w, "4KiB", 16));
            if (c != null && c.get(subject) != null && c.get(peer) != null) {
                double r = num(c.get(subject), "ops_per_s") / num(c.get(peer), "ops_per_s");
                verdict("4 KiB " + w.toUpperCase(Locale.ROOT) + " c16 ≥ 2× " + peer + " ops/s",
                        fmt(r, 2) + "×", r >= 2);
            }
        }
        Map<String, Map<String, Object>> g = cells.get(new Cell("get", "4KiB", 1));
        if (g != null && g.get(subject) != null) {
            double p99 = num(g.get(subject), "p99_ms");
            verdict("4 KiB GET c1 p99 < 5 ms", fmt(p99, 2) + " ms", p99 < 5);
        }
    }

    private double best(Map<Cell, Map<String, Map<String, Object>>> cells, String w, String size, String field) {
        double best = 0;
        for (Map.Entry<Cell, Map<String, Map<String, Object>>> e : cells.entrySet()) {
            if (e.getKey().workload().equals(w) && e.getKey().size().equals(size) && e.getValue().get(subject) != null) {
                best = Math.max(best, num(e.getValue().get(subject), field));
            }
        }
        return best;
    }

    private void verdict(String target, String measured, boolean met) {
        out.printf("| %s | %s | %s |%n", target, measured, met ? "met" : "**missed**");
    }

    private static String limitFraction(Cell c, Map<String, Object> s, double loopback, double putLimit, double fsyncs) {
        if (s == null) {
            return "";
        }
        boolean large = c.size().endsWith("MiB") || c.size().endsWith("GiB");
        if (c.workload().equals("get") && large) {
            return pct(num(s, "mib_per_s") / loopback) + " of loopback TCP";
        }
        if (c.workload().equals("put") && large) {
            return pct(num(s, "mib_per_s") / putLimit) + " of min(MD5, disk+fsync)";
        }
        if (c.workload().equals("put")) {
            return fmt(num(s, "ops_per_s") / fsyncs, 2) + "× the serial 4 KiB fsync rate";
        }
        return "";
    }

    private String ratio(Map<String, Object> s, Map<String, Object> p) {
        if (s == null || p == null || num(p, "ops_per_s") == 0) {
            return "";
        }
        return fmt(num(s, "ops_per_s") / num(p, "ops_per_s"), 2) + "×";
    }

    private static String mib(Map<String, Object> r) {
        return r == null ? "" : r.get("workload").equals("list") ? f(r, "keys_per_s", 0) + " keys/s" : f(r, "mib_per_s", 1);
    }

    private static String lat(Map<String, Object> r) {
        return r == null ? "" : f(r, "p50_ms", 2) + " / " + f(r, "p99_ms", 2);
    }

    private static String f(Map<String, Object> r, String field, int decimals) {
        if (r == null || r.get(field) == null) {
            return "";
        }
        return fmt(num(r, field), decimals);
    }

    private static Double num(Map<String, Object> r, String field) {
        return r.get(field) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String fmt(double v, int decimals) {
        return String.format(Locale.ROOT, "%,." + decimals + "f", v);
    }

    private static String pct(double v) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * v);
    }
}
