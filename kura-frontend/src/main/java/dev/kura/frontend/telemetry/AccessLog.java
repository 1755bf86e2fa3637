package dev.kura.frontend.telemetry;

import dev.kura.common.JsonWriter;
import dev.kura.frontend.http.Exchange;
import dev.kura.frontend.http.RequestInfo;
import dev.kura.frontend.http.RequestInfo.Phase;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;

/**
 * One JSON line per request (format and fields: docs/telemetry.md). Built only from what the
 * request turned out to be ({@link RequestInfo}) and a few head fields chosen one by one — never
 * the path, query string or headers wholesale — so no signature, credential or secret can reach
 * the log: a presigned URL's {@code X-Amz-Signature} lives in the query, which is not logged.
 *
 * <p>With {@code timings} (the access log's debug level) each line also says where the time went:
 * auth, parse, index, storage and response.
 */
public final class AccessLog implements RequestObserver {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Consumer<String> sink;
    private final InstantSource clock;
    private final boolean timings;

    /**
     * @param sink    receives each line (no trailing newline); called on the request's thread
     * @param timings whether lines carry the per-phase timings
     */
    public AccessLog(Consumer<String> sink, InstantSource clock, boolean timings) {
        this.sink = sink;
        this.clock = clock;
        this.timings = timings;
    }

    @Override
    public void completed(Exchange ex, Outcome outcome, long endNanos) {
        sink.accept(line(ex, endNanos, clock.instant(), timings));
    }

    /** The line for a request that ended at {@code endNanos}, which was {@code now} on the wall clock. */
    static String line(Exchange ex, long endNanos, Instant now, boolean timings) {
        RequestInfo info = ex.info();
        long duration = endNanos - info.startNanos();
        JsonWriter json = new JsonWriter()
                .field("time", TIME.format(now.minusNanos(duration)))
                .field("request_id", ex.requestId())
                .field("operation", info.operation())
                .field("method", ex.head().method())
                .field("bucket", info.bucket())
                .field("key", info.key())
                .field("status", info.status())
                .field("error_code", info.errorCode())
                .field("bytes_in", info.bytesIn())
                .field("bytes_out", info.bytesOut())
                .millis("duration_ms", duration);
        if (info.firstByteNanos() != 0) {
            json.millis("ttfb_ms", info.firstByteNanos() - info.startNanos());
        } else {
            json.field("ttfb_ms", (String) null);
        }
        SocketAddress remote = ex.remoteAddress();
        if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
            json.field("client_ip", inet.getAddress().getHostAddress()).field("client_port", inet.getPort());
        } else {
            json.field("client_ip", remote == null ? null : remote.toString()).field("client_port", (String) null);
        }
        json.field("access_key_id", info.accessKeyId())
                .field("principal", info.principal())
                .field("decision", info.decision())
                .field("user_agent", ex.head().header("user-agent"));
        if (timings) {
            json.field("timings", timings(info, endNanos));
        }
        return json.toString();
    }

    private static JsonWriter timings(RequestInfo info, long endNanos) {
        JsonWriter t = new JsonWriter()
                .millis("auth_ms", info.phaseNanos(Phase.AUTH))
                .millis("parse_ms", info.phaseNanos(Phase.PARSE))
                .millis("index_ms", info.phaseNanos(Phase.INDEX))
                .millis("storage_ms", info.phaseNanos(Phase.STORAGE));
        if (info.firstByteNanos() != 0) {
            t.millis("response_ms", endNanos - info.firstByteNanos());
        } else {
            t.field("response_ms", (String) null);
        }
        return t;
    }
}
