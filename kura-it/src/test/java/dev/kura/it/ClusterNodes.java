package dev.kura.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A cluster of {@code kura server} processes on loopback addresses 127.0.0.2, .3, … (one zone each),
 * started as {@code kura cluster up} starts them: the same secret, root credentials and master key,
 * every node listing the others with {@code --join}. Nodes can be killed (-9) and started again on the
 * same data and ports.
 */
final class ClusterNodes implements AutoCloseable {
    static final String AK = ServerProcess.AK;
    static final String SK = ServerProcess.SK;

    final Path home;
    /** Where node i's S3 and admin ports listen. */
    final List<String> hosts = new ArrayList<>();
    /** Where node i's cluster port listens (the same as {@link #hosts} on the loopback). */
    final List<String> clusterHosts = new ArrayList<>();
    /** A namespace per node when the nodes run in network namespaces (real cuts), else null. */
    final NetworkNamespaces net;
    final int s3Port;
    final int adminPort;
    final int clusterPort;
    final List<String> extra;
    /** The initial members (started with --bootstrap); nodes past them join the running cluster. */
    final int initial;
    /** Node i's zone (default: a zone of its own, zone1, zone2, …). */
    java.util.function.IntFunction<String> zones = i -> "zone" + (i + 1);
    final Process[] processes;
    final Path[] logs;
    /** Each node's certificate and key when the cluster runs inside TLS, else null. */
    List<dev.kura.cluster.LocalCertificates.Node> certificates;

    private ClusterNodes(Path home, int n, int capacity, int s3Port, int adminPort, int clusterPort, List<String> extra,
                         NetworkNamespaces net) {
        this.home = home;
        this.s3Port = s3Port;
        this.adminPort = adminPort;
        this.clusterPort = clusterPort;
        this.extra = extra;
        this.initial = n;
        this.net = net;
        for (int i = 0; i < capacity; i++) {
            hosts.add(net != null ? net.serviceHost(i) : "127.0.0." + (2 + i));
            clusterHosts.add(net != null ? net.clusterHost(i) : hosts.get(i));
        }
        this.processes = new Process[capacity];
        this.logs = new Path[capacity];
    }

    /** Starts {@code n} nodes and waits until every one is ready (index leader known, enough drives). */
    static ClusterNodes start(Path home, int n, List<String> extra) throws Exception {
        return start(home, n, n, extra);
    }

    /** As above, with addresses and ports free for {@code capacity} nodes: the others can join later. */
    static ClusterNodes start(Path home, int n, int capacity, List<String> extra) throws Exception {
        return start(home, n, capacity, extra, i -> "zone" + (i + 1));
    }

    /** As above, node i in zone {@code zones.apply(i)}. */
    static ClusterNodes start(Path home, int n, int capacity, List<String> extra, java.util.function.IntFunction<String> zones)
            throws Exception {
        return start(home, n, capacity, extra, zones, false);
    }

    /**
     * As above; with {@code tls} every node gets a certificate naming its address (PEM, made with keytool)
     * and trusts all of them: Raft and shard traffic run inside mutual TLS.
     */
    static ClusterNodes start(Path home, int n, int capacity, List<String> extra, java.util.function.IntFunction<String> zones,
                              boolean tls) throws Exception {
        return start(home, n, capacity, extra, zones, tls, false);
    }

    /**
     * As above; with {@code namespaces} each node runs in a network namespace of its own where this machine
     * allows it ({@link NetworkNamespaces}: {@link #cut} is then a real cut), else on the loopback.
     */
    static ClusterNodes start(Path home, int n, int capacity, List<String> extra, java.util.function.IntFunction<String> zones,
                              boolean tls, boolean namespaces) throws Exception {
        NetworkNamespaces net = namespaces ? NetworkNamespaces.tryCreate(capacity) : null;
        // Fresh network stacks have every port free.
        int[] ports = net != null ? new int[] {9000, 9001, 9100} : freePorts(capacity);
        ClusterNodes c = new ClusterNodes(home, n, capacity, ports[0], ports[1], ports[2], extra, net);
        c.zones = zones;
        try {
            c.prepare(tls);
            for (int i = 0; i < n; i++) {
                c.launch(i);
            }
            for (int i = 0; i < n; i++) {
                c.awaitReady(i, 90);
            }
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
        return c;
    }

    /** The files every node is given: certificates (with {@code tls}), the cluster secret and the master key. */
    private void prepare(boolean tls) throws IOException {
        Files.createDirectories(home);
        if (tls) {
            List<dev.kura.cluster.LocalCertificates.Node> certs = new ArrayList<>();
            List<java.util.concurrent.CompletableFuture<dev.kura.cluster.LocalCertificates.Node>> making = new ArrayList<>();
            for (int i = 0; i < hosts.size(); i++) { // a keytool process each, side by side
                String name = "node" + (i + 1);
                String host = clusterHosts.get(i);
                making.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return dev.kura.cluster.LocalCertificates.make(home.resolve("certs"), name, 2, host);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            for (var f : making) {
                certs.add(f.join());
            }
            certificates = certs;
            dev.kura.cluster.LocalCertificates.trusting(home.resolve("certs").resolve("cluster-ca.pem"), certs);
        }
        Files.writeString(home.resolve("cluster-secret"), "it-cluster-secret-0123456789abcdef-0123456789\n");
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Files.writeString(home.resolve("master-key"), java.util.Base64.getEncoder().encodeToString(key) + "\n");
        Files.setPosixFilePermissions(home.resolve("master-key"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    /** What a test does with a running cluster. */
    interface Scenario {
        void run(ClusterNodes cluster) throws Exception;
    }

    /** Starts {@code n} nodes in {@code home}, runs {@code scenario}, and on a failure adds every node's log tail. */
    static void run(Path home, int n, Scenario scenario) throws Exception {
        run(home, n, n, scenario);
    }

    /** As above, room for {@code capacity} nodes: {@link #launch} of a node past the {@code n} first adds it. */
    static void run(Path home, int n, int capacity, Scenario scenario) throws Exception {
        run(home, n, capacity, i -> "zone" + (i + 1), scenario);
    }

    /** As above, node i in zone {@code zones.apply(i)}. */
    static void run(Path home, int n, int capacity, java.util.function.IntFunction<String> zones, Scenario scenario)
            throws Exception {
        run(home, n, capacity, zones, false, scenario);
    }

    /** As above, inside mutual TLS between the nodes when {@code tls}. */
    static void run(Path home, int n, int capacity, java.util.function.IntFunction<String> zones, boolean tls,
                    Scenario scenario) throws Exception {
        run(home, n, capacity, zones, tls, false, scenario);
    }

    /** As above, each node in a network namespace of its own when {@code namespaces} and the machine allows it. */
    static void run(Path home, int n, int capacity, java.util.function.IntFunction<String> zones, boolean tls,
                    boolean namespaces, Scenario scenario) throws Exception {
        try (ClusterNodes cluster = start(home, n, capacity, List.of(), zones, tls, namespaces)) {
            try {
                scenario.run(cluster);
            } catch (Exception | AssertionError e) {
                throw new AssertionError(e.getMessage() + cluster.logs(), e);
            }
        }
    }

    /** Ports free on every node's address: S3, admin, and the cluster port with the shard port after it. */
    private static int[] freePorts(int n) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int[] p = new int[3];
            try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"));
                 ServerSocket b = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"))) {
                p[0] = a.getLocalPort();
                p[1] = b.getLocalPort();
            }
            p[2] = 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000);
            boolean free = true;
            for (int i = 0; i < n && free; i++) {
                for (int port : new int[] {p[0], p[1], p[2], p[2] + 1}) {
                    try (ServerSocket s = new ServerSocket()) {
                        s.bind(new InetSocketAddress("127.0.0." + (2 + i), port));
                    } catch (IOException e) {
                        free = false;
                        break;
                    }
                }
            }
            if (free) {
                return p;
            }
        }
        throw new IOException("no free ports on 127.0.0.2..");
    }

    /**
     * Starts node {@code i} (again, after a kill: same data, same addresses). An initial member starts with
     * {@code --bootstrap} and the other initial members; a node past them without, joining the running
     * cluster through the initial members.
     */
    void launch(int i) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(net != null ? net.exec(i) : List.of());
        cmd.addAll(List.of(java, "-Xmx384m", "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "dev.kura.server.Main", "server",
                "--address", hosts.get(i) + ":" + s3Port, "--admin-address", hosts.get(i) + ":" + adminPort,
                "--data", home.resolve("node" + (i + 1)).toString(), "--node", "node" + (i + 1), "--zone", zones.apply(i),
                "--cluster-address", clusterHosts.get(i) + ":" + clusterPort,
                "--cluster-secret-file", home.resolve("cluster-secret").toString(),
                "--master-key-file", home.resolve("master-key").toString(), "--access-log", "off"));
        if (i < initial) {
            cmd.add("--bootstrap");
        }
        List<String> others = new ArrayList<>();
        for (int j = 0; j < initial; j++) {
            if (j != i) {
                others.add(clusterHosts.get(j) + ":" + clusterPort);
            }
        }
        cmd.add("--join");
        cmd.add(String.join(",", others));
        if (certificates != null) {
            cmd.addAll(List.of("--cluster-cert", certificates.get(i).certificate().toString(),
                    "--cluster-key", certificates.get(i).key().toString(),
                    "--cluster-ca", home.resolve("certs").resolve("cluster-ca.pem").toString()));
        }
        cmd.addAll(extra);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("KURA_ACCESS_KEY", AK);
        pb.environment().put("KURA_SECRET_KEY", SK);
        pb.redirectErrorStream(true);
        logs[i] = home.resolve("node" + (i + 1) + ".log");
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logs[i].toFile()));
        processes[i] = pb.start();
    }

    /** Waits until node {@code i} answers /health/ready with 200. */
    void awaitReady(int i, int seconds) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (!processes[i].isAlive()) {
                throw new IllegalStateException("node" + (i + 1) + " exited: " + log(i));
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create(admin(i) + "/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("node" + (i + 1) + " did not become ready: " + log(i));
    }

    String admin(int i) {
        return "http://" + hosts.get(i) + ":" + adminPort;
    }

    /** An SDK client of node {@code i}, with the SDK's standard retries (as users run it). */
    S3Client client(int i) {
        return S3Client.builder().endpointOverride(URI.create("http://" + hosts.get(i) + ":" + s3Port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(AK, SK)))
                .forcePathStyle(true)
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(Duration.ofSeconds(20)))
                .build();
    }

    /** A client of node {@code i} that tries each request once (for recorded histories), 20 s per attempt. */
    S3Client onceClient(int i) {
        return S3Client.builder().endpointOverride(URI.create("http://" + hosts.get(i) + ":" + s3Port))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(AK, SK)))
                .forcePathStyle(true)
                .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(1))
                        .apiCallAttemptTimeout(Duration.ofSeconds(20)))
                .build();
    }

    /**
     * Cuts node {@code i} off from the other nodes: its cluster link goes down when the nodes run in network
     * namespaces (it still serves its clients), else it is frozen ({@link #pause}: it answers nobody).
     */
    void cut(int i) throws Exception {
        if (net != null) {
            net.cut(i);
        } else {
            pause(i);
        }
    }

    /** Ends {@link #cut}. */
    void reconnect(int i) throws Exception {
        if (net != null) {
            net.reconnect(i);
        } else {
            resume(i);
        }
    }

    /** Freezes node {@code i} (SIGSTOP): to the others it is cut off, its sockets open but silent. */
    void pause(int i) throws Exception {
        signal(i, "-STOP");
    }

    /** Thaws node {@code i} (SIGCONT). */
    void resume(int i) throws Exception {
        signal(i, "-CONT");
    }

    private void signal(int i, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", signal, Long.toString(processes[i].pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IllegalStateException("kill " + signal + " node" + (i + 1) + " failed");
        }
    }

    /** A metric of node {@code i}'s /metrics (the first series starting with {@code series}); NaN when absent. */
    double metric(int i, String series) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        String text = http.send(HttpRequest.newBuilder(URI.create(admin(i) + "/metrics")).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) {
            if (line.startsWith(series)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
            }
        }
        return Double.NaN;
    }

    /** The node that leads the metadata group now, waiting for one to be elected; -1 on timeout. */
    int leader(int seconds) throws Exception {
        return leader(seconds, "meta");
    }

    /** The node that leads {@code group} ({@code meta}, {@code index-N}) now, waiting for one; -1 on timeout. */
    int leader(int seconds, String group) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < processes.length; i++) {
                if (processes[i] != null && processes[i].isAlive()) {
                    try {
                        if (metric(i, "kura_cluster_leader{group=\"" + group + "\"") == 1) {
                            return i;
                        }
                    } catch (IOException e) {
                        // not answering: not the leader
                    }
                }
            }
            Thread.sleep(200);
        }
        return -1;
    }

    void kill9(int i) throws InterruptedException {
        processes[i].destroyForcibly();
        processes[i].waitFor(30, TimeUnit.SECONDS);
    }

    String log(int i) {
        if (logs[i] == null) {
            return "(not started)";
        }
        try {
            List<String> lines = Files.readAllLines(logs[i], StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 80), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Every node's log tail, for a failure message. */
    String logs() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < processes.length; i++) {
            b.append("\n---- node").append(i + 1).append(" ----\n").append(log(i));
        }
        return b.toString();
    }

    @Override
    public void close() throws Exception {
        for (int i = 0; i < processes.length; i++) {
            if (processes[i] != null && processes[i].isAlive()) {
                resume(i); // a stopped process would not act on SIGTERM
            }
        }
        for (Process p : processes) {
            if (p != null) {
                p.destroy();
            }
        }
        for (Process p : processes) {
            if (p != null && !p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        for (Process p : processes) {
            if (p != null) {
                p.waitFor(10, TimeUnit.SECONDS); // gone before its namespace is
            }
        }
        if (net != null) {
            net.close();
        }
    }
}
