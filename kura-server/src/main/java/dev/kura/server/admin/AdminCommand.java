package dev.kura.server.admin;

import dev.kura.s3.auth.SigV4Signer;
import dev.kura.server.admin.AdminClient.AdminException;
import dev.kura.server.admin.StorageAdmin.DriveStatus;
import dev.kura.server.admin.StorageAdmin.RepairStatus;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code kura admin}: the operator's command line over the admin API ({@link AdminApi}) of a running
 * node. Credentials come from {@code KURA_ACCESS_KEY} / {@code KURA_SECRET_KEY} (the root pair),
 * never from flags, so they stay out of {@code ps} and shell history.
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
        description = "Operates a running Kura node through its admin port: drives, heal, scrub; rebuild-index works on a stopped node.%n"
                + "Credentials: the root key pair in KURA_ACCESS_KEY and KURA_SECRET_KEY.",
        subcommands = {AdminCommand.Drives.class, AdminCommand.Heal.class, AdminCommand.Scrub.class,
                AdminCommand.Nodes.class, AdminCommand.NodeCommand.class, AdminCommand.Endpoints.class,
                AdminCommand.UserCommand.class, AdminCommand.Partitions.class, dev.kura.server.RebuildIndex.class})
public final class AdminCommand implements Callable<Integer> {
    /** How long an ordinary call may take; {@code --wait} waits for the pass instead. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** A pass over a large store takes hours; the client gives up only after this. */
    static final Duration WAIT_TIMEOUT = Duration.ofDays(7);

    private final Map<String, String> env;
    private final InstantSource clock;

    @Spec
    CommandSpec spec;

    @Option(names = "--endpoint", paramLabel = "URL", scope = ScopeType.INHERIT,
            description = "The node's admin port (default: ${DEFAULT-VALUE})")
    String endpoint = "http://127.0.0.1:9001";

    @Option(names = "--region", paramLabel = "NAME", scope = ScopeType.INHERIT,
            description = "The node's region (default: ${DEFAULT-VALUE})")
    String region = "us-east-1";

    public AdminCommand() {
        this(System.getenv(), InstantSource.system());
    }

    /** With the environment and clock given (tests). */
    public AdminCommand(Map<String, String> env, InstantSource clock) {
        this.env = env;
        this.clock = clock;
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: drives, heal, scrub, nodes, node, endpoints, user, partitions or rebuild-index");
    }

    /** A command that only groups others ({@code user}, {@code node}): run alone, it says which exist. */
    abstract static class Group implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: "
                    + String.join(", ", spec.subcommands().keySet()));
        }
    }

    /** One call to the admin API: resolves the credentials, runs, and turns failures into one line. */
    abstract static class Leaf implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print the admin API's JSON instead of a table")
        boolean json;

        abstract void run(AdminClient client, PrintWriter out) throws AdminException, InterruptedException;

        /** POSTs a user's name to {@code path}, which answers with a new key pair, and prints the pair (once). */
        void newKeys(AdminClient client, PrintWriter out, String path, String name)
                throws AdminException, InterruptedException {
            String body = client.call("POST", path, "name=" + SigV4Signer.encode(name), TIMEOUT);
            out.print(json ? body : Tables.newKeys(parse(() -> AdminJson.readUser(body))));
        }

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            AdminCommand root = root();
            try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build()) {
                run(new AdminClient(endpoint(root.endpoint), signer(root.env, root.region), http, root.clock), out);
                out.flush();
                return 0;
            } catch (AdminException e) {
                out.flush();
                err.println("kura admin: " + e.getMessage());
                err.flush();
                return 1;
            }
        }

        private static URI endpoint(String endpoint) throws AdminException {
            try {
                URI uri = URI.create(endpoint);
                if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
                    throw new IllegalArgumentException();
                }
                return uri;
            } catch (IllegalArgumentException e) {
                throw new AdminException("--endpoint must be an http:// or https:// URL with a host, not '"
                        + endpoint + "'");
            }
        }

        private static SigV4Signer signer(Map<String, String> env, String region) throws AdminException {
            String accessKey = env.get("KURA_ACCESS_KEY");
            String secretKey = env.get("KURA_SECRET_KEY");
            if (accessKey == null || accessKey.isEmpty() || secretKey == null || secretKey.isEmpty()) {
                throw new AdminException("set KURA_ACCESS_KEY and KURA_SECRET_KEY to the root credentials "
                        + "(printed at the server's first start and kept in DATA_DIR/credentials)");
            }
            return new SigV4Signer(accessKey, secretKey, region, "s3");
        }

        private AdminCommand root() {
            for (CommandLine c = spec.commandLine(); c != null; c = c.getParent()) {
                if (c.getCommand() instanceof AdminCommand a) {
                    return a;
                }
            }
            throw new IllegalStateException("not run under kura admin");
        }
    }

    @Command(name = "drives", mixinStandardHelpOptions = true,
            description = "Lists the node's drives and their state.", subcommands = Format.class)
    static final class Drives extends Leaf {
        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException, InterruptedException {
            String body = client.call("GET", "/admin/v1/drives", "", TIMEOUT);
            out.print(json ? body : Tables.drives(parse(() -> AdminJson.readDrives(body))));
        }
    }

    @Command(name = "format", mixinStandardHelpOptions = true,
            description = "Takes an empty directory at a configured drive path into use; heal then fills it.")
    static final class Format extends Leaf {
        @Parameters(paramLabel = "PATH", description = "The drive's path, as configured on the server")
        String path;

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException, InterruptedException {
            String body = client.call("POST", "/admin/v1/drives/format", "path=" + SigV4Signer.encode(path), TIMEOUT);
            out.print(json ? body : Tables.drives(List.of(parse(() -> AdminJson.readDrive(body)))));
        }
    }

    /** heal and scrub: start (or join) a pass, or with --status only report. */
    abstract static class Repair extends Leaf {
        @Option(names = "--wait", description = "Return when the pass is done (the server answers then)")
        boolean await;

        @Option(names = "--status", description = "Only show the last or running pass; start nothing")
        boolean status;

        abstract String kind();

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException, InterruptedException {
            String path = "/admin/v1/" + kind();
            String body = status ? client.call("GET", path, "", TIMEOUT)
                    : client.call("POST", path, "wait=" + await, await ? WAIT_TIMEOUT : TIMEOUT);
            out.print(json ? body : Tables.repair(parse(() -> AdminJson.readRepair(body))));
        }
    }

    @Command(name = "heal", mixinStandardHelpOptions = true,
            description = "Rebuilds missing or corrupt shards onto their drives (starts a pass or joins the running one).")
    static final class Heal extends Repair {
        @Override
        String kind() {
            return "heal";
        }
    }

    @Command(name = "scrub", mixinStandardHelpOptions = true,
            description = "Reads and verifies every shard, repairing what is bad (starts a pass or joins the running one).")
    static final class Scrub extends Repair {
        @Override
        String kind() {
            return "scrub";
        }
    }

    @Command(name = "user", mixinStandardHelpOptions = true,
            description = "Manages the users who may sign S3 requests (the root key pair is not one of them: it comes from KURA_ACCESS_KEY).",
            subcommands = {UserAdd.class, UserList.class, UserRemove.class, UserRotate.class})
    static final class UserCommand extends Group {
    }

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Adds a user and prints its new access key and secret key (shown once).")
    static final class UserAdd extends Leaf {
        @Parameters(paramLabel = "NAME", description = "1 to 64 of A-Z a-z 0-9 + = , . @ _ -")
        String name;

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException, InterruptedException {
            newKeys(client, out, "/admin/v1/users", name);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the users (never their secret keys).")
    static final class UserList extends Leaf {
        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException, InterruptedException {
            String body = client.call("GET", "/admin/v1/users", "", TIMEOUT);
            out.print(json ? body : Tables.users(parse(() -> AdminJson.readUsers(body))));
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Removes a user; its keys stop working at once (its buckets and objects stay).")
    static final class UserRemove extends Leaf {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException, InterruptedException {
            String body = client.call("DELETE", "/admin/v1/users", "name=" + SigV4Signer.encode(name), TIMEOUT);
            out.print(json ? body : "removed user " + name + "\n");
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = "Gives a user a new key pair (printed once); the old access key stops working at once.")
    static final class UserRotate extends Leaf {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException, InterruptedException {
            newKeys(client, out, "/admin/v1/users/rotate", name);
        }
    }

    @Command(name = "nodes", mixinStandardHelpOptions = true,
            description = "Lists the cluster's nodes: zones, addresses, which leads the index, which answer, their "
                    + "S3 endpoints and drives.")
    static final class Nodes extends Leaf {
        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException, InterruptedException {
            String body = client.call("GET", "/admin/v1/cluster", "", TIMEOUT);
            out.print(json ? body : Tables.nodes(parse(() -> AdminJson.readCluster(body))));
        }
    }

    @Command(name = "node", mixinStandardHelpOptions = true, description = "Changes the cluster's membership.",
            subcommands = NodeRemove.class)
    static final class NodeCommand extends Group {
    }

    @Command(name = "remove", mixinStandardHelpOptions = true,
            description = "Removes a node from the cluster and moves its shards onto the other nodes' drives; "
                    + "returns when none is left there (then stop the node). Ask another node than the one removed.")
    static final class NodeRemove extends Leaf {
        @Parameters(paramLabel = "NAME", description = "The node's name (kura admin nodes), member id or cluster address")
        String name;

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException, InterruptedException {
            String body = client.call("POST", "/admin/v1/cluster/remove", "node=" + SigV4Signer.encode(name), WAIT_TIMEOUT);
            if (json) {
                out.print(body);
            }
            Map<?, ?> m = parse(() -> (Map<?, ?>) dev.kura.common.JsonReader.parse(body));
            if (!Boolean.TRUE.equals(m.get("drained"))) {
                throw new AdminException(name + " was removed, but " + m.get("failed") + " piece(s) of data could not be "
                        + "moved in the last pass; run kura admin heal --wait on this node before stopping it");
            }
            if (!json) {
                out.println(name + " removed (" + m.get("removed") + "): " + m.get("shardsMoved") + " shard(s) moved in "
                        + m.get("passes") + " pass(es); the last pass found no data left on its drives. Stop it now.");
            }
        }
    }

    @Command(name = "endpoints", mixinStandardHelpOptions = true,
            description = "Prints every node's S3 endpoint, one a line: the addresses for a DNS name with one record "
                    + "per node, or for a load balancer.")
    static final class Endpoints extends Leaf {
        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException, InterruptedException {
            String body = client.call("GET", "/admin/v1/cluster", "", TIMEOUT);
            for (ClusterView.Member m : parse(() -> AdminJson.readCluster(body)).members()) {
                for (String e : m.s3Endpoints()) {
                    out.println("http://" + e);
                }
            }
        }
    }

    @Command(name = "partitions", mixinStandardHelpOptions = true,
            description = "Shows a bucket's partitions (key ranges), their request rates, throttled requests, "
                    + "and advice when one prefix takes most of the traffic.")
    static final class Partitions extends Leaf {
        @Parameters(paramLabel = "BUCKET")
        String bucket;

        @Override
        void run(AdminClient client, PrintWriter out) throws AdminException, InterruptedException {
            String body = client.call("GET", "/admin/v1/partitions", "bucket=" + SigV4Signer.encode(bucket), TIMEOUT);
            out.print(json ? body : Tables.partitions(parse(() -> AdminJson.readPartitions(body))));
        }
    }

    private interface Parse<T> {
        T get();
    }

    private static <T> T parse(Parse<T> p) throws AdminException {
        try {
            return p.get();
        } catch (IllegalArgumentException e) {
            throw new AdminException("the admin API's answer is not what this client expects: " + e.getMessage());
        }
    }
}
