package dev.kura.index.rocks;

import dev.kura.index.BucketRecord;
import dev.kura.index.BucketSetting;
import dev.kura.index.IndexCommand;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Bucket records by name and bucket settings by id, read on every request, kept in memory. The
 * applier invalidates both after writing a batch that changed any bucket ({@link #changesBuckets}),
 * before answering its callers, so a caller that changed a bucket reads its change back. A reader
 * caches what it read only when no invalidation happened while it read (a generation count), so an
 * old value read concurrently with a change is never cached after it.
 */
final class BucketCache {
    /** Enough for every bucket of a large node; beyond it the cache starts over. */
    private static final int MAX_ENTRIES = 100_000;

    private final AtomicLong generation = new AtomicLong();
    private final Map<String, Optional<BucketRecord>> byName = new ConcurrentHashMap<>();
    private final Map<Long, Map<BucketSetting, byte[]>> settings = new ConcurrentHashMap<>();

    static boolean changesBuckets(IndexCommand c) {
        return c instanceof IndexCommand.CreateBucket || c instanceof IndexCommand.DeleteBucket
                || c instanceof IndexCommand.PutBucketSetting || c instanceof IndexCommand.SetBucketVersioning
                || c instanceof IndexCommand.PutObjectLockConfiguration || c instanceof IndexCommand.PutBucketTags
                || c instanceof IndexCommand.PutBucketLifecycle;
    }

    void invalidate() {
        generation.incrementAndGet();
        byName.clear();
        settings.clear();
    }

    Optional<BucketRecord> bucket(String name, Supplier<Optional<BucketRecord>> read) {
        return cached(byName, name, read);
    }

    Map<BucketSetting, byte[]> settings(long bucketId, Supplier<Map<BucketSetting, byte[]>> read) {
        return cached(settings, bucketId, read);
    }

    private <K, V> V cached(Map<K, V> map, K key, Supplier<V> read) {
        V hit = map.get(key);
        if (hit != null) {
            return hit;
        }
        long before = generation.get();
        V value = read.get();
        if (generation.get() == before) {
            if (map.size() >= MAX_ENTRIES) {
                map.clear();
            }
            map.put(key, value);
            if (generation.get() != before) {
                map.remove(key); // an invalidation raced with the put
            }
        }
        return value;
    }
}
