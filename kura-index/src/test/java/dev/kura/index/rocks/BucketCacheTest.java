package dev.kura.index.rocks;

import static dev.kura.index.TestRecords.bucket;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.index.BucketRecord;
import dev.kura.index.BucketSetting;
import dev.kura.index.IndexCommand;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bucket records and settings are read from memory, and every committed change is seen at once. */
class BucketCacheTest {
    @TempDir
    Path dir;

    @Test
    void aChangeIsReadBackAtOnceAndRepeatedReadsComeFromMemory() throws Exception {
        try (RocksObjectIndex index = RocksObjectIndex.open(dir)) {
            assertThat(index.bucket("b")).isEmpty();
            index.apply(new IndexCommand.CreateBucket(bucket("b", 1)));
            assertThat(index.bucket("b")).isPresent();
            index.apply(new IndexCommand.SetBucketVersioning("b", 1, BucketRecord.Versioning.ENABLED));
            assertThat(index.bucket("b").orElseThrow().versioning()).isEqualTo(BucketRecord.Versioning.ENABLED);
            assertThat(index.bucketSettings(1)).isEmpty();
            index.apply(new IndexCommand.PutBucketSetting("b", 1, BucketSetting.POLICY, new byte[] {1}));
            assertThat(index.bucketSettings(1)).containsKey(BucketSetting.POLICY);
            index.apply(new IndexCommand.DeleteBucket("b", 1));
            assertThat(index.bucket("b")).isEmpty();
            assertThat(index.bucketSettings(1)).isEmpty();
        }
    }

    @Test
    void aValueReadWhileAnInvalidationHappensIsNotKept() {
        BucketCache cache = new BucketCache();
        AtomicInteger reads = new AtomicInteger();
        // the read races with a change: what it read may be old, so it must not be cached
        Optional<BucketRecord> first = cache.bucket("b", () -> {
            reads.incrementAndGet();
            cache.invalidate();
            return Optional.empty();
        });
        assertThat(first).isEmpty();
        cache.bucket("b", () -> {
            reads.incrementAndGet();
            return Optional.of(bucket("b", 1));
        });
        assertThat(reads).hasValue(2);
        assertThat(cache.bucket("b", () -> {
            reads.incrementAndGet();
            return Optional.empty();
        })).isPresent();
        assertThat(reads).as("the third read came from memory").hasValue(2);
        assertThat(cache.settings(1, Map::of)).isEmpty();
    }
}
