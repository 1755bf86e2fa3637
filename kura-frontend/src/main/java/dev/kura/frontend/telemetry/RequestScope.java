package dev.kura.frontend.telemetry;

import dev.kura.frontend.http.RequestInfo;

/**
 * The request being served on this thread, bound by {@link ObservedHandler} for the duration of
 * the handler. It lets the decorators around the index and storage seams ({@link TimedIndex},
 * {@link MeteredBlobStore}) charge their time to the request without every layer in between
 * passing it along. Outside a request (the sweeper, start-up) nothing is bound and nothing is
 * charged.
 */
final class RequestScope {
    private static final ScopedValue<RequestInfo> CURRENT = ScopedValue.newInstance();

    private RequestScope() {
    }

    interface Body {
        void run() throws Exception;
    }

    static void run(RequestInfo info, Body body) throws Exception {
        ScopedValue.where(CURRENT, info).call(() -> {
            body.run();
            return null;
        });
    }

    /** A start time for {@link #charge}, or 0 when no request is bound (then nothing is timed). */
    static long start() {
        return CURRENT.isBound() ? System.nanoTime() : 0;
    }

    static void charge(RequestInfo.Phase phase, long startNanos) {
        if (startNanos != 0 && CURRENT.isBound()) {
            CURRENT.get().addTime(phase, System.nanoTime() - startNanos);
        }
    }
}
