package dev.kura.index.rocks;

import static dev.kura.index.TestRecords.bucket;
import static dev.kura.index.TestRecords.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.PartitionRecord;
import dev.kura.index.Precondition;
import dev.kura.index.codec.CommandCodec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Partition rows: splits and merges as commands, refused when stale, kept across a reopen, removed with the bucket. */
class PartitionIndexTest {
    static final long B = 9;
    static final Instant T = Instant.parse("2026-12-07T04:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aBucketStartsWithOnePartitionAndSplitsAndMergesByCommand() throws Exception {
        try (RocksObjectIndex index = RocksObjectIndex.open(dir)) {
            index.apply(new IndexCommand.CreateBucket(bucket("b", B)));
            assertThat(index.partitions(B)).containsExactly(PartitionRecord.whole());
            index.apply(new IndexCommand.SplitPartition(B, 0, "m", T));
            index.apply(new IndexCommand.SplitPartition(B, 1, "t", T.plusSeconds(1)));
            index.apply(new IndexCommand.SplitPartition(B, 0, "2026-12-07/", T.plusSeconds(2)));
            assertThat(index.partitions(B)).extracting(PartitionRecord::start, PartitionRecord::id)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("", 0L),
                            org.assertj.core.groups.Tuple.tuple("2026-12-07/", 3L),
                            org.assertj.core.groups.Tuple.tuple("m", 1L), org.assertj.core.groups.Tuple.tuple("t", 2L));
            index.apply(new IndexCommand.MergePartitions(B, 1, 2, T.plusSeconds(3)));
            assertThat(index.partitions(B)).extracting(PartitionRecord::start).containsExactly("", "2026-12-07/", "m");
            assertThat(index.partitions(B).get(2).since()).isEqualTo(T.plusSeconds(3));
        }
        try (RocksObjectIndex index = RocksObjectIndex.open(dir)) {
            assertThat(index.partitions(B)).extracting(PartitionRecord::start).containsExactly("", "2026-12-07/", "m");
        }
    }

    @Test
    void staleSplitsAndMergesAreRefusedAndChangeNothing() throws Exception {
        try (RocksObjectIndex index = RocksObjectIndex.open(dir)) {
            index.apply(new IndexCommand.CreateBucket(bucket("b", B)));
            index.apply(new IndexCommand.SplitPartition(B, 0, "m", T));
            List<PartitionRecord> before = index.partitions(B);
            assertThatThrownBy(() -> index.apply(new IndexCommand.SplitPartition(B, 0, "m", T)))
                    .isInstanceOf(IndexException.NoSuchPartition.class); // at the boundary: not inside
            assertThatThrownBy(() -> index.apply(new IndexCommand.SplitPartition(B, 0, "x", T)))
                    .isInstanceOf(IndexException.NoSuchPartition.class); // inside partition 1, not 0
            assertThatThrownBy(() -> index.apply(new IndexCommand.SplitPartition(B, 7, "x", T)))
                    .isInstanceOf(IndexException.NoSuchPartition.class);
            assertThatThrownBy(() -> index.apply(new IndexCommand.MergePartitions(B, 1, 0, T)))
                    .isInstanceOf(IndexException.NoSuchPartition.class); // wrong order
            assertThatThrownBy(() -> index.apply(new IndexCommand.SplitPartition(B + 1, 0, "x", T)))
                    .isInstanceOf(IndexException.NoSuchBucket.class);
            assertThat(index.partitions(B)).isEqualTo(before);
        }
    }

    @Test
    void partitionsGoWithTheBucketAndNeverTouchObjects() throws Exception {
        try (RocksObjectIndex index = RocksObjectIndex.open(dir)) {
            index.apply(new IndexCommand.CreateBucket(bucket("b", B)));
            index.apply(new IndexCommand.PutObject(B, object("k", 1), Precondition.NONE));
            index.apply(new IndexCommand.SplitPartition(B, 0, "k", T));
            assertThat(index.latest(B, "k")).isPresent();
            index.apply(new IndexCommand.DeleteObject(B, "k", Precondition.NONE, T));
            index.apply(new IndexCommand.DeleteBucket("b", B));
            index.apply(new IndexCommand.CreateBucket(bucket("b", B + 1)));
            assertThat(index.partitions(B)).containsExactly(PartitionRecord.whole());
            assertThat(index.partitions(B + 1)).containsExactly(PartitionRecord.whole());
        }
    }

    /** The same log of splits and merges (some refused), replayed from bytes, gives the same partitions. */
    @Test
    void replayingSplitsAndMergesIsDeterministic() throws Exception {
        Random rnd = new Random(5);
        List<byte[]> log = new ArrayList<>();
        log.add(CommandCodec.encode(new IndexCommand.CreateBucket(bucket("b", B))));
        for (int i = 0; i < 300; i++) {
            long a = rnd.nextInt(12);
            IndexCommand c = rnd.nextInt(3) == 0
                    ? new IndexCommand.MergePartitions(B, a, rnd.nextInt(12), T.plusSeconds(i))
                    : new IndexCommand.SplitPartition(B, a, "k" + rnd.nextInt(1000), T.plusSeconds(i));
            log.add(CommandCodec.encode(c));
        }
        List<PartitionRecord> first = replay(dir.resolve("a"), log);
        List<PartitionRecord> second = replay(dir.resolve("b"), log);
        assertThat(first).hasSizeGreaterThan(3).isEqualTo(second);
    }

    private static List<PartitionRecord> replay(Path at, List<byte[]> log) throws Exception {
        try (RocksObjectIndex index = RocksObjectIndex.open(at)) {
            for (byte[] entry : log) {
                try {
                    index.apply(CommandCodec.decode(entry));
                } catch (IndexException e) {
                    // refused alike on every replica
                }
            }
            return index.partitions(B);
        }
    }
}
