package dev.kura.index.rocks;

import static dev.kura.index.TestRecords.bucket;
import static dev.kura.index.TestRecords.object;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.index.BucketRecord;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.Precondition;
import dev.kura.index.TestRecords;
import dev.kura.index.VersionPage;
import dev.kura.index.VersionQuery;
import dev.kura.index.codec.CommandCodec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index is a deterministic state machine: the same commands, carried in their binary form and
 * applied in the same order to a second index, give the same versions with the same sequences and
 * version ids — whatever sequences the writers proposed (here: random, often in the past).
 */
class ReplayDeterminismTest {
    static final long B = 5;

    @TempDir
    Path dir;

    @Test
    void replayingTheCommandLogGivesTheSameVersionsAndIds() throws Exception {
        Random rnd = new Random(11);
        List<byte[]> log = new ArrayList<>();
        log.add(CommandCodec.encode(new IndexCommand.CreateBucket(bucket("b", B))));
        for (int i = 0; i < 400; i++) {
            String key = "k" + rnd.nextInt(20);
            IndexCommand c = switch (rnd.nextInt(10)) {
                case 0 -> new IndexCommand.SetBucketVersioning("b", B,
                        rnd.nextBoolean() ? BucketRecord.Versioning.ENABLED : BucketRecord.Versioning.SUSPENDED);
                case 1 -> new IndexCommand.DeleteObject(B, key, Precondition.NONE, TestRecords.T0.plusSeconds(i));
                // Partition changes interleaved with object commands (many refused as stale): the same
                // partitions on every replica, and the objects untouched by them.
                case 2 -> rnd.nextBoolean()
                        ? new IndexCommand.SplitPartition(B, rnd.nextInt(6), key, TestRecords.T0.plusSeconds(i))
                        : new IndexCommand.MergePartitions(B, rnd.nextInt(6), rnd.nextInt(6), TestRecords.T0.plusSeconds(i));
                default -> new IndexCommand.PutObject(B, object(key, rnd.nextInt(1000)), Precondition.NONE);
            };
            log.add(CommandCodec.encode(c));
        }
        List<VersionPage.Entry> first;
        List<VersionPage.Entry> second;
        List<dev.kura.index.PartitionRecord> firstPartitions;
        List<dev.kura.index.PartitionRecord> secondPartitions;
        try (RocksObjectIndex a = RocksObjectIndex.open(dir.resolve("a"))) {
            apply(a, log);
            first = a.listVersions(new VersionQuery(B, "", null, null, null, 1000, 10_000)).versions();
            firstPartitions = a.partitions(B);
        }
        try (RocksObjectIndex b = RocksObjectIndex.open(dir.resolve("b"))) {
            apply(b, log);
            second = b.listVersions(new VersionQuery(B, "", null, null, null, 1000, 10_000)).versions();
            secondPartitions = b.partitions(B);
        }
        assertThat(first).hasSizeGreaterThan(50);
        assertThat(second).isEqualTo(first);
        assertThat(firstPartitions).hasSizeGreaterThan(1).isEqualTo(secondPartitions);
        assertThat(first.stream().map(e -> e.record().versionId()).filter(v -> !v.equals("null"))).isNotEmpty();
    }

    private static void apply(RocksObjectIndex index, List<byte[]> log) {
        for (byte[] entry : log) {
            try {
                index.apply(CommandCodec.decode(entry));
            } catch (IndexException e) {
                // a refused command is refused on every replica alike; the state is unchanged
            }
        }
    }
}
