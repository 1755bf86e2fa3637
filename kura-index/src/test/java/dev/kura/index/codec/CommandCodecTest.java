package dev.kura.index.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.common.Hex;
import dev.kura.index.BucketRecord;
import dev.kura.index.BucketSetting;
import dev.kura.index.IndexCommand;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.Precondition;
import dev.kura.index.UploadRecord;
import dev.kura.index.UserRecord;
import dev.kura.index.WriteIntent;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every index command survives its binary form (what a replicated log will carry) unchanged, every
 * command type has one, and the bytes of a few are pinned: they must decode forever.
 */
class CommandCodecTest {
    static final Instant T = Instant.parse("2026-12-07T01:02:03.456789Z");
    static final DataId ID = new DataId("00112233445566778899aabbccddeeff");
    static final DataLocation LOC = new DataLocation(ID, 1, "rs-4-2", List.of("a", "b", "c", "d", "e", "f"), 65536, 1000);
    static final BucketRecord BUCKET = new BucketRecord("photos", 7, T, "owner", "us-east-1",
            BucketRecord.Versioning.ENABLED, Map.of("env", "prod"), new BucketRecord.ObjectLock("GOVERNANCE", 3, 0));
    static final ObjectRecord RECORD = new ObjectRecord("cat.jpg", "0000000000001", 42, false, LOC, 1000, "etag", T,
            Map.of("content-type", "image/jpeg"), Map.of("m", "v"), null, "STANDARD", "owner", 0, null, Map.of("t", "1"),
            new ObjectRecord.Lock("COMPLIANCE", T.plusSeconds(86400), true));
    static final PartRecord PART = new PartRecord(1, LOC, 1000, "petag", T, null, 0);
    static final UploadRecord UPLOAD = new UploadRecord("big", "0000018f00000000aaaabbbbccccdddd", T, Map.of(), Map.of(),
            null, null, "STANDARD", "owner", Map.of(), null);

    static List<IndexCommand> samples() {
        return List.of(
                new IndexCommand.CreateBucket(BUCKET),
                new IndexCommand.DeleteBucket("photos", 7),
                new IndexCommand.RecordIntent(new WriteIntent(LOC, 7, "cat.jpg", T)),
                new IndexCommand.CancelIntent(ID),
                new IndexCommand.PutObject(7, RECORD, Precondition.NONE),
                new IndexCommand.PutObject(7, RECORD.withLocation(DataLocation.inline(ID, 3)).withLock(null),
                        new Precondition.IfMatch("etag"), new byte[] {1, 2, 3}),
                new IndexCommand.DeleteObject(7, "cat.jpg", new Precondition.IfNoneMatchAny(), T),
                new IndexCommand.DeleteVersion(7, "cat.jpg", "0000000000001", T, true),
                new IndexCommand.SetBucketVersioning("photos", 7, BucketRecord.Versioning.SUSPENDED),
                new IndexCommand.PutObjectLockConfiguration("photos", 7, BucketRecord.ObjectLock.ENABLED_WITHOUT_DEFAULT),
                new IndexCommand.PutObjectRetention(7, "cat.jpg", null, "GOVERNANCE", T.plusSeconds(60), false, T),
                new IndexCommand.PutObjectRetention(7, "cat.jpg", "null", null, null, true, T),
                new IndexCommand.PutObjectLegalHold(7, "cat.jpg", "0000000000001", true),
                new IndexCommand.PutBucketLifecycle("photos", 7, "<LifecycleConfiguration/>".getBytes()),
                new IndexCommand.PutBucketLifecycle("photos", 7, null),
                new IndexCommand.CreateUpload(7, UPLOAD),
                new IndexCommand.PutPart(7, "big", UPLOAD.uploadId(), PART),
                new IndexCommand.CompleteUpload(7, UPLOAD.uploadId(), RECORD, List.of(PART, PART), Precondition.NONE),
                new IndexCommand.AbortUpload(7, "big", UPLOAD.uploadId(), T),
                new IndexCommand.PutObjectTags(7, "cat.jpg", null, Map.of("b", "2", "a", "1")),
                new IndexCommand.PutBucketTags("photos", 7, Map.of()),
                new IndexCommand.RelocateData(7, "cat.jpg", new IndexCommand.DataHolder.Version(42), LOC, LOC, T),
                new IndexCommand.RelocateData(7, "big", new IndexCommand.DataHolder.ObjectPart(42, 2), LOC, LOC, T),
                new IndexCommand.RelocateData(7, "big", new IndexCommand.DataHolder.UploadPart(UPLOAD.uploadId(), 3), LOC,
                        LOC, T),
                new IndexCommand.CompleteFree(ID),
                new IndexCommand.CreateBucket(BUCKET, Map.of(BucketSetting.ACL, "acl".getBytes(),
                        BucketSetting.OWNERSHIP, "ObjectWriter".getBytes())),
                new IndexCommand.PutBucketSetting("photos", 7, BucketSetting.POLICY, "{}".getBytes()),
                new IndexCommand.PutBucketSetting("photos", 7, BucketSetting.CORS, null),
                new IndexCommand.PutUser(new UserRecord("alice", "AKIDALICE", new byte[] {9, 8, 7}, "c0ffee", T), false),
                new IndexCommand.DeleteUser("alice"),
                new IndexCommand.PutObjectAcl(7, "cat.jpg", null, "READ uri x\n"),
                new IndexCommand.PutObjectAcl(7, "cat.jpg", "0000000000001", null),
                new IndexCommand.SplitPartition(7, 0, "2026-12-07/", T),
                new IndexCommand.MergePartitions(7, 0, 3, T));
    }

    @Test
    void everyCommandRoundTripsToTheSameBytes() {
        for (IndexCommand c : samples()) {
            byte[] bytes = CommandCodec.encode(c);
            IndexCommand back = CommandCodec.decode(bytes);
            assertThat(back.getClass()).isEqualTo(c.getClass());
            assertThat(CommandCodec.encode(back)).as("%s", c).isEqualTo(bytes);
            if (!(c instanceof IndexCommand.PutObject) && !(c instanceof IndexCommand.PutBucketLifecycle)
                    && !(c instanceof IndexCommand.PutBucketSetting)
                    && !(c instanceof IndexCommand.CreateBucket cb && !cb.settings().isEmpty())) {
                assertThat(back).isEqualTo(c); // (commands holding a byte[] compare by identity)
            }
        }
    }

    @Test
    void everyCommandTypeHasABinaryForm() {
        Set<Class<?>> sampled = new HashSet<>();
        samples().forEach(c -> sampled.add(c.getClass()));
        assertThat(sampled).containsExactlyInAnyOrder(IndexCommand.class.getPermittedSubclasses());
    }

    /**
     * Pinned: this command's bytes as written by format 1 — format 01, type 07, bucket id, "cat" and
     * the version id length-prefixed, the time as seconds and nanoseconds, the bypass flag. They must
     * decode forever.
     */
    static final String DELETE_VERSION_V1 = "0107" + "0000000000000007" + "00000003" + "636174" + "0000000d"
            + "30303030303030303030303031" + "000000006a000000" + "00000000" + "01";

    @Test
    void pinnedBytesDecode() {
        IndexCommand c = new IndexCommand.DeleteVersion(7, "cat", "0000000000001", Instant.ofEpochSecond(1778384896),
                true);
        assertThat(Hex.encode(CommandCodec.encode(c))).isEqualTo(DELETE_VERSION_V1);
        assertThat(CommandCodec.decode(Hex.decode(DELETE_VERSION_V1))).isEqualTo(c);
    }

    /** Pinned: type 1a, bucket id, partition id, the split key "cat", the time. */
    static final String SPLIT_PARTITION_V1 = "011a" + "0000000000000007" + "0000000000000002" + "00000003" + "636174"
            + "000000006a000000" + "00000000";
    /** Pinned: type 1b, bucket id, the left and right partition ids, the time. */
    static final String MERGE_PARTITIONS_V1 = "011b" + "0000000000000007" + "0000000000000002" + "0000000000000005"
            + "000000006a000000" + "00000000";

    @Test
    void pinnedPartitionCommandsDecode() {
        Instant t = Instant.ofEpochSecond(1778384896);
        IndexCommand split = new IndexCommand.SplitPartition(7, 2, "cat", t);
        IndexCommand merge = new IndexCommand.MergePartitions(7, 2, 5, t);
        assertThat(Hex.encode(CommandCodec.encode(split))).isEqualTo(SPLIT_PARTITION_V1);
        assertThat(CommandCodec.decode(Hex.decode(SPLIT_PARTITION_V1))).isEqualTo(split);
        assertThat(Hex.encode(CommandCodec.encode(merge))).isEqualTo(MERGE_PARTITIONS_V1);
        assertThat(CommandCodec.decode(Hex.decode(MERGE_PARTITIONS_V1))).isEqualTo(merge);
    }

    @Test
    void truncatedOrUnknownBytesAreRefused() {
        byte[] good = CommandCodec.encode(samples().get(4));
        for (int cut : new int[] {0, 1, 2, 10, good.length - 1}) {
            assertThatThrownBy(() -> CommandCodec.decode(Arrays.copyOf(good, cut)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
        byte[] unknown = good.clone();
        unknown[1] = (byte) 200;
        assertThatThrownBy(() -> CommandCodec.decode(unknown)).hasMessageContaining("unknown command type");
        byte[] future = good.clone();
        future[0] = 9;
        assertThatThrownBy(() -> CommandCodec.decode(future)).hasMessageContaining("unknown command format");
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertThatThrownBy(() -> CommandCodec.decode(trailing)).hasMessageContaining("trailing");
    }
}
