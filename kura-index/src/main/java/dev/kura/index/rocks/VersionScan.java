package dev.kura.index.rocks;

import dev.kura.index.ObjectRecord;
import dev.kura.index.VersionIds;
import dev.kura.index.VersionPage;
import dev.kura.index.VersionQuery;
import dev.kura.index.codec.KeyCodec;
import dev.kura.index.codec.RecordCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * One page of ListObjectVersions as a bounded range scan over the object rows: keys in S3 order,
 * each key's rows newest first (the row key ends in the complemented sequence), so the rows come out
 * in exactly the order the page lists them. A key's first row is its latest version.
 *
 * <p>Start: after all of {@code keyMarker}'s versions (and after the common prefix it rolls up to),
 * or, with {@code versionIdMarker}, just after that version's row — a version id is its sequence, so
 * the row's place is known even when the version is gone; "null" is found among the key's versions.
 * Common prefixes count toward {@code maxKeys} like versions; after one, the scan seeks past it.
 */
final class VersionScan {
    private final RocksIterator it;
    private final VersionQuery query;
    private final String prefix;
    private final String delimiter;
    private final List<VersionPage.Entry> entries = new ArrayList<>();
    private final List<String> prefixes = new ArrayList<>();
    private String lastKey;
    private String lastVersionId;
    /** The key whose rows the scan is in, and whether its newest row is behind the start. */
    private String currentKey;
    private boolean startedInsideKey;

    VersionScan(RocksIterator it, VersionQuery query) {
        if (query.maxKeys() < 0 || query.scanBudget() < 1) {
            throw new IllegalArgumentException("bad bounds: maxKeys " + query.maxKeys() + ", scanBudget " + query.scanBudget());
        }
        this.it = it;
        this.query = query;
        this.prefix = query.prefix() == null ? "" : query.prefix();
        this.delimiter = query.delimiter() == null || query.delimiter().isEmpty() ? null : query.delimiter();
    }

    static byte[] upperBound(VersionQuery query) {
        return KeyCodec.prefixEnd(query.bucketId(), query.prefix() == null ? "" : query.prefix());
    }

    VersionPage run() throws RocksDBException {
        if (query.maxKeys() == 0) {
            return new VersionPage(List.of(), List.of(), false, null, null);
        }
        int examined = 0;
        for (seekStart(); it.isValid(); ) {
            if (examined++ == query.scanBudget()) {
                return page(true);
            }
            byte[] row = it.key();
            String key = KeyCodec.objectKey(row);
            String rollup = commonPrefix(key);
            if (entries.size() + prefixes.size() >= query.maxKeys()) {
                return page(true);
            }
            if (rollup != null) {
                prefixes.add(rollup);
                lastKey = rollup;
                lastVersionId = null;
                it.seek(KeyCodec.prefixEnd(query.bucketId(), rollup));
                continue;
            }
            boolean latest = !key.equals(currentKey) && !(startedInsideKey && key.equals(query.keyMarker()));
            currentKey = key;
            ObjectRecord r = RecordCodec.decodeObject(it.value());
            entries.add(new VersionPage.Entry(r, latest));
            lastKey = key;
            lastVersionId = r.versionId();
            it.next();
        }
        it.status();
        return page(false);
    }

    private void seekStart() throws RocksDBException {
        long bucketId = query.bucketId();
        byte[] start = KeyCodec.prefixStart(bucketId, prefix);
        String marker = query.keyMarker();
        if (marker != null && !marker.isEmpty()) {
            String rollup = commonPrefix(marker);
            if (rollup != null) {
                start = max(start, KeyCodec.prefixEnd(bucketId, rollup));
            } else if (query.versionIdMarker() != null && !query.versionIdMarker().isEmpty()) {
                start = max(start, afterVersion(marker, query.versionIdMarker()));
                startedInsideKey = true;
            } else {
                start = max(start, KeyCodec.afterVersionsOf(bucketId, marker));
            }
        }
        it.seek(start);
    }

    /** Just past the row of that version of the key (the row need not exist any more). */
    private byte[] afterVersion(String key, String versionId) throws RocksDBException {
        long bucketId = query.bucketId();
        OptionalLong sequence = VersionIds.sequenceOf(versionId);
        if (sequence.isEmpty()) { // "null": find the null version among the key's rows
            byte[] head = KeyCodec.versionsOf(bucketId, key);
            for (it.seek(head); it.isValid() && KeyCodec.startsWith(it.key(), head); it.next()) {
                if (ObjectRecord.NULL_VERSION.equals(RecordCodec.decodeObject(it.value()).versionId())) {
                    return successor(it.key());
                }
            }
            it.status();
            return KeyCodec.afterVersionsOf(bucketId, key); // no null version: nothing of the key is left
        }
        return successor(KeyCodec.objectRow(bucketId, key, sequence.getAsLong()));
    }

    private String commonPrefix(String key) {
        if (delimiter == null || !key.startsWith(prefix)) {
            return null;
        }
        int at = key.indexOf(delimiter, prefix.length());
        return at < 0 ? null : key.substring(0, at + delimiter.length());
    }

    private VersionPage page(boolean truncated) {
        return new VersionPage(List.copyOf(entries), List.copyOf(prefixes), truncated, truncated ? lastKey : null,
                truncated ? lastVersionId : null);
    }

    /** The smallest key after {@code row}: the row with a zero byte appended. */
    private static byte[] successor(byte[] row) {
        return Arrays.copyOf(row, row.length + 1);
    }

    private static byte[] max(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b) >= 0 ? a : b;
    }
}
