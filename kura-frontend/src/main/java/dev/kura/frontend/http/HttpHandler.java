package dev.kura.frontend.http;

/** Serves one request on its connection's virtual thread. Must always respond (or throw to close). */
public interface HttpHandler {
    void handle(Exchange exchange) throws Exception;

    /**
     * Whose request this is, for fair admission when the server is busy (requests of one tenant
     * queue together; tenants take turns). Read from the head alone, before any authentication.
     */
    default String tenant(dev.kura.s3.http.RequestHead head) {
        return "";
    }

    /** Answers a request that admission control turned away (S3: 503 SlowDown). */
    void overloaded(Exchange exchange) throws Exception;

    /** Answers a request whose head could not be decoded (too long, malformed). */
    void malformed(Exchange exchange, Throwable cause) throws Exception;
}
