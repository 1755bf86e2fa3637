package dev.kura.cluster;

import static dev.kura.cluster.TestCluster.object;
import static dev.kura.cluster.TestCluster.versionedBucket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kura.index.IndexCommand;
import dev.kura.index.codec.CommandCodec;
import dev.kura.index.IndexException;
import dev.kura.index.IndexOutcome;
import dev.kura.index.IndexResult;
import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import dev.kura.index.VersionPage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replicated index on three real Ratis members (gRPC on 127.0.0.2–4) over real RocksDB: what one
 * member acknowledges every member holds, byte for byte, with the same version ids; a leader's loss,
 * a member's absence or the loss of its whole disk loses nothing acknowledged; a restart applies
 * nothing twice.
 */
class ReplicatedIndexTest {
    static final long B = 1;

    @TempDir
    Path root;

    @Test
    void writesThroughAnyMemberAppearIdenticallyOnEveryReplicaAndReadsAreLinearizable() throws Exception {
        try (TestCluster cluster = TestCluster.start(root, TestCluster.settings(0, 8L << 20, 1024))) {
            cluster.awaitLeader();
            assertThat(cluster.client(0).apply(new IndexCommand.CreateBucket(versionedBucket("b", B))))
                    .isEqualTo(IndexResult.DONE);
            List<String> versionIds = new ArrayList<>();
            for (int i = 0; i < 45; i++) {
                String key = "k" + (i % 7);
                IndexResult r = cluster.client(i % 3).apply(new IndexCommand.PutObject(B, object(key, i), Precondition.NONE));
                String versionId = ((IndexResult.Replaced) r).current().versionId();
                assertThat(versionId).isNotEqualTo(ObjectRecord.NULL_VERSION);
                versionIds.add(versionId);
                // Written through one member, read at once through another: the new version is there.
                assertThat(cluster.client((i + 1) % 3).latest(B, key)).map(ObjectRecord::versionId).contains(versionId);
            }
            assertThat(versionIds).doesNotHaveDuplicates();

            // Rejections come back as the single node's exceptions, decided in the apply.
            assertThatThrownBy(() -> cluster.client(2).apply(new IndexCommand.CreateBucket(versionedBucket("b", 99))))
                    .isInstanceOfSatisfying(IndexException.BucketAlreadyExists.class,
                            e -> assertThat(e.existing().id()).isEqualTo(B));
            assertThatThrownBy(() -> cluster.client(1).apply(
                    new IndexCommand.PutObject(B, object("k0", 100), new Precondition.IfNoneMatchAny())))
                    .isInstanceOf(IndexException.PreconditionFailed.class);
            List<IndexOutcome> outcomes = cluster.client(1).applyAll(List.of(
                    new IndexCommand.PutObject(B, object("batch", 200), Precondition.NONE),
                    new IndexCommand.PutObject(7, object("nobucket", 201), Precondition.NONE)));
            assertThat(outcomes.get(0).ok()).isTrue();
            assertThat(outcomes.get(1).failure()).isInstanceOf(IndexException.NoSuchBucket.class);

            cluster.awaitSameAppliedPosition();
            List<VersionPage.Entry> first = cluster.localVersions(0, B);
            assertThat(first).hasSize(46);
            assertThat(first.stream().map(e -> e.record().versionId())).containsAll(versionIds);
            assertThat(cluster.localVersions(1, B)).isEqualTo(first);
            assertThat(cluster.localVersions(2, B)).isEqualTo(first);
        }
    }

    /**
     * With heartbeats 4 s apart (election timeout 8–16 s), a read right after a write must not wait for
     * one, on any member, with a client on each member at once. The leader pushes a new commit index to
     * the followers at once, and confirms a read index with heartbeats sent after it noted their bound
     * (CommitPushRpc). Without that, on a busy machine a read now and then waits for the next heartbeat:
     * 4 s, past the 3 s read timeout, and the read fails.
     */
    @Test
    void aReadRightAfterAWriteWaitsForNoHeartbeatOnAnyMember() throws Exception {
        IndexReplica.Settings slowHeartbeats = new IndexReplica.Settings(Duration.ofSeconds(8), Duration.ofSeconds(16),
                Duration.ofSeconds(3), 0, 8L << 20, 1024);
        try (TestCluster cluster = TestCluster.start(root, slowHeartbeats)) {
            cluster.awaitLeader();
            cluster.client(0).apply(new IndexCommand.CreateBucket(versionedBucket("b", B)));
            List<java.util.concurrent.Future<Duration>> slowest = new ArrayList<>();
            try (var pool = java.util.concurrent.Executors.newFixedThreadPool(3)) {
                for (int m = 0; m < 3; m++) {
                    int member = m;
                    slowest.add(pool.submit(() -> {
                        Duration worst = Duration.ZERO;
                        for (int i = 0; i < 25; i++) {
                            String key = "m" + member + "/" + i;
                            IndexResult r = cluster.client(member).apply(
                                    new IndexCommand.PutObject(B, object(key, i), Precondition.NONE));
                            long started = System.nanoTime();
                            assertThat(cluster.client((member + 1) % 3).latest(B, key)).map(ObjectRecord::versionId)
                                    .contains(((IndexResult.Replaced) r).current().versionId());
                            Duration took = Duration.ofNanos(System.nanoTime() - started);
                            worst = took.compareTo(worst) > 0 ? took : worst;
                        }
                        return worst;
                    }));
                }
            }
            for (var f : slowest) {
                // Far below the 4 s between heartbeats, far above what a loaded machine needs (~10-50 ms).
                assertThat(f.get()).isLessThan(Duration.ofMillis(1500));
            }
        }
    }

    /**
     * A fourth member joins the running group (one of the three down meanwhile): it starts with no
     * configuration, the group adds it once it has caught up, and it then holds every write, serves
     * reads and takes writes; the group's configuration lists four members on every member, and a
     * restart of the new member recovers it as a member.
     */
    @Test
    void aNewMemberJoinsTheRunningGroupCatchesUpAndServes() throws Exception {
        try (TestCluster cluster = TestCluster.start(root, TestCluster.settings(0, 8L << 20, 1024))) {
            cluster.awaitLeader();
            cluster.client(0).apply(new IndexCommand.CreateBucket(versionedBucket("b", B)));
            for (int i = 0; i < 20; i++) {
                cluster.client(i % 3).apply(new IndexCommand.PutObject(B, object("before" + i, i), Precondition.NONE));
            }
            int down = cluster.aFollower();
            cluster.stopMember(down);
            IndexReplica.Member fourth = new IndexReplica.Member("n3", TestCluster.freeAddress("127.0.0.5"));
            Path home = root.resolve("n3");
            IndexReplica joined = IndexReplica.join(cluster.group(), fourth, home, TestCluster.settings(0, 8L << 20, 1024),
                    TestCluster.SECRET, Duration.ofSeconds(30));
            try (ReplicatedIndex index = new ReplicatedIndex(joined)) {
                assertThat(joined.members()).extracting(IndexReplica.Member::id).containsExactlyInAnyOrder("n0", "n1", "n2", "n3");
                assertThat(index.latest(B, "before19")).isPresent();
                index.apply(new IndexCommand.PutObject(B, object("joined", 100), Precondition.NONE));
                int up = (down + 1) % 3;
                assertThat(cluster.client(up).latest(B, "joined")).isPresent();
                assertThat(cluster.replica(up).members()).hasSize(4);
            } finally {
                joined.close();
            }
            // Four members now: with the new one stopped too, two of four are no majority until the first is
            // back; the new member then restarts from its own state (its log holds the configuration).
            cluster.startMember(down);
            IndexReplica again = IndexReplica.join(cluster.group(), fourth, home, TestCluster.settings(0, 8L << 20, 1024),
                    TestCluster.SECRET, Duration.ofSeconds(30));
            try (ReplicatedIndex index = new ReplicatedIndex(again)) {
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(index.latest(B, "joined")).isPresent());
                // The restarted member knows the leader once the leader's appender, backed off while it was
                // down, reaches it again (once seen to take over 4 s on a busy machine).
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                        .untilAsserted(() -> assertThat(cluster.client(down).latest(B, "joined")).isPresent());
                assertThat(cluster.replica(down).members()).hasSize(4);
            } finally {
                again.close();
            }
        }
    }

    /** Joining where no group runs fails, and leaves nothing behind: the next start is a first start again. */
    @Test
    void joiningWhereNoGroupRunsFailsAndLeavesNoState() throws Exception {
        List<IndexReplica.Member> nobody = List.of(new IndexReplica.Member("n0", TestCluster.freeAddress("127.0.0.2")),
                new IndexReplica.Member("n1", TestCluster.freeAddress("127.0.0.3")));
        var group = IndexReplica.group(java.util.UUID.randomUUID(), nobody);
        IndexReplica.Member self = new IndexReplica.Member("n2", TestCluster.freeAddress("127.0.0.4"));
        Path home = root.resolve("n2");
        assertThatThrownBy(() -> IndexReplica.join(group, self, home, TestCluster.settings(0, 8L << 20, 1024),
                TestCluster.SECRET, Duration.ofSeconds(2))).isInstanceOf(java.io.IOException.class);
        assertThat(home.resolve("raft").resolve(group.getGroupId().getUuid().toString())).as("no Raft storage left")
                .doesNotExist();
        assertThat(home.resolve("index")).doesNotExist();
    }

    @Test
    void aRequestNotSealedWithTheClusterSecretNeverReachesTheIndex() throws Exception {
        try (TestCluster cluster = TestCluster.start(root, TestCluster.settings(0, 8L << 20, 1024))) {
            cluster.awaitLeader();
            byte[] command = CommandCodec.encode(new IndexCommand.CreateBucket(versionedBucket("forged", B)));
            byte[] wrongSeal = new CommandSeal("somebody else's secret, 32 bytes or more".getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)).seal(command);
            org.apache.ratis.conf.RaftProperties p = new org.apache.ratis.conf.RaftProperties();
            try (org.apache.ratis.client.RaftClient intruder = org.apache.ratis.client.RaftClient.newBuilder()
                    .setProperties(p).setRaftGroup(cluster.group())
                    .setRetryPolicy(org.apache.ratis.retry.RetryPolicies.retryUpToMaximumCountWithFixedSleep(2,
                            org.apache.ratis.util.TimeDuration.valueOf(100, java.util.concurrent.TimeUnit.MILLISECONDS)))
                    .build()) {
                for (byte[] forged : List.of(command, wrongSeal)) {
                    boolean refused;
                    try {
                        refused = !intruder.io().send(org.apache.ratis.protocol.Message.valueOf(
                                org.apache.ratis.thirdparty.com.google.protobuf.ByteString.copyFrom(forged))).isSuccess();
                    } catch (java.io.IOException e) {
                        refused = true;
                    }
                    assertThat(refused).as("a command without the cluster's seal").isTrue();
                }
            }
            assertThat(cluster.client(1).bucket("forged")).as("nothing forged was applied").isEmpty();
            // The members' own clients seal their commands and go on.
            assertThat(cluster.client(2).apply(new IndexCommand.CreateBucket(versionedBucket("b", B))))
                    .isEqualTo(IndexResult.DONE);
        }
    }

    @Test
    void whenTheLeaderIsLostANewOneIsElectedAndNothingAcknowledgedIsLost() throws Exception {
        try (TestCluster cluster = TestCluster.start(root, TestCluster.settings(0, 8L << 20, 1024))) {
            int leader = cluster.awaitLeader();
            int survivor = (leader + 1) % 3;
            cluster.client(survivor).apply(new IndexCommand.CreateBucket(versionedBucket("b", B)));
            List<String> acknowledged = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                acknowledged.add(put(cluster.client(survivor), "before" + (i % 4), i));
            }

            cluster.stopMember(leader);
            for (int i = 0; i < 10; i++) {
                // The client follows the leadership to the new leader; every write is answered.
                acknowledged.add(put(cluster.client(survivor), "after" + (i % 4), 100 + i));
            }
            int newLeader = cluster.awaitLeader();
            assertThat(newLeader).isNotEqualTo(leader);

            List<String> seen = cluster.client(survivor)
                    .listVersions(new dev.kura.index.VersionQuery(B, "", null, null, null, 1000, 10_000)).versions()
                    .stream().map(e -> e.record().versionId()).toList();
            assertThat(seen).containsExactlyInAnyOrderElementsOf(acknowledged);

            // The old leader comes back as a follower and catches up from the log.
            cluster.startMember(leader);
            cluster.awaitSameAppliedPosition();
            assertThat(cluster.localVersions(leader, B)).isEqualTo(cluster.localVersions(survivor, B));
        }
    }

    @Test
    void aMemberStoppedDuringWritesCatchesUpFromTheLogAndAMemberAloneServesNothing() throws Exception {
        try (TestCluster cluster = TestCluster.start(root, TestCluster.settings(0, 8L << 20, 1024))) {
            int leader = cluster.awaitLeader();
            int follower = (leader + 1) % 3;
            int other = 3 - leader - follower;
            cluster.client(other).apply(new IndexCommand.CreateBucket(versionedBucket("b", B)));
            for (int i = 0; i < 10; i++) {
                put(cluster.client(other), "k" + i, i);
            }
            cluster.awaitSameAppliedPosition();
            cluster.stopMember(follower);
            for (int i = 10; i < 40; i++) {
                put(cluster.client(other), "k" + (i % 5), i);
            }

            // The leader goes too: `other` is alone, a minority. It holds every write locally, yet it
            // neither answers a read (no read index without a leader) nor takes a write.
            cluster.stopMember(leader);
            assertThat(cluster.localVersions(other, B)).hasSize(40);
            try (ReplicatedIndex impatient = new ReplicatedIndex(cluster.replica(other), Duration.ofMillis(500), 3)) {
                assertThatThrownBy(() -> impatient.latest(B, "k0")).isInstanceOf(dev.kura.index.IndexUnavailableException.class);
                assertThatThrownBy(() -> impatient.apply(new IndexCommand.PutObject(B, object("alone", 1), Precondition.NONE)))
                        .isInstanceOf(IndexException.OutcomeUnknown.class);
            }

            // The stopped member returns: with `other` a majority again; it catches up from the log.
            cluster.startMember(follower);
            cluster.awaitLeader();
            cluster.awaitSameAppliedPosition();
            assertThat(cluster.localVersions(follower, B)).hasSize(40).isEqualTo(cluster.localVersions(other, B));
            assertThat(snapshotsOf(cluster.home(follower))).isEmpty(); // from the log alone
            assertThat(cluster.client(follower).latest(B, "k0")).map(ObjectRecord::key).contains("k0");
        }
    }

    @Test
    void aWipedMemberCatchesUpFromASnapshotOnceTheLogIsPurged() throws Exception {
        // Small log segments and a snapshot every 40 entries, so the leader's log is soon purged.
        try (TestCluster cluster = TestCluster.start(root, TestCluster.settings(40, 16 << 10, 1))) {
            int leader = cluster.awaitLeader();
            int follower = (leader + 1) % 3;
            int other = 3 - leader - follower;
            cluster.client(other).apply(new IndexCommand.CreateBucket(versionedBucket("b", B)));
            cluster.stopMember(follower);
            CheckpointSnapshots.deleteTree(cluster.home(follower)); // the whole disk is lost

            List<IndexOutcome> outcomes = new ArrayList<>();
            for (int round = 0; round < 6; round++) {
                List<IndexCommand> batch = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    int n = round * 50 + i;
                    batch.add(new IndexCommand.PutObject(B, object("key-with-some-length-" + (n % 37), n), Precondition.NONE));
                }
                outcomes.addAll(cluster.client(other).applyAll(batch));
            }
            assertThat(outcomes).allMatch(IndexOutcome::ok);
            int currentLeader = cluster.awaitLeader();
            await().atMost(TestCluster.PATIENCE).until(() -> cluster.replica(currentLeader).logStartIndex() > 1);

            // A home that lost its Raft storage but kept its index is refused: a fresh log would be skipped.
            java.nio.file.Files.createDirectories(cluster.home(follower).resolve("index"));
            assertThatThrownBy(() -> cluster.startMember(follower)).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("Raft storage is missing");
            CheckpointSnapshots.deleteTree(cluster.home(follower));

            cluster.startMember(follower); // empty: formatted afresh, it has none of the log
            cluster.awaitSameAppliedPosition();
            assertThat(snapshotsOf(cluster.home(follower))).isNotEmpty(); // installed from the leader's checkpoint
            assertThat(cluster.localVersions(follower, B)).hasSize(300).isEqualTo(cluster.localVersions(other, B));

            // And it takes part as any member: a write through it lands everywhere.
            String v = put(cluster.client(follower), "after-install", 1000);
            assertThat(cluster.client(other).latest(B, "after-install")).map(ObjectRecord::versionId).contains(v);
        }
    }

    @Test
    void aMemberWhoseIndexWriteFailsStopsWhileTheOthersGoOnAndARestartRepairsIt() throws Exception {
        try (TestCluster cluster = TestCluster.start(root, TestCluster.settings(0, 8L << 20, 1024))) {
            int leader = cluster.awaitLeader();
            int failing = (leader + 1) % 3;
            int other = 3 - leader - failing;
            cluster.stopMember(failing);
            cluster.startMember(failing, 3); // its index writer dies before its third batch write
            cluster.client(other).apply(new IndexCommand.CreateBucket(versionedBucket("b", B)));
            for (int i = 0; i < 20; i++) {
                put(cluster.client(other), "k" + (i % 4), i);
            }
            IndexReplica broken = cluster.replica(failing);
            await().atMost(TestCluster.PATIENCE).until(broken::isClosed);
            assertThat(broken.stateMachine().hasFailed()).isTrue();
            assertThatThrownBy(() -> broken.stateMachine().read(i -> i.latest(B, "k0")))
                    .isInstanceOf(dev.kura.index.IndexUnavailableException.class); // never a read from a state missing commands

            for (int i = 20; i < 25; i++) {
                put(cluster.client(other), "k" + (i % 4), i); // two members are a majority
            }
            cluster.stopMember(failing);
            cluster.startMember(failing); // a healthy writer: the log fills in what the failure missed
            cluster.awaitSameAppliedPosition();
            assertThat(cluster.localVersions(failing, B)).hasSize(25).isEqualTo(cluster.localVersions(other, B));
        }
    }

    @Test
    void restartingEveryMemberAppliesNoCommandTwice() throws Exception {
        // No snapshots: a restart replays the whole log, and every entry must be skipped as applied.
        try (TestCluster cluster = TestCluster.start(root, TestCluster.settings(0, 8L << 20, 1024))) {
            cluster.awaitLeader();
            cluster.client(0).apply(new IndexCommand.CreateBucket(versionedBucket("b", B)));
            for (int i = 0; i < 30; i++) {
                put(cluster.client(i % 3), "k" + (i % 3), i); // versioned: applying one twice adds a version
            }
            cluster.awaitSameAppliedPosition();
            List<VersionPage.Entry> before = cluster.localVersions(0, B);
            assertThat(before).hasSize(30);
            for (int i = 0; i < 3; i++) {
                cluster.stopMember(i);
            }
            for (int i = 0; i < 3; i++) {
                cluster.startMember(i);
            }
            cluster.awaitLeader();
            String v = put(cluster.client(1), "k-after", 99);
            cluster.awaitSameAppliedPosition();
            for (int i = 0; i < 3; i++) {
                List<VersionPage.Entry> now = cluster.localVersions(i, B);
                assertThat(now).hasSize(31);
                assertThat(now).containsAll(before);
                assertThat(now.stream().map(e -> e.record().versionId())).contains(v);
            }
        }
    }

    private static String put(ReplicatedIndex index, String key, long n) throws IndexException {
        IndexResult r = index.apply(new IndexCommand.PutObject(B, object(key, n), Precondition.NONE));
        return ((IndexResult.Replaced) r).current().versionId();
    }

    private static List<Path> snapshotsOf(Path home) throws java.io.IOException {
        Path dir = home.resolve("snapshots");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().matches("\\d+_\\d+")).toList();
        }
    }
}
