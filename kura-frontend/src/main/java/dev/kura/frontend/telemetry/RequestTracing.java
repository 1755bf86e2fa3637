package dev.kura.frontend.telemetry;

import dev.kura.frontend.http.Exchange;
import dev.kura.frontend.http.RequestInfo;
import dev.kura.frontend.http.RequestInfo.Phase;
import dev.kura.s3.http.RequestHead;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.TimeUnit;

/**
 * One OpenTelemetry span per S3 request, named by the operation, with what the access log knows as
 * attributes (never credentials: no headers are copied) and the per-phase timings as
 * {@code kura.phase.*_ms}. The span is built when the request ends, with its real start time; a
 * {@code traceparent} header the client sent makes it a child of the client's trace. Only used when
 * an {@link OpenTelemetry} is configured — off by default, and Kura itself exports nothing.
 */
public final class RequestTracing implements RequestObserver {
    private static final TextMapGetter<RequestHead> HEADERS = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(RequestHead head) {
            return head.headerNames();
        }

        @Override
        public String get(RequestHead head, String key) {
            return head == null ? null : head.header(key);
        }
    };

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final InstantSource clock;

    public RequestTracing(OpenTelemetry openTelemetry, InstantSource clock) {
        this.tracer = openTelemetry.getTracer("dev.kura.s3");
        this.propagator = openTelemetry.getPropagators().getTextMapPropagator();
        this.clock = clock;
    }

    @Override
    public void completed(Exchange ex, Outcome outcome, long endNanos) {
        RequestInfo info = ex.info();
        Instant now = clock.instant();
        long endEpochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        long startEpochNanos = endEpochNanos - (endNanos - info.startNanos());
        Context parent = propagator.extract(Context.root(), ex.head(), HEADERS);
        Span span = tracer.spanBuilder(info.operation())
                .setParent(parent)
                .setSpanKind(SpanKind.SERVER)
                .setStartTimestamp(startEpochNanos, TimeUnit.NANOSECONDS)
                .setAttribute("http.request.method", ex.head().method())
                .setAttribute("http.response.status_code", info.status())
                .setAttribute("rpc.system", "aws-api")
                .setAttribute("rpc.service", "S3")
                .setAttribute("rpc.method", info.operation())
                .setAttribute("aws.request_id", ex.requestId())
                .setAttribute("kura.outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
                .setAttribute("kura.bytes_in", info.bytesIn())
                .setAttribute("kura.bytes_out", info.bytesOut())
                .startSpan();
        if (info.bucket() != null) {
            span.setAttribute("aws.s3.bucket", info.bucket());
        }
        if (info.key() != null) {
            span.setAttribute("aws.s3.key", info.key());
        }
        for (Phase p : Phase.values()) {
            span.setAttribute("kura.phase." + p.name().toLowerCase(java.util.Locale.ROOT) + "_ms",
                    info.phaseNanos(p) / 1e6);
        }
        if (info.firstByteNanos() != 0) {
            span.setAttribute("kura.ttfb_ms", (info.firstByteNanos() - info.startNanos()) / 1e6);
        }
        if (info.errorCode() != null) {
            span.setAttribute("error.type", info.errorCode());
        }
        if (info.status() >= 500 || info.status() == 0) {
            span.setStatus(StatusCode.ERROR, info.errorCode() == null ? "no response" : info.errorCode());
        }
        span.end(endEpochNanos, TimeUnit.NANOSECONDS);
    }
}
