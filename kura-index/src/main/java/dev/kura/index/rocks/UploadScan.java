package dev.kura.index.rocks;

import dev.kura.index.UploadPage;
import dev.kura.index.UploadRecord;
import dev.kura.index.codec.KeyCodec;
import dev.kura.index.codec.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/**
 * One page of ListMultipartUploads
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html): uploads in key
 * order, then initiation order; with a key-marker alone, uploads of keys after it; with an
 * upload-id-marker too, uploads of that key after that id. A delimiter rolls keys up into common
 * prefixes, and the scan seeks past each one.
 */
final class UploadScan {
    private UploadScan() {
    }

    static UploadPage run(RocksIterator it, long bucketId, String prefix, String delimiter, String keyMarker,
                          String uploadIdMarker, int max) throws RocksDBException {
        List<UploadRecord> uploads = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        String lastKey = null;
        String lastId = null;
        seekStart(it, bucketId, prefix, keyMarker, uploadIdMarker);
        while (it.isValid()) {
            UploadRecord u = RecordCodec.decodeUpload(it.value());
            String key = u.key();
            String common = commonPrefix(key, prefix, delimiter);
            if (uploads.size() + prefixes.size() >= max) {
                return new UploadPage(uploads, prefixes, true, lastKey, lastId);
            }
            if (common != null) {
                if (keyMarker == null || compare(common, keyMarker) > 0) {
                    prefixes.add(common);
                    lastKey = common;
                    lastId = null;
                }
                it.seek(KeyCodec.uploadPrefixEnd(bucketId, common));
                continue;
            }
            uploads.add(u);
            lastKey = key;
            lastId = u.uploadId();
            it.next();
        }
        it.status();
        return new UploadPage(uploads, prefixes, false, null, null);
    }

    private static void seekStart(RocksIterator it, long bucketId, String prefix, String keyMarker, String uploadIdMarker) {
        byte[] start = KeyCodec.uploadPrefixStart(bucketId, prefix);
        if (keyMarker != null && !keyMarker.isEmpty()) {
            byte[] afterMarker = uploadIdMarker != null && KeyCodec.isUploadId(uploadIdMarker)
                    ? next(KeyCodec.uploadRow(bucketId, keyMarker, uploadIdMarker))
                    : KeyCodec.afterUploadsOf(bucketId, keyMarker);
            if (Arrays.compareUnsigned(afterMarker, start) > 0) {
                start = afterMarker;
            }
        }
        it.seek(start);
    }

    /** The smallest row strictly after {@code row}. */
    private static byte[] next(byte[] row) {
        return Arrays.copyOf(row, row.length + 1);
    }

    private static String commonPrefix(String key, String prefix, String delimiter) {
        if (delimiter == null || delimiter.isEmpty()) {
            return null;
        }
        int at = key.indexOf(delimiter, prefix.length());
        return at < 0 ? null : key.substring(0, at + delimiter.length());
    }

    private static int compare(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
