package dev.kura.cluster;

import dev.kura.index.BucketRecord;
import dev.kura.index.BucketSetting;
import dev.kura.index.ListPage;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.PartitionRecord;
import dev.kura.index.PendingFree;
import dev.kura.index.UploadPage;
import dev.kura.index.UploadRecord;
import dev.kura.index.UserRecord;
import dev.kura.index.VersionPage;
import dev.kura.index.WriteIntent;
import dev.kura.index.codec.RecordCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** The answers of {@link IndexRead}s, one codec per shape, shared by the reads that answer alike. */
final class ReadAnswers {
    private ReadAnswers() {
    }

    /** An optional record: a presence flag, then its versioned form. */
    static <R> IndexRead.Answer<Optional<R>> optional(Function<R, byte[]> encode, Function<byte[], R> decode) {
        return new IndexRead.Answer<>() {
            public void write(Optional<R> a, DataOutputStream out) throws IOException {
                Wire.optional(out, a.map(encode).orElse(null));
            }

            public Optional<R> read(DataInputStream in) throws IOException {
                return Optional.ofNullable(Wire.optional(in)).map(decode);
            }
        };
    }

    /** A list of records: a count, then each one's versioned form. */
    static <R> IndexRead.Answer<List<R>> list(Function<R, byte[]> encode, Function<byte[], R> decode) {
        return new IndexRead.Answer<>() {
            public void write(List<R> a, DataOutputStream out) throws IOException {
                Wire.list(out, a, encode);
            }

            public List<R> read(DataInputStream in) throws IOException {
                return Wire.list(in, decode);
            }
        };
    }

    static final IndexRead.Answer<Optional<byte[]>> BYTES = optional(b -> b, b -> b);
    static final IndexRead.Answer<Optional<BucketRecord>> BUCKET = optional(RecordCodec::encode, RecordCodec::decodeBucket);
    static final IndexRead.Answer<List<BucketRecord>> BUCKETS = list(RecordCodec::encode, RecordCodec::decodeBucket);
    static final IndexRead.Answer<Optional<ObjectRecord>> OBJECT = optional(RecordCodec::encode, RecordCodec::decodeObject);
    static final IndexRead.Answer<Optional<UserRecord>> USER = optional(RecordCodec::encode, RecordCodec::decodeUser);
    static final IndexRead.Answer<List<UserRecord>> USERS = list(RecordCodec::encode, RecordCodec::decodeUser);
    static final IndexRead.Answer<Optional<UploadRecord>> UPLOAD = optional(RecordCodec::encode, RecordCodec::decodeUpload);
    static final IndexRead.Answer<List<PartRecord>> PARTS = list(RecordCodec::encode, RecordCodec::decodePart);
    static final IndexRead.Answer<List<PartitionRecord>> PARTITIONS = list(RecordCodec::encode,
            RecordCodec::decodePartition);
    static final IndexRead.Answer<List<WriteIntent>> INTENTS = list(RecordCodec::encode, RecordCodec::decodeIntent);
    static final IndexRead.Answer<List<PendingFree>> FREES = list(RecordCodec::encode, RecordCodec::decodePendingFree);

    static final IndexRead.Answer<ListPage> LIST_PAGE = new IndexRead.Answer<>() {
        public void write(ListPage a, DataOutputStream out) throws IOException {
            Wire.list(out, a.objects(), RecordCodec::encode);
            Wire.texts(out, a.commonPrefixes());
            out.writeBoolean(a.truncated());
            Wire.text(out, a.nextStartAfter());
        }

        public ListPage read(DataInputStream in) throws IOException {
            return new ListPage(Wire.list(in, RecordCodec::decodeObject), Wire.texts(in), in.readBoolean(), Wire.text(in));
        }
    };

    static final IndexRead.Answer<VersionPage> VERSION_PAGE = new IndexRead.Answer<>() {
        public void write(VersionPage a, DataOutputStream out) throws IOException {
            out.writeInt(a.versions().size());
            for (VersionPage.Entry e : a.versions()) {
                Wire.bytes(out, RecordCodec.encode(e.record()));
                out.writeBoolean(e.latest());
            }
            Wire.texts(out, a.commonPrefixes());
            out.writeBoolean(a.truncated());
            Wire.text(out, a.nextKeyMarker());
            Wire.text(out, a.nextVersionIdMarker());
        }

        public VersionPage read(DataInputStream in) throws IOException {
            int n = Wire.count(in);
            List<VersionPage.Entry> versions = new ArrayList<>(Math.min(n, 1024));
            for (int k = 0; k < n; k++) {
                versions.add(new VersionPage.Entry(RecordCodec.decodeObject(Wire.bytes(in)), in.readBoolean()));
            }
            return new VersionPage(versions, Wire.texts(in), in.readBoolean(), Wire.text(in), Wire.text(in));
        }
    };

    static final IndexRead.Answer<UploadPage> UPLOAD_PAGE = new IndexRead.Answer<>() {
        public void write(UploadPage a, DataOutputStream out) throws IOException {
            Wire.list(out, a.uploads(), RecordCodec::encode);
            Wire.texts(out, a.commonPrefixes());
            out.writeBoolean(a.truncated());
            Wire.text(out, a.nextKeyMarker());
            Wire.text(out, a.nextUploadIdMarker());
        }

        public UploadPage read(DataInputStream in) throws IOException {
            return new UploadPage(Wire.list(in, RecordCodec::decodeUpload), Wire.texts(in), in.readBoolean(),
                    Wire.text(in), Wire.text(in));
        }
    };

    static final IndexRead.Answer<Map<BucketSetting, byte[]>> SETTINGS = new IndexRead.Answer<>() {
        public void write(Map<BucketSetting, byte[]> a, DataOutputStream out) throws IOException {
            out.writeInt(a.size());
            for (Map.Entry<BucketSetting, byte[]> e : a.entrySet()) {
                Wire.text(out, e.getKey().name());
                Wire.bytes(out, e.getValue());
            }
        }

        public Map<BucketSetting, byte[]> read(DataInputStream in) throws IOException {
            int n = Wire.count(in);
            Map<BucketSetting, byte[]> settings = new EnumMap<>(BucketSetting.class);
            for (int k = 0; k < n; k++) {
                settings.put(Wire.setting(Wire.text(in)), Wire.bytes(in));
            }
            return settings;
        }
    };
}
