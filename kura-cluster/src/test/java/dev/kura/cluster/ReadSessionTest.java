package dev.kura.cluster;

import static dev.kura.cluster.TestCluster.object;
import static dev.kura.cluster.TestCluster.versionedBucket;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.index.IndexCommand;
import dev.kura.index.Precondition;
import dev.kura.index.ReadSession;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One client request confirms a group's read index once ({@link ReadSession}), not before each read; its
 * own write makes the next read confirm again and see it; every read outside a request confirms.
 */
class ReadSessionTest {
    private static final long B = 3;

    @TempDir
    Path root;

    @Test
    void aRequestConfirmsTheReadIndexOnceAndAgainAfterItsOwnWrite() throws Exception {
        try (TestCluster cluster = TestCluster.start(root, TestCluster.settings(0, 8L << 20, 1024))) {
            int leader = cluster.awaitLeader();
            ReplicatedIndex follower = cluster.client(cluster.aFollower());
            follower.apply(new IndexCommand.CreateBucket(versionedBucket("b", B)));

            long outside = follower.readIndexes();
            follower.bucket("b");
            follower.latest(B, "k");
            assertThat(follower.readIndexes()).as("outside a request, each read").isEqualTo(outside + 2);

            ReadSession.run(() -> {
                long start = follower.readIndexes();
                assertThat(follower.bucket("b")).isPresent();
                assertThat(follower.latest(B, "k")).isEmpty();
                follower.buckets();
                follower.users();
                assertThat(follower.readIndexes()).as("one request's reads").isEqualTo(start + 1);
                // The request's own write, read straight back through the follower: confirmed again, and seen.
                follower.apply(new IndexCommand.PutObject(B, object("k", 1), Precondition.NONE));
                assertThat(follower.latest(B, "k")).isPresent();
                assertThat(follower.readIndexes()).as("after its own write").isEqualTo(start + 2);
            });

            // A batch over two groups runs its shares on threads of their own: the request still reads its writes.
            GroupedIndex grouped = new GroupedIndex(follower, java.util.List.of(follower)); // a view: not closed
            long inGroup = 0x100; // the low byte names data group 0
            grouped.apply(new IndexCommand.CreateBucket(versionedBucket("grouped", inGroup)));
            ReadSession.run(() -> {
                assertThat(grouped.latest(inGroup, "batch")).isEmpty();
                long start = follower.readIndexes();
                var outcomes = grouped.applyAll(java.util.List.of(
                        new IndexCommand.PutUser(new dev.kura.index.UserRecord("u", "AKU", new byte[] {1}, "c-u",
                                TestCluster.T0), false),
                        new IndexCommand.PutObject(inGroup, object("batch", 20), Precondition.NONE)));
                assertThat(outcomes).allMatch(dev.kura.index.IndexOutcome::ok);
                assertThat(grouped.latest(inGroup, "batch")).isPresent();
                assertThat(follower.readIndexes()).as("confirmed again after the batch").isEqualTo(start + 1);
            });

            // A write acknowledged through the leader before a request begins is seen by that request.
            for (int n = 2; n < 12; n++) {
                String key = "k" + n;
                cluster.client(leader).apply(new IndexCommand.PutObject(B, object(key, n), Precondition.NONE));
                ReadSession.run(() -> assertThat(follower.latest(B, key)).as(key).isPresent());
            }
        }
    }
}
