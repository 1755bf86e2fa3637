package dev.kura.frontend.http;

import dev.kura.s3.http.RequestHead;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.util.Map;

/**
 * One HTTP request and its response, seen from a blocking handler running on its own virtual
 * thread. The body streams with back-pressure in both directions: nothing is held whole.
 */
public interface Exchange {
    RequestHead head();

    String requestId();

    /** What this request is, for metrics and the access log; handlers fill in what they learn. */
    RequestInfo info();

    SocketAddress remoteAddress();

    /**
     * The raw request body (still aws-chunked if the client sent it so). Reading it first sends
     * {@code 100 Continue} when the client asked for it — so a handler that authenticates before
     * reading never invites an unauthenticated body.
     */
    InputStream body();

    /** True once the whole request body has been read. */
    boolean bodyConsumed();

    /** Sends a complete response with a small in-memory body (XML, errors). */
    void respond(int status, Map<String, String> headers, byte[] body) throws IOException;

    /**
     * Sends a response whose body of {@code length} bytes is streamed from {@code source};
     * for a HEAD request only the headers go out.
     */
    void respondStream(int status, Map<String, String> headers, long length, InputStream source) throws IOException;

    /**
     * Starts a response of unknown length (chunked transfer encoding); what is written to the
     * returned stream goes out as it is flushed, and closing it ends the response.
     */
    java.io.OutputStream respondChunked(int status, Map<String, String> headers) throws IOException;

    /** True once a response has started; a handler failing after that can only close the connection. */
    boolean responded();

    /** Closes the connection after this exchange instead of keeping it alive. */
    void closeAfterResponse();
}
