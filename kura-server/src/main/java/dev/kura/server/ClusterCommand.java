package dev.kura.server;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kura cluster}: a local cluster for trying it out and for tests. */
@Command(name = "cluster", mixinStandardHelpOptions = true, description = "Runs a local Kura cluster.",
        subcommands = ClusterCommand.Up.class)
final class ClusterCommand {

    /**
     * {@code kura cluster up --nodes 3}: one {@code kura server} process per node on loopback addresses
     * 127.0.0.2, .3, … (each its own failure zone), sharing a cluster secret, root credentials and master
     * key generated once in the cluster's directory; stops them all on Ctrl-C.
     */
    @Command(name = "up", mixinStandardHelpOptions = true,
            description = "Starts a local cluster: one kura server process per node on 127.0.0.2, 127.0.0.3, ... "
                    + "(one zone per node), until Ctrl-C.")
    static final class Up implements Callable<Integer> {
        @Option(names = "--nodes", paramLabel = "N", description = "How many nodes, 1 to 5 (default: 3)")
        int nodes = 3;

        @Option(names = "--data", paramLabel = "DIR", description = "The cluster's directory (default: ./kura-cluster)")
        Path data = Path.of("kura-cluster");

        @Option(names = "--first-address", paramLabel = "IP",
                description = "The first node's loopback address; the others follow (default: 127.0.0.2)")
        String firstAddress = "127.0.0.2";

        @Option(names = "--s3-port", paramLabel = "PORT",
                description = "Every node's S3 port; admin is the next one, the cluster ports 100 and 101 above "
                        + "(default: 9000)")
        int s3Port = 9000;

        @Option(names = "--tls", description = "Raft and shard traffic between the nodes inside mutual TLS, with a "
                + "self-signed certificate per node made once in <data>/tls (keytool from this JDK)")
        boolean tls;

        @Parameters(paramLabel = "SERVER-FLAG", description = "More flags for every node's kura server (after --)")
        List<String> serverFlags = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            if (nodes < 1 || nodes > 5) {
                System.err.println("kura: --nodes takes 1 to 5");
                return 2;
            }
            List<Process> started = new ArrayList<>();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stopAll(started), "kura-cluster-stop"));
            Plan plan = plan(data, nodes, InetAddress.getByName(firstAddress), s3Port, serverFlags, System.out, tls);
            for (int i = 0; i < nodes; i++) {
                ProcessBuilder pb = new ProcessBuilder(plan.command(i));
                pb.environment().putAll(plan.environment());
                Path log = plan.home().resolve("node" + (i + 1) + ".log");
                pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                synchronized (started) {
                    started.add(pb.start());
                }
            }
            System.out.println("Kura cluster of " + nodes + " nodes in " + plan.home().toAbsolutePath() + " (logs: node*.log):");
            for (int i = 0; i < nodes; i++) {
                System.out.println("  node" + (i + 1) + " (zone zone" + (i + 1) + "): S3 http://" + plan.host(i) + ":" + s3Port
                        + "  admin http://" + plan.host(i) + ":" + (s3Port + 1));
            }
            System.out.println("Root credentials are in " + plan.home().resolve("credentials").toAbsolutePath()
                    + "; any node serves any request. Ctrl-C stops the cluster.");
            if (tls) {
                System.out.println("Between the nodes: mutual TLS, certificates in "
                        + plan.home().resolve(TLS_DIR).toAbsolutePath() + " (replace a node's files to renew them).");
            }
            CountDownLatch anyExit = new CountDownLatch(1);
            for (Process p : started) {
                p.onExit().thenRun(anyExit::countDown);
            }
            anyExit.await();
            synchronized (started) {
                for (int i = 0; i < started.size(); i++) {
                    if (!started.get(i).isAlive()) {
                        System.err.println("kura: node" + (i + 1) + " stopped (exit " + started.get(i).exitValue()
                                + "); see " + plan.home().resolve("node" + (i + 1) + ".log"));
                    }
                }
            }
            // The others keep serving (a cluster outlives a node); Ctrl-C stops them.
            for (Process p : started) {
                p.waitFor();
            }
            return 0;
        }

        private static void stopAll(List<Process> started) {
            synchronized (started) {
                started.forEach(Process::destroy);
                for (Process p : started) {
                    try {
                        p.waitFor();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        }
    }

    /** How to start each node of a local cluster, and what they share. */
    record Plan(Path home, List<String> hosts, List<List<String>> commands, Map<String, String> environment) {
        String host(int i) {
            return hosts.get(i);
        }

        List<String> command(int i) {
            return commands.get(i);
        }
    }

    /**
     * Prepares {@code home} (the secret, credentials and master key, made once and kept) and the command
     * line of each node: this JVM's java, class path and flags running {@code kura server}.
     */
    static Plan plan(Path home, int nodes, InetAddress first, int s3Port, List<String> extra, PrintStream terminal)
            throws IOException {
        return plan(home, nodes, first, s3Port, extra, terminal, false);
    }

    /** The certificates of a local cluster started with {@code --tls}, under its directory. */
    static final String TLS_DIR = "tls";

    /**
     * As above; with {@code tls}, every node gets {@code --cluster-cert/--cluster-key/--cluster-ca}: a
     * self-signed certificate of its own naming its address (made the first time, kept after), and a file
     * trusting every node's.
     */
    static Plan plan(Path home, int nodes, InetAddress first, int s3Port, List<String> extra, PrintStream terminal,
                     boolean tls) throws IOException {
        Files.createDirectories(home);
        Path secret = home.resolve("cluster-secret");
        if (!Files.exists(secret)) {
            byte[] raw = new byte[32];
            new SecureRandom().nextBytes(raw);
            writePrivate(secret, Base64.getEncoder().encodeToString(raw) + "\n");
        }
        Path masterKey = home.resolve("master-key");
        MasterKey.resolve(null, masterKey, terminal); // generated (mode 600) the first time
        ServerConfig bare = new ServerConfig(List.of(), List.of(), home, "us-east-1", null, null);
        Credentials creds = Credentials.resolve(bare, home, terminal);
        byte[] base = first.getAddress();
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            byte[] a = base.clone();
            a[a.length - 1] = (byte) ((a[a.length - 1] & 0xff) + i);
            hosts.add(InetAddress.getByAddress(a).getHostAddress());
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> jvm = new ArrayList<>();
        for (String f : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!f.startsWith("-agentlib") && !f.startsWith("-javaagent")) {
                jvm.add(f);
            }
        }
        List<dev.kura.cluster.LocalCertificates.Node> certificates = new ArrayList<>();
        Path trusted = home.resolve(TLS_DIR).resolve("trusted.pem");
        if (tls) {
            Path dir = home.resolve(TLS_DIR);
            for (int i = 0; i < nodes; i++) {
                var node = new dev.kura.cluster.LocalCertificates.Node(dir.resolve("node" + (i + 1) + ".crt"),
                        dir.resolve("node" + (i + 1) + ".key"));
                if (!Files.exists(node.certificate()) || !Files.exists(node.key())
                        || !names(node, hosts.get(i))) {
                    node = dev.kura.cluster.LocalCertificates.make(dir, "node" + (i + 1), 825, hosts.get(i));
                }
                certificates.add(node);
            }
            dev.kura.cluster.LocalCertificates.trusting(trusted, certificates);
        }
        List<List<String>> commands = new ArrayList<>();
        int clusterPort = s3Port + 100;
        for (int i = 0; i < nodes; i++) {
            List<String> c = new ArrayList<>();
            c.add(java);
            c.addAll(jvm);
            c.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "server",
                    "--address", hosts.get(i) + ":" + s3Port, "--admin-address", hosts.get(i) + ":" + (s3Port + 1),
                    "--data", home.resolve("node" + (i + 1)).toString(), "--node", "node" + (i + 1),
                    "--zone", "zone" + (i + 1), "--cluster-address", hosts.get(i) + ":" + clusterPort, "--bootstrap",
                    "--cluster-secret-file", secret.toString(), "--master-key-file", masterKey.toString()));
            List<String> others = new ArrayList<>();
            for (int j = 0; j < nodes; j++) {
                if (j != i) {
                    others.add(hosts.get(j) + ":" + clusterPort);
                }
            }
            if (!others.isEmpty()) {
                c.add("--join");
                c.add(String.join(",", others));
            }
            if (tls) {
                c.addAll(List.of("--cluster-cert", certificates.get(i).certificate().toString(),
                        "--cluster-key", certificates.get(i).key().toString(), "--cluster-ca", trusted.toString()));
            }
            c.addAll(extra);
            commands.add(c);
        }
        return new Plan(home, hosts, commands, Map.of("KURA_ACCESS_KEY", creds.accessKey(),
                "KURA_SECRET_KEY", creds.secretKey()));
    }

    /** True when the node's files load and its certificate names {@code host} (else they are made again). */
    private static boolean names(dev.kura.cluster.LocalCertificates.Node node, String host) {
        try {
            dev.kura.cluster.ClusterTls own = dev.kura.cluster.ClusterTls.load(node.certificate(), node.key(),
                    node.certificate());
            own.requireNames(host);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
