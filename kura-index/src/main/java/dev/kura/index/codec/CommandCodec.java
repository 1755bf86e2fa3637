package dev.kura.index.codec;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.index.BucketRecord;
import dev.kura.index.BucketSetting;
import dev.kura.index.IndexCommand;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.Precondition;
import dev.kura.index.WriteIntent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary form of every {@link IndexCommand}: what a replicated command log (Raft) carries, so a
 * replica applying the same bytes in the same order reaches the same state. A command is a format
 * version byte, a type tag, then its fields; records inside a command use their own versioned
 * {@link RecordCodec} forms (length-prefixed), so a record format change never breaks a command.
 * Tags are never reused; a new field goes into a new format version, and every older version stays
 * decodable ({@code CommandCodecTest} pins the bytes).
 */
public final class CommandCodec {
    static final int FORMAT_V1 = 1;

    // Type tags: stable forever.
    private static final int CREATE_BUCKET = 1;
    private static final int DELETE_BUCKET = 2;
    private static final int RECORD_INTENT = 3;
    private static final int CANCEL_INTENT = 4;
    private static final int PUT_OBJECT = 5;
    private static final int DELETE_OBJECT = 6;
    private static final int DELETE_VERSION = 7;
    private static final int SET_BUCKET_VERSIONING = 8;
    private static final int PUT_OBJECT_LOCK_CONFIGURATION = 9;
    private static final int PUT_OBJECT_RETENTION = 10;
    private static final int PUT_OBJECT_LEGAL_HOLD = 11;
    private static final int PUT_BUCKET_LIFECYCLE = 12;
    private static final int CREATE_UPLOAD = 13;
    private static final int PUT_PART = 14;
    private static final int COMPLETE_UPLOAD = 15;
    private static final int ABORT_UPLOAD = 16;
    private static final int PUT_OBJECT_TAGS = 17;
    private static final int PUT_BUCKET_TAGS = 18;
    private static final int RELOCATE_DATA = 19;
    private static final int COMPLETE_FREE = 20;
    private static final int CREATE_BUCKET_WITH_SETTINGS = 21;
    private static final int PUT_BUCKET_SETTING = 22;
    private static final int PUT_USER = 23;
    private static final int DELETE_USER = 24;
    private static final int PUT_OBJECT_ACL = 25;
    private static final int SPLIT_PARTITION = 26;
    private static final int MERGE_PARTITIONS = 27;

    private CommandCodec() {
    }

    public static byte[] encode(IndexCommand command) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(FORMAT_V1);
            switch (command) {
                case IndexCommand.CreateBucket c -> {
                    // Without settings: the original form, byte for byte.
                    out.writeByte(c.settings().isEmpty() ? CREATE_BUCKET : CREATE_BUCKET_WITH_SETTINGS);
                    blob(out, RecordCodec.encode(c.bucket()));
                    if (!c.settings().isEmpty()) {
                        out.writeInt(c.settings().size());
                        for (var s : new java.util.TreeMap<>(c.settings()).entrySet()) {
                            out.writeByte(s.getKey().code());
                            blob(out, s.getValue());
                        }
                    }
                }
                case IndexCommand.PutBucketSetting c -> {
                    out.writeByte(PUT_BUCKET_SETTING);
                    string(out, c.name());
                    out.writeLong(c.bucketId());
                    out.writeByte(c.setting().code());
                    nullableBlob(out, c.value());
                }
                case IndexCommand.PutUser c -> {
                    out.writeByte(PUT_USER);
                    blob(out, RecordCodec.encode(c.user()));
                    out.writeBoolean(c.replace());
                }
                case IndexCommand.DeleteUser c -> {
                    out.writeByte(DELETE_USER);
                    string(out, c.name());
                }
                case IndexCommand.PutObjectAcl c -> {
                    out.writeByte(PUT_OBJECT_ACL);
                    out.writeLong(c.bucketId());
                    string(out, c.key());
                    nullableString(out, c.versionId());
                    nullableString(out, c.acl());
                }
                case IndexCommand.DeleteBucket c -> {
                    out.writeByte(DELETE_BUCKET);
                    string(out, c.name());
                    out.writeLong(c.bucketId());
                }
                case IndexCommand.RecordIntent c -> {
                    out.writeByte(RECORD_INTENT);
                    blob(out, RecordCodec.encode(c.intent()));
                }
                case IndexCommand.CancelIntent c -> {
                    out.writeByte(CANCEL_INTENT);
                    string(out, c.dataId().value());
                }
                case IndexCommand.PutObject c -> {
                    out.writeByte(PUT_OBJECT);
                    out.writeLong(c.bucketId());
                    blob(out, RecordCodec.encode(c.record()));
                    precondition(out, c.precondition());
                    nullableBlob(out, c.inlineData());
                }
                case IndexCommand.DeleteObject c -> {
                    out.writeByte(DELETE_OBJECT);
                    out.writeLong(c.bucketId());
                    string(out, c.key());
                    precondition(out, c.precondition());
                    instant(out, c.at());
                }
                case IndexCommand.DeleteVersion c -> {
                    out.writeByte(DELETE_VERSION);
                    out.writeLong(c.bucketId());
                    string(out, c.key());
                    string(out, c.versionId());
                    instant(out, c.at());
                    out.writeBoolean(c.bypassGovernance());
                }
                case IndexCommand.SetBucketVersioning c -> {
                    out.writeByte(SET_BUCKET_VERSIONING);
                    string(out, c.name());
                    out.writeLong(c.bucketId());
                    string(out, c.state().name());
                }
                case IndexCommand.PutObjectLockConfiguration c -> {
                    out.writeByte(PUT_OBJECT_LOCK_CONFIGURATION);
                    string(out, c.name());
                    out.writeLong(c.bucketId());
                    nullableString(out, c.config().mode());
                    out.writeInt(c.config().days());
                    out.writeInt(c.config().years());
                }
                case IndexCommand.PutObjectRetention c -> {
                    out.writeByte(PUT_OBJECT_RETENTION);
                    out.writeLong(c.bucketId());
                    string(out, c.key());
                    nullableString(out, c.versionId());
                    nullableString(out, c.mode());
                    out.writeBoolean(c.retainUntil() != null);
                    if (c.retainUntil() != null) {
                        instant(out, c.retainUntil());
                    }
                    out.writeBoolean(c.bypassGovernance());
                    instant(out, c.at());
                }
                case IndexCommand.PutObjectLegalHold c -> {
                    out.writeByte(PUT_OBJECT_LEGAL_HOLD);
                    out.writeLong(c.bucketId());
                    string(out, c.key());
                    nullableString(out, c.versionId());
                    out.writeBoolean(c.on());
                }
                case IndexCommand.PutBucketLifecycle c -> {
                    out.writeByte(PUT_BUCKET_LIFECYCLE);
                    string(out, c.name());
                    out.writeLong(c.bucketId());
                    nullableBlob(out, c.configuration());
                }
                case IndexCommand.CreateUpload c -> {
                    out.writeByte(CREATE_UPLOAD);
                    out.writeLong(c.bucketId());
                    blob(out, RecordCodec.encode(c.upload()));
                }
                case IndexCommand.PutPart c -> {
                    out.writeByte(PUT_PART);
                    out.writeLong(c.bucketId());
                    string(out, c.key());
                    string(out, c.uploadId());
                    blob(out, RecordCodec.encode(c.part()));
                }
                case IndexCommand.CompleteUpload c -> {
                    out.writeByte(COMPLETE_UPLOAD);
                    out.writeLong(c.bucketId());
                    string(out, c.uploadId());
                    blob(out, RecordCodec.encode(c.record()));
                    out.writeInt(c.parts().size());
                    for (PartRecord p : c.parts()) {
                        blob(out, RecordCodec.encode(p));
                    }
                    precondition(out, c.precondition());
                }
                case IndexCommand.AbortUpload c -> {
                    out.writeByte(ABORT_UPLOAD);
                    out.writeLong(c.bucketId());
                    string(out, c.key());
                    string(out, c.uploadId());
                    instant(out, c.at());
                }
                case IndexCommand.PutObjectTags c -> {
                    out.writeByte(PUT_OBJECT_TAGS);
                    out.writeLong(c.bucketId());
                    string(out, c.key());
                    nullableString(out, c.versionId());
                    map(out, c.tags());
                }
                case IndexCommand.PutBucketTags c -> {
                    out.writeByte(PUT_BUCKET_TAGS);
                    string(out, c.name());
                    out.writeLong(c.bucketId());
                    map(out, c.tags());
                }
                case IndexCommand.RelocateData c -> {
                    out.writeByte(RELOCATE_DATA);
                    out.writeLong(c.bucketId());
                    string(out, c.key());
                    switch (c.holder()) {
                        case IndexCommand.DataHolder.Version v -> {
                            out.writeByte(1);
                            out.writeLong(v.sequence());
                        }
                        case IndexCommand.DataHolder.ObjectPart p -> {
                            out.writeByte(2);
                            out.writeLong(p.sequence());
                            out.writeInt(p.partNumber());
                        }
                        case IndexCommand.DataHolder.UploadPart u -> {
                            out.writeByte(3);
                            string(out, u.uploadId());
                            out.writeInt(u.partNumber());
                        }
                    }
                    location(out, c.from());
                    location(out, c.to());
                    instant(out, c.at());
                }
                case IndexCommand.CompleteFree c -> {
                    out.writeByte(COMPLETE_FREE);
                    string(out, c.dataId().value());
                }
                case IndexCommand.SplitPartition c -> {
                    out.writeByte(SPLIT_PARTITION);
                    out.writeLong(c.bucketId());
                    out.writeLong(c.partitionId());
                    string(out, c.at());
                    instant(out, c.when());
                }
                case IndexCommand.MergePartitions c -> {
                    out.writeByte(MERGE_PARTITIONS);
                    out.writeLong(c.bucketId());
                    out.writeLong(c.left());
                    out.writeLong(c.right());
                    instant(out, c.when());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    public static IndexCommand decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int format = in.readUnsignedByte();
            if (format != FORMAT_V1) {
                throw new IllegalArgumentException("unknown command format " + format);
            }
            int type = in.readUnsignedByte();
            IndexCommand c = switch (type) {
                case CREATE_BUCKET -> new IndexCommand.CreateBucket(RecordCodec.decodeBucket(blob(in)));
                case CREATE_BUCKET_WITH_SETTINGS -> {
                    BucketRecord bucket = RecordCodec.decodeBucket(blob(in));
                    int n = in.readInt();
                    if (n < 0 || n > BucketSetting.values().length) {
                        throw new IOException("bad setting count " + n);
                    }
                    Map<BucketSetting, byte[]> settings = new java.util.EnumMap<>(BucketSetting.class);
                    for (int i = 0; i < n; i++) {
                        settings.put(BucketSetting.ofCode(in.readUnsignedByte()), blob(in));
                    }
                    yield new IndexCommand.CreateBucket(bucket, settings);
                }
                case PUT_BUCKET_SETTING -> new IndexCommand.PutBucketSetting(string(in), in.readLong(),
                        BucketSetting.ofCode(in.readUnsignedByte()), nullableBlob(in));
                case PUT_USER -> new IndexCommand.PutUser(RecordCodec.decodeUser(blob(in)), in.readBoolean());
                case DELETE_USER -> new IndexCommand.DeleteUser(string(in));
                case PUT_OBJECT_ACL -> new IndexCommand.PutObjectAcl(in.readLong(), string(in), nullableString(in),
                        nullableString(in));
                case DELETE_BUCKET -> new IndexCommand.DeleteBucket(string(in), in.readLong());
                case RECORD_INTENT -> new IndexCommand.RecordIntent(RecordCodec.decodeIntent(blob(in)));
                case CANCEL_INTENT -> new IndexCommand.CancelIntent(new DataId(string(in)));
                case PUT_OBJECT -> new IndexCommand.PutObject(in.readLong(), RecordCodec.decodeObject(blob(in)),
                        precondition(in), nullableBlob(in));
                case DELETE_OBJECT -> new IndexCommand.DeleteObject(in.readLong(), string(in), precondition(in), instant(in));
                case DELETE_VERSION -> new IndexCommand.DeleteVersion(in.readLong(), string(in), string(in), instant(in),
                        in.readBoolean());
                case SET_BUCKET_VERSIONING -> new IndexCommand.SetBucketVersioning(string(in), in.readLong(),
                        BucketRecord.Versioning.valueOf(string(in)));
                case PUT_OBJECT_LOCK_CONFIGURATION -> new IndexCommand.PutObjectLockConfiguration(string(in), in.readLong(),
                        new BucketRecord.ObjectLock(nullableString(in), in.readInt(), in.readInt()));
                case PUT_OBJECT_RETENTION -> {
                    long bucketId = in.readLong();
                    String key = string(in);
                    String versionId = nullableString(in);
                    String mode = nullableString(in);
                    Instant until = in.readBoolean() ? instant(in) : null;
                    yield new IndexCommand.PutObjectRetention(bucketId, key, versionId, mode, until, in.readBoolean(),
                            instant(in));
                }
                case PUT_OBJECT_LEGAL_HOLD -> new IndexCommand.PutObjectLegalHold(in.readLong(), string(in),
                        nullableString(in), in.readBoolean());
                case PUT_BUCKET_LIFECYCLE -> new IndexCommand.PutBucketLifecycle(string(in), in.readLong(), nullableBlob(in));
                case CREATE_UPLOAD -> new IndexCommand.CreateUpload(in.readLong(), RecordCodec.decodeUpload(blob(in)));
                case PUT_PART -> new IndexCommand.PutPart(in.readLong(), string(in), string(in),
                        RecordCodec.decodePart(blob(in)));
                case COMPLETE_UPLOAD -> {
                    long bucketId = in.readLong();
                    String uploadId = string(in);
                    ObjectRecord record = RecordCodec.decodeObject(blob(in));
                    int n = in.readInt();
                    List<PartRecord> parts = new ArrayList<>(n);
                    for (int i = 0; i < n; i++) {
                        parts.add(RecordCodec.decodePart(blob(in)));
                    }
                    yield new IndexCommand.CompleteUpload(bucketId, uploadId, record, parts, precondition(in));
                }
                case ABORT_UPLOAD -> new IndexCommand.AbortUpload(in.readLong(), string(in), string(in), instant(in));
                case PUT_OBJECT_TAGS -> new IndexCommand.PutObjectTags(in.readLong(), string(in), nullableString(in), map(in));
                case PUT_BUCKET_TAGS -> new IndexCommand.PutBucketTags(string(in), in.readLong(), map(in));
                case RELOCATE_DATA -> {
                    long bucketId = in.readLong();
                    String key = string(in);
                    IndexCommand.DataHolder holder = switch (in.readUnsignedByte()) {
                        case 1 -> new IndexCommand.DataHolder.Version(in.readLong());
                        case 2 -> new IndexCommand.DataHolder.ObjectPart(in.readLong(), in.readInt());
                        case 3 -> new IndexCommand.DataHolder.UploadPart(string(in), in.readInt());
                        default -> throw new IllegalArgumentException("unknown data holder");
                    };
                    yield new IndexCommand.RelocateData(bucketId, key, holder, location(in), location(in), instant(in));
                }
                case COMPLETE_FREE -> new IndexCommand.CompleteFree(new DataId(string(in)));
                case SPLIT_PARTITION -> new IndexCommand.SplitPartition(in.readLong(), in.readLong(), string(in), instant(in));
                case MERGE_PARTITIONS -> new IndexCommand.MergePartitions(in.readLong(), in.readLong(), in.readLong(),
                        instant(in));
                default -> throw new IllegalArgumentException("unknown command type " + type);
            };
            if (in.read() != -1) {
                throw new IllegalArgumentException("trailing bytes after a command of type " + type);
            }
            return c;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated or corrupt command", e);
        }
    }

    private static void precondition(DataOutputStream out, Precondition p) throws IOException {
        switch (p) {
            case Precondition.None n -> out.writeByte(0);
            case Precondition.IfNoneMatchAny n -> out.writeByte(1);
            case Precondition.IfMatch m -> {
                out.writeByte(2);
                string(out, m.etag());
            }
        }
    }

    private static Precondition precondition(DataInputStream in) throws IOException {
        return switch (in.readUnsignedByte()) {
            case 0 -> Precondition.NONE;
            case 1 -> new Precondition.IfNoneMatchAny();
            case 2 -> new Precondition.IfMatch(string(in));
            default -> throw new IllegalArgumentException("unknown precondition");
        };
    }

    private static void location(DataOutputStream out, DataLocation l) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream d = new DataOutputStream(b)) {
            l.writeTo(d);
        }
        blob(out, b.toByteArray());
    }

    private static DataLocation location(DataInputStream in) throws IOException {
        try (DataInputStream d = new DataInputStream(new ByteArrayInputStream(blob(in)))) {
            return DataLocation.readFrom(d);
        }
    }

    private static void map(DataOutputStream out, Map<String, String> map) throws IOException {
        out.writeInt(map.size());
        for (var e : new java.util.TreeMap<>(map).entrySet()) { // sorted: the same map, the same bytes
            string(out, e.getKey());
            string(out, e.getValue());
        }
    }

    private static Map<String, String> map(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 100_000) {
            throw new IllegalArgumentException("bad map size " + n);
        }
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put(string(in), string(in));
        }
        return m;
    }

    private static void instant(DataOutputStream out, Instant t) throws IOException {
        out.writeLong(t.getEpochSecond());
        out.writeInt(t.getNano());
    }

    private static Instant instant(DataInputStream in) throws IOException {
        return Instant.ofEpochSecond(in.readLong(), in.readInt());
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        blob(out, s.getBytes(StandardCharsets.UTF_8));
    }

    private static String string(DataInputStream in) throws IOException {
        return new String(blob(in), StandardCharsets.UTF_8);
    }

    private static void nullableString(DataOutputStream out, String s) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            string(out, s);
        }
    }

    private static String nullableString(DataInputStream in) throws IOException {
        return in.readBoolean() ? string(in) : null;
    }

    private static void blob(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] blob(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > 64 << 20) {
            throw new IllegalArgumentException("bad length " + n);
        }
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new java.io.EOFException("command ends " + (n - b.length) + " bytes early");
        }
        return b;
    }

    private static void nullableBlob(DataOutputStream out, byte[] b) throws IOException {
        out.writeBoolean(b != null);
        if (b != null) {
            blob(out, b);
        }
    }

    private static byte[] nullableBlob(DataInputStream in) throws IOException {
        return in.readBoolean() ? blob(in) : null;
    }
}
