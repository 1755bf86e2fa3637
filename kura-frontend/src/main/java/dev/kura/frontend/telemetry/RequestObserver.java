package dev.kura.frontend.telemetry;

import dev.kura.frontend.http.Exchange;

/**
 * Watches requests end to end: metrics, the access log, traces. Called on the request's own
 * thread by {@link ObservedHandler}; an observer must be quick and must not throw (one that does is
 * logged and skipped, never allowed to fail the request).
 */
public interface RequestObserver {
    /** How a request was answered. */
    enum Outcome {
        /** Served by the handler (successfully or with an S3 error). */
        SERVED,
        /** Turned away by admission control (too many requests in flight). */
        REJECTED,
        /** Its head could not be decoded. */
        MALFORMED
    }

    /** Before a served request reaches the handler (not called for rejected or malformed ones). */
    default void started(Exchange exchange) {
    }

    /**
     * After the request was answered, or failed in a way that ends its connection.
     *
     * @param endNanos {@link System#nanoTime()} when it ended
     */
    void completed(Exchange exchange, Outcome outcome, long endNanos);
}
