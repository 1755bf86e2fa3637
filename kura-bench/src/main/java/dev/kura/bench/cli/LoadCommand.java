package dev.kura.bench.cli;

import dev.kura.bench.load.BenchConfig;
import dev.kura.bench.load.Endpoint;
import dev.kura.bench.load.PayloadMode;
import dev.kura.bench.load.Run;
import dev.kura.bench.load.SizeSpec;
import dev.kura.bench.load.Workload;
import dev.kura.bench.report.RunReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** {@code kura bench WORKLOAD ...}: the load generator. */
@Command(name = "kura bench", mixinStandardHelpOptions = true, version = "kura bench 0.1.0", sortOptions = false,
        usageHelpAutoWidth = true,
        description = {
            "Load generator for any S3 endpoint (Kura or not). Signs its own requests (SigV4) over a lean "
                + "HTTP/1.1 client, one keep-alive connection per worker, and reports ops/s, MiB/s, latency "
                + "percentiles, errors by code (503 SlowDown apart) and its own CPU use. It stops by itself.",
            "",
            "WORKLOAD is put, get, mixed, list or multipart."},
        footer = {
            "",
            "Sizes: 512, 4KiB, 64MiB, 5GiB (B, KiB, MiB, GiB; KB, MB mean the same powers of two). A range "
                + "such as 4KiB-1MiB draws each object's size log-uniformly from it.",
            "get, mixed and list first upload --objects objects (not measured). Every key lives under "
                + "<run id>/, deleted afterwards unless --no-cleanup.",
            "Credentials: --access-key/--secret-key, else KURA_ACCESS_KEY/KURA_SECRET_KEY, else "
                + "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.",
            "With --json the last line printed is one JSON object: ops, ops_per_s, mib_per_s, p50_ms, p90_ms, "
                + "p99_ms, max_ms, errors, slowdowns, errors_by_code, client_cpu_cores, by_op, ...",
            "",
            "Other commands:",
            "  kura bench limits           machine limits: loopback TCP, disk, MD5, SHA-256",
            "  kura bench jfr-summary F    top frames of a JFR recording F",
            "  kura bench jmh [ARGS]       the JMH micro-benchmarks",
            "  kura bench compare-report D tables from scripts/bench-compare.sh results",
            "",
            "Examples:",
            "  kura bench put --endpoint http://127.0.0.1:9000 --size 4KiB \\",
            "                 --concurrency 16 --duration 10 --json",
            "  kura bench mixed --size 16KiB --duration 30 --hostile 1000",
            "                 (under attack; compare with the same run without --hostile)"})
public final class LoadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "WORKLOAD", description = "put, get, mixed, list or multipart")
    Workload workload;

    @Option(names = "--endpoint", paramLabel = "URL", description = "S3 endpoint (default: ${DEFAULT-VALUE})")
    String endpoint = "http://127.0.0.1:9000";

    @Option(names = "--size", paramLabel = "SIZE", description = "object size, or MIN-MAX (default: ${DEFAULT-VALUE})")
    String size = "4KiB";

    @Option(names = {"-c", "--concurrency"}, paramLabel = "N", description = "workers, each with its own connection (default: ${DEFAULT-VALUE})")
    int concurrency = 16;

    @Option(names = {"-d", "--duration"}, paramLabel = "SECONDS", description = "measured seconds, after the warm-up (default: ${DEFAULT-VALUE}); with --ops, the upper bound")
    int duration = 10;

    @Option(names = "--ops", paramLabel = "N", description = "stop after N measured operations (default: run for --duration)")
    long ops;

    @Option(names = "--warmup", paramLabel = "SECONDS", description = "seconds run but not measured (default: ${DEFAULT-VALUE})")
    int warmup = 2;

    @Option(names = "--prefixes", paramLabel = "N", description = "spread keys over N prefixes (key ranges) (default: ${DEFAULT-VALUE})")
    int prefixes = 1;

    @Option(names = "--objects", paramLabel = "N", description = "objects prepared for get/mixed/list (default: list 10000; get/mixed up to 256 MiB worth, between N workers and 1000)")
    int objects;

    @Option(names = "--prepare-concurrency", paramLabel = "N", description = "workers uploading the prepared objects (default: --concurrency, between 16 and 64)")
    int prepareConcurrency;

    @Option(names = "--mix", paramLabel = "SHARES", description = "mixed workload shares (default: ${DEFAULT-VALUE})")
    String mix = BenchConfig.Mix.DEFAULT.toString();

    @Option(names = "--payload", paramLabel = "MODE", description = "body signing: unsigned (UNSIGNED-PAYLOAD), signed (SHA-256 of the body), streaming (aws-chunked, signed chunks) (default: ${DEFAULT-VALUE})")
    PayloadMode payload = PayloadMode.UNSIGNED;

    @Option(names = "--sign-payload", description = "same as --payload signed")
    boolean signPayload;

    @Option(names = "--chunk-size", paramLabel = "SIZE", description = "aws-chunked chunk size for --payload streaming (default: ${DEFAULT-VALUE})")
    String chunkSize = "64KiB";

    @Option(names = "--max-keys", paramLabel = "N", description = "list page size (default: ${DEFAULT-VALUE})")
    int maxKeys = 1000;

    @Option(names = "--part-size", paramLabel = "SIZE", description = "multipart part size (default: ${DEFAULT-VALUE})")
    String partSize = "8MiB";

    @Option(names = "--parts-in-flight", paramLabel = "N", description = "parts of one multipart upload sent in parallel (default: ${DEFAULT-VALUE})")
    int partsInFlight = 1;

    @Option(names = "--bucket", paramLabel = "NAME", description = "bucket, created when missing (default: ${DEFAULT-VALUE})")
    String bucket = "kura-bench";

    @Option(names = "--region", paramLabel = "NAME", description = "SigV4 region (default: ${DEFAULT-VALUE})")
    String region = "us-east-1";

    @Option(names = "--access-key", paramLabel = "KEY", description = "access key id")
    String accessKey;

    @Option(names = "--secret-key", paramLabel = "KEY", description = "secret access key")
    String secretKey;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "connect/read timeout per request (default: ${DEFAULT-VALUE})")
    int timeout = 60;

    @Option(names = "--no-cleanup", description = "keep the run's objects")
    boolean noCleanup;

    @Option(names = "--run-id", paramLabel = "ID", description = "key prefix of this run (default: kb-<time>-<random>)")
    String runId;

    @Option(names = "--seed", paramLabel = "N", description = "seed of payloads and choices (default: ${DEFAULT-VALUE})")
    long seed = 42;

    @Option(names = "--timeseries", paramLabel = "FILE", description = "write one JSON line per second (warm-up included, marked)")
    Path timeseries;

    @Option(names = "--server-pid", paramLabel = "PID", description = "a server process on this machine: report its CPU and peak RSS during the measured window")
    long serverPid;

    @Option(names = "--label", paramLabel = "TEXT", description = "a name carried into the JSON line (e.g. the server's)")
    String label;

    @Option(names = "--hostile", paramLabel = "N",
            description = "also run N hostile clients on raw sockets during the whole run: half slowloris heads, a sixth "
                    + "slow body senders, a third GETs of 32 MiB never read; each reconnects when cut off (default: 0). "
                    + "Compare with the same run without it")
    int hostile;

    @Option(names = "--json", description = "print one JSON object as the last line")
    boolean json;

    private final PrintStream out;

    LoadCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        BenchConfig config = config();
        Run.Result result;
        if (hostile > 0) {
            try (dev.kura.bench.load.Hostiles h = dev.kura.bench.load.Hostiles.start(config, hostile, out)) {
                result = Run.execute(config, out);
                out.println(h.summary());
            }
        } else {
            result = Run.execute(config, out);
        }
        out.print(RunReport.table(result));
        if (json) {
            out.println(RunReport.json(result));
        }
        out.flush();
        return 0;
    }

    BenchConfig config() {
        String ak = firstNonBlank(accessKey, System.getenv("KURA_ACCESS_KEY"), System.getenv("AWS_ACCESS_KEY_ID"));
        String sk = firstNonBlank(secretKey, System.getenv("KURA_SECRET_KEY"), System.getenv("AWS_SECRET_ACCESS_KEY"));
        if (ak == null || sk == null) {
            throw new ParameterException(spec.commandLine(),
                    "no credentials: set KURA_ACCESS_KEY and KURA_SECRET_KEY, or pass --access-key and --secret-key");
        }
        if (concurrency < 1 || duration < 1 || warmup < 0 || prefixes < 1 || maxKeys < 1 || partsInFlight < 1) {
            throw new ParameterException(spec.commandLine(),
                    "--concurrency, --duration, --prefixes, --max-keys, --parts-in-flight must be >= 1, --warmup >= 0");
        }
        try {
            SizeSpec sizes = SizeSpec.parse(size);
            long part = SizeSpec.parseBytes(partSize);
            long chunk = SizeSpec.parseBytes(chunkSize);
            if (part < 1 || chunk < 1 || chunk > (16 << 20)) {
                throw new IllegalArgumentException("--part-size must be >= 1 and --chunk-size between 1 B and 16 MiB");
            }
            String id = runId != null ? runId : "kb-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
                    + "-" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
            return new BenchConfig(workload, Endpoint.parse(endpoint), bucket, ak, sk, region, sizes, concurrency, duration,
                    ops, warmup, prefixes, objects, signPayload ? PayloadMode.SIGNED : payload, (int) chunk,
                    BenchConfig.Mix.parse(mix), maxKeys, part, partsInFlight, timeout, !noCleanup, id, timeseries, seed,
                    serverPid, label, prepareConcurrency);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
