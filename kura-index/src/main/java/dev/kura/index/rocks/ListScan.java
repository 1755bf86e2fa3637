package dev.kura.index.rocks;

import dev.kura.index.ListPage;
import dev.kura.index.ListQuery;
import dev.kura.index.ObjectRecord;
import dev.kura.index.codec.KeyCodec;
import dev.kura.index.codec.RecordCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * One page of ListObjects as a bounded range scan over the object rows, in S3 order.
 *
 * <p>The scan only ever looks at the newest row of a key: after a key it seeks past the key's older
 * versions, and after emitting a common prefix it seeks past every key under it, so the work of a page
 * is bounded by {@code maxKeys} plus the delete markers it has to step over — and those are bounded by
 * {@code scanBudget} (rows examined; the seeks themselves are free).
 *
 * <p>Start: the first row at or after all of {@code prefix}, the end of {@code startAfter}'s versions,
 * and — when {@code startAfter} lies under a common prefix — the end of that prefix, because a common
 * prefix not strictly after {@code startAfter} was already returned (the continuation rule). With that
 * start, no key examined can roll up into a prefix at or before {@code startAfter}.
 *
 * <p>Delete markers: a key whose newest version is a delete marker is not listed and does not by
 * itself make its common prefix appear, so a common prefix is emitted at the first live key under it;
 * until then it is "pending". If the budget runs out while a prefix is pending and the page has room,
 * the prefix is returned anyway, to guarantee progress.
 * // S3-COMPAT: only then may a prefix whose remaining keys are all delete markers be listed.
 *
 * <p>{@code nextStartAfter}: when the page is full, the last key or prefix returned (S3's NextMarker);
 * when the budget runs out, the last key or prefix fully examined, which may be a delete marker's key.
 * Either way resuming from it neither skips nor repeats an entry. {@code maxKeys = 0} returns an empty,
 * untruncated page, as S3 does.
 */
final class ListScan {
    private final RocksIterator it;
    private final long bucketId;
    private final String prefix;
    private final String delimiter;
    private final ListQuery query;

    private final List<ObjectRecord> objects = new ArrayList<>();
    private final List<String> prefixes = new ArrayList<>();
    private int examined;
    private String lastReturned;
    /** Everything up to and including this (and, if it is a common prefix, under it) is settled. */
    private String settled;
    private String pendingPrefix;
    private String settledBeforePending;

    ListScan(RocksIterator it, ListQuery query) {
        validate(query);
        this.it = it;
        this.query = query;
        this.bucketId = query.bucketId();
        this.prefix = query.prefix() == null ? "" : query.prefix();
        this.delimiter = query.delimiter() == null || query.delimiter().isEmpty() ? null : query.delimiter();
    }

    /** The bound above every row this scan may read; for the iterator's upper bound. */
    static byte[] upperBound(ListQuery query) {
        return KeyCodec.prefixEnd(query.bucketId(), query.prefix() == null ? "" : query.prefix());
    }

    ListPage run() throws RocksDBException {
        if (query.maxKeys() == 0) {
            return page(false, null);
        }
        for (it.seek(start()); it.isValid(); ) {
            if (examined == query.scanBudget()) {
                return outOfBudget();
            }
            examined++;
            if (step()) {
                return page(true, lastReturned);
            }
        }
        it.status();
        return page(false, null);
    }

    /** Examines the row under the iterator and moves past it; true when the page is full and more exist. */
    private boolean step() {
        byte[] row = it.key();
        String key = KeyCodec.objectKey(row);
        ObjectRecord newest = RecordCodec.decodeObject(it.value());
        String rollup = commonPrefix(key);
        if (pendingPrefix != null && !pendingPrefix.equals(rollup)) {
            pendingPrefix = null; // every key under it was a delete marker: it is not listed
        }
        if (newest.deleteMarker()) {
            if (rollup != null && pendingPrefix == null) {
                pendingPrefix = rollup;
                settledBeforePending = settled;
            }
            settled = key;
            skipOlderVersions(row);
            return false;
        }
        if (full()) {
            return true;
        }
        pendingPrefix = null;
        if (rollup != null) {
            prefixes.add(rollup);
            lastReturned = settled = rollup;
            it.seek(KeyCodec.prefixEnd(bucketId, rollup));
        } else {
            objects.add(newest);
            lastReturned = settled = key;
            skipOlderVersions(row);
        }
        return false;
    }

    private ListPage outOfBudget() {
        if (pendingPrefix == null) {
            return page(true, settled);
        }
        if (!full()) {
            prefixes.add(pendingPrefix);
            return page(true, pendingPrefix);
        }
        // The next page starts empty, so it will either find a live key under the prefix or return it.
        return page(true, settledBeforePending);
    }

    private byte[] start() {
        byte[] start = KeyCodec.prefixStart(bucketId, prefix);
        String after = query.startAfter();
        if (after != null) {
            start = max(start, KeyCodec.afterVersionsOf(bucketId, after));
            String rollup = commonPrefix(after);
            if (rollup != null) {
                start = max(start, KeyCodec.prefixEnd(bucketId, rollup));
            }
        }
        return start;
    }

    /** {@code prefix} plus the rest of {@code key} up to and including the first delimiter after it. */
    private String commonPrefix(String key) {
        if (delimiter == null || !key.startsWith(prefix)) {
            return null;
        }
        int at = key.indexOf(delimiter, prefix.length());
        return at < 0 ? null : key.substring(0, at + delimiter.length());
    }

    /** Moves to the next key. Next-then-seek: most keys have one version, and next() is cheaper. */
    private void skipOlderVersions(byte[] row) {
        byte[] versions = Arrays.copyOf(row, row.length - 8);
        it.next();
        if (it.isValid() && KeyCodec.startsWith(it.key(), versions)) {
            versions[versions.length - 1] = 0x02; // 00 01 -> 00 02: just past the key's last version
            it.seek(versions);
        }
    }

    private boolean full() {
        return objects.size() + prefixes.size() >= query.maxKeys();
    }

    private ListPage page(boolean truncated, String next) {
        return new ListPage(List.copyOf(objects), List.copyOf(prefixes), truncated, truncated ? next : null);
    }

    private static byte[] max(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b) >= 0 ? a : b;
    }

    private static void validate(ListQuery query) {
        if (query.maxKeys() < 0) {
            throw new IllegalArgumentException("maxKeys < 0: " + query.maxKeys());
        }
        if (query.scanBudget() < 1) {
            throw new IllegalArgumentException("scanBudget < 1: " + query.scanBudget());
        }
    }
}
