package dev.kura.index.codec;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.common.DataLocation;
import dev.kura.index.BucketRecord;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.PendingFree;
import dev.kura.index.UploadRecord;
import dev.kura.index.UserRecord;
import dev.kura.index.WriteIntent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Binary values of the index rows. Each value starts with a format byte; a change of shape adds a
 * new format and keeps the decoder of every old one, because rows written years ago are still read
 * (see {@code RecordCodecFixtureTest}, which pins the bytes of every format).
 *
 * <p>Encoding is deterministic — maps in sorted key order, enums by name (never ordinal, so
 * reordering an enum cannot change meaning) — so replicas applying the same command write the same
 * bytes. Strings are length-prefixed standard UTF-8; nullable fields carry a presence byte; instants
 * keep their full precision (seconds + nanos).
 */
public final class RecordCodec {
    static final int OBJECT_V1 = 1;
    /** v2 adds partCount, uploadId and tags. */
    static final int OBJECT_V2 = 2;
    /** v3 adds the Object Lock state: retention mode and date (nullable), legal hold. */
    static final int OBJECT_V3 = 3;
    /** v4 adds the access control list (nullable) after a lock presence flag and the (nullable) lock. */
    static final int OBJECT_V4 = 4;
    /**
     * v5 adds server-side encryption (kind, SSE-C key check): after the lock presence flag and the
     * (nullable) lock come the (nullable) ACL and the encryption.
     */
    static final int OBJECT_V5 = 5;
    static final int BUCKET_V1 = 1;
    /** v2 adds tags. */
    static final int BUCKET_V2 = 2;
    /** v3 adds the Object Lock configuration: enabled, default mode (nullable), days, years. */
    static final int BUCKET_V3 = 3;
    static final int UPLOAD_V1 = 1;
    /** v2 adds the Object Lock settings for the completed version. */
    static final int UPLOAD_V2 = 2;
    /** v3 adds the access control list of the completed version after a lock presence flag. */
    static final int UPLOAD_V3 = 3;
    /** v4 adds server-side encryption after the lock presence flag, the (nullable) lock and the (nullable) ACL. */
    static final int UPLOAD_V4 = 4;
    static final int USER_V1 = 1;
    static final int PART_V1 = 1;
    static final int INTENT_V1 = 1;
    static final int FREE_V1 = 1;
    static final int PARTITION_V1 = 1;
    static final int ANNOTATION_V1 = 1;
    private static final int ANNOTATION_VERSION = 1;
    private static final int ANNOTATION_UPLOAD_PART = 2;
    /** Kind 3 (within annotation format 1): a completed multipart object's manifest. */
    private static final int ANNOTATION_COMPLETED = 3;

    private RecordCodec() {
    }

    /** A data annotation: format, kind, then the records it holds, each in its own versioned encoding. */
    public static byte[] encode(dev.kura.index.DataAnnotation a) {
        return write(out -> {
            out.writeByte(ANNOTATION_V1);
            writeBytes(out, encode(a.bucket()));
            switch (a) {
                case dev.kura.index.DataAnnotation.Version v -> {
                    out.writeByte(ANNOTATION_VERSION);
                    writeBytes(out, encode(v.record()));
                }
                case dev.kura.index.DataAnnotation.UploadPart p -> {
                    out.writeByte(ANNOTATION_UPLOAD_PART);
                    writeBytes(out, encode(p.upload()));
                    writeBytes(out, encode(p.part()));
                }
                case dev.kura.index.DataAnnotation.Completed c -> {
                    out.writeByte(ANNOTATION_COMPLETED);
                    writeBytes(out, encode(c.record()));
                    out.writeInt(c.parts().size());
                    for (dev.kura.index.DataAnnotation.CompletedPart p : c.parts()) {
                        out.writeInt(p.partNumber());
                        out.write(dev.kura.common.Hex.decode(p.dataId().value())); // 16 bytes
                        out.writeLong(p.size());
                        writeNullable(out, p.etag());
                        out.writeLong(p.offset());
                    }
                }
            }
        });
    }

    public static dev.kura.index.DataAnnotation decodeAnnotation(byte[] bytes) {
        return read(bytes, "data annotation", in -> {
            expectFormat(in, ANNOTATION_V1, "data annotation");
            BucketRecord bucket = decodeBucket(readBytes(in));
            int kind = in.readUnsignedByte();
            return switch (kind) {
                case ANNOTATION_VERSION -> new dev.kura.index.DataAnnotation.Version(bucket, decodeObject(readBytes(in)));
                case ANNOTATION_UPLOAD_PART -> new dev.kura.index.DataAnnotation.UploadPart(bucket,
                        decodeUpload(readBytes(in)), decodePart(readBytes(in)));
                case ANNOTATION_COMPLETED -> {
                    ObjectRecord record = decodeObject(readBytes(in));
                    int n = in.readInt();
                    if (n < 0 || n > in.available()) {
                        throw new IOException("bad part count " + n);
                    }
                    java.util.List<dev.kura.index.DataAnnotation.CompletedPart> parts = new java.util.ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        parts.add(new dev.kura.index.DataAnnotation.CompletedPart(in.readInt(),
                                new dev.kura.common.DataId(dev.kura.common.Hex.encode(in.readNBytes(16))), in.readLong(), readNullable(in), in.readLong()));
                    }
                    yield new dev.kura.index.DataAnnotation.Completed(bucket, record, parts);
                }
                default -> throw new IOException("unknown data annotation kind " + kind);
            };
        });
    }

    private static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad length " + n);
        }
        return in.readNBytes(n);
    }

    public static byte[] encode(ObjectRecord r) {
        return write(out -> {
            // A record without a lock or an ACL keeps format v2, byte-identical to what earlier versions wrote.
            // and one without encryption keeps v2, v3 or v4.
            int format = r.encryption() != null ? OBJECT_V5 : r.acl() != null ? OBJECT_V4
                    : r.lock() == null ? OBJECT_V2 : OBJECT_V3;
            out.writeByte(format);
            writeString(out, r.key());
            writeString(out, r.versionId());
            out.writeLong(r.sequence());
            out.writeBoolean(r.deleteMarker());
            writeLocation(out, r.location());
            out.writeLong(r.size());
            writeNullable(out, r.etag());
            writeInstant(out, r.lastModified());
            writeMap(out, r.headers());
            writeMap(out, r.userMetadata());
            writeChecksum(out, r.checksum());
            writeNullable(out, r.storageClass());
            writeNullable(out, r.owner());
            out.writeInt(r.partCount());
            writeNullable(out, r.uploadId());
            writeMap(out, r.tags());
            if (format >= OBJECT_V4) {
                out.writeBoolean(r.lock() != null);
            }
            if (r.lock() != null) {
                writeLock(out, r.lock());
            }
            if (format == OBJECT_V4) {
                writeString(out, r.acl());
            } else if (format == OBJECT_V5) {
                writeNullable(out, r.acl());
                writeEncryption(out, r.encryption());
            }
        });
    }

    public static ObjectRecord decodeObject(byte[] bytes) {
        return read(bytes, "ObjectRecord", in -> {
            int format = in.readUnsignedByte();
            if (format < OBJECT_V1 || format > OBJECT_V5) {
                throw new IOException("unknown ObjectRecord format " + format);
            }
            ObjectRecord v1 = new ObjectRecord(readString(in), readString(in), in.readLong(), in.readBoolean(),
                    readLocation(in), in.readLong(), readNullable(in), readInstant(in), readMap(in), readMap(in),
                    readChecksum(in), readNullable(in), readNullable(in));
            if (format == OBJECT_V1) {
                return v1;
            }
            int parts = in.readInt();
            String uploadId = readNullable(in);
            Map<String, String> tags = readMap(in);
            ObjectRecord.Lock lock = null;
            if (format == OBJECT_V3 || (format >= OBJECT_V4 && in.readBoolean())) {
                lock = readLock(in);
            }
            String acl = format == OBJECT_V4 ? readString(in) : format == OBJECT_V5 ? readNullable(in) : null;
            ObjectRecord.Encryption encryption = format == OBJECT_V5 ? readEncryption(in) : null;
            return new ObjectRecord(v1.key(), v1.versionId(), v1.sequence(), v1.deleteMarker(), v1.location(), v1.size(),
                    v1.etag(), v1.lastModified(), v1.headers(), v1.userMetadata(), v1.checksum(), v1.storageClass(),
                    v1.owner(), parts, uploadId, tags, lock, acl, encryption);
        });
    }

    public static byte[] encode(UploadRecord u) {
        return write(out -> {
            int format = u.encryption() != null ? UPLOAD_V4 : u.acl() != null ? UPLOAD_V3
                    : u.lock() == null ? UPLOAD_V1 : UPLOAD_V2;
            out.writeByte(format);
            writeString(out, u.key());
            writeString(out, u.uploadId());
            writeInstant(out, u.initiated());
            writeMap(out, u.headers());
            writeMap(out, u.userMetadata());
            writeNullable(out, u.checksumAlgorithm() == null ? null : u.checksumAlgorithm().name());
            writeNullable(out, u.checksumType() == null ? null : u.checksumType().name());
            writeNullable(out, u.storageClass());
            writeNullable(out, u.owner());
            writeMap(out, u.tags());
            if (format >= UPLOAD_V3) {
                out.writeBoolean(u.lock() != null);
            }
            if (u.lock() != null) {
                writeLock(out, u.lock());
            }
            if (format == UPLOAD_V3) {
                writeString(out, u.acl());
            } else if (format == UPLOAD_V4) {
                writeNullable(out, u.acl());
                writeEncryption(out, u.encryption());
            }
        });
    }

    private static void writeEncryption(DataOutputStream out, ObjectRecord.Encryption e) throws IOException {
        writeString(out, e.kind().name());
        writeNullable(out, e.keyCheck());
    }

    private static ObjectRecord.Encryption readEncryption(DataInputStream in) throws IOException {
        return new ObjectRecord.Encryption(ObjectRecord.Encryption.Kind.valueOf(readString(in)), readNullable(in));
    }

    private static void writeLock(DataOutputStream out, ObjectRecord.Lock lock) throws IOException {
        writeNullable(out, lock.mode());
        out.writeBoolean(lock.retainUntil() != null);
        if (lock.retainUntil() != null) {
            writeInstant(out, lock.retainUntil());
        }
        out.writeBoolean(lock.legalHold());
    }

    private static ObjectRecord.Lock readLock(DataInputStream in) throws IOException {
        String mode = readNullable(in);
        Instant until = in.readBoolean() ? readInstant(in) : null;
        return new ObjectRecord.Lock(mode, until, in.readBoolean());
    }

    public static UploadRecord decodeUpload(byte[] bytes) {
        return read(bytes, "UploadRecord", in -> {
            int format = in.readUnsignedByte();
            if (format < UPLOAD_V1 || format > UPLOAD_V4) {
                throw new IOException("unknown UploadRecord format " + format);
            }
            String key = readString(in);
            String uploadId = readString(in);
            Instant initiated = readInstant(in);
            Map<String, String> headers = readMap(in);
            Map<String, String> meta = readMap(in);
            String algorithm = readNullable(in);
            String type = readNullable(in);
            String storageClass = readNullable(in);
            String owner = readNullable(in);
            Map<String, String> tags = readMap(in);
            ObjectRecord.Lock lock = format == UPLOAD_V2 || (format >= UPLOAD_V3 && in.readBoolean()) ? readLock(in) : null;
            String acl = format == UPLOAD_V3 ? readString(in) : format == UPLOAD_V4 ? readNullable(in) : null;
            return new UploadRecord(key, uploadId, initiated, headers, meta,
                    algorithm == null ? null : ChecksumAlgorithm.valueOf(algorithm),
                    type == null ? null : ObjectRecord.Checksum.Type.valueOf(type),
                    storageClass, owner, tags, lock, acl, format == UPLOAD_V4 ? readEncryption(in) : null);
        });
    }

    public static byte[] encode(PartRecord p) {
        return write(out -> {
            out.writeByte(PART_V1);
            out.writeInt(p.partNumber());
            writeLocation(out, p.location());
            out.writeLong(p.size());
            writeNullable(out, p.etag());
            writeInstant(out, p.lastModified());
            writeNullable(out, p.checksum());
            out.writeLong(p.offset());
        });
    }

    public static PartRecord decodePart(byte[] bytes) {
        return read(bytes, "PartRecord", in -> {
            expectFormat(in, PART_V1, "PartRecord");
            return new PartRecord(in.readInt(), readLocation(in), in.readLong(), readNullable(in), readInstant(in),
                    readNullable(in), in.readLong());
        });
    }

    public static byte[] encode(BucketRecord b) {
        return write(out -> {
            out.writeByte(b.objectLock() == null ? BUCKET_V2 : BUCKET_V3);
            writeString(out, b.name());
            out.writeLong(b.id());
            writeInstant(out, b.createdAt());
            writeNullable(out, b.owner());
            writeNullable(out, b.region());
            writeNullable(out, b.versioning() == null ? null : b.versioning().name());
            writeMap(out, b.tags());
            if (b.objectLock() != null) {
                writeNullable(out, b.objectLock().mode());
                out.writeInt(b.objectLock().days());
                out.writeInt(b.objectLock().years());
            }
        });
    }

    public static BucketRecord decodeBucket(byte[] bytes) {
        return read(bytes, "BucketRecord", in -> {
            int format = in.readUnsignedByte();
            if (format != BUCKET_V1 && format != BUCKET_V2 && format != BUCKET_V3) {
                throw new IOException("unknown BucketRecord format " + format);
            }
            String name = readString(in);
            long id = in.readLong();
            Instant created = readInstant(in);
            String owner = readNullable(in);
            String region = readNullable(in);
            String versioning = readNullable(in);
            Map<String, String> tags = format >= BUCKET_V2 ? readMap(in) : Map.of();
            BucketRecord.ObjectLock lock = format == BUCKET_V3
                    ? new BucketRecord.ObjectLock(readNullable(in), in.readInt(), in.readInt()) : null;
            return new BucketRecord(name, id, created, owner, region,
                    versioning == null ? null : BucketRecord.Versioning.valueOf(versioning), tags, lock);
        });
    }

    public static byte[] encode(UserRecord u) {
        return write(out -> {
            out.writeByte(USER_V1);
            writeString(out, u.name());
            writeString(out, u.accessKey());
            writeBytes(out, u.sealedSecret());
            writeString(out, u.canonicalId());
            writeInstant(out, u.createdAt());
        });
    }

    public static UserRecord decodeUser(byte[] bytes) {
        return read(bytes, "UserRecord", in -> {
            expectFormat(in, USER_V1, "UserRecord");
            return new UserRecord(readString(in), readString(in), readBytes(in), readString(in), readInstant(in));
        });
    }

    public static byte[] encode(WriteIntent w) {
        return write(out -> {
            out.writeByte(INTENT_V1);
            w.location().writeTo(out);
            out.writeLong(w.bucketId());
            writeString(out, w.key());
            writeInstant(out, w.createdAt());
        });
    }

    public static WriteIntent decodeIntent(byte[] bytes) {
        return read(bytes, "WriteIntent", in -> {
            expectFormat(in, INTENT_V1, "WriteIntent");
            return new WriteIntent(DataLocation.readFrom(in), in.readLong(), readString(in), readInstant(in));
        });
    }

    /** PartitionRecord v1: format, id, start key, since. */
    public static byte[] encode(dev.kura.index.PartitionRecord p) {
        return write(out -> {
            out.writeByte(PARTITION_V1);
            out.writeLong(p.id());
            writeString(out, p.start());
            writeInstant(out, p.since());
        });
    }

    public static dev.kura.index.PartitionRecord decodePartition(byte[] bytes) {
        return read(bytes, "PartitionRecord", in -> {
            expectFormat(in, PARTITION_V1, "PartitionRecord");
            return new dev.kura.index.PartitionRecord(in.readLong(), readString(in), readInstant(in));
        });
    }

    public static byte[] encode(PendingFree f) {
        return write(out -> {
            out.writeByte(FREE_V1);
            f.location().writeTo(out);
            writeInstant(out, f.since());
        });
    }

    public static PendingFree decodePendingFree(byte[] bytes) {
        return read(bytes, "PendingFree", in -> {
            expectFormat(in, FREE_V1, "PendingFree");
            return new PendingFree(DataLocation.readFrom(in), readInstant(in));
        });
    }

    // ---- field encoders

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = KeyCodec.utf8(s);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad string length " + n);
        }
        return new String(in.readNBytes(n), StandardCharsets.UTF_8);
    }

    private static void writeNullable(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            writeString(out, s);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? readString(in) : null;
    }

    private static void writeInstant(DataOutputStream out, Instant t) throws IOException {
        out.writeBoolean(t != null);
        if (t != null) {
            out.writeLong(t.getEpochSecond());
            out.writeInt(t.getNano());
        }
    }

    private static Instant readInstant(DataInputStream in) throws IOException {
        return in.readBoolean() ? Instant.ofEpochSecond(in.readLong(), in.readInt()) : null;
    }

    private static void writeLocation(DataOutputStream out, DataLocation location) throws IOException {
        out.writeBoolean(location != null);
        if (location != null) {
            location.writeTo(out);
        }
    }

    private static DataLocation readLocation(DataInputStream in) throws IOException {
        return in.readBoolean() ? DataLocation.readFrom(in) : null;
    }

    private static void writeMap(DataOutputStream out, Map<String, String> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
            writeString(out, e.getKey());
            writeString(out, e.getValue());
        }
    }

    private static Map<String, String> readMap(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad map size " + n);
        }
        Map<String, String> map = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            map.put(readString(in), readString(in));
        }
        return map;
    }

    private static void writeChecksum(DataOutputStream out, ObjectRecord.Checksum c) throws IOException {
        out.writeBoolean(c != null);
        if (c != null) {
            writeString(out, c.algorithm().name());
            writeString(out, c.base64());
            writeString(out, c.type().name());
        }
    }

    private static ObjectRecord.Checksum readChecksum(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        return new ObjectRecord.Checksum(ChecksumAlgorithm.valueOf(readString(in)), readString(in),
                ObjectRecord.Checksum.Type.valueOf(readString(in)));
    }

    // ---- framing

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // cannot happen in memory
        }
        return bytes.toByteArray();
    }

    /** Decodes all of {@code bytes}; trailing bytes mean a corrupt row or a writer/reader mismatch. */
    private static <T> T read(byte[] bytes, String what, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            T value = reader.read(in);
            if (in.available() != 0) {
                throw new IOException(in.available() + " trailing bytes");
            }
            return value;
        } catch (IOException | IllegalArgumentException e) {
            throw new UncheckedIOException(new IOException("corrupt " + what + ": " + e.getMessage(), e));
        }
    }

    private static void expectFormat(DataInputStream in, int expected, String what) throws IOException {
        int format = in.readUnsignedByte();
        if (format != expected) {
            throw new IOException("unknown " + what + " format " + format);
        }
    }
}
