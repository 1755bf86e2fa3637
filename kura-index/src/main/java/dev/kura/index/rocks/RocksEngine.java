package dev.kura.index.rocks;

import dev.kura.index.codec.KeyCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private final ReadOptions readOptions;

    private RocksEngine(LRUCache cache, BloomFilter filter, Options options, RocksDB db) {
        this.cache = cache;
        this.filter = filter;
        this.options = options;
        this.db = db;
        this.syncWrite = new WriteOptions().setSync(true).setDisableWAL(false);
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

    WriteOptions syncWrite() {
        return syncWrite;
    }

    /** Default read options, shared by the applier (never modified). */
    ReadOptions readOptions() {
        return readOptions;
    }

    @Override
    public void close() {
        readOptions.close();
        syncWrite.close();
        db.close();
        options.close();
        filter.close();
        cache.close();
    }
}
