package dev.kura.server;

import dev.kura.frontend.http.HttpServer;
import io.opentelemetry.api.GlobalOpenTelemetry;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code kura server}: runs one node on its defaults or the given flags. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Runs the Kura server (S3 API and admin port).")
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--address", paramLabel = "HOST:PORT",
            description = "S3 listen address; repeatable; [::]:PORT serves every interface, IPv4 and IPv6 "
                    + "(default: 127.0.0.1:9000 and [::1]:9000)")
    List<String> addresses = new ArrayList<>();

    @Option(names = "--admin-address", paramLabel = "HOST:PORT",
            description = "Admin listen address (health, metrics; default: 127.0.0.1:9001 and [::1]:9001)")
    List<String> adminAddresses = new ArrayList<>();

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default: ./kura-data)")
    Path data = Path.of("kura-data");

    @Option(names = "--master-key-file", paramLabel = "PATH",
            description = "The master key ring for server-side encryption: base64 keys, one a line, the last one active, "
                    + "mode 600; generated when absent; KURA_MASTER_KEY overrides it (default: <data>.master-key, next to "
                    + "the data directory)")
    Path masterKeyFile;

    @Option(names = "--domain", paramLabel = "BASE",
            description = "Serve virtual-hosted-style requests: a Host of BUCKET.BASE addresses BUCKET "
                    + "(path-style requests keep working)")
    String domain;

    @Option(names = "--region", paramLabel = "NAME", description = "Region name (default: us-east-1)")
    String region = "us-east-1";

    @Option(names = "--metrics-token", paramLabel = "TOKEN",
            description = "Require 'Authorization: Bearer TOKEN' for /metrics (default: open; "
                    + "the KURA_METRICS_TOKEN environment variable also sets it, out of sight of ps)")
    String metricsToken;

    @Option(names = "--access-log", paramLabel = "stdout|file|off", converter = AccessLogConverter.class,
            description = "JSON access log: standard output, <data>/logs/access.log (rotated), or none (default: stdout)")
    TelemetryConfig.AccessLogTarget accessLog = TelemetryConfig.AccessLogTarget.STDOUT;

    @Option(names = "--access-log-timings",
            description = "Access log lines also say where the time went (auth, parse, index, storage, response)")
    boolean accessLogTimings;

    @Option(names = "--metrics-bucket", paramLabel = "NAME",
            description = "A bucket that always gets metric series of its own; repeatable")
    List<String> metricsBuckets = new ArrayList<>();

    @Option(names = "--metrics-top-buckets", paramLabel = "N",
            description = "How many more buckets may earn metric series of their own by traffic (default: 20)")
    int metricsTopBuckets = TelemetryConfig.DEFAULT_TOP_BUCKETS;

    @Option(names = "--tracing",
            description = "One OpenTelemetry span per S3 request through the global OpenTelemetry (an agent's); "
                    + "Kura exports nothing itself (default: off)")
    boolean tracing;

    @Option(names = "--inline-threshold", paramLabel = "BYTES",
            description = "Objects up to this size are kept inside the index: one synced commit per PUT, no data file "
                    + "(default: 65536 on the one default drive; -1, none, with --drive: small objects are then whole "
                    + "copies on M+1 drives, surviving what the drives survive)")
    Integer inlineThreshold;

    @Option(names = "--drive", paramLabel = "PATH[,zone=NAME]",
            description = "A data drive, repeatable; each in its own failure zone unless zone= says otherwise "
                    + "(default: one drive under --data)")
    List<String> drives = new ArrayList<>();

    @Option(names = "--ec", paramLabel = "K+M",
            description = "Erasure coding: K data and M parity shards on K+M distinct drives (default: none for 1 drive, "
                    + "1+1 for 2, 2+1 for 3, 2+2 for 4-5, 4+2 for 6 or more)")
    String ec;

    @Option(names = "--scrub-interval", paramLabel = "DURATION",
            description = "Verify every block of every shard once per this period, e.g. 7d, 12h (default: 7d; 0: off)")
    String scrubInterval = "7d";

    @Option(names = "--lifecycle-interval", paramLabel = "DURATION",
            description = "Apply the buckets' lifecycle rules this often, e.g. 1h, 10m (default: 1h; 0: never)")
    String lifecycleInterval = "1h";

    @Option(names = "--lifecycle-testing", hidden = true,
            description = "For tests: a lifecycle day lasts one --lifecycle-interval")
    boolean lifecycleTesting;

    @Option(names = "--partition-write-rate", paramLabel = "N",
            description = "Writes a second each partition of a bucket's key space admits before 503 SlowDown (default: 3500)")
    double partitionWriteRate = dev.kura.object.PartitionBudgets.Settings.DEFAULTS.writeRate();

    @Option(names = "--partition-read-rate", paramLabel = "N",
            description = "Reads a second each partition admits before 503 SlowDown (default: 5500)")
    double partitionReadRate = dev.kura.object.PartitionBudgets.Settings.DEFAULTS.readRate();

    @Option(names = "--split-after", paramLabel = "SECONDS",
            description = "Split a partition that stays over its budget this long, at a key its traffic chooses "
                    + "(default: 60; cold neighbours merge after ten times as long)")
    String splitAfter = "60";

    @Option(names = "--request-head-timeout", paramLabel = "DURATION",
            description = "A request line and headers must arrive within this time of their first byte, else the "
                    + "connection is closed (slowloris defence; default: 10s)")
    String requestHeadTimeout = "10s";

    @Option(names = "--idle-timeout", paramLabel = "DURATION",
            description = "A kept-alive connection with no request for this long is closed (default: 60s)")
    String idleTimeout = "60s";

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Open S3 connections in all; more are closed at accept (default: 8192)")
    int maxConnections = HttpServer.Limits.defaults().maxConnections();

    @Option(names = "--max-connections-per-client", paramLabel = "N",
            description = "Open S3 connections from one client address; more are closed at accept (default: 256)")
    int maxConnectionsPerClient = HttpServer.Limits.defaults().maxConnectionsPerClient();

    @Option(names = "--max-in-flight", paramLabel = "N",
            description = "S3 requests served at once; more wait in the waiting room (default: 1024)")
    int maxInFlight = HttpServer.Limits.defaults().maxInFlight();

    @Option(names = "--admission-wait", paramLabel = "DURATION",
            description = "How long a request beyond --max-in-flight waits for a slot, tenants (access keys) taking "
                    + "turns, before 503 SlowDown; e.g. 1s, 500ms, 0 (default: 1s)")
    String admissionWait = "1s";

    @Option(names = "--outbound-budget", paramLabel = "MIB",
            description = "MiB of response data held in memory for slow readers, all connections together; "
                    + "beyond it writers wait (default: 64)")
    int outboundBudgetMib = (int) (HttpServer.Limits.defaults().outboundBudgetBytes() >> 20);

    @Option(names = "--console", paramLabel = "on|off",
            description = "The web console on the admin port, under /console/ (default: on; off: /console/ answers 404)")
    String console = "on";

    @Option(names = "--cluster-address", paramLabel = "HOST:PORT",
            description = "Run as a node of a cluster: its Raft (index replication) address; the node-to-node shard "
                    + "protocol listens on the next port. Every node is an S3 front end")
    String clusterAddress;

    @Option(names = "--join", paramLabel = "HOST:PORT[,...]", split = ",",
            description = "The other initial members' --cluster-address (every initial member lists the others)")
    List<String> join = new ArrayList<>();

    @Option(names = "--bootstrap",
            description = "Form the cluster from this node and --join the first time this node starts "
                    + "(a node that already holds cluster state ignores it)")
    boolean bootstrap;

    @Option(names = "--node", paramLabel = "NAME", description = "This node's name (default: node-HOST-PORT)")
    String node;

    @Option(names = "--zone", paramLabel = "NAME",
            description = "This node's failure zone, given to its drives that name none (default: the node's name)")
    String zone;

    @Option(names = "--cluster-secret-file", paramLabel = "PATH",
            description = "The cluster secret, 32 bytes or more, the same on every node (KURA_CLUSTER_SECRET overrides it)")
    Path clusterSecretFile;

    @Option(names = "--cluster-cert", paramLabel = "PEM",
            description = "This node's certificate (chain) for mutual TLS between the nodes, naming its --cluster-address "
                    + "host (subject alternative name); with --cluster-key and --cluster-ca, Raft and shard traffic run "
                    + "inside TLS")
    Path clusterCert;

    @Option(names = "--cluster-key", paramLabel = "PEM",
            description = "The private key of --cluster-cert (PKCS#8, unencrypted: BEGIN PRIVATE KEY)")
    Path clusterKey;

    @Option(names = "--cluster-ca", paramLabel = "PEM",
            description = "The certificates this node trusts for its peers (the cluster's CA)")
    Path clusterCa;

    @Option(names = "--testing-index-writer-dies-after", hidden = true, paramLabel = "N",
            description = "For tests: the index writer thread dies before its Nth batch write")
    long testingIndexWriterDiesAfter;

    @Override
    public Integer call() throws Exception {
        ServerConfig config;
        KuraServer server;
        Fatal.install();
        try {
            config = config(System.getenv());
            server = KuraServer.start(config, System.out, Fatal::indexWriterDied, testingIndexWriterDiesAfter);
        } catch (IllegalArgumentException e) {
            System.err.println("kura: " + e.getMessage()); // a configuration that cannot be served: say why
            return 2;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "kura-shutdown"));
        stopped.await();
        return 0;
    }

    /** The configuration these flags and the environment ask for. */
    ServerConfig config(Map<String, String> env) {
        String token = metricsToken != null ? metricsToken : env.get("KURA_METRICS_TOKEN");
        TelemetryConfig telemetry = TelemetryConfig.defaults()
                .withMetricsToken(token == null || token.isEmpty() ? null : token)
                .withAccessLog(accessLog, accessLogTimings)
                .withBuckets(metricsBuckets, metricsTopBuckets)
                .withOpenTelemetry(tracing ? GlobalOpenTelemetry.get() : null);
        ServerConfig.ClusterConfig cluster = cluster(env);
        return new ServerConfig(parse(addresses, 9000), parse(adminAddresses, 9001), data, region,
                env.get("KURA_ACCESS_KEY"), env.get("KURA_SECRET_KEY"),
                limits(), telemetry).withDomain(domain)
                .withStorage(storage(cluster))
                .withMasterKey(new ServerConfig.MasterKeyConfig(env.get("KURA_MASTER_KEY"), masterKeyFile))
                .withPartitions(new dev.kura.object.PartitionBudgets.Settings(partitionWriteRate, partitionReadRate,
                        seconds(splitAfter)))
                .withConsole(onOff("--console", console))
                .withCluster(cluster);
    }

    /** The cluster flags, checked; null when this node runs alone (no {@code --cluster-address}). */
    ServerConfig.ClusterConfig cluster(Map<String, String> env) {
        if (clusterAddress == null) {
            if (!join.isEmpty() || bootstrap || node != null || zone != null || clusterSecretFile != null
                    || clusterCert != null || clusterKey != null || clusterCa != null) {
                throw new IllegalArgumentException("--join, --bootstrap, --node, --zone, --cluster-secret-file and "
                        + "--cluster-cert/-key/-ca need --cluster-address");
            }
            return null;
        }
        InetSocketAddress self = parseOne(clusterAddress);
        if (self.getAddress() == null || self.getAddress().isAnyLocalAddress()) {
            throw new IllegalArgumentException("--cluster-address must name this node's own address, not a wildcard: "
                    + clusterAddress);
        }
        List<InetSocketAddress> others = new ArrayList<>();
        for (String j : join) {
            if (!j.isBlank()) {
                InetSocketAddress a = parseOne(j.trim());
                if (!a.equals(self) && !others.contains(a)) {
                    others.add(a);
                }
            }
        }
        byte[] secret;
        String fromEnv = env.get("KURA_CLUSTER_SECRET");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            secret = fromEnv.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } else if (clusterSecretFile != null) {
            try {
                secret = java.nio.file.Files.readString(clusterSecretFile).strip()
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("cannot read --cluster-secret-file " + clusterSecretFile + ": " + e);
            }
        } else {
            throw new IllegalArgumentException("a cluster node needs the cluster secret: --cluster-secret-file PATH "
                    + "or KURA_CLUSTER_SECRET (32 bytes or more, the same on every node)");
        }
        if (secret.length < 32) {
            throw new IllegalArgumentException("the cluster secret must be at least 32 bytes; it is " + secret.length);
        }
        String name = node != null ? node : "node-" + self.getAddress().getHostAddress().replace(':', '_') + "-"
                + self.getPort();
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw new IllegalArgumentException("--node takes letters, digits, '.', '_' and '-' (at most 63): " + name);
        }
        dev.kura.cluster.ClusterTls tls = tls();
        if (tls != null) {
            try {
                tls.requireNames(self.getHostString());
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        return new ServerConfig.ClusterConfig(name, zone != null ? zone : name, self, others, bootstrap, secret, tls);
    }

    /** Mutual TLS between the nodes from the three PEM files, or null when none is given; some but not all is refused. */
    private dev.kura.cluster.ClusterTls tls() {
        int given = (clusterCert != null ? 1 : 0) + (clusterKey != null ? 1 : 0) + (clusterCa != null ? 1 : 0);
        if (given == 0) {
            return null;
        }
        if (given != 3) {
            throw new IllegalArgumentException("TLS between the nodes needs all three of --cluster-cert, --cluster-key "
                    + "and --cluster-ca");
        }
        try {
            return dev.kura.cluster.ClusterTls.load(clusterCert, clusterKey, clusterCa);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** {@code 60}, {@code 2.5} (seconds) or a duration such as {@code 1m}. */
    static java.time.Duration seconds(String text) {
        try {
            return java.time.Duration.ofMillis(Math.round(Double.parseDouble(text.trim()) * 1000));
        } catch (NumberFormatException e) {
            return parseDuration(text);
        }
    }

    /** The front end's limits from the flags. */
    HttpServer.Limits limits() {
        HttpServer.Limits d = HttpServer.Limits.defaults();
        if (maxConnections < 1 || maxConnectionsPerClient < 1 || maxInFlight < 1 || outboundBudgetMib < 1) {
            throw new IllegalArgumentException("connection, in-flight and budget limits must be at least 1");
        }
        return d.withConnections(maxConnections, maxConnectionsPerClient)
                .withTimeouts(parseDuration(requestHeadTimeout).toMillis(), parseDuration(idleTimeout).toMillis())
                .withAdmission(maxInFlight, parseDuration(admissionWait).toMillis(), d.maxQueuedPerTenant(), d.maxQueued())
                .withOutboundBudget((long) outboundBudgetMib << 20);
    }

    /** The storage flags, checked: a layout the drives cannot serve is refused with the reason. */
    ServerConfig.StorageConfig storage() {
        return storage(null);
    }

    /**
     * As above for a cluster node: its drives get the node's zone unless they name one, it has one drive
     * under {@code --data} without {@code --drive}, and a layout is checked against the drives of all
     * the initial members (each assumed to have as many as this one).
     */
    ServerConfig.StorageConfig storage(ServerConfig.ClusterConfig cluster) {
        List<dev.kura.storage.drives.DriveSet.DriveSpec> specs = new ArrayList<>();
        for (int i = 0; i < drives.size(); i++) {
            String text = drives.get(i);
            if (cluster != null && !text.contains(",zone=")) {
                text += ",zone=" + cluster.zone();
            }
            specs.add(dev.kura.storage.drives.DriveSet.DriveSpec.parse(text, i));
        }
        dev.kura.storage.drives.DriveSet.Layout layout = ec == null ? null : dev.kura.storage.drives.DriveSet.Layout.parse(ec);
        if (cluster != null) {
            if (specs.isEmpty()) {
                specs.add(new dev.kura.storage.drives.DriveSet.DriveSpec(data.resolve("drive"), cluster.zone()));
            }
            int all = specs.size() * cluster.members();
            if (layout != null) {
                layout.check(all);
            }
            // Without --ec the layout is the cluster's, decided at start (Storage.clusterLayout).
            return new ServerConfig.StorageConfig(inlineThreshold != null ? inlineThreshold : -1, specs, layout,
                    parseDuration(scrubInterval)).withLifecycle(parseDuration(lifecycleInterval), lifecycleTesting);
        }
        if (layout != null) {
            layout.check(Math.max(1, specs.size()));
            if (specs.isEmpty() && (layout.k() != 1 || layout.m() != 0)) {
                throw new IllegalArgumentException("--ec " + layout + " needs --drive: without it Kura has one drive");
            }
        }
        int inline = inlineThreshold != null ? inlineThreshold
                : specs.isEmpty() ? dev.kura.object.ObjectService.DEFAULT_INLINE_THRESHOLD : -1;
        return new ServerConfig.StorageConfig(inline, specs, layout, parseDuration(scrubInterval))
                .withLifecycle(parseDuration(lifecycleInterval), lifecycleTesting);
    }

    /** {@code 7d}, {@code 12h}, {@code 30m}, {@code 45s} or {@code 0}. */
    static java.time.Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("0")) {
            return java.time.Duration.ZERO;
        }
        if (t.length() < 2) {
            throw new IllegalArgumentException("a duration like 7d, 12h, 30m or 45s, not '" + text + "'");
        }
        if (t.endsWith("ms")) {
            try {
                return java.time.Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a duration like 500ms, not '" + text + "'");
            }
        }
        long n;
        try {
            n = Long.parseLong(t.substring(0, t.length() - 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a duration like 7d, 12h, 30m or 45s, not '" + text + "'");
        }
        return switch (t.charAt(t.length() - 1)) {
            case 'd' -> java.time.Duration.ofDays(n);
            case 'h' -> java.time.Duration.ofHours(n);
            case 'm' -> java.time.Duration.ofMinutes(n);
            case 's' -> java.time.Duration.ofSeconds(n);
            default -> throw new IllegalArgumentException("a duration like 7d, 12h, 30m or 45s, not '" + text + "'");
        };
    }

    /** {@code on} or {@code off}, in any case. */
    static boolean onOff(String flag, String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(flag + " takes on or off, not '" + value + "'");
        };
    }

    /** {@code stdout}, {@code file} or {@code off}, in any case. */
    static final class AccessLogConverter implements ITypeConverter<TelemetryConfig.AccessLogTarget> {
        @Override
        public TelemetryConfig.AccessLogTarget convert(String value) {
            try {
                return TelemetryConfig.AccessLogTarget.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("expected stdout, file or off, not '" + value + "'");
            }
        }
    }

    static List<InetSocketAddress> parse(List<String> given, int defaultPort) {
        if (given.isEmpty()) {
            return List.of(new InetSocketAddress("127.0.0.1", defaultPort), new InetSocketAddress("::1", defaultPort));
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (String a : given) {
            out.add(parseOne(a));
        }
        return out;
    }

    static InetSocketAddress parseOne(String a) {
        int colon = a.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("address must be HOST:PORT: " + a);
        }
        String host = a.substring(0, colon);
        int port = Integer.parseInt(a.substring(colon + 1));
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || host.equals("::") || host.equals("*")) {
            return new InetSocketAddress(port); // the wildcard: one socket for IPv4 and IPv6
        }
        return new InetSocketAddress(host, port);
    }
}
