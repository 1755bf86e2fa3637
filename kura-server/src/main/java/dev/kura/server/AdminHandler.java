package dev.kura.server;

import dev.kura.frontend.http.Exchange;
import dev.kura.frontend.http.HttpHandler;
import dev.kura.index.ObjectIndex;
import dev.kura.storage.BlobStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The admin port: health now, metrics and the admin API later. Separate from the S3 port because
 * {@code health} or {@code metrics} are valid bucket names there.
 */
final class AdminHandler implements HttpHandler {
    private static final Map<String, String> TEXT = Map.of("Content-Type", "text/plain; charset=utf-8");
    private final ObjectIndex index;
    private final BlobStore store;

    AdminHandler(ObjectIndex index, BlobStore store) {
        this.index = index;
        this.store = store;
    }

    @Override
    public void handle(Exchange ex) throws IOException {
        String path = ex.head().rawPath();
        boolean read = ex.head().method().equals("GET") || ex.head().method().equals("HEAD");
        if (!read) {
            text(ex, 405, "method not allowed\n");
            return;
        }
        switch (path) {
            case "/health/live" -> text(ex, 200, "live\n");
            case "/health/ready" -> {
                boolean indexOk = index.isHealthy();
                boolean storageOk = store.isWritable();
                if (indexOk && storageOk) {
                    text(ex, 200, "ready\n");
                } else {
                    text(ex, 503, "not ready:" + (indexOk ? "" : " index unavailable;")
                            + (storageOk ? "" : " storage not writable;") + "\n");
                }
            }
            default -> text(ex, 404, "not found\n");
        }
    }

    private static void text(Exchange ex, int status, String body) throws IOException {
        ex.respond(status, TEXT, body.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void overloaded(Exchange ex) throws IOException {
        text(ex, 503, "overloaded\n");
    }

    @Override
    public void malformed(Exchange ex, Throwable cause) throws IOException {
        text(ex, 400, "bad request\n");
    }
}
