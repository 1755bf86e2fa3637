package dev.kura.frontend.telemetry;

import dev.kura.frontend.http.Exchange;
import dev.kura.frontend.http.RequestInfo;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The S3 request metrics (list and meaning: docs/telemetry.md). Every label has a bounded set of
 * values: operations are AWS's names, status is a class (2xx…5xx), error codes come from the error
 * catalogue, and buckets are capped by {@link BucketSeries}. As a guard against a handler bug, an
 * operation or error code beyond {@value #MAX_LABEL_VALUES} distinct values is counted as
 * {@code _other}.
 *
 * <p>Meters are looked up once per label combination and cached, so a request costs a few map reads
 * and atomic adds.
 */
public final class S3Metrics implements RequestObserver {
    static final int MAX_LABEL_VALUES = 256;
    /** Latency histogram buckets, 1 ms to 60 s: fine where S3 requests usually are, coarse beyond. */
    static final Duration[] LATENCY_BUCKETS = {
        ms(1), ms(2.5), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500),
        ms(1000), ms(2500), ms(5000), ms(10_000), ms(30_000), ms(60_000)};

    private final MeterRegistry registry;
    private final BucketSeries buckets;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Counter rejected;
    private final Map<String, PerOperation> operations = new ConcurrentHashMap<>();
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Map<String, PerBucket> perBucket = new ConcurrentHashMap<>();

    private record PerOperation(Timer duration, Timer firstByte, Counter bytesIn, Counter bytesOut) {
    }

    private record PerBucket(Counter requests, Counter bytesIn, Counter bytesOut) {
    }

    /**
     * @param optInBuckets buckets that always get series of their own
     * @param topBuckets   how many more buckets may earn their own series by traffic
     */
    public S3Metrics(MeterRegistry registry, Collection<String> optInBuckets, int topBuckets) {
        this(registry, new BucketSeries(optInBuckets, topBuckets, 100));
    }

    S3Metrics(MeterRegistry registry, BucketSeries buckets) {
        this.registry = registry;
        this.buckets = buckets;
        Gauge.builder("kura.s3.requests.in.flight", inFlight, AtomicInteger::get)
                .description("S3 requests being served now").register(registry);
        rejected = Counter.builder("kura.s3.requests.rejected")
                .description("S3 requests turned away by admission control (503 SlowDown)").register(registry);
    }

    @Override
    public void started(Exchange ex) {
        inFlight.incrementAndGet();
    }

    @Override
    public void completed(Exchange ex, Outcome outcome, long endNanos) {
        if (outcome == Outcome.SERVED) {
            inFlight.decrementAndGet();
        } else if (outcome == Outcome.REJECTED) {
            rejected.increment();
        }
        RequestInfo info = ex.info();
        String operation = bounded(operations, info.operation());
        String statusClass = statusClass(info.status());
        requests.computeIfAbsent(operation + ' ' + statusClass, k -> Counter.builder("kura.s3.requests")
                .description("S3 requests by operation and status class")
                .tag("operation", operation).tag("status_class", statusClass).register(registry)).increment();
        PerOperation op = operations.computeIfAbsent(operation, this::perOperation);
        op.duration().record(endNanos - info.startNanos(), TimeUnit.NANOSECONDS);
        if (info.firstByteNanos() != 0) {
            op.firstByte().record(info.firstByteNanos() - info.startNanos(), TimeUnit.NANOSECONDS);
        }
        op.bytesIn().increment(info.bytesIn());
        op.bytesOut().increment(info.bytesOut());
        if (info.errorCode() != null) {
            String code = bounded(errors, info.errorCode());
            errors.computeIfAbsent(code, c -> Counter.builder("kura.s3.errors")
                    .description("S3 error responses by S3 error code").tag("code", c).register(registry)).increment();
        }
        String bucket = buckets.label(info.bucket(), info.status() >= 200 && info.status() < 400);
        if (bucket != null) {
            PerBucket b = perBucket.computeIfAbsent(bucket, this::perBucket);
            b.requests().increment();
            b.bytesIn().increment(info.bytesIn());
            b.bytesOut().increment(info.bytesOut());
        }
    }

    private PerOperation perOperation(String operation) {
        return new PerOperation(
                Timer.builder("kura.s3.request.duration")
                        .description("S3 request latency, from the request head to the last response byte")
                        .tag("operation", operation).serviceLevelObjectives(LATENCY_BUCKETS).register(registry),
                Timer.builder("kura.s3.time.to.first.byte")
                        .description("S3 request latency to the response head (time to first byte)")
                        .tag("operation", operation).serviceLevelObjectives(LATENCY_BUCKETS).register(registry),
                Counter.builder("kura.s3.bytes.received")
                        .description("Request body bytes received, as sent (aws-chunked framing included)")
                        .tag("operation", operation).register(registry),
                Counter.builder("kura.s3.bytes.sent")
                        .description("Response body bytes sent").tag("operation", operation).register(registry));
    }

    private PerBucket perBucket(String bucket) {
        return new PerBucket(
                Counter.builder("kura.s3.bucket.requests").description("S3 requests by bucket (bounded set)")
                        .tag("bucket", bucket).register(registry),
                Counter.builder("kura.s3.bucket.bytes.received").description("Request body bytes by bucket (bounded set)")
                        .tag("bucket", bucket).register(registry),
                Counter.builder("kura.s3.bucket.bytes.sent").description("Response body bytes by bucket (bounded set)")
                        .tag("bucket", bucket).register(registry));
    }

    /** The value itself while the label has fewer than the limit of values, else {@code _other}. */
    private static String bounded(Map<String, ?> seen, String value) {
        return seen.containsKey(value) || seen.size() < MAX_LABEL_VALUES ? value : BucketSeries.OTHER;
    }

    static String statusClass(int status) {
        return status >= 100 && status < 600 ? (status / 100) + "xx" : "none";
    }

    private static Duration ms(double millis) {
        return Duration.ofNanos((long) (millis * 1_000_000));
    }
}
