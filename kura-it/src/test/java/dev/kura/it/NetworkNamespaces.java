package dev.kura.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace per node, made with {@code ip} (root only), so that a node can really be cut off:
 * each node has a <em>cluster link</em> — a veth pair into one bridge that joins every node's cluster
 * link (addresses 10.231.0.2, .3, …) — and a <em>service link</em> to the test's own namespace
 * (10.232.i.2, the test at 10.232.i.1) where its S3 and admin ports listen. {@link #cut} takes a node's
 * cluster link down: the node runs on, reachable by clients, but its packets to and from the other
 * nodes go nowhere (no reset, no refusal: what a pulled cable or a failed switch port does).
 * Everything is removed at {@link #close}.
 */
final class NetworkNamespaces implements AutoCloseable {
    private final String tag;
    private final int nodes;
    private final List<String> made = new ArrayList<>();
    private boolean bridge;

    private NetworkNamespaces(String tag, int nodes) {
        this.tag = tag;
        this.nodes = nodes;
    }

    /** The namespaces for {@code nodes} nodes, or null when this machine does not let the test make them. */
    static NetworkNamespaces tryCreate(int nodes) {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return null;
        }
        sweepLeftovers();
        String tag = Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
        NetworkNamespaces n = new NetworkNamespaces(tag, nodes);
        try {
            n.build();
            return n;
        } catch (IOException e) {
            System.out.println("network namespaces not available (" + e.getMessage() + "); nodes share the loopback");
            n.close();
            return null;
        }
    }

    /** Removes namespaces and bridges a killed test run left behind (their addresses would collide). */
    private static void sweepLeftovers() {
        try {
            for (String line : output("ip", "netns", "list").split("\n")) {
                String name = line.strip().split(" ")[0];
                if (name.matches("kura[0-9a-f]{4}n[0-9]+")) {
                    ip("netns", "del", name);
                }
            }
            for (String line : output("ip", "-o", "link", "show", "type", "bridge").split("\n")) {
                String[] parts = line.split(": ");
                if (parts.length > 1 && parts[1].matches("kb[0-9a-f]{4}")) {
                    ip("link", "del", parts[1]);
                }
            }
        } catch (IOException e) {
            // nothing to sweep, or no permission: building will say
        }
    }

    private String ns(int i) {
        return "kura" + tag + "n" + i;
    }

    private String clusterVeth(int i) {
        return "kc" + tag + "x" + i; // ≤ 15 characters, as interface names must be
    }

    private void build() throws IOException {
        ip("link", "add", "kb" + tag, "type", "bridge");
        bridge = true;
        ip("link", "set", "kb" + tag, "up");
        for (int i = 0; i < nodes; i++) {
            ip("netns", "add", ns(i));
            made.add(ns(i));
            ip("-n", ns(i), "link", "set", "lo", "up");
            // the cluster link: a veth into the bridge
            ip("link", "add", clusterVeth(i), "type", "veth", "peer", "name", "c0", "netns", ns(i));
            ip("link", "set", clusterVeth(i), "master", "kb" + tag);
            ip("link", "set", clusterVeth(i), "up");
            ip("-n", ns(i), "addr", "add", clusterHost(i) + "/24", "dev", "c0");
            ip("-n", ns(i), "link", "set", "c0", "up");
            // the service link: a veth straight to the test's namespace
            String service = "ks" + tag + "x" + i;
            ip("link", "add", service, "type", "veth", "peer", "name", "s0", "netns", ns(i));
            ip("addr", "add", "10.232." + i + ".1/30", "dev", service);
            ip("link", "set", service, "up");
            ip("-n", ns(i), "addr", "add", serviceHost(i) + "/30", "dev", "s0");
            ip("-n", ns(i), "link", "set", "s0", "up");
        }
    }

    /** Node {@code i}'s cluster address (Raft and shards), on the bridge. */
    String clusterHost(int i) {
        return "10.231.0." + (i + 2);
    }

    /** Node {@code i}'s S3 and admin address, on its service link. */
    String serviceHost(int i) {
        return "10.232." + i + ".2";
    }

    /** The command prefix that runs a program in node {@code i}'s namespace. */
    List<String> exec(int i) {
        return List.of("ip", "netns", "exec", ns(i));
    }

    /** Takes node {@code i}'s cluster link down: it is cut off from every other node, not from its clients. */
    void cut(int i) throws IOException {
        ip("link", "set", clusterVeth(i), "down");
    }

    /** Brings node {@code i}'s cluster link back. */
    void reconnect(int i) throws IOException {
        ip("link", "set", clusterVeth(i), "up");
    }

    @Override
    public void close() {
        for (String ns : made) {
            try {
                ip("netns", "del", ns); // its veth ends go with it, and their peers here with them
            } catch (IOException e) {
                System.out.println("could not remove network namespace " + ns + ": " + e.getMessage());
            }
        }
        made.clear();
        if (bridge) {
            try {
                ip("link", "del", "kb" + tag);
            } catch (IOException e) {
                System.out.println("could not remove bridge kb" + tag + ": " + e.getMessage());
            }
            bridge = false;
        }
    }

    private static void ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        output(cmd.toArray(String[]::new));
    }

    private static String output(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", cmd) + ": timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + ": " + out);
        }
        return out;
    }
}
