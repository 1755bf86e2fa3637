package dev.kura.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kura.index.BucketRecord;
import dev.kura.index.IndexCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.ratis.protocol.RaftGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group's replicas moved between the servers of four nodes: what its leader says of it seen from any
 * node ({@link RaftHost#leaderView}), a node added ({@link IndexReplica#join}) and one taken out
 * ({@link IndexReplica#changeMembers}) then deleting its replica ({@link RaftHost#forget}), and the index
 * of a node without a replica following the group as it moves ({@link ReplicatedIndex#retarget}).
 */
class GroupMoveTest {
    @TempDir
    Path dir;
    final List<RaftHost> hosts = new ArrayList<>();
    final List<ReplicatedIndex> indexes = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (ReplicatedIndex i : indexes) {
            i.close();
        }
        for (RaftHost h : hosts) {
            h.close();
        }
    }

    @Test
    void aReplicaMovesToAnotherNodeAndEveryNodeFollowsIt() throws Exception {
        IndexReplica.Settings settings = TestCluster.settings(1_000, 1 << 20, 100);
        List<IndexReplica.Member> members = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            members.add(new IndexReplica.Member("n" + i, TestCluster.freeAddress("127.0.0." + (i + 2))));
        }
        RaftGroup initial = IndexReplica.group(UUID.randomUUID(), members.subList(0, 3));
        for (int i = 0; i < 4; i++) {
            hosts.add(RaftHost.start(members.get(i), dir.resolve("n" + i).resolve("raft"),
                    Map.of(initial.getGroupId(), dir.resolve("n" + i).resolve("group")), settings, TestCluster.SECRET));
        }
        IndexReplica first = hosts.get(0).open(initial, initial);
        hosts.get(1).open(initial, initial);
        hosts.get(2).open(initial, initial);
        ReplicatedIndex writer = new ReplicatedIndex(first, Duration.ofSeconds(3), 10);
        indexes.add(writer);
        writer.apply(new IndexCommand.CreateBucket(bucket("before"), Map.of()));

        // The fourth node holds no replica: the leader, found among any members, says who the members are.
        RaftHost fourth = hosts.get(3);
        RaftHost.GroupView view = await().atMost(Duration.ofSeconds(20))
                .until(() -> fourth.leaderView(initial.getGroupId(), members, Duration.ofSeconds(1)), Optional::isPresent)
                .orElseThrow();
        assertThat(view.memberIds()).containsExactlyInAnyOrder("n0", "n1", "n2");
        assertThat(view.leader()).isIn("n0", "n1", "n2");
        assertThat(view.term()).isPositive();
        assertThat(fourth.hosts(initial.getGroupId())).isFalse();
        // Its index reads through the leader.
        ReplicatedIndex remote = ReplicatedIndex.remote(initial, TestCluster.SECRET, settings, Duration.ofSeconds(3), 10);
        indexes.add(remote);
        assertThat(remote.bucket("before")).isPresent();

        // The fourth node joins; then the group drops n0 (compare-and-set on the members it has).
        IndexReplica joined = IndexReplica.join(fourth, initial, members.get(3), Duration.ofSeconds(30));
        List<IndexReplica.Member> four = List.of(members.get(0), members.get(1), members.get(2), members.get(3));
        assertThat(fourth.leaderView(initial.getGroupId(), four, Duration.ofSeconds(1)).orElseThrow().memberIds())
                .containsExactlyInAnyOrder("n0", "n1", "n2", "n3");
        List<IndexReplica.Member> moved = List.of(members.get(1), members.get(2), members.get(3));
        // A compare-and-set against members the group does not have now is refused, and changes nothing.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> IndexReplica.changeMembers(initial.getGroupId(),
                members.subList(0, 3), moved, settings, Duration.ofSeconds(5))).isInstanceOf(java.io.IOException.class);
        IndexReplica.changeMembers(initial.getGroupId(), four, moved, settings, Duration.ofSeconds(10));
        RaftHost.GroupView after = await().atMost(Duration.ofSeconds(20))
                .until(() -> hosts.get(1).leaderView(initial.getGroupId(), four, Duration.ofSeconds(1)),
                        v -> v.isPresent() && v.get().memberIds().size() == 3).orElseThrow();
        assertThat(after.memberIds()).isEqualTo(Set.of("n1", "n2", "n3"));
        assertThat(after.includes("n0")).isFalse();

        // n0 deletes its replica; the index it wrote through follows the group to its members now.
        writer.retarget(after.members(), null);
        hosts.get(0).forget(initial.getGroupId());
        assertThat(hosts.get(0).hosts(initial.getGroupId())).isFalse();
        assertThat(dir.resolve("n0").resolve("raft").resolve(initial.getGroupId().getUuid().toString())).doesNotExist();
        writer.apply(new IndexCommand.CreateBucket(bucket("after"), Map.of()));
        remote.retarget(after.members(), null);
        assertThat(remote.bucket("after")).isPresent();
        // The new member reads its own replica (after the read index): it has both buckets.
        ReplicatedIndex onFourth = ReplicatedIndex.remote(initial, TestCluster.SECRET, settings, Duration.ofSeconds(3), 10);
        indexes.add(onFourth);
        onFourth.retarget(after.members(), joined);
        assertThat(onFourth.buckets()).extracting(BucketRecord::name).containsExactly("after", "before");
        assertThat(onFourth.local()).isSameAs(joined);

        // The leadership handed to the new member: it leads once the call returns.
        String leading = fourth.leaderView(initial.getGroupId(), after.members(), Duration.ofSeconds(1)).orElseThrow()
                .leader();
        // Asked of a member that does not lead, with one attempt: refused (not followed to the leader).
        String notLeading = after.memberIds().stream().filter(m -> !m.equals(leading)).findFirst().orElseThrow();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> IndexReplica.transferLeadership(initial.getGroupId(),
                after.members(), notLeading, "n3", settings, Duration.ofSeconds(3))).isInstanceOf(java.io.IOException.class);
        if (!leading.equals("n3")) {
            IndexReplica.transferLeadership(initial.getGroupId(), after.members(), leading, "n3", settings,
                    Duration.ofSeconds(10));
        }
        assertThat(fourth.leaderView(initial.getGroupId(), after.members(), Duration.ofSeconds(1)).orElseThrow().leader())
                .isEqualTo("n3");
        assertThat(joined.isLeader()).isTrue();
        writer.apply(new IndexCommand.CreateBucket(bucket("led-by-n3"), Map.of()));
        assertThat(onFourth.bucket("led-by-n3")).isPresent();
    }

    static BucketRecord bucket(String name) {
        return TestCluster.versionedBucket(name, name.hashCode() & 0xffff_ff00L);
    }
}
