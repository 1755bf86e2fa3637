package dev.kura.server.admin;

import dev.kura.frontend.http.Exchange;
import dev.kura.s3.S3Exception;
import dev.kura.s3.auth.AuthContext;
import dev.kura.s3.auth.SigV4Authenticator;
import dev.kura.s3.http.RequestHead;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's API on the admin port, under {@code /admin/v1/}; {@code kura admin} is its client.
 *
 * <ul>
 *   <li>{@code GET /admin/v1/drives}: a JSON array of {@link StorageAdmin.DriveStatus};</li>
 *   <li>{@code POST /admin/v1/drives/format?path=P}: the formatted drive, or 400 when refused;</li>
 *   <li>{@code POST /admin/v1/heal?wait=true|false}, {@code POST /admin/v1/scrub?wait=…}: starts (or
 *       joins) a pass and answers its {@link StorageAdmin.RepairStatus}, when it is done if
 *       {@code wait=true}; {@code GET} on the same paths: the status alone.</li>
 *   <li>{@code GET /admin/v1/cluster}: a cluster node's {@link ClusterView} (404 on a single node);</li>
 *   <li>{@code POST /admin/v1/cluster/remove?node=NAME}: removes a member and moves its shards away;</li>
 *   <li>{@code GET /admin/v1/users}: the users (the root user first), without secrets;
 *       {@code POST /admin/v1/users?name=N}: adds a user and answers its new key pair — the only time
 *       the secret key is shown; {@code POST /admin/v1/users/rotate?name=N}: a new key pair (the old
 *       access key stops working); {@code DELETE /admin/v1/users?name=N}: removes the user.</li>
 * </ul>
 *
 * <p>Every request must carry an AWS Signature V4 Authorization header by the root credentials,
 * for service {@code s3} and the server's region (the verifier is the S3 port's own
 * {@link SigV4Authenticator}); anything else is 403. Bodies are empty and never read. Answers are
 * JSON; errors are {@code {"error": "..."}}.
 */
public final class AdminApi {
    public static final String PREFIX = "/admin/v1/";
    private static final Logger LOG = LoggerFactory.getLogger(AdminApi.class);
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json",
            "Cache-Control", "no-store");

    private final StorageAdmin storage; // null: not available on this node
    private final dev.kura.object.Users users; // null: not available on this node
    private volatile dev.kura.object.PartitionBudgets partitions; // null: not available on this node
    private volatile java.util.function.Supplier<ClusterView> cluster; // null: a single node
    private volatile Removal removal; // null: a single node

    /** Removes a member of this node's cluster by name; returns its member id (see ClusterNode.remove). */
    public interface Removal {
        String remove(String node) throws IOException;
    }

    /** How long the others get to notice a removal (their discovery runs every 2 s) before the first pass. */
    static final java.time.Duration NOTICE = java.time.Duration.ofSeconds(5);
    /** Passes a drain runs at most: each moves what the last one met; the last one must move nothing. */
    static final int DRAIN_PASSES = 6;
    private final SigV4Authenticator auth;
    private final String rootAccessKey;

    public AdminApi(StorageAdmin storage, SigV4Authenticator auth, String rootAccessKey) {
        this(storage, null, auth, rootAccessKey);
    }

    /**
     * @param storage       the drives and repair passes, or null (their routes answer 503)
     * @param users         the users, or null (their routes answer 503)
     * @param auth          verifies the signature
     * @param rootAccessKey the only access key the admin API accepts
     */
    public AdminApi(StorageAdmin storage, dev.kura.object.Users users, SigV4Authenticator auth, String rootAccessKey) {
        this.storage = storage;
        this.users = users;
        this.auth = Objects.requireNonNull(auth, "auth");
        this.rootAccessKey = Objects.requireNonNull(rootAccessKey, "rootAccessKey");
    }

    /** Serves {@code GET /admin/v1/partitions?bucket=B} from these budgets. */
    public AdminApi withPartitions(dev.kura.object.PartitionBudgets budgets) {
        this.partitions = budgets;
        return this;
    }

    /** Serves {@code POST /admin/v1/cluster/remove?node=NAME}: removes that member, then moves its shards away. */
    public AdminApi withClusterRemoval(Removal r) {
        this.removal = r;
        return this;
    }

    /** Serves {@code GET /admin/v1/cluster} (the members, their zones, drives and S3 endpoints) from this view. */
    public AdminApi withCluster(java.util.function.Supplier<ClusterView> view) {
        this.cluster = view;
        return this;
    }

    /** True for the paths this API answers (everything under {@code /admin/v1}). */
    public static boolean handles(String path) {
        return path.startsWith(PREFIX) || path.equals("/admin/v1");
    }

    public void handle(Exchange ex) throws IOException {
        RequestHead head = ex.head();
        String refused = refusal(head);
        if (refused != null) {
            error(ex, 403, refused);
            return;
        }
        String method = head.method();
        String path = head.rawPath();
        if (path.equals("/admin/v1/cluster")) {
            var view = cluster;
            if (view == null) {
                error(ex, 404, "this node runs alone, not in a cluster");
            } else if (allowed(ex, "GET")) {
                respond(ex, 200, AdminJson.cluster(view.get()).toString());
            }
            return;
        }
        if (path.equals("/admin/v1/cluster/remove")) {
            if (removal == null || storage == null) {
                error(ex, 404, "this node runs alone, not in a cluster");
            } else if (allowed(ex, "POST")) {
                removeNode(ex, head.queryParam("node"));
            }
            return;
        }
        if (path.equals("/admin/v1/partitions")) {
            partitions(ex, method, head.queryParam("bucket"));
            return;
        }
        if (path.startsWith("/admin/v1/users")) {
            if (users == null) {
                error(ex, 503, "user admin not available");
            } else {
                users(ex, method, path, head.queryParam("name"));
            }
            return;
        }
        if (storage == null) {
            error(ex, 503, "storage admin not available");
            return;
        }
        if (method.equals("POST")) {
            LOG.info("admin {} {}{} (request {})", method, path, head.rawQuery().isEmpty() ? "" : "?" + head.rawQuery(),
                    ex.requestId());
        }
        try {
            switch (path) {
                case "/admin/v1/drives" -> {
                    if (allowed(ex, "GET")) {
                        respond(ex, 200, AdminJson.drives(storage.drives()));
                    }
                }
                case "/admin/v1/drives/format" -> {
                    if (allowed(ex, "POST")) {
                        format(ex, head.queryParam("path"));
                    }
                }
                case "/admin/v1/heal", "/admin/v1/scrub" -> repair(ex, path.endsWith("heal"));
                default -> error(ex, 404, "no admin API route " + method + " " + path);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(ex, 503, "interrupted: the server is stopping");
        } catch (IllegalArgumentException | IllegalStateException | IOException | UncheckedIOException e) {
            // A refusal, in the storage layer's words (meant for the operator).
            error(ex, 400, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("admin request {} {} failed (request {})", method, path, ex.requestId(), e);
            error(ex, 500, "internal error (request " + ex.requestId() + ")");
        }
    }

    private void partitions(Exchange ex, String method, String bucket) throws IOException {
        if (partitions == null) {
            error(ex, 503, "partition budgets not available");
        } else if (allowed(ex, "GET")) {
            if (bucket == null || bucket.isEmpty()) {
                error(ex, 400, "name the bucket: ?bucket=NAME");
                return;
            }
            var report = partitions.report(bucket);
            if (report.isEmpty()) {
                error(ex, 404, "no bucket " + bucket);
            } else {
                respond(ex, 200, AdminJson.partitions(report.get()).toString());
            }
        }
    }

    /** Why the request may not use the admin API, or null when it is signed by the root key. */
    private String refusal(RequestHead head) {
        if (head.header("authorization") == null) {
            return "the admin API requires an AWS Signature V4 Authorization header (root credentials, service s3)";
        }
        AuthContext signed;
        try {
            signed = auth.authenticate(head);
        } catch (S3Exception e) {
            return e.code().name() + ": " + e.getMessage();
        }
        if (signed.isAnonymous() || !rootAccessKey.equals(signed.accessKeyId())) {
            return "only the root credentials may use the admin API";
        }
        return null;
    }

    private void users(Exchange ex, String method, String path, String name) throws IOException {
        if (!method.equals("GET")) {
            // the name only: an answer's secret key is never logged
            LOG.info("admin {} {} name={} (request {})", method, path, name, ex.requestId());
        }
        try {
            switch (path) {
                case "/admin/v1/users" -> {
                    switch (method) {
                        case "GET" -> respond(ex, 200, AdminJson.users(users.list().stream()
                                .map(u -> new AdminJson.User(u.name(), u.accessKey(), u.canonicalId(), u.root(), null))
                                .toList()));
                        case "POST" -> respond(ex, 200, AdminJson.user(keys(users.add(required(name)))).toString());
                        case "DELETE" -> {
                            users.remove(required(name));
                            respond(ex, 200, new dev.kura.common.JsonWriter().field("removed", name).toString());
                        }
                        default -> error(ex, 405, "/admin/v1/users takes GET, POST or DELETE");
                    }
                }
                case "/admin/v1/users/rotate" -> {
                    if (allowed(ex, "POST")) {
                        respond(ex, 200, AdminJson.user(keys(users.rotate(required(name)))).toString());
                    }
                }
                default -> error(ex, 404, "no admin API route " + method + " " + path);
            }
        } catch (IllegalArgumentException e) {
            error(ex, 400, e.getMessage());
        }
    }

    private static String required(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("the query parameter name is required");
        }
        return name;
    }

    private static AdminJson.User keys(dev.kura.object.Users.NewKeys k) {
        return new AdminJson.User(k.user().name(), k.user().accessKey(), k.user().canonicalId(), false, k.secretKey());
    }

    private void format(Exchange ex, String path) throws IOException {
        if (path == null || path.isEmpty()) {
            error(ex, 400, "the query parameter path is required");
            return;
        }
        respond(ex, 200, AdminJson.drive(storage.format(path)).toString());
    }

    private void repair(Exchange ex, boolean heal) throws IOException, InterruptedException {
        String method = ex.head().method();
        if (method.equals("GET")) {
            respond(ex, 200, AdminJson.repair(heal ? storage.healStatus() : storage.scrubStatus()).toString());
            return;
        }
        if (!allowed(ex, "POST")) {
            return;
        }
        String wait = ex.head().queryParam("wait");
        if (wait != null && !wait.equals("true") && !wait.equals("false")) {
            error(ex, 400, "wait must be true or false, not '" + wait + "'");
            return;
        }
        boolean block = "true".equals(wait);
        respond(ex, 200, AdminJson.repair(heal ? storage.heal(block) : storage.scrub(block)).toString());
    }

    /**
     * Removes the member (the cluster's configuration without it is committed), then drains it: heal passes
     * on this node move every shard on its drives onto the members' drives (its drives are leaving: read,
     * never written), pass after pass until one moves nothing and fails nothing — a node that had not yet
     * seen the change may have placed a shard there meanwhile. Answers once drained (or after
     * {@link #DRAIN_PASSES}, saying it is not).
     */
    private void removeNode(Exchange ex, String node) throws IOException {
        if (node == null || node.isEmpty()) {
            error(ex, 400, "the query parameter node is required");
            return;
        }
        LOG.info("admin: removing node {} (request {})", node, ex.requestId());
        String id;
        try {
            id = removal.remove(node);
        } catch (IllegalArgumentException e) {
            error(ex, 400, e.getMessage());
            return;
        }
        int passes = 0;
        long moved = 0;
        StorageAdmin.RepairStatus last = null;
        try {
            Thread.sleep(NOTICE.toMillis());
            do {
                last = storage.heal(true);
                passes++;
                moved += last.repaired();
            } while ((last.repaired() > 0 || last.failed() > 0) && passes < DRAIN_PASSES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error(ex, 503, "interrupted while moving the shards of " + node + " (removed: " + id + ")");
            return;
        }
        boolean drained = last.repaired() == 0 && last.failed() == 0;
        LOG.info("admin: node {} removed ({}); {} shard(s) moved in {} pass(es); {}", node, id, moved, passes,
                drained ? "drained" : "not drained: " + last.failed() + " failed in the last pass");
        respond(ex, 200, new dev.kura.common.JsonWriter().field("removed", id).field("passes", passes)
                .field("shardsMoved", moved).field("failed", last.failed()).field("drained", drained).toString());
    }

    private static boolean allowed(Exchange ex, String method) throws IOException {
        if (ex.head().method().equals(method)) {
            return true;
        }
        ex.respond(405, Map.of("Content-Type", "application/json", "Allow", method),
                bytes(AdminJson.error(ex.head().rawPath() + " takes " + method).toString()));
        return false;
    }

    private static void error(Exchange ex, int status, String message) throws IOException {
        respond(ex, status, AdminJson.error(message).toString());
    }

    private static void respond(Exchange ex, int status, String json) throws IOException {
        ex.respond(status, JSON, bytes(json));
    }

    private static byte[] bytes(String json) {
        return (json + "\n").getBytes(StandardCharsets.UTF_8);
    }

}
