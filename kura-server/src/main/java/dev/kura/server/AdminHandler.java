package dev.kura.server;

import dev.kura.frontend.http.Exchange;
import dev.kura.frontend.http.HttpHandler;
import dev.kura.s3.auth.SigV4Authenticator;
import dev.kura.server.admin.AdminApi;
import dev.kura.server.admin.StorageAdmin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The admin port: health, metrics and the operator's admin API. Separate from the S3 port because
 * {@code health} or {@code metrics} are valid bucket names there.
 *
 * <ul>
 *   <li>{@code /health/live}: 200 while the process serves HTTP;</li>
 *   <li>{@code /health/ready}: 200 when the node can take writes, else 503 with the reasons;</li>
 *   <li>{@code /health/detail}: JSON, what is up, degraded or down (always 200: it is a report);</li>
 *   <li>{@code /metrics}: Prometheus text format; with a metrics token, only for
 *       {@code Authorization: Bearer TOKEN} (401 otherwise). Health stays open for probes.</li>
 *   <li>{@code /console/}: the web console ({@link dev.kura.console.Console}), unless {@code --console off};</li>
 *   <li>{@code /admin/v1/...}: the admin API ({@link AdminApi}), SigV4-signed by the root credentials.</li>
 * </ul>
 */
final class AdminHandler implements HttpHandler {
    private static final Map<String, String> TEXT = Map.of("Content-Type", "text/plain; charset=utf-8");
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json",
            "Cache-Control", "no-store");
    private static final Map<String, String> PROMETHEUS = Map.of("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    private static final Map<String, String> UNAUTHORIZED = Map.of("Content-Type", "text/plain; charset=utf-8",
            "WWW-Authenticate", "Bearer realm=\"kura-metrics\"");

    private final Health health;
    private final Supplier<String> metrics;
    private final byte[] tokenHash; // null: /metrics is open
    private final AdminApi adminApi;
    private volatile dev.kura.console.Console console; // null: --console off

    /**
     * @param metrics      the Prometheus exposition, produced per scrape
     * @param metricsToken the bearer token {@code /metrics} requires, or null
     * @param storage      what the admin API operates on, or null (its routes answer 503)
     * @param auth         verifies the admin API's signatures
     * @param rootAccessKey the one access key the admin API accepts
     */
    AdminHandler(Health health, Supplier<String> metrics, String metricsToken, StorageAdmin storage,
                 SigV4Authenticator auth, String rootAccessKey) {
        this(health, metrics, metricsToken, storage, null, auth, rootAccessKey);
    }

    /** @param users the users the admin API manages, or null (its user routes answer 503) */
    AdminHandler(Health health, Supplier<String> metrics, String metricsToken, StorageAdmin storage,
                 dev.kura.object.Users users, SigV4Authenticator auth, String rootAccessKey) {
        this.health = health;
        this.metrics = metrics;
        this.tokenHash = metricsToken == null ? null : sha256(metricsToken);
        this.adminApi = new AdminApi(storage, users, auth, rootAccessKey);
    }

    /** Serves the web console under {@code /console/} (without this, those paths answer 404). */
    AdminHandler withConsole(dev.kura.console.Console webConsole) {
        this.console = webConsole;
        return this;
    }

    /** Lets the admin API show the cluster ({@code kura admin nodes}, {@code endpoints}) and remove members. */
    AdminHandler withCluster(java.util.function.Supplier<dev.kura.server.admin.ClusterView> view,
                             dev.kura.server.admin.AdminApi.Removal removal) {
        adminApi.withCluster(view);
        adminApi.withClusterRemoval(removal);
        return this;
    }

    /** Lets the admin API show these partition budgets ({@code kura admin partitions}). */
    AdminHandler withPartitions(dev.kura.object.PartitionBudgets budgets) {
        adminApi.withPartitions(budgets);
        return this;
    }

    @Override
    public void handle(Exchange ex) throws Exception {
        String path = ex.head().rawPath();
        dev.kura.console.Console webConsole = console;
        if (dev.kura.console.Console.handles(path)) {
            if (webConsole != null) {
                webConsole.handle(ex);
            } else {
                // --console off: no console route exists, whatever the method (not a 405 that hints at one)
                ex.closeAfterResponse(); // a body, if any, is never read
                text(ex, 404, "not found\n");
            }
            return;
        }
        if (AdminApi.handles(path)) {
            adminApi.handle(ex);
            return;
        }
        boolean read = ex.head().method().equals("GET") || ex.head().method().equals("HEAD");
        if (!read) {
            text(ex, 405, "method not allowed\n");
            return;
        }
        switch (path) {
            case "/health/live" -> text(ex, 200, "live\n");
            case "/health/ready" -> {
                List<String> problems = health.notReadyBecause();
                if (problems.isEmpty()) {
                    text(ex, 200, "ready\n");
                } else {
                    text(ex, 503, "not ready: " + String.join("; ", problems) + "\n");
                }
            }
            case "/health/detail" -> ex.respond(200, JSON, (health.detailJson() + "\n").getBytes(StandardCharsets.UTF_8));
            case "/metrics" -> {
                if (!authorized(ex.head().header("authorization"))) {
                    ex.respond(401, UNAUTHORIZED, "a metrics token is required\n".getBytes(StandardCharsets.UTF_8));
                } else {
                    ex.respond(200, PROMETHEUS, metrics.get().getBytes(StandardCharsets.UTF_8));
                }
            }
            default -> text(ex, 404, "not found\n");
        }
    }

    /** Open without a token; else "Bearer TOKEN", compared in constant time (of the hashes). */
    private boolean authorized(String authorization) {
        if (tokenHash == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(tokenHash, sha256(authorization.substring(7).trim()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
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
