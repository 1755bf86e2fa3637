package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Three {@code kura server} processes as one cluster on 127.0.0.2–4 (a zone each, one drive each, so
 * 2+1 erasure coding over the three nodes), driven by the AWS SDK with its standard retries: any node
 * serves any request and sees every other node's writes at once; the shards of one object lie on all
 * three nodes; the index leader is killed with -9 and the two left elect another, read everything back
 * byte-exact (rebuilding the dead node's shards) and take new writes; the dead node comes back on its
 * data, catches up, and serves what was written while it was down. All of it with the nodes' Raft and
 * shard traffic inside mutual TLS (a certificate per node, given as PEM files).
 */
class ClusterTest {
    static final int[] SIZES = {0, 1, 4096, 100_000, 1_048_579};

    @TempDir
    Path dir;
    final Map<String, Integer> written = new TreeMap<>();

    static byte[] content(String key, int size) {
        return ZoneFailureTest.content(key, size);
    }

    @Test
    void everyNodeServesEveryRequestAndTheClusterOutlivesItsLeader() throws Exception {
        ClusterNodes.run(dir, 3, 4, i -> "zone" + (i + 1), true, this::scenario);
    }

    void scenario(ClusterNodes cluster) throws Exception {
        for (int i = 0; i < 3; i++) {
            assertThat(java.nio.file.Files.readString(cluster.logs[i])).as("node%d's log", i + 1)
                    .contains("inside mutual TLS, this node as CN=node" + (i + 1));
        }
        List<S3Client> s3 = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            s3.add(cluster.client(i));
        }
        s3.get(0).createBucket(b -> b.bucket("spread"));
        for (int n = 0; n < 15; n++) {
            put(s3.get(n % 3), "before/" + n, SIZES[n % SIZES.length]); // each node writes some
        }
        // Read-your-writes across nodes: every node reads and lists what the others wrote.
        for (int i = 0; i < 3; i++) {
            readAll(s3.get(i));
            assertThat(keys(s3.get(i))).as("listing through node%d", i + 1).containsExactlyElementsOf(written.keySet());
        }
        // 2+1 over one drive per node (small data: whole copies on two): shards lie on every node's drive,
        // whichever node took the write, at least two per non-empty object.
        long total = 0;
        for (int i = 0; i < 3; i++) {
            long here = dataFiles(cluster.home.resolve("node" + (i + 1)).resolve("drive"));
            assertThat(here).as("shard files on node%d's drive", i + 1).isPositive();
            total += here;
        }
        assertThat(total).as("shard files on the three drives").isGreaterThanOrEqualTo(2 * 12);

        // Buckets live in the data group their name hashes to: one bucket in each, written through one node and
        // read through the others; every group's log moved, and every group has the three members.
        java.util.Map<Integer, String> byGroup = new java.util.TreeMap<>();
        for (int n = 0; byGroup.size() < 3; n++) {
            byGroup.putIfAbsent(dev.kura.cluster.GroupedIndex.groupOfName("grouped-" + n, 3), "grouped-" + n);
        }
        for (var e : byGroup.entrySet()) {
            s3.get(e.getKey()).createBucket(b -> b.bucket(e.getValue()));
            s3.get(e.getKey()).putObject(b -> b.bucket(e.getValue()).key("k"),
                    software.amazon.awssdk.core.sync.RequestBody.fromString(e.getValue()));
        }
        for (int i = 0; i < 3; i++) {
            for (String bucket : byGroup.values()) {
                assertThat(s3.get(i).getObjectAsBytes(b -> b.bucket(bucket).key("k")).asUtf8String()).isEqualTo(bucket);
            }
            for (String group : List.of("meta", "index-0", "index-1", "index-2")) {
                assertThat(cluster.metric(i, "kura_cluster_members{group=\"" + group + "\"")).as("%s on node%d", group, i + 1)
                        .isEqualTo(3);
            }
            for (int g = 0; g < 3; g++) {
                assertThat(cluster.metric(i, "kura_cluster_applied_index{group=\"index-" + g + "\""))
                        .as("index-%d applied on node%d", g, i + 1).isGreaterThan(1);
            }
        }

        // The leaderships spread: the metadata group's leader hands data groups over until no node leads more
        // than two of the four groups.
        org.awaitility.Awaitility.await("leaderships spread").atMost(java.time.Duration.ofSeconds(60)).until(() ->
                leadsPerMember(admin(cluster.admin(0), "nodes", "--json")).values().stream().allMatch(n -> n <= 2));
        int leader = cluster.leader(30);
        assertThat(leader).as("an index leader").isNotNegative();
        // kura admin nodes / endpoints, asked of any node: every member, its zone, the leader, every S3 endpoint.
        String nodes = admin(cluster.admin((leader + 1) % 3), "nodes");
        for (int i = 0; i < 3; i++) {
            assertThat(nodes).contains("node" + (i + 1), "zone" + (i + 1), cluster.hosts.get(i) + ":" + cluster.s3Port);
        }
        assertThat(nodes).contains("leader", "(this node)", "LEADS", "meta").doesNotContain("unreachable")
                .doesNotContain("groups without a known leader");
        assertThat(admin(cluster.admin(leader), "endpoints").lines().toList()).containsExactlyInAnyOrder(
                "http://" + cluster.hosts.get(0) + ":" + cluster.s3Port, "http://" + cluster.hosts.get(1) + ":" + cluster.s3Port,
                "http://" + cluster.hosts.get(2) + ":" + cluster.s3Port);
        // Raft state and inter-node traffic in /metrics: the leader knows how far behind each member's commit
        // index is (0 once idle), a follower reports no lag (NaN); every node sent shards to the others.
        int follower = (leader + 1) % 3;
        String lag = "kura_cluster_follower_lag{group=\"meta\",peer=\"" + cluster.hosts.get(follower) + "_"
                + cluster.clusterPort + "\"}";
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> cluster.metric(leader, lag) == 0);
        assertThat(cluster.metric(follower, "kura_cluster_follower_lag{group=\"meta\"")).isNaN();
        assertThat(cluster.metric(follower, "kura_cluster_commit_index{group=\"index-"
                + dev.kura.cluster.GroupedIndex.groupOfName("spread", 3) + "\"")).isPositive();
        for (int i = 0; i < 3; i++) {
            assertThat(cluster.metric(i, "kura_cluster_shard_bytes_total{direction=\"out\"}")).as("node%d's shard bytes out", i + 1)
                    .isGreaterThan(100_000);
        }
        double term = cluster.metric(leader, "kura_cluster_term{group=\"meta\"");
        cluster.kill9(leader);
        List<Integer> alive = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            if (i != leader) {
                alive.add(i);
            }
        }
        int next = cluster.leader(30);
        assertThat(next).as("a new leader among the two left").isIn(alive);
        assertThat(cluster.metric(next, "kura_cluster_term{group=\"meta\"")).as("a later term").isGreaterThan(term);
        for (int i : alive) {
            readAll(s3.get(i)); // the dead node's shards are rebuilt from the other two
        }
        assertThat(admin(cluster.admin(next), "nodes")).as("the dead node, seen from the new leader")
                .containsPattern("node" + (leader + 1) + " .*unreachable");
        for (int n = 0; n < 10; n++) {
            put(s3.get(alive.get(n % 2)), "during/" + n, SIZES[n % SIZES.length]);
        }
        for (int i : alive) {
            readAll(s3.get(i));
            assertThat(keys(s3.get(i))).containsExactlyElementsOf(written.keySet());
        }

        cluster.launch(leader);
        cluster.awaitReady(leader, 90);
        readAll(s3.get(leader)); // caught up: it serves what was written while it was down
        assertThat(keys(s3.get(leader))).containsExactlyElementsOf(written.keySet());
        put(s3.get(leader), "after/0", 300_000);
        for (int i = 0; i < 3; i++) {
            readAll(s3.get(i));
        }

        // A node's disk is replaced: its drive comes back empty and waits; formatted with kura admin it takes
        // the old drive's id, and heals rebuild its shards from the other nodes' over the network. Then
        // another node dies, and everything still reads back: the redundancy was restored.
        int replaced = (leader + 1) % 3;
        Path drive = cluster.home.resolve("node" + (replaced + 1)).resolve("drive");
        long shardsBefore = dataFiles(drive);
        cluster.kill9(replaced);
        TestFiles.deleteTree(drive);
        Files.createDirectories(drive);
        cluster.launch(replaced);
        cluster.awaitReady(replaced, 90);
        assertThat(admin(cluster.admin(replaced), "drives")).contains("unformatted");
        admin(cluster.admin(replaced), "drives", "format", drive.toString());
        // Formatting starts a heal there; one asked for meanwhile runs after it and finds nothing left.
        String second = admin(cluster.admin(replaced), "heal", "--wait", "--json");
        assertThat(ZoneFailureTest.number(second, "failed")).isZero();
        assertThat(dataFiles(drive)).as("shards rebuilt onto the new drive").isGreaterThanOrEqualTo(shardsBefore);
        int healer = (replaced + 1) % 3;
        String fromElsewhere = admin(cluster.admin(healer), "heal", "--wait", "--json");
        assertThat(ZoneFailureTest.number(fromElsewhere, "failed")).isZero();
        assertThat(ZoneFailureTest.number(fromElsewhere, "repaired")).as("another node's heal finds nothing to do")
                .isZero();
        int dead = (replaced + 2) % 3;
        cluster.kill9(dead);
        readAll(s3.get(healer));

        // A fourth node joins the running cluster (no --bootstrap, --join the initial members) while one of
        // the three is down: the group adds it (3 of 4 up is a majority), it serves everything written
        // before, its drive takes shards of new writes at once (the dead node's is skipped), and the
        // others know it within seconds: what it writes reads back through them.
        cluster.launch(3);
        cluster.awaitReady(3, 90);
        S3Client fourth = cluster.client(3);
        readAll(fourth);
        assertThat(keys(fourth)).containsExactlyElementsOf(written.keySet());
        for (int n = 0; n < 6; n++) {
            put(fourth, "joined/" + n, SIZES[n % SIZES.length]);
        }
        assertThat(dataFiles(cluster.home.resolve("node4").resolve("drive"))).as("shards on the new node's drive")
                .isPositive();
        int other = 3 - healer - dead; // the third of the initial nodes, alive
        for (int i : List.of(healer, other)) {
            S3Client c = cluster.client(i);
            readAll(c);
            c.close();
        }
        // Four members in four zones: the metadata group has all four; each data group keeps three replicas, in
        // distinct zones, on the members the placement names (node4 takes its share of them: the groups move).
        assertThat(cluster.metric(healer, "kura_cluster_members{group=\"meta\"")).isEqualTo(4);
        java.util.Map<String, String> zones = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            zones.put(cluster.clusterHosts.get(i) + "_" + cluster.clusterPort, "zone" + (i + 1));
        }
        String node4 = cluster.clusterHosts.get(3) + "_" + cluster.clusterPort;
        int placedOnFourth = 0;
        for (int g = 0; g < 3; g++) {
            String group = "index-" + g;
            java.util.Set<String> expected = java.util.Set.copyOf(dev.kura.cluster.GroupPlacement.choose(group, zones, 3));
            placedOnFourth += expected.contains(node4) ? 1 : 0;
            org.awaitility.Awaitility.await(group + " placed on " + expected).atMost(java.time.Duration.ofSeconds(90))
                    .until(() -> groupMembers(admin(cluster.admin(healer), "nodes", "--json"), group).equals(expected));
        }
        assertThat(placedOnFourth).as("data groups placed on node4").isPositive();
        readAll(fourth); // through the moves
        String four = admin(cluster.admin(3), "nodes");
        assertThat(four).contains("node4", "zone4", "(this node)", cluster.hosts.get(3) + ":" + cluster.s3Port);
        assertThat(admin(cluster.admin(healer), "endpoints").lines()).contains(
                "http://" + cluster.hosts.get(3) + ":" + cluster.s3Port);
        // It stays a member across a restart (its own log holds the configuration).
        cluster.kill9(3);
        cluster.launch(3);
        cluster.awaitReady(3, 90);
        readAll(fourth);
        fourth.close();

        // Node 4 leaves again: `kura admin node remove node4`, asked of another node, takes it out of the group
        // and moves every shard on its drive onto the others' (read there while it can be, never written).
        // Nothing is left on its drive; with it gone and one more node down, everything still reads back.
        cluster.launch(dead);
        cluster.awaitReady(dead, 90);
        assertThat(adminRefused(cluster.admin(healer), "node", "remove", "node9")).contains("no member named node9");
        assertThat(adminRefused(cluster.admin(3), "node", "remove", "node4")).contains("is this node");
        assertThat(admin(cluster.admin(healer), "node", "remove", "node4")).contains("node4 removed");
        assertThat(dataFiles(cluster.home.resolve("node4").resolve("drive"))).as("shards left on the removed node's drive")
                .isZero();
        // Out of the membership and, by the time the command returned, out of every data group (replaced there).
        String afterRemoval = admin(cluster.admin(healer), "nodes", "--json");
        for (String group : List.of("meta", "index-0", "index-1", "index-2")) {
            assertThat(cluster.metric(healer, "kura_cluster_members{group=\"" + group + "\"")).as(group).isEqualTo(3);
            assertThat(groupMembers(afterRemoval, group)).as(group).doesNotContain(node4).hasSize(3);
        }
        assertThat(admin(cluster.admin(healer), "nodes")).doesNotContain("node4");
        String gone = "kura_cluster_peer_reachable{peer=\"" + cluster.hosts.get(3) + "_" + cluster.clusterPort + "\"}";
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(15))
                .until(() -> Double.isNaN(cluster.metric(healer, gone))); // a former member's gauges are dropped
        // The removed node knows it is out: it says it is not ready (so a load balancer drops it).
        var http = java.net.http.HttpClient.newHttpClient();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> http.send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(cluster.admin(3) + "/health/ready")).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode() == 503);
        cluster.kill9(3);
        // Started again, the removed node refuses rather than ask to be added back.
        cluster.launch(3);
        assertThat(cluster.processes[3].waitFor(90, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(cluster.processes[3].exitValue()).isNotZero();
        assertThat(cluster.log(3)).contains("this node was removed from its cluster");
        // Three nodes of one drive at 2+1: one more would leave too few drives for the layout.
        assertThat(adminRefused(cluster.admin(healer), "node", "remove", "node" + (dead + 1)))
                .contains("would have 2 drives");
        put(s3.get(healer), "after-removal/0", 100_000);
        cluster.kill9(other);
        // With `other` down, removing `dead` would leave healer and other, one of which answers: refused, since
        // the configuration change could not commit and would hold every write until other returned.
        assertThat(adminRefused(cluster.admin(healer), "node", "remove", "node" + (dead + 1)))
                .contains("only 1 of the 2 members that would remain answer");
        readAll(s3.get(healer));
        readAll(s3.get(dead));
        s3.forEach(S3Client::close);
    }

    /** How many groups each member leads, from a {@code kura admin nodes --json} answer (every group with a leader). */
    static java.util.Map<String, Integer> leadsPerMember(String json) {
        var m = java.util.regex.Pattern.compile("\"name\":\"(meta|index-\\d+)\",\"leader\":\"([^\"]+)\"").matcher(json);
        java.util.Map<String, Integer> leads = new java.util.TreeMap<>();
        int groups = 0;
        while (m.find()) {
            leads.merge(m.group(2), 1, Integer::sum);
            groups++;
        }
        return groups == 4 ? leads : java.util.Map.of("no leader known for every group", 99);
    }

    /** The member ids of {@code group} in a {@code kura admin nodes --json} answer. */
    static java.util.Set<String> groupMembers(String json, String group) {
        var m = java.util.regex.Pattern.compile("\"name\":\"" + group + "\"[^}]*?\"members\":\\[([^\\]]*)\\]").matcher(json);
        if (!m.find()) {
            return java.util.Set.of();
        }
        java.util.Set<String> ids = new java.util.TreeSet<>();
        for (String s : m.group(1).split(",")) {
            if (!s.isBlank()) {
                ids.add(s.trim().replace("\"", ""));
            }
        }
        return ids;
    }

    static String admin(String endpoint, String... args) {
        return ZoneFailureTest.admin(endpoint, args);
    }

    /** Runs kura admin expecting it to fail; returns what it said on stderr. */
    static String adminRefused(String endpoint, String... args) {
        var out = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        picocli.CommandLine cli = new picocli.CommandLine(new dev.kura.server.admin.AdminCommand(java.util.Map.of(
                "KURA_ACCESS_KEY", ServerProcess.AK, "KURA_SECRET_KEY", ServerProcess.SK), java.time.InstantSource.system()));
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("--endpoint", endpoint));
        all.addAll(List.of(args));
        assertThat(cli.execute(all.toArray(String[]::new))).as("kura admin %s: %s", String.join(" ", args), out).isNotZero();
        return err.toString();
    }

    void put(S3Client s3, String key, int size) {
        s3.putObject(r -> r.bucket("spread").key(key), RequestBody.fromBytes(content(key, size)));
        written.put(key, size);
    }

    void readAll(S3Client s3) {
        for (var e : written.entrySet()) {
            byte[] got = s3.getObjectAsBytes(r -> r.bucket("spread").key(e.getKey())).asByteArray();
            assertThat(got).as(e.getKey()).isEqualTo(content(e.getKey(), e.getValue()));
        }
    }

    static List<String> keys(S3Client s3) {
        return s3.listObjectsV2Paginator(r -> r.bucket("spread")).contents().stream().map(S3Object::key).toList();
    }

    static long dataFiles(Path drive) throws IOException {
        Path data = drive.resolve("data");
        if (!Files.exists(data)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(data)) {
            return s.filter(Files::isRegularFile).count();
        }
    }
}
