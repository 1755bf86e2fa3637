package dev.kura.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.common.DataId;
import dev.kura.index.BucketRecord;
import dev.kura.index.BucketSetting;
import dev.kura.index.IndexCommand;
import dev.kura.index.ListQuery;
import dev.kura.index.ObjectIndex;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.Precondition;
import dev.kura.index.UploadRecord;
import dev.kura.index.UserRecord;
import dev.kura.index.VersionQuery;
import dev.kura.index.WriteIntent;
import dev.kura.object.ObjectService;
import dev.kura.object.PutObjectInput;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.storage.local.LocalBlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node that hosts no member of a group reads it through the group's leader ({@link ReplicatedIndex#remote},
 * {@link IndexRead}): every kind of read answers what a member's own index holds, at once after a write,
 * across a change of leader; a read without the cluster's seal gets nothing.
 */
class RemoteReadTest {
    private static final Instant T0 = TestCluster.T0;
    private static final String UPLOAD_ID = "0123456789abcdef".repeat(dev.kura.index.codec.KeyCodec.UPLOAD_ID_LENGTH / 16);

    @TempDir
    Path root;

    @Test
    void aNodeWithoutAMemberReadsEveryAnswerFromTheLeader() throws Exception {
        IndexReplica.Settings settings = TestCluster.settings(0, 8L << 20, 1024);
        try (TestCluster cluster = TestCluster.start(root.resolve("cluster"), settings);
             ReplicatedIndex remote = ReplicatedIndex.remote(cluster.group(), TestCluster.SECRET, settings,
                     Duration.ofSeconds(3), 20);
             LocalBlobStore store = LocalBlobStore.open(root.resolve("drive"), new RealFileIo(), true)) {
            cluster.awaitLeader();
            ObjectService svc = new ObjectService(remote, store, () -> T0, new Random(3), "us-east-1");
            // Written through the node without a member; each read straight after its write (linearizable).
            svc.createBucket("plain", "owner");
            byte[] small = "small enough to be inline".getBytes(StandardCharsets.UTF_8);
            byte[] big = new byte[200_000];
            new Random(5).nextBytes(big);
            put(svc, "plain", "dir/a", small);
            assertThat(read(svc, "plain", "dir/a")).isEqualTo(small);
            put(svc, "plain", "dir/b", big);
            assertThat(read(svc, "plain", "dir/b")).isEqualTo(big);
            put(svc, "plain", "dir/a", big); // replaced: the first data is a pending free
            put(svc, "plain", "top", small);
            svc.createBucket("kept", "owner");
            svc.setVersioning("kept", BucketRecord.Versioning.ENABLED);
            put(svc, "kept", "k", small);
            put(svc, "kept", "k", big);
            long plain = svc.bucket("plain").id();
            long kept = svc.bucket("kept").id();
            remote.apply(new IndexCommand.PutBucketSetting("plain", plain, BucketSetting.POLICY,
                    "{\"Version\":\"2012-10-17\"}".getBytes(StandardCharsets.UTF_8)));
            remote.apply(new IndexCommand.PutUser(new UserRecord("alice", "AKALICE", new byte[] {1, 2, 3}, "c-alice", T0),
                    false));
            UploadRecord upload = new UploadRecord("multi", UPLOAD_ID, T0, Map.of(), Map.of(), null, null, "STANDARD",
                    "owner", Map.of(), null, null);
            remote.apply(new IndexCommand.CreateUpload(plain, upload));
            PartRecord part = new PartRecord(1, TestCluster.object("part", 1).location(), 100, "etag-p1", T0, null, 0);
            remote.apply(new IndexCommand.PutPart(plain, "multi", UPLOAD_ID, part));
            WriteIntent intent = new WriteIntent(TestCluster.object("intent", 1).location(), plain, "pending", T0);
            remote.apply(new IndexCommand.RecordIntent(intent));

            int follower = cluster.aFollower();
            ObjectIndex member = cluster.client(follower);
            cluster.awaitSameAppliedPosition();
            assertSameAnswers(remote, member, plain, kept);
            ObjectRecord inline = remote.latest(plain, "top").orElseThrow();
            assertThat(remote.inlineData(plain, inline.location().dataId()).orElseThrow()).isEqualTo(small);
            assertThat(remote.intents(10)).containsExactly(intent);
            assertThat(remote.pendingFrees(10)).hasSize(1);
            assertThat(remote.user("alice").orElseThrow().sealedSecret()).containsExactly(1, 2, 3);
            assertThat(remote.isHealthy()).isTrue();

            // The leader goes: the reads follow the new one.
            int leader = cluster.awaitLeader();
            cluster.replica(leader).close();
            put(svc, "plain", "after", small);
            assertThat(read(svc, "plain", "after")).isEqualTo(small);
            assertThat(remote.list(new ListQuery(plain, "", null, null, 100, 10_000)).objects())
                    .extracting(ObjectRecord::key).containsExactly("after", "dir/a", "dir/b", "top");
        }
    }

    @Test
    void aReadWithoutTheClusterSealGetsNothing() throws Exception {
        IndexReplica.Settings settings = TestCluster.settings(0, 8L << 20, 1024);
        try (TestCluster cluster = TestCluster.start(root.resolve("cluster"), settings)) {
            cluster.awaitLeader();
            cluster.client(0).apply(new IndexCommand.PutUser(
                    new UserRecord("alice", "AKALICE", new byte[] {9, 9}, "c-alice", T0), false));
            byte[] read = IndexRead.encodeRequest(new IndexRead.Users());
            byte[] wrongSeal = new CommandSeal("somebody else's secret, 32 bytes or more".getBytes(StandardCharsets.UTF_8))
                    .seal(read);
            byte[] rightSeal = new CommandSeal(TestCluster.SECRET).seal(read);
            try (RaftClient intruder = RaftClient.newBuilder().setProperties(new RaftProperties())
                    .setRaftGroup(cluster.group())
                    .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(2,
                            TimeDuration.valueOf(100, java.util.concurrent.TimeUnit.MILLISECONDS)))
                    .build()) {
                for (byte[] forged : List.of(read, wrongSeal)) {
                    assertThatThrownBy(() -> {
                        var reply = intruder.io().sendReadOnly(Message.valueOf(ByteString.copyFrom(forged)));
                        if (!reply.isSuccess()) {
                            throw new IOException("refused");
                        }
                    }).as("a read without the cluster's seal").isInstanceOf(IOException.class);
                }
                // The same client with the seal reads (the refusal is the seal's, nothing else).
                var reply = intruder.io().sendReadOnly(Message.valueOf(ByteString.copyFrom(rightSeal)));
                assertThat(IndexRead.decodeAnswer(new IndexRead.Users(), reply.getMessage().getContent().toByteArray()))
                        .extracting(UserRecord::name).contains("alice");
            }
        }
    }

    /** Every read kind, through the leader and from a member's own index after its barrier: equal answers. */
    private static void assertSameAnswers(ObjectIndex remote, ObjectIndex member, long plain, long kept) {
        assertThat(remote.buckets()).isEqualTo(member.buckets()).extracting(BucketRecord::name)
                .containsExactly("kept", "plain");
        assertThat(remote.bucket("plain")).isEqualTo(member.bucket("plain")).isPresent();
        assertThat(remote.bucket("none")).isEmpty();
        for (long b : List.of(plain, kept)) {
            ListQuery all = new ListQuery(b, "", null, null, 100, 10_000);
            assertThat(remote.list(all)).isEqualTo(member.list(all));
            ListQuery folders = new ListQuery(b, "", "/", null, 1, 10_000);
            assertThat(remote.list(folders)).isEqualTo(member.list(folders));
            VersionQuery versions = new VersionQuery(b, "", null, null, null, 100, 10_000);
            assertThat(remote.listVersions(versions)).isEqualTo(member.listVersions(versions));
            assertThat(remote.partitions(b)).isEqualTo(member.partitions(b));
            assertThat(remote.lifecycle(b)).isEmpty();
            assertThat(remote.uploads(b, "", null, null, null, 100)).isEqualTo(member.uploads(b, "", null, null, null, 100));
        }
        assertThat(remote.listVersions(new VersionQuery(kept, "", null, null, null, 100, 10_000)).versions()).hasSize(2);
        ObjectRecord k = remote.latest(kept, "k").orElseThrow();
        assertThat(remote.version(kept, "k", k.versionId())).isEqualTo(member.version(kept, "k", k.versionId()))
                .contains(k);
        assertThat(remote.latest(plain, "missing")).isEmpty();
        assertThat(remote.bucketSetting(plain, BucketSetting.POLICY).orElseThrow())
                .isEqualTo(member.bucketSetting(plain, BucketSetting.POLICY).orElseThrow());
        assertThat(remote.bucketSettings(plain).keySet()).isEqualTo(member.bucketSettings(plain).keySet())
                .contains(BucketSetting.POLICY);
        assertThat(remote.upload(plain, "multi", UPLOAD_ID)).isEqualTo(member.upload(plain, "multi", UPLOAD_ID)).isPresent();
        assertThat(remote.uploadParts(plain, "multi", UPLOAD_ID, 0, 100))
                .isEqualTo(member.uploadParts(plain, "multi", UPLOAD_ID, 0, 100)).hasSize(1);
        assertThat(remote.objectParts(plain, "dir/a", 1)).isEqualTo(member.objectParts(plain, "dir/a", 1));
        assertThat(remote.userByAccessKey("AKALICE").map(UserRecord::name)).contains("alice");
        assertThat(remote.users()).extracting(UserRecord::name).isEqualTo(member.users().stream().map(UserRecord::name)
                .toList());
        assertThat(remote.intents(10)).isEqualTo(member.intents(10));
        assertThat(remote.pendingFrees(10)).isEqualTo(member.pendingFrees(10));
        DataId nowhere = new DataId("00000000000000000000000000000000");
        assertThat(remote.pendingFrees(nowhere, 10)).isEqualTo(member.pendingFrees(nowhere, 10));
    }

    private static void put(ObjectService svc, String bucket, String key, byte[] data) throws IOException {
        svc.putObject(new PutObjectInput(bucket, key, data.length, null, null, null, Map.of(), Map.of(), "STANDARD",
                Precondition.NONE), new ByteArrayInputStream(data));
    }

    private static byte[] read(ObjectService svc, String bucket, String key) throws IOException {
        ObjectRecord r = svc.head(bucket, key);
        try (InputStream in = svc.open(bucket, r, 0, r.size())) {
            return in.readAllBytes();
        }
    }
}
