package dev.kura.index.rocks;

import dev.kura.index.codec.KeyCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB handles of one index directory and their configuration, in one place so they are all
 * closed, in the right order, exactly once.
 *
 * <p>Sized for a small machine: a 64 MiB block cache shared by data, index and filter blocks, two
 * 32 MiB memtables, two background jobs. The write-ahead log is always on and every commit is a
 * synced write: RocksDB does not fsync its log unless asked, and "acknowledged means durable".
 */
final class RocksEngine implements AutoCloseable {
    /** The on-disk format of this engine's rows; bumped (with a migration) when a row key changes shape. */
    static final int FORMAT = 1;
    static final byte[] FORMAT_ROW = KeyCodec.metaRow("format");

    private static final long BLOCK_CACHE_BYTES = 64L << 20;
    private static final long MEMTABLE_BYTES = 32L << 20;

    private final LRUCache cache;
    private final BloomFilter filter;
    private final Options options;
    private final RocksDB db;
    private final WriteOptions syncWrite;
    private final WriteOptions lazyWrite;
    private final ReadOptions readOptions;

    private RocksEngine(LRUCache cache, BloomFilter filter, Options options, RocksDB db) {
        this.cache = cache;
        this.filter = filter;
        this.options = options;
        this.db = db;
        this.syncWrite = new WriteOptions().setSync(true).setDisableWAL(false);
        this.lazyWrite = new WriteOptions().setSync(false).setDisableWAL(false);
        this.readOptions = new ReadOptions();
    }

    static RocksEngine open(Path dir) throws IOException {
        RocksDB.loadLibrary();
        Files.createDirectories(dir);
        LRUCache cache = new LRUCache(BLOCK_CACHE_BYTES);
        BloomFilter filter = new BloomFilter(10);
        Options options = options(cache, filter);
        RocksEngine engine = null;
        try {
            engine = new RocksEngine(cache, filter, options, RocksDB.open(options, dir.toString()));
            engine.checkFormat();
            return engine;
        } catch (RocksDBException | IOException | RuntimeException e) {
            if (engine != null) {
                engine.close();
            } else {
                options.close();
                filter.close();
                cache.close();
            }
            throw e instanceof IOException io ? io : new IOException("cannot open index at " + dir, e);
        }
    }

    private static Options options(LRUCache cache, BloomFilter filter) {
        BlockBasedTableConfig table = new BlockBasedTableConfig()
                .setBlockCache(cache)
                .setFilterPolicy(filter) // point gets: bucket, intent and free rows
                .setCacheIndexAndFilterBlocks(true)
                .setPinL0FilterAndIndexBlocksInCache(true)
                .setBlockSize(16 * 1024);
        return new Options()
                .setCreateIfMissing(true)
                .setTableFormatConfig(table)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                .setWriteBufferSize(MEMTABLE_BYTES)
                .setMaxWriteBufferNumber(2)
                .setMaxBackgroundJobs(2)
                .setBytesPerSync(1L << 20)
                .setMaxLogFileSize(16L << 20)
                .setKeepLogFileNum(4);
    }

    /** A new directory gets the current format; an existing one must already have it. */
    private void checkFormat() throws RocksDBException, IOException {
        byte[] stored = db.get(FORMAT_ROW);
        if (stored == null) {
            db.put(syncWrite, FORMAT_ROW, new byte[] {(byte) FORMAT});
        } else if (stored.length != 1 || stored[0] != FORMAT) {
            throw new IOException("index format " + (stored.length == 1 ? stored[0] : "?")
                    + " is not supported (this build reads format " + FORMAT + ")");
        }
    }

    RocksDB db() {
        return db;
    }

    /** Stat name → RocksDB integer property (see docs/telemetry.md). */
    private static final Map<String, String> LONG_PROPERTIES = Map.ofEntries(
            Map.entry("keys_estimated", "rocksdb.estimate-num-keys"),
            Map.entry("sst_bytes", "rocksdb.total-sst-files-size"),
            Map.entry("live_data_bytes", "rocksdb.estimate-live-data-size"),
            Map.entry("memtable_bytes", "rocksdb.cur-size-all-mem-tables"),
            Map.entry("block_cache_bytes", "rocksdb.block-cache-usage"),
            Map.entry("pending_compaction_bytes", "rocksdb.estimate-pending-compaction-bytes"),
            Map.entry("running_compactions", "rocksdb.num-running-compactions"),
            Map.entry("running_flushes", "rocksdb.num-running-flushes"),
            Map.entry("write_stopped", "rocksdb.is-write-stopped"),
            Map.entry("delayed_write_rate", "rocksdb.actual-delayed-write-rate"));

    /**
     * Sizes, compaction backlog and write stalls, read from RocksDB's properties; a property the
     * engine cannot answer is left out. The caller keeps the handles open meanwhile.
     */
    Map<String, Long> stats() {
        Map<String, Long> out = new LinkedHashMap<>();
        LONG_PROPERTIES.forEach((name, property) -> {
            try {
                out.put(name, db.getLongProperty(property));
            } catch (RocksDBException e) {
                // not supported by this engine build: leave it out
            }
        });
        try {
            Map<String, String> cf = db.getMapProperty("rocksdb.cfstats");
            putDouble(out, "stall_stops", cf.get("total-stops"));
            putDouble(out, "stall_delays", cf.get("total-delays"));
        } catch (RocksDBException e) {
            // idem
        }
        return out;
    }

    private static void putDouble(Map<String, Long> out, String name, String value) {
        if (value != null) {
            try {
                out.put(name, (long) Double.parseDouble(value));
            } catch (NumberFormatException e) {
                // leave it out
            }
        }
    }

    WriteOptions syncWrite() {
        return syncWrite;
    }

    /** Written to the log but not synced: durable at the latest with the next synced write or {@code syncWal}. */
    WriteOptions lazyWrite() {
        return lazyWrite;
    }

    /** Default read options, shared by the applier (never modified). */
    ReadOptions readOptions() {
        return readOptions;
    }

    @Override
    public void close() {
        readOptions.close();
        syncWrite.close();
        lazyWrite.close();
        db.close();
        options.close();
        filter.close();
        cache.close();
    }
}
