package dev.kura.frontend.s3;

import dev.kura.frontend.http.Exchange;
import dev.kura.frontend.http.RequestInfo;
import dev.kura.s3.http.RequestHead;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.util.Map;
import java.util.Objects;

/**
 * An S3 request whose signer another door already established — the web console's session — as the
 * {@link S3Handler#authenticatedDoor()} takes it: the head to route (rewritten by that door), the
 * access key whose principal it runs as, and the underlying exchange for the body and the response.
 * The body is taken as sent (an unsigned payload; checksums and Content-MD5 still apply).
 */
public final class AuthenticatedExchange implements Exchange {
    private final Exchange inner;
    private final RequestHead head;
    private final String accessKeyId;
    private final Map<String, String> extraHeaders;

    /**
     * @param extraHeaders added to every response (the console's: a sandboxing CSP, so an object served
     *                     on the console's origin can never run script there); they win over the handler's
     */
    public AuthenticatedExchange(Exchange inner, RequestHead head, String accessKeyId, Map<String, String> extraHeaders) {
        this.inner = Objects.requireNonNull(inner, "inner");
        this.head = Objects.requireNonNull(head, "head");
        this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
        this.extraHeaders = Map.copyOf(extraHeaders);
    }

    private Map<String, String> with(Map<String, String> headers) {
        if (extraHeaders.isEmpty()) {
            return headers;
        }
        Map<String, String> all = new java.util.LinkedHashMap<>(headers);
        all.keySet().removeIf(k -> extraHeaders.keySet().stream().anyMatch(k::equalsIgnoreCase));
        all.putAll(extraHeaders);
        return all;
    }

    /** Whose request this is. */
    public String accessKeyId() {
        return accessKeyId;
    }

    @Override
    public RequestHead head() {
        return head;
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
