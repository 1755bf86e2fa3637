package dev.kura.cluster;

import static org.awaitility.Awaitility.await;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.index.BucketRecord;
import dev.kura.index.ObjectRecord;
import dev.kura.index.VersionPage;
import dev.kura.index.VersionQuery;
import dev.kura.index.rocks.LogPosition;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;

/**
 * Three replicas of one index group on 127.0.0.2–4 (real gRPC sockets on free ports, real RocksDB in
 * temporary directories), each with its own {@link ReplicatedIndex} client; members can be stopped,
 * wiped and restarted.
 */
final class TestCluster implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
    static final Duration PATIENCE = Duration.ofSeconds(30);
    static final byte[] SECRET = "the test cluster's secret, 32 bytes or more".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final Path root;
    private final RaftGroup group;
    private final IndexReplica.Settings settings;
    private final IndexReplica[] replicas;
    private final ReplicatedIndex[] clients;

    private TestCluster(Path root, RaftGroup group, IndexReplica.Settings settings) {
        this.root = root;
        this.group = group;
        this.settings = settings;
        this.replicas = new IndexReplica[group.getPeers().size()];
        this.clients = new ReplicatedIndex[replicas.length];
    }

    RaftGroup group() {
        return group;
    }

    static IndexReplica.Settings settings(long snapshotEvery, long segmentSize, int purgeGap) {
        return new IndexReplica.Settings(Duration.ofMillis(700), Duration.ofMillis(1400), Duration.ofSeconds(3),
                snapshotEvery, segmentSize, purgeGap);
    }

    static TestCluster start(Path root, IndexReplica.Settings settings) throws IOException {
        List<IndexReplica.Member> members = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            members.add(new IndexReplica.Member("n" + i, freeAddress("127.0.0." + (i + 2))));
        }
        TestCluster cluster = new TestCluster(root, IndexReplica.group(UUID.randomUUID(), members), settings);
        for (int i = 0; i < 3; i++) {
            cluster.startMember(i);
        }
        return cluster;
    }

    static InetSocketAddress freeAddress(String host) throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(host))) {
            return new InetSocketAddress(host, s.getLocalPort());
        }
    }

    void startMember(int i) throws IOException {
        startMember(i, 0);
    }

    /** Starts member {@code i}; with {@code writerDiesAfter} > 0 its index writer dies before that many batch writes. */
    void startMember(int i, long writerDiesAfter) throws IOException {
        replicas[i] = IndexReplica.start(group, "n" + i, home(i), settings, SECRET, writerDiesAfter);
        clients[i] = new ReplicatedIndex(replicas[i]);
    }

    void stopMember(int i) throws IOException {
        clients[i].close();
        clients[i] = null;
        replicas[i].close();
        replicas[i] = null;
    }

    Path home(int i) {
        return root.resolve("n" + i);
    }

    IndexReplica replica(int i) {
        return replicas[i];
    }

    ReplicatedIndex client(int i) {
        return clients[i];
    }

    int awaitLeader() {
        return await().atMost(PATIENCE).until(this::leader, Optional::isPresent).orElseThrow();
    }

    Optional<Integer> leader() {
        for (int i = 0; i < replicas.length; i++) {
            if (replicas[i] != null && replicas[i].isLeader()) {
                return Optional.of(i);
            }
        }
        return Optional.empty();
    }

    int aFollower() {
        int leader = awaitLeader();
        return (leader + 1) % replicas.length;
    }

    /** Waits until every running member has applied as far as the furthest one. */
    void awaitSameAppliedPosition() {
        await().atMost(PATIENCE).until(() -> {
            List<Optional<LogPosition>> positions = new ArrayList<>();
            for (IndexReplica r : replicas) {
                if (r != null) {
                    positions.add(r.stateMachine().appliedPosition());
                }
            }
            return positions.stream().distinct().count() == 1 && positions.getFirst().isPresent();
        });
    }

    /** Every version and delete marker of a bucket, read from member {@code i}'s own index (no barrier). */
    List<VersionPage.Entry> localVersions(int i, long bucketId) {
        return replicas[i].stateMachine().read(index ->
                index.listVersions(new VersionQuery(bucketId, "", null, null, null, 10_000, 100_000)).versions());
    }

    /** Stops the running members all at once (a member's close takes about a second). */
    @Override
    public void close() throws IOException {
        List<Thread> stopping = new ArrayList<>();
        List<IOException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < replicas.length; i++) {
            if (replicas[i] != null) {
                int member = i;
                stopping.add(Thread.ofPlatform().start(() -> {
                    try {
                        stopMember(member);
                    } catch (IOException e) {
                        failures.add(e);
                    }
                }));
            }
        }
        for (Thread t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping the members", e);
            }
        }
        if (!failures.isEmpty()) {
            throw failures.getFirst();
        }
    }

    static BucketRecord versionedBucket(String name, long id) {
        return new BucketRecord(name, id, T0, "owner", "us-east-1", BucketRecord.Versioning.ENABLED);
    }

    /** A version of {@code key} whose data is named by key and number; the index assigns its version id. */
    static ObjectRecord object(String key, long n) {
        String data = key + "#" + n;
        DataId id = new DataId(UUID.nameUUIDFromBytes(data.getBytes(StandardCharsets.UTF_8)).toString().replace("-", ""));
        DataLocation location = new DataLocation(id, 1, "single", List.of("drive-0"), 1 << 20, 100);
        return new ObjectRecord(key, ObjectRecord.NULL_VERSION, n, false, location, 100, "etag-" + n,
                T0.plusSeconds(n), Map.of("content-type", "text/plain"), Map.of(), null, "STANDARD", "owner");
    }
}
