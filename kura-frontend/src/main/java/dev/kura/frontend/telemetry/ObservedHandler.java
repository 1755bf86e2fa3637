package dev.kura.frontend.telemetry;

import dev.kura.frontend.http.Exchange;
import dev.kura.frontend.http.HttpHandler;
import dev.kura.frontend.telemetry.RequestObserver.Outcome;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decorates an {@link HttpHandler} with observers (metrics, access log, traces): they are told when
 * a request starts and, in a {@code finally}, when it ends — whether it succeeded, failed with an S3
 * error, was rejected by admission control, or broke its connection. While the inner handler runs,
 * the request is bound to {@link RequestScope} so the index and storage decorators can charge their
 * time to it. The inner handler knows nothing of any of this (STYLE habit 9).
 */
public final class ObservedHandler implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(ObservedHandler.class);

    private final HttpHandler inner;
    private final List<RequestObserver> observers;

    public ObservedHandler(HttpHandler inner, List<RequestObserver> observers) {
        this.inner = inner;
        this.observers = List.copyOf(observers);
    }

    @Override
    public void handle(Exchange ex) throws Exception {
        for (RequestObserver o : observers) {
            try {
                o.started(ex);
            } catch (RuntimeException e) {
                LOG.warn("request observer {} failed at start: {}", o.getClass().getSimpleName(), e.toString());
            }
        }
        try {
            RequestScope.run(ex.info(), () -> inner.handle(ex));
        } finally {
            complete(ex, Outcome.SERVED);
        }
    }

    @Override
    public String tenant(dev.kura.s3.http.RequestHead head) {
        return inner.tenant(head);
    }

    @Override
    public void overloaded(Exchange ex) throws Exception {
        try {
            inner.overloaded(ex);
        } finally {
            complete(ex, Outcome.REJECTED);
        }
    }

    @Override
    public void malformed(Exchange ex, Throwable cause) throws Exception {
        try {
            inner.malformed(ex, cause);
        } finally {
            complete(ex, Outcome.MALFORMED);
        }
    }

    private void complete(Exchange ex, Outcome outcome) {
        long end = System.nanoTime();
        for (RequestObserver o : observers) {
            try {
                o.completed(ex, outcome, end);
            } catch (RuntimeException e) {
                LOG.warn("request observer {} failed: {}", o.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
