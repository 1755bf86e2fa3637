package dev.kura.index.rocks;

import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.IndexResult;
import dev.kura.index.PartitionRecord;
import dev.kura.index.codec.KeyCodec;
import dev.kura.index.codec.RecordCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * Applies partition splits and merges ({@code 'r'} rows) into the pending batch, reading through it
 * like {@link CommandApplier}. Deterministic: the outcome depends on the bucket's partition rows and
 * the command alone (the new partition's id is the bucket's highest + 1, its time the command's).
 * A bucket never split has no rows and one partition, {@link PartitionRecord#whole()}; its first
 * split writes the first partition's row too.
 */
final class PartitionApplier {
    private final RocksDB db;
    private final ReadOptions readOptions;
    private final WriteBatchWithIndex batch;

    PartitionApplier(RocksDB db, ReadOptions readOptions, WriteBatchWithIndex batch) {
        this.db = db;
        this.readOptions = readOptions;
        this.batch = batch;
    }

    IndexResult split(IndexCommand.SplitPartition c) throws IndexException, RocksDBException {
        List<PartitionRecord> parts = partitions(c.bucketId());
        int i = indexOf(parts, c.partitionId());
        byte[] at = KeyCodec.utf8(c.at());
        byte[] start = KeyCodec.utf8(parts.get(i).start());
        boolean inside = Arrays.compareUnsigned(start, at) < 0
                && (i + 1 == parts.size() || Arrays.compareUnsigned(at, KeyCodec.utf8(parts.get(i + 1).start())) < 0);
        if (!inside) {
            throw new IndexException.NoSuchPartition("split key " + c.at() + " is not inside partition " + c.partitionId());
        }
        long next = parts.stream().mapToLong(PartitionRecord::id).max().orElse(0) + 1;
        PartitionRecord low = new PartitionRecord(c.partitionId(), parts.get(i).start(), c.when());
        batch.put(KeyCodec.partitionRow(c.bucketId(), low.start()), RecordCodec.encode(low));
        batch.put(KeyCodec.partitionRow(c.bucketId(), c.at()),
                RecordCodec.encode(new PartitionRecord(next, c.at(), c.when())));
        return IndexResult.DONE;
    }

    IndexResult merge(IndexCommand.MergePartitions c) throws IndexException, RocksDBException {
        List<PartitionRecord> parts = partitions(c.bucketId());
        int i = indexOf(parts, c.left());
        if (i + 1 == parts.size() || parts.get(i + 1).id() != c.right()) {
            throw new IndexException.NoSuchPartition("partition " + c.right() + " does not follow partition " + c.left());
        }
        PartitionRecord merged = new PartitionRecord(c.left(), parts.get(i).start(), c.when());
        batch.put(KeyCodec.partitionRow(c.bucketId(), merged.start()), RecordCodec.encode(merged));
        batch.delete(KeyCodec.partitionRow(c.bucketId(), parts.get(i + 1).start()));
        return IndexResult.DONE;
    }

    /** Removes every partition row of a (deleted) bucket. */
    void dropAll(long bucketId) throws RocksDBException {
        byte[] prefix = KeyCodec.partitionsOf(bucketId);
        List<byte[]> rows = new ArrayList<>();
        try (RocksIterator it = batch.newIteratorWithBase(db.newIterator(readOptions))) {
            for (it.seek(prefix); it.isValid() && KeyCodec.startsWith(it.key(), prefix); it.next()) {
                rows.add(it.key());
            }
            it.status();
        }
        for (byte[] row : rows) {
            batch.delete(row);
        }
    }

    private List<PartitionRecord> partitions(long bucketId) throws IndexException, RocksDBException {
        if (batch.getFromBatchAndDB(db, readOptions, KeyCodec.bucketIdRow(bucketId)) == null) {
            throw new IndexException.NoSuchBucket("bucket id " + bucketId);
        }
        byte[] prefix = KeyCodec.partitionsOf(bucketId);
        List<PartitionRecord> parts = new ArrayList<>();
        try (RocksIterator it = batch.newIteratorWithBase(db.newIterator(readOptions))) {
            for (it.seek(prefix); it.isValid() && KeyCodec.startsWith(it.key(), prefix); it.next()) {
                parts.add(RecordCodec.decodePartition(it.value()));
            }
            it.status();
        }
        return parts.isEmpty() ? List.of(PartitionRecord.whole()) : parts;
    }

    private static int indexOf(List<PartitionRecord> parts, long id) throws IndexException {
        for (int i = 0; i < parts.size(); i++) {
            if (parts.get(i).id() == id) {
                return i;
            }
        }
        throw new IndexException.NoSuchPartition("no partition " + id);
    }
}
