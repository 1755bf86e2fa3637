package dev.kura.bench.load;

import dev.kura.bench.http.HttpConn.Progress;
import dev.kura.bench.http.HttpConn.Response;
import dev.kura.common.JsonWriter;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * One run: create the bucket, prepare objects, start the workers, harvest the stats once a second
 * (the first {@code warmup} seconds are discarded), stop at the deadline or the operation count,
 * abort whatever is still in flight, and clean up. It always ends by itself: in-flight requests
 * are cut at the deadline plus a short grace, and every socket has a read timeout.
 */
public final class Run {
    private static final long STOP_GRACE_MILLIS = 2_000;

    /** Tells workers whether to go on; in count mode, hands out the measured operations. */
    static final class Control {
        private final long opsLimit;
        private final AtomicLong claimed = new AtomicLong();
        private volatile boolean stop;
        private volatile boolean measuring;

        Control(long opsLimit, boolean measuring) {
            this.opsLimit = opsLimit;
            this.measuring = measuring; // without a warm-up, the very first operation counts
        }

        boolean next() {
            if (stop) {
                return false;
            }
            return opsLimit <= 0 || !measuring || claimed.incrementAndGet() <= opsLimit;
        }

        boolean stopped() {
            return stop;
        }
    }

    /**
     * What a run measured.
     *
     * @param windowSeconds the measured time (the warm-up excluded)
     * @param cpuSeconds    this process's CPU time during the measured window
     */
    public record Result(BenchConfig config, Stats.Interval total, double windowSeconds, double cpuSeconds,
                         int prepared, long cleaned, double serverCpuSeconds, double serverRssMaxMib) {
        public Histogram latencies() {
            return total.allLatencies();
        }
    }

    private final BenchConfig config;
    private final PrintStream log;
    private final Payload payload;

    private Run(BenchConfig config, PrintStream log) {
        this.config = config;
        this.log = log;
        long biggestBody = config.workload() == Workload.MULTIPART
                ? Math.min(config.size().max(), config.partSize()) : config.size().max();
        this.payload = new Payload(biggestBody, config.seed());
    }

    public static Result execute(BenchConfig config, PrintStream log) throws IOException, InterruptedException {
        return new Run(config, log).execute();
    }

    private Result execute() throws IOException, InterruptedException {
        try (S3Client admin = client()) {
            ensureBucket(admin);
            Prepared prepared = prepare();
            Stats stats = new Stats();
            Control control = new Control(config.ops(), config.warmupSeconds() == 0);
            List<S3Client> clients = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(config.concurrency());
            try {
                for (int i = 0; i < config.concurrency(); i++) {
                    S3Client c = client();
                    clients.add(c);
                    List<S3Client> parts = new ArrayList<>();
                    if (config.workload() == Workload.MULTIPART && config.partsInFlight() > 1) {
                        for (int p = 0; p < config.partsInFlight(); p++) {
                            parts.add(client());
                        }
                        clients.addAll(parts);
                    }
                    Worker w = new Worker(i, config, c, parts, stats, prepared, control);
                    Thread.ofVirtual().name("bench-worker-" + i).start(() -> {
                        try {
                            w.run();
                        } finally {
                            done.countDown();
                        }
                    });
                }
                Measured m = sample(stats, control, done);
                control.stop = true;
                if (!done.await(STOP_GRACE_MILLIS, TimeUnit.MILLISECONDS)) {
                    clients.forEach(S3Client::abort); // cut requests still in flight at the deadline
                    done.await(config.timeoutSeconds() + 5L, TimeUnit.SECONDS);
                }
                long cleaned = 0;
                if (config.cleanup()) {
                    try {
                        cleaned = Cleanup.deleteRun(admin, Keys.runPrefix(config.runId()), log);
                    } catch (IOException e) {
                        log.println("cleanup failed: " + e); // the measurement stands; the objects stay
                    }
                }
                return new Result(config, m.total, m.seconds, m.cpuSeconds, prepared.size(), cleaned,
                        m.serverCpuSeconds, m.serverRssMaxMib);
            } finally {
                control.stop = true;
                clients.forEach(S3Client::close);
            }
        }
    }

    private record Measured(Stats.Interval total, double seconds, double cpuSeconds, double serverCpuSeconds,
                            double serverRssMaxMib) {
    }

    /** The sampler: one harvest per second; decides the warm-up, the measured window and the end. */
    private Measured sample(Stats stats, Control control, CountDownLatch done) throws IOException, InterruptedException {
        BufferedWriter series = config.timeseries() == null ? null : Files.newBufferedWriter(config.timeseries());
        try {
            Stats.Interval total = Stats.Interval.empty();
            long start = System.nanoTime();
            long measureStart = start;
            long cpuStart = processCpuNanos();
            ServerProbe probe = config.serverPid() > 0 ? new ServerProbe(config.serverPid()) : null;
            if (config.warmupSeconds() == 0) {
                if (probe != null) {
                    probe.start();
                }
            }
            int end = config.warmupSeconds() + config.durationSeconds();
            for (int tick = 1; tick <= end; tick++) {
                long due = start + TimeUnit.SECONDS.toNanos(tick);
                boolean finished = done.await(Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS);
                long now = System.nanoTime();
                Stats.Interval interval = stats.harvest();
                boolean warm = tick <= config.warmupSeconds();
                double length = (now - Math.max(start + TimeUnit.SECONDS.toNanos(tick - 1), measureStart)) / 1e9;
                if (series != null) {
                    series.write(seriesLine(tick, warm, interval, length));
                    series.newLine();
                    series.flush();
                }
                if (warm) {
                    if (tick == config.warmupSeconds()) {
                        control.measuring = true;
                        measureStart = now;
                        cpuStart = processCpuNanos();
                        if (probe != null) {
                            probe.start();
                        }
                    }
                } else {
                    total = total.plus(interval);
                    if (probe != null) {
                        probe.sample();
                    }
                }
                if (finished) {
                    break;
                }
            }
            long now = System.nanoTime();
            return new Measured(total, (now - measureStart) / 1e9, (processCpuNanos() - cpuStart) / 1e9,
                    probe == null ? Double.NaN : probe.cpuSeconds(), probe == null ? Double.NaN : probe.rssMaxMib());
        } finally {
            if (series != null) {
                series.close();
            }
        }
    }

    private static String seriesLine(int tick, boolean warm, Stats.Interval in, double seconds) {
        Histogram h = in.allLatencies();
        double s = Math.max(seconds, 1e-9);
        return new JsonWriter()
                .field("t", tick)
                .field("phase", warm ? "warmup" : "measure")
                .field("ops", in.totalOps())
                .field("ops_per_s", in.totalOps() / s)
                .field("mib_per_s", in.bytes() / s / (1 << 20))
                .field("p50_ms", h.getValueAtPercentile(50) / 1000.0)
                .field("p99_ms", h.getValueAtPercentile(99) / 1000.0)
                .field("max_ms", h.getMaxValue() / 1000.0)
                .field("errors", in.totalErrors())
                .field("slowdowns", in.slowdowns())
                .toString();
    }

    private void ensureBucket(S3Client admin) throws IOException {
        Response r = admin.createBucket();
        if (r.status() == 200) {
            return;
        }
        String code = Worker.errorCode(r);
        if (!code.equals("BucketAlreadyOwnedByYou") && !code.equals("BucketAlreadyExists")) {
            throw new IOException("cannot create bucket " + config.bucket() + ": " + code + " (HTTP " + r.status() + ")");
        }
    }

    /** Uploads the objects get, mixed and list work on; any failure ends the run. */
    private Prepared prepare() throws IOException, InterruptedException {
        int n = config.preparedObjects();
        if (n == 0) {
            return Prepared.none();
        }
        long t0 = System.nanoTime();
        log.printf("preparing %d objects of %s...%n", n, config.size());
        int workers = Math.min(n, config.prepareConcurrency() > 0 ? config.prepareConcurrency()
                : Math.clamp(config.concurrency(), 16, 64));
        AtomicLong next = new AtomicLong();
        List<Prepared.Obj> objects = Collections.synchronizedList(new ArrayList<>(n));
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Void>> results = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                int wid = w;
                results.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(config.seed() ^ (0x9E3779B97F4A7C15L * (wid + 1)));
                    try (S3Client c = client()) {
                        for (long i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                            String key = Keys.prepared(config, i);
                            long size = config.size().next(random);
                            Response r = c.putObject(key, (int) i, size, Progress.NONE);
                            if (r.status() != 200) {
                                throw new IOException("preparing " + key + " failed: " + Worker.errorCode(r));
                            }
                            objects.add(new Prepared.Obj(key, size));
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> f : results) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
                }
            }
        }
        objects.sort(java.util.Comparator.comparing(Prepared.Obj::key));
        log.printf("prepared %d objects in %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
        return new Prepared(objects);
    }

    private S3Client client() {
        return new S3Client(config.endpoint(), config.bucket(), config.accessKey(), config.secretKey(), config.region(),
                config.payload(), payload, config.chunkSize(), (int) TimeUnit.SECONDS.toMillis(config.timeoutSeconds()));
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }
}
