package dev.kura.index.codec;

import dev.kura.common.DataId;
import dev.kura.common.Hex;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Row keys of the index in an ordered byte-keyed store, built so that the store's plain unsigned
 * bytewise order is S3 order. Every row starts with a one-byte tag naming its table:
 *
 * <pre>
 *   'o' | bucketId (8, BE) | escape(key) | 00 01 | ~sequence (8, BE)  -> ObjectRecord   (one row per version)
 *   'b' | name (UTF-8)                                                   -> BucketRecord
 *   'k' | bucketId (8, BE)                                               -> name (UTF-8)   (buckets by id)
 *   'i' | dataId (16)                                                    -> WriteIntent
 *   't' | createdAt millis (8, sign-flipped BE) | dataId (16)            -> WriteIntent    (intents by age)
 *   'j' | bucketId (8, BE) | dataId (16)                                 -> empty          (intents by bucket)
 *   'f' | dataId (16)                                                    -> PendingFree
 *   'm' | name                                                           -> engine metadata (format version)
 *   'u' | bucketId | escape(key) | 00 01 | uploadId (32 ASCII)           -> UploadRecord   (uploads in progress)
 *   'p' | bucketId | escape(key) | 00 01 | uploadId | partNumber (4, BE) -> PartRecord     (parts of an upload)
 *   'q' | bucketId | escape(key) | 00 01 | ~sequence (8) | partNumber (4) -> PartRecord    (parts of a version)
 *   'l' | bucketId (8, BE)                                               -> lifecycle configuration (XML)
 *   's' | bucketId (8, BE) | setting code (1)                            -> a bucket setting (ACL, policy, ...)
 *   'r' | bucketId (8, BE) | start key (UTF-8, raw)                      -> PartitionRecord (partitions but the first)
 *   'n' | user name (UTF-8)                                              -> UserRecord
 *   'a' | access key id (UTF-8)                                          -> user name  (users by access key)
 * </pre>
 * Uploads and parts sit under their key, like its versions, so splitting the key space between keys
 * keeps everything of one key in one partition. Upload ids are 32 lowercase hex characters whose
 * first half is the initiation time, so a key's uploads sort by initiation.
 *
 * <p>Why the escaping: a key's UTF-8 bytes may contain 0x00, so a plain terminator would make
 * {@code "a"} and {@code "a\0…"} ambiguous. Each 0x00 is written as {@code 00 FF} and the key ends with
 * {@code 00 01}: after a shared prefix, the end of the shorter key (00 01) sorts before a NUL (00 FF),
 * which sorts before any other byte — exactly unsigned byte order of the unescaped keys. UTF-8 never
 * contains 0xFF, so {@code escape(prefix) + FF} is above every key starting with {@code prefix} and below
 * every greater key that does not: the seek target that skips a whole common prefix.
 *
 * <p>Why {@code ~sequence}: the complement of a non-negative sequence sorts the newest version first,
 * so the first row at or after {@link #versionsOf} is the key's current version. Negative sequences
 * would sort before every non-negative one, so they are refused.
 *
 * <p>Strings must be well-formed UTF-16 (no lone surrogates): Java would silently encode a lone
 * surrogate as '?', which would make two different keys share one row.
 */
public final class KeyCodec {
    public static final byte OBJECT = 'o';
    public static final byte BUCKET = 'b';
    public static final byte BUCKET_BY_ID = 'k';
    public static final byte INTENT = 'i';
    public static final byte INTENT_BY_TIME = 't';
    public static final byte INTENT_BY_BUCKET = 'j';
    public static final byte FREE = 'f';
    public static final byte META = 'm';
    public static final byte UPLOAD = 'u';
    public static final byte UPLOAD_PART = 'p';
    public static final byte OBJECT_PART = 'q';
    /** The bytes of small objects kept inside the index, by data id (never scanned by listings). */
    public static final byte INLINE_DATA = 'd';
    /** A bucket's lifecycle configuration (its normalized XML), by bucket id. */
    public static final byte LIFECYCLE = 'l';
    /** A bucket's settings documents (ACL, policy, ...), by bucket id and {@link dev.kura.index.BucketSetting} code. */
    public static final byte BUCKET_SETTING = 's';
    /** A bucket's partitions (key ranges), by bucket id and start key; the first partition ("") has a row only once split. */
    public static final byte PARTITION = 'r';
    public static final byte USER = 'n';
    public static final byte USER_BY_ACCESS_KEY = 'a';
    /** Calls of a replicated log already applied, by the caller's call key (client and call id): their log index. */
    public static final byte LOG_CALL = 'c';
    /** The same calls by log index (8 bytes, big-endian), so the oldest are dropped first. */
    public static final byte LOG_CALL_BY_INDEX = 'e';
    public static final int UPLOAD_ID_LENGTH = 32;

    private static final int BUCKET_ID_END = 9;
    private static final int DATA_ID_BYTES = 16;

    private KeyCodec() {
    }

    // ---- object rows

    /** The row of one version of {@code key}. */
    public static byte[] objectRow(long bucketId, String key, long sequence) {
        if (sequence < 0) {
            throw new IllegalArgumentException("negative sequence " + sequence + " for key " + key);
        }
        byte[] head = versionsOf(bucketId, key);
        byte[] row = Arrays.copyOf(head, head.length + 8);
        putLong(row, head.length, ~sequence);
        return row;
    }

    /** The common start of all version rows of exactly {@code key}: {@code 'o'|bucket|escape(key)|00 01}. */
    public static byte[] versionsOf(long bucketId, String key) {
        return withTerminator(bucketId, key, (byte) 0x01);
    }

    /** The smallest row after every version of {@code key} (where {@code key + "\0"} would start). */
    public static byte[] afterVersionsOf(long bucketId, String key) {
        return withTerminator(bucketId, key, (byte) 0x02);
    }

    /** The smallest row of any key starting with {@code prefix}. */
    public static byte[] prefixStart(long bucketId, String prefix) {
        ByteArrayOutputStream out = bucketHead(bucketId);
        escapeInto(out, prefix);
        return out.toByteArray();
    }

    /** A bound above every row of a key starting with {@code prefix} and below every other greater row. */
    public static byte[] prefixEnd(long bucketId, String prefix) {
        ByteArrayOutputStream out = bucketHead(bucketId);
        escapeInto(out, prefix);
        out.write(0xFF);
        return out.toByteArray();
    }

    /** The key of an object row (unescaped). */
    public static String objectKey(byte[] row) {
        ByteArrayOutputStream key = new ByteArrayOutputStream(row.length);
        int i = BUCKET_ID_END;
        while (row[i] != 0 || row[i + 1] == (byte) 0xFF) {
            key.write(row[i]);
            i += row[i] == 0 ? 2 : 1;
        }
        return key.toString(StandardCharsets.UTF_8);
    }

    public static long objectSequence(byte[] row) {
        return ~getLong(row, row.length - 8);
    }

    // ---- multipart

    /** True for ids this index hands out (anything else cannot name an upload). */
    public static boolean isUploadId(String uploadId) {
        return uploadId != null && uploadId.matches("[0-9a-f]{" + UPLOAD_ID_LENGTH + "}");
    }

    public static byte[] uploadRow(long bucketId, String key, String uploadId) {
        return concat(keyHead(UPLOAD, bucketId, key), uploadId.getBytes(StandardCharsets.US_ASCII));
    }

    /** The start of every upload row of a bucket. */
    public static byte[] uploadsOfBucket(long bucketId) {
        return head(UPLOAD, bucketId).toByteArray();
    }

    /** The smallest upload row of a key starting with {@code prefix}. */
    public static byte[] uploadPrefixStart(long bucketId, String prefix) {
        ByteArrayOutputStream out = head(UPLOAD, bucketId);
        escapeInto(out, prefix);
        return out.toByteArray();
    }

    /** Above every upload row of a key starting with {@code prefix}. */
    public static byte[] uploadPrefixEnd(long bucketId, String prefix) {
        ByteArrayOutputStream out = head(UPLOAD, bucketId);
        escapeInto(out, prefix);
        out.write(0xFF);
        return out.toByteArray();
    }

    /** The first upload row after every upload of exactly {@code key}. */
    public static byte[] afterUploadsOf(long bucketId, String key) {
        ByteArrayOutputStream out = head(UPLOAD, bucketId);
        escapeInto(out, key);
        out.write(0x00);
        out.write(0x02);
        return out.toByteArray();
    }

    public static byte[] uploadPartRow(long bucketId, String key, String uploadId, int partNumber) {
        return concat(uploadPartsOf(bucketId, key, uploadId), int4(partNumber));
    }

    public static byte[] uploadPartsOf(long bucketId, String key, String uploadId) {
        return concat(keyHead(UPLOAD_PART, bucketId, key), uploadId.getBytes(StandardCharsets.US_ASCII));
    }

    public static byte[] objectPartRow(long bucketId, String key, long sequence, int partNumber) {
        return concat(objectPartsOf(bucketId, key, sequence), int4(partNumber));
    }

    public static byte[] objectPartsOf(long bucketId, String key, long sequence) {
        byte[] head = keyHead(OBJECT_PART, bucketId, key);
        byte[] row = Arrays.copyOf(head, head.length + 8);
        putLong(row, head.length, ~sequence);
        return row;
    }

    /** The key of an upload or part row (same layout as an object row after the tag). */
    public static String uploadKey(byte[] row) {
        return objectKey(row);
    }

    /** The upload id at the end of an upload row. */
    public static String uploadIdOf(byte[] uploadRow) {
        return new String(uploadRow, uploadRow.length - UPLOAD_ID_LENGTH, UPLOAD_ID_LENGTH, StandardCharsets.US_ASCII);
    }

    private static byte[] keyHead(byte tag, long bucketId, String key) {
        ByteArrayOutputStream out = head(tag, bucketId);
        escapeInto(out, key);
        out.write(0x00);
        out.write(0x01);
        return out.toByteArray();
    }

    private static byte[] int4(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ---- other tables

    public static byte[] bucketRow(String name) {
        return tagged(BUCKET, utf8(name));
    }

    public static String bucketName(byte[] row) {
        return new String(row, 1, row.length - 1, StandardCharsets.UTF_8);
    }

    /** Buckets by id, so a command naming only the id checks "exists with this id" with one get. */
    public static byte[] lifecycleRow(long bucketId) {
        byte[] row = new byte[BUCKET_ID_END];
        row[0] = LIFECYCLE;
        putLong(row, 1, bucketId);
        return row;
    }

    public static byte[] bucketSettingRow(long bucketId, dev.kura.index.BucketSetting setting) {
        byte[] row = new byte[BUCKET_ID_END + 1];
        row[0] = BUCKET_SETTING;
        putLong(row, 1, bucketId);
        row[BUCKET_ID_END] = (byte) setting.code();
        return row;
    }

    /** The prefix of all of a bucket's setting rows. */
    public static byte[] bucketSettingsOf(long bucketId) {
        byte[] row = new byte[BUCKET_ID_END];
        row[0] = BUCKET_SETTING;
        putLong(row, 1, bucketId);
        return row;
    }

    public static dev.kura.index.BucketSetting bucketSettingOf(byte[] row) {
        return dev.kura.index.BucketSetting.ofCode(row[BUCKET_ID_END] & 0xff);
    }

    /** The row of the partition starting at {@code start}: rows sort as their start keys do (UTF-8 byte order). */
    public static byte[] partitionRow(long bucketId, String start) {
        byte[] key = utf8(start);
        byte[] row = new byte[BUCKET_ID_END + key.length];
        row[0] = PARTITION;
        putLong(row, 1, bucketId);
        System.arraycopy(key, 0, row, BUCKET_ID_END, key.length);
        return row;
    }

    /** The prefix of all of a bucket's partition rows. */
    public static byte[] partitionsOf(long bucketId) {
        byte[] row = new byte[BUCKET_ID_END];
        row[0] = PARTITION;
        putLong(row, 1, bucketId);
        return row;
    }

    public static byte[] userRow(String name) {
        return tagged(USER, utf8(name));
    }

    public static byte[] usersPrefix() {
        return new byte[] {USER};
    }

    public static byte[] userByAccessKeyRow(String accessKey) {
        return tagged(USER_BY_ACCESS_KEY, utf8(accessKey));
    }

    public static byte[] bucketIdRow(long bucketId) {
        byte[] row = new byte[BUCKET_ID_END];
        row[0] = BUCKET_BY_ID;
        putLong(row, 1, bucketId);
        return row;
    }

    public static byte[] intentRow(DataId dataId) {
        return tagged(INTENT, Hex.decode(dataId.value()));
    }

    /** Intents ordered by creation time, so the sweeper reads the oldest first without a full scan. */
    public static byte[] intentByTimeRow(Instant createdAt, DataId dataId) {
        byte[] row = new byte[1 + 8 + DATA_ID_BYTES];
        row[0] = INTENT_BY_TIME;
        putLong(row, 1, createdAt.toEpochMilli() ^ Long.MIN_VALUE);
        System.arraycopy(Hex.decode(dataId.value()), 0, row, 9, DATA_ID_BYTES);
        return row;
    }

    /** Intents of one bucket, so DeleteBucket finds an in-flight write with one bounded seek. */
    public static byte[] intentByBucketRow(long bucketId, DataId dataId) {
        byte[] row = Arrays.copyOf(intentsOfBucket(bucketId), BUCKET_ID_END + DATA_ID_BYTES);
        System.arraycopy(Hex.decode(dataId.value()), 0, row, BUCKET_ID_END, DATA_ID_BYTES);
        return row;
    }

    public static byte[] intentsOfBucket(long bucketId) {
        byte[] row = new byte[BUCKET_ID_END];
        row[0] = INTENT_BY_BUCKET;
        putLong(row, 1, bucketId);
        return row;
    }

    /** The start of the object rows of one bucket. */
    public static byte[] objectsOfBucket(long bucketId) {
        return bucketHead(bucketId).toByteArray();
    }

    public static byte[] inlineRow(DataId dataId) {
        return tagged(INLINE_DATA, Hex.decode(dataId.value()));
    }

    public static byte[] freeRow(DataId dataId) {
        return tagged(FREE, Hex.decode(dataId.value()));
    }

    public static byte[] metaRow(String name) {
        return tagged(META, utf8(name));
    }

    /** The one-byte start of a whole table. */
    public static byte[] table(byte tag) {
        return new byte[] {tag};
    }

    /** The first row after a whole table. */
    public static byte[] tableEnd(byte tag) {
        return new byte[] {(byte) (tag + 1)};
    }

    // ---- helpers

    public static boolean startsWith(byte[] row, byte[] prefix) {
        return row.length >= prefix.length && Arrays.equals(row, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** UTF-8 bytes of a well-formed string; a lone surrogate is refused rather than turned into '?'. */
    public static byte[] utf8(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("not well-formed UTF-16 (lone surrogate at " + i + ")");
            }
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] withTerminator(long bucketId, String key, byte last) {
        ByteArrayOutputStream out = bucketHead(bucketId);
        escapeInto(out, key);
        out.write(0x00);
        out.write(last);
        return out.toByteArray();
    }

    private static ByteArrayOutputStream bucketHead(long bucketId) {
        return head(OBJECT, bucketId);
    }

    private static ByteArrayOutputStream head(byte tag, long bucketId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        byte[] head = new byte[BUCKET_ID_END];
        head[0] = tag;
        putLong(head, 1, bucketId);
        out.writeBytes(head);
        return out;
    }

    private static void escapeInto(ByteArrayOutputStream out, String key) {
        for (byte b : utf8(key)) {
            out.write(b);
            if (b == 0) {
                out.write(0xFF);
            }
        }
    }

    private static byte[] tagged(byte tag, byte[] body) {
        byte[] row = new byte[1 + body.length];
        row[0] = tag;
        System.arraycopy(body, 0, row, 1, body.length);
        return row;
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    private static long getLong(byte[] b, int off) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[off + i] & 0xFF);
        }
        return v;
    }
}
