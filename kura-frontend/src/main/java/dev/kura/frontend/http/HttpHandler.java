package dev.kura.frontend.http;

/** Serves one request on its connection's virtual thread. Must always respond (or throw to close). */
public interface HttpHandler {
    void handle(Exchange exchange) throws Exception;

    /** Answers a request that admission control turned away (S3: 503 SlowDown). */
    void overloaded(Exchange exchange) throws Exception;

    /** Answers a request whose head could not be decoded (too long, malformed). */
    void malformed(Exchange exchange, Throwable cause) throws Exception;
}
