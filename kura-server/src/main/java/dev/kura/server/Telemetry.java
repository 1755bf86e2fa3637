package dev.kura.server;

import dev.kura.frontend.http.HttpHandler;
import dev.kura.frontend.telemetry.AccessLog;
import dev.kura.frontend.telemetry.MeteredBlobStore;
import dev.kura.frontend.telemetry.ObservedHandler;
import dev.kura.frontend.telemetry.RequestObserver;
import dev.kura.frontend.telemetry.RequestTracing;
import dev.kura.frontend.telemetry.RotatingFileWriter;
import dev.kura.frontend.telemetry.S3Metrics;
import dev.kura.frontend.telemetry.TimedIndex;
import dev.kura.index.ObjectIndex;
import dev.kura.storage.BlobStore;
import dev.kura.storage.local.LocalBlobStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's telemetry, built by the composition root around the components it already has: one
 * meter registry (scraped on the admin port), the request observers (metrics, access log, traces)
 * that decorate the S3 handler, the decorators that time and count the index and storage seams, and
 * the health report. Nothing here is global: two servers in one JVM (tests) have two of everything.
 */
final class Telemetry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Telemetry.class);
    /** Rotation of {@code <data>/logs/access.log}: 64 MiB a file, 5 old files kept. */
    static final long ACCESS_LOG_MAX_BYTES = 64L << 20;
    static final int ACCESS_LOG_KEEP = 5;

    private final TelemetryConfig config;
    private final PrometheusMeterRegistry registry;
    private final List<RequestObserver> observers;
    private final List<AutoCloseable> resources;
    private final ObjectIndex timedIndex;
    private final MeteredBlobStore meteredDrive;
    private final Health health;
    /** What the gauges read from: Micrometer holds it weakly, so it must be held here. */
    private final List<Object> gaugeState;

    private Telemetry(TelemetryConfig config, PrometheusMeterRegistry registry, List<RequestObserver> observers,
                      List<AutoCloseable> resources, ObjectIndex timedIndex, MeteredBlobStore meteredDrive, Health health,
                      List<Object> gaugeState) {
        this.config = config;
        this.registry = registry;
        this.observers = observers;
        this.resources = resources;
        this.timedIndex = timedIndex;
        this.meteredDrive = meteredDrive;
        this.health = health;
        this.gaugeState = gaugeState;
    }

    /**
     * Builds the node's telemetry over its index and storage (the store the object service writes to,
     * and the drives under it, online ones supplied afresh on each read); opens the access log file
     * if asked.
     */
    static Telemetry start(TelemetryConfig config, Path dataDir, PrintStream terminal, InstantSource clock,
                           Instant boot, ObjectIndex index, BlobStore store,
                           java.util.function.Supplier<List<LocalBlobStore>> drives) throws IOException {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        List<AutoCloseable> resources = new ArrayList<>();
        resources.add(ServerMetrics.bindJvm(registry));
        Gauge.builder("kura.build.info", () -> 1).description("Always 1; the version is a label")
                .tag("version", Health.version()).strongReference(true).register(registry);
        List<Object> gaugeState = new ArrayList<>();
        gaugeState.add(ServerMetrics.bindIndex(registry, index));
        for (LocalBlobStore drive : drives.get()) {
            gaugeState.add(ServerMetrics.bindDrive(registry, drive));
        }
        List<RequestObserver> observers = new ArrayList<>();
        observers.add(new S3Metrics(registry, config.metricsBuckets(), config.topBuckets()));
        Consumer<String> sink = accessLogSink(config, dataDir, terminal, resources);
        if (sink != null) {
            observers.add(new AccessLog(sink, clock, config.accessLogTimings()));
        }
        if (config.openTelemetry() != null) {
            observers.add(new RequestTracing(config.openTelemetry(), clock));
        }
        List<LocalBlobStore> atStart = drives.get();
        String label = atStart.size() == 1 ? atStart.getFirst().driveId() : "set";
        MeteredBlobStore metered = new MeteredBlobStore(store, label, registry);
        Health health = new Health(index, store, drives, metered, clock, boot);
        return new Telemetry(config, registry, List.copyOf(observers), resources, TimedIndex.wrap(index, registry),
                metered, health, gaugeState);
    }

    private static Consumer<String> accessLogSink(TelemetryConfig config, Path dataDir, PrintStream terminal,
                                                  List<AutoCloseable> resources) throws IOException {
        if (config.accessLogSink() != null) {
            return config.accessLogSink();
        }
        return switch (config.accessLog()) {
            case OFF -> null;
            case STDOUT -> terminal::println;
            case FILE -> {
                RotatingFileWriter file = new RotatingFileWriter(dataDir.resolve("logs").resolve("access.log"),
                        ACCESS_LOG_MAX_BYTES, ACCESS_LOG_KEEP);
                resources.add(file);
                yield file;
            }
        };
    }

    /** Gauges of the heal and scrub passes (the running or last one) and of the repairs queued by degraded reads. */
    void bindRepairs(StorageAdminService admin) {
        for (String kind : List.of("heal", "scrub")) {
            java.util.function.Supplier<dev.kura.server.admin.StorageAdmin.RepairStatus> st =
                    () -> kind.equals("heal") ? admin.healStatus() : admin.scrubStatus();
            Gauge.builder("kura.repair.running", st, s -> "running".equals(s.get().state()) ? 1 : 0)
                    .description("1 while a pass runs").tag("kind", kind).strongReference(true).register(registry);
            Gauge.builder("kura.repair.checked", st, s -> s.get().checked())
                    .description("Data items the running or last pass examined").tag("kind", kind).strongReference(true)
                    .register(registry);
            Gauge.builder("kura.repair.repaired", st, s -> s.get().repaired())
                    .description("Shards the running or last pass rebuilt").tag("kind", kind).strongReference(true)
                    .register(registry);
            Gauge.builder("kura.repair.failed", st, s -> s.get().failed())
                    .description("Data items the running or last pass could not repair (too few shards, drive offline)")
                    .tag("kind", kind).strongReference(true).register(registry);
        }
        Gauge.builder("kura.repair.queued", admin, StorageAdminService::queuedRepairs)
                .description("Repairs queued by reads that had to rebuild data from parity").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("kura.repair.queue.done", admin,
                        StorageAdminService::queuedRepairsDone)
                .description("Repairs done from that queue").register(registry);
    }

    /** The S3 port's admission control: connections, requests running and waiting, outbound bytes, evictions. */
    void bindFrontEnd(dev.kura.frontend.http.HttpServer s3) {
        Gauge.builder("kura.http.connections", s3, dev.kura.frontend.http.HttpServer::connections)
                .description("Open S3 connections").strongReference(true).register(registry);
        Gauge.builder("kura.http.requests.running", s3, dev.kura.frontend.http.HttpServer::inFlight)
                .description("S3 requests being served (admitted by the waiting room)").strongReference(true)
                .register(registry);
        Gauge.builder("kura.http.requests.waiting", s3, dev.kura.frontend.http.HttpServer::waiting)
                .description("S3 requests waiting in the waiting room for a slot").strongReference(true).register(registry);
        Gauge.builder("kura.http.outbound.bytes", s3, dev.kura.frontend.http.HttpServer::outboundBytes)
                .description("Response bytes charged to the outbound budget (held for clients)").baseUnit("bytes")
                .strongReference(true).register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("kura.http.outbound.evictions", s3,
                        dev.kura.frontend.http.HttpServer::outboundEvictions)
                .description("Connections that stopped reading, closed to free the outbound budget").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("kura.http.penalties", s3,
                        dev.kura.frontend.http.HttpServer::penaltiesImposed)
                .description("Client addresses kept out for a while (evicted non-readers, heads that kept missing "
                        + "their deadline)").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("kura.http.penalty.refusals", s3,
                        dev.kura.frontend.http.HttpServer::penalizedRefusals)
                .description("Connections refused at accept because their address was kept out").register(registry);
    }

    /** Gauges of the sweeper's progress: how much it has removed, and what it still holds back. */
    void bindSweeper(dev.kura.object.Sweeper sweeper) {
        io.micrometer.core.instrument.FunctionCounter.builder("kura.sweeper.removed", sweeper,
                        dev.kura.object.Sweeper::removedTotal)
                .description("Pieces of data (replaced, deleted, abandoned) the sweeper removed").register(registry);
        Gauge.builder("kura.sweeper.backlog", sweeper, dev.kura.object.Sweeper::backlog)
                .description("Pending frees the sweeper's last pass left for later (grace period, active reads)")
                .register(registry);
    }

    /** The index as the object service should see it: timed per request, engine failures counted. */
    ObjectIndex index() {
        return timedIndex;
    }

    /** The drive as the object service should see it: timed per request, I/O errors counted. */
    MeteredBlobStore drive() {
        return meteredDrive;
    }

    /** The S3 handler, observed (metrics, access log, traces). */
    HttpHandler observe(HttpHandler s3) {
        return new ObservedHandler(s3, observers);
    }

    /** The meters themselves (the console's dashboard reads them). */
    io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    Health health() {
        return health;
    }

    /** The Prometheus text exposition of every metric. */
    String scrape() {
        refreshPartitions();
        return registry.scrape();
    }

    private static final int TOP_PARTITIONS = 20;
    private volatile dev.kura.object.PartitionBudgets partitions;
    private volatile io.micrometer.core.instrument.MultiGauge throttledPartitions;

    /**
     * Requests turned away per bucket and partition ({@code kura_partition_throttled_requests}): only the
     * {@value #TOP_PARTITIONS} partitions that throttled most since start, so labels stay bounded.
     */
    void bindPartitions(dev.kura.object.PartitionBudgets budgets) {
        throttledPartitions = io.micrometer.core.instrument.MultiGauge.builder("kura.partition.throttled.requests")
                .description("Requests a partition's budget turned away (503 SlowDown) since start; the "
                        + TOP_PARTITIONS + " partitions that turned away most").register(registry);
        partitions = budgets;
    }

    private void refreshPartitions() {
        dev.kura.object.PartitionBudgets budgets = partitions;
        if (budgets == null) {
            return;
        }
        List<io.micrometer.core.instrument.MultiGauge.Row<?>> rows = new java.util.ArrayList<>();
        budgets.throttled().stream()
                .sorted(java.util.Comparator.comparingLong((dev.kura.object.PartitionReport.Throttled t) ->
                        t.reads() + t.writes()).reversed())
                .limit(TOP_PARTITIONS)
                .forEach(t -> {
                    for (String kind : List.of("read", "write")) {
                        rows.add(io.micrometer.core.instrument.MultiGauge.Row.of(io.micrometer.core.instrument.Tags.of(
                                "bucket", t.bucket(), "partition", Long.toString(t.partition()), "kind", kind),
                                kind.equals("read") ? t.reads() : t.writes()));
                    }
                });
        throttledPartitions.register(rows, true);
    }

    /** The bearer token {@code /metrics} requires, or null when it is open. */
    String metricsToken() {
        return config.metricsToken();
    }

    @Override
    public void close() {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                LOG.debug("closing {}: {}", r, e.toString());
            }
        }
        registry.close();
    }
}
