package dev.kura.frontend.s3;

import dev.kura.frontend.http.Exchange;
import dev.kura.frontend.http.RequestInfo;
import dev.kura.s3.http.RequestHead;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * An exchange whose answer — success or error — also carries the CORS headers of the request's
 * Origin. They are looked up once, when the answer starts, so a request that fails before its
 * bucket is known still gets them (S3 adds them to error answers too).
 */
final class CorsExchange implements Exchange {
    private final Exchange inner;
    private final Supplier<Map<String, String>> corsHeaders;

    CorsExchange(Exchange inner, Supplier<Map<String, String>> corsHeaders) {
        this.inner = inner;
        this.corsHeaders = corsHeaders;
    }

    private Map<String, String> with(Map<String, String> headers) {
        Map<String, String> cors;
        try {
            cors = corsHeaders.get();
        } catch (RuntimeException e) {
            return headers; // the answer matters more than its CORS headers
        }
        if (cors.isEmpty()) {
            return headers;
        }
        Map<String, String> h = new LinkedHashMap<>(headers);
        cors.forEach(h::putIfAbsent);
        return h;
    }

    @Override
    public RequestHead head() {
        return inner.head();
    }

    @Override
    public String requestId() {
        return inner.requestId();
    }

    @Override
    public RequestInfo info() {
        return inner.info();
    }

    @Override
    public SocketAddress remoteAddress() {
        return inner.remoteAddress();
    }

    @Override
    public InputStream body() {
        return inner.body();
    }

    @Override
    public boolean bodyConsumed() {
        return inner.bodyConsumed();
    }

    @Override
    public void respond(int status, Map<String, String> headers, byte[] body) throws IOException {
        inner.respond(status, with(headers), body);
    }

    @Override
    public void respondStream(int status, Map<String, String> headers, long length, InputStream source) throws IOException {
        inner.respondStream(status, with(headers), length, source);
    }

    @Override
    public OutputStream respondChunked(int status, Map<String, String> headers) throws IOException {
        return inner.respondChunked(status, with(headers));
    }

    @Override
    public boolean responded() {
        return inner.responded();
    }

    @Override
    public void closeAfterResponse() {
        inner.closeAfterResponse();
    }
}
