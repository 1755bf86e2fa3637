package dev.kura.server;

import io.opentelemetry.api.OpenTelemetry;
import java.util.List;
import java.util.function.Consumer;

/**
 * How a node reports what it does (docs/telemetry.md).
 *
 * @param metricsToken     bearer token {@code /metrics} requires; null: open, like the health endpoints
 * @param accessLog        where the JSON access log goes
 * @param accessLogTimings whether access log lines carry per-phase timings (its debug level)
 * @param accessLogSink    when not null, receives the access log lines instead (embedding, tests)
 * @param metricsBuckets   buckets that always get metric series of their own
 * @param topBuckets       how many more buckets may earn series of their own by traffic
 * @param openTelemetry    when not null, one span per S3 request is created through it; Kura
 *                         configures no exporter of its own
 */
public record TelemetryConfig(String metricsToken, AccessLogTarget accessLog, boolean accessLogTimings,
                              Consumer<String> accessLogSink, List<String> metricsBuckets, int topBuckets,
                              OpenTelemetry openTelemetry) {
    /** Where access log lines go. */
    public enum AccessLogTarget {
        /** The server's standard output (the terminal stream it was started with). */
        STDOUT,
        /** {@code <data>/logs/access.log}, rotated by size. */
        FILE,
        OFF
    }

    public static final int DEFAULT_TOP_BUCKETS = 20;

    public TelemetryConfig {
        metricsBuckets = List.copyOf(metricsBuckets);
        if (metricsToken != null && metricsToken.isBlank()) {
            throw new IllegalArgumentException("the metrics token must not be blank");
        }
        if (topBuckets < 0) {
            throw new IllegalArgumentException("topBuckets < 0");
        }
    }

    /** Metrics open, no access log, no tracing: what an embedded server (tests) gets unless it asks. */
    public static TelemetryConfig defaults() {
        return new TelemetryConfig(null, AccessLogTarget.OFF, false, null, List.of(), DEFAULT_TOP_BUCKETS, null);
    }

    public TelemetryConfig withMetricsToken(String token) {
        return new TelemetryConfig(token, accessLog, accessLogTimings, accessLogSink, metricsBuckets, topBuckets, openTelemetry);
    }

    public TelemetryConfig withAccessLog(AccessLogTarget target, boolean timings) {
        return new TelemetryConfig(metricsToken, target, timings, accessLogSink, metricsBuckets, topBuckets, openTelemetry);
    }

    public TelemetryConfig withAccessLogSink(Consumer<String> sink, boolean timings) {
        return new TelemetryConfig(metricsToken, accessLog, timings, sink, metricsBuckets, topBuckets, openTelemetry);
    }

    public TelemetryConfig withBuckets(List<String> optIn, int top) {
        return new TelemetryConfig(metricsToken, accessLog, accessLogTimings, accessLogSink, optIn, top, openTelemetry);
    }

    public TelemetryConfig withOpenTelemetry(OpenTelemetry otel) {
        return new TelemetryConfig(metricsToken, accessLog, accessLogTimings, accessLogSink, metricsBuckets, topBuckets, otel);
    }

    @Override
    public String toString() {
        // never print the token
        return "TelemetryConfig[metricsToken=" + (metricsToken == null ? "none" : "set") + ", accessLog=" + accessLog
                + ", accessLogTimings=" + accessLogTimings + ", metricsBuckets=" + metricsBuckets
                + ", topBuckets=" + topBuckets + ", tracing=" + (openTelemetry != null) + "]";
    }
}
