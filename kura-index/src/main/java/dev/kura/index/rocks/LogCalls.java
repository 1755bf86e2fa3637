package dev.kura.index.rocks;

import dev.kura.index.codec.KeyCodec;
import java.nio.ByteBuffer;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatchWithIndex;

/**
 * The calls of a replicated log already applied, so that a call appended twice — a client's retry
 * reaching a new leader before the first copy was applied there — is applied once. Rows:
 * {@code 'c' | call key → log index} and {@code 'e' | log index → call key}, written in the batch that
 * applies the call.
 *
 * <p>Kept for {@code retention} log entries. Determinism across replicas, whose batches differ: an entry
 * at index {@code i} is a repeat only of a call applied at an index in {@code [i - retention, i)}, and
 * pruning removes only rows below that window, so every replica decides alike whatever it has pruned.
 */
final class LogCalls {
    /** Log entries a call is remembered for: far beyond any client's retry budget at any write rate. */
    static final long DEFAULT_RETENTION = 200_000;

    private LogCalls() {
    }

    static byte[] callRow(byte[] callKey) {
        byte[] row = new byte[1 + callKey.length];
        row[0] = KeyCodec.LOG_CALL;
        System.arraycopy(callKey, 0, row, 1, callKey.length);
        return row;
    }

    static byte[] indexRow(long index) {
        return ByteBuffer.allocate(9).put(KeyCodec.LOG_CALL_BY_INDEX).putLong(index).array();
    }

    /** True when this call was applied at an index within {@code retention} entries before {@code at}. */
    static boolean isRepeat(RocksDB db, ReadOptions readOptions, WriteBatchWithIndex batch, byte[] callKey, long at,
                            long retention) throws RocksDBException {
        byte[] applied = batch.getFromBatchAndDB(db, readOptions, callRow(callKey));
        if (applied == null) {
            return false;
        }
        long index = ByteBuffer.wrap(applied).getLong();
        return index < at && index >= at - retention;
    }

    static void record(WriteBatchWithIndex batch, byte[] callKey, long index) throws RocksDBException {
        batch.put(callRow(callKey), ByteBuffer.allocate(8).putLong(index).array());
        batch.put(indexRow(index), callKey);
    }

    /** Drops the calls applied below {@code below} (rows already in the database; this batch's are above). */
    static void prune(RocksDB db, WriteBatchWithIndex batch, long below) throws RocksDBException {
        if (below <= 0) {
            return;
        }
        try (Slice upper = new Slice(indexRow(below));
             ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
             RocksIterator it = db.newIterator(options)) {
            for (it.seek(KeyCodec.table(KeyCodec.LOG_CALL_BY_INDEX)); it.isValid(); it.next()) {
                byte[] callKey = it.value();
                long index = ByteBuffer.wrap(it.key(), 1, 8).getLong();
                batch.delete(it.key());
                byte[] current = db.get(callRow(callKey));
                if (current != null && ByteBuffer.wrap(current).getLong() == index) {
                    batch.delete(callRow(callKey));
                }
            }
            it.status();
        }
    }
}
