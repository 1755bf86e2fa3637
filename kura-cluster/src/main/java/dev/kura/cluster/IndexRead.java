package dev.kura.cluster;

import dev.kura.common.DataId;
import dev.kura.index.BucketRecord;
import dev.kura.index.BucketSetting;
import dev.kura.index.ListPage;
import dev.kura.index.ListQuery;
import dev.kura.index.ObjectIndex;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.PartitionRecord;
import dev.kura.index.PendingFree;
import dev.kura.index.UploadPage;
import dev.kura.index.UploadRecord;
import dev.kura.index.UserRecord;
import dev.kura.index.VersionPage;
import dev.kura.index.VersionQuery;
import dev.kura.index.WriteIntent;
import dev.kura.index.codec.RecordCodec;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One read of the index ({@link ObjectIndex}'s read methods) as data: run on a replica's own index, or
 * sent in binary form to a group's leader and answered there ({@link ReplicatedIndex} on a node that is
 * not a member of the group: {@link IndexStateMachine#query} runs it once the leader has confirmed its
 * read index, so the answer is linearizable).
 *
 * <p>Format of a request: a version byte (1), a tag (never reused), the arguments. An answer: the result in
 * the records' own versioned forms ({@link RecordCodec}). A request or answer that does not parse is an
 * {@link IllegalArgumentException}.
 */
public sealed interface IndexRead<T> {
    byte FORMAT = 1;

    /** Runs the read on {@code index}. */
    T run(ObjectIndex index);

    /** This read's tag and arguments. */
    void writeRequest(DataOutputStream out) throws IOException;

    /** How this read's answer travels. */
    Answer<T> answer();

    /** The binary form of an answer (the records in their own versioned forms, {@link RecordCodec}). */
    interface Answer<T> {
        void write(T answer, DataOutputStream out) throws IOException;

        T read(DataInputStream in) throws IOException;
    }

    record InlineData(long bucketId, DataId dataId) implements IndexRead<Optional<byte[]>> {
        public Optional<byte[]> run(ObjectIndex i) {
            return i.inlineData(bucketId, dataId);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(1);
            out.writeLong(bucketId);
            Wire.text(out, dataId.value());
        }

        public Answer<Optional<byte[]>> answer() {
            return ReadAnswers.BYTES;
        }
    }

    record Bucket(String name) implements IndexRead<Optional<BucketRecord>> {
        public Optional<BucketRecord> run(ObjectIndex i) {
            return i.bucket(name);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(2);
            Wire.text(out, name);
        }

        public Answer<Optional<BucketRecord>> answer() {
            return ReadAnswers.BUCKET;
        }
    }

    record Buckets() implements IndexRead<List<BucketRecord>> {
        public List<BucketRecord> run(ObjectIndex i) {
            return i.buckets();
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(3);
        }

        public Answer<List<BucketRecord>> answer() {
            return ReadAnswers.BUCKETS;
        }
    }

    record Latest(long bucketId, String key) implements IndexRead<Optional<ObjectRecord>> {
        public Optional<ObjectRecord> run(ObjectIndex i) {
            return i.latest(bucketId, key);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(4);
            out.writeLong(bucketId);
            Wire.text(out, key);
        }

        public Answer<Optional<ObjectRecord>> answer() {
            return ReadAnswers.OBJECT;
        }
    }

    record ListObjects(ListQuery query) implements IndexRead<ListPage> {
        public ListPage run(ObjectIndex i) {
            return i.list(query);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(5);
            out.writeLong(query.bucketId());
            Wire.text(out, query.prefix());
            Wire.text(out, query.delimiter());
            Wire.text(out, query.startAfter());
            out.writeInt(query.maxKeys());
            out.writeInt(query.scanBudget());
        }

        public Answer<ListPage> answer() {
            return ReadAnswers.LIST_PAGE;
        }
    }

    record Version(long bucketId, String key, String versionId) implements IndexRead<Optional<ObjectRecord>> {
        public Optional<ObjectRecord> run(ObjectIndex i) {
            return i.version(bucketId, key, versionId);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(6);
            out.writeLong(bucketId);
            Wire.text(out, key);
            Wire.text(out, versionId);
        }

        public Answer<Optional<ObjectRecord>> answer() {
            return ReadAnswers.OBJECT;
        }
    }

    record ListVersions(VersionQuery query) implements IndexRead<VersionPage> {
        public VersionPage run(ObjectIndex i) {
            return i.listVersions(query);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(7);
            out.writeLong(query.bucketId());
            Wire.text(out, query.prefix());
            Wire.text(out, query.delimiter());
            Wire.text(out, query.keyMarker());
            Wire.text(out, query.versionIdMarker());
            out.writeInt(query.maxKeys());
            out.writeInt(query.scanBudget());
        }

        public Answer<VersionPage> answer() {
            return ReadAnswers.VERSION_PAGE;
        }
    }

    record Lifecycle(long bucketId) implements IndexRead<Optional<byte[]>> {
        public Optional<byte[]> run(ObjectIndex i) {
            return i.lifecycle(bucketId);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(8);
            out.writeLong(bucketId);
        }

        public Answer<Optional<byte[]>> answer() {
            return ReadAnswers.BYTES;
        }
    }

    record Setting(long bucketId, BucketSetting setting) implements IndexRead<Optional<byte[]>> {
        public Optional<byte[]> run(ObjectIndex i) {
            return i.bucketSetting(bucketId, setting);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(9);
            out.writeLong(bucketId);
            Wire.text(out, setting.name());
        }

        public Answer<Optional<byte[]>> answer() {
            return ReadAnswers.BYTES;
        }
    }

    record Settings(long bucketId) implements IndexRead<Map<BucketSetting, byte[]>> {
        public Map<BucketSetting, byte[]> run(ObjectIndex i) {
            return i.bucketSettings(bucketId);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(10);
            out.writeLong(bucketId);
        }

        public Answer<Map<BucketSetting, byte[]>> answer() {
            return ReadAnswers.SETTINGS;
        }
    }

    record Partitions(long bucketId) implements IndexRead<List<PartitionRecord>> {
        public List<PartitionRecord> run(ObjectIndex i) {
            return i.partitions(bucketId);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(11);
            out.writeLong(bucketId);
        }

        public Answer<List<PartitionRecord>> answer() {
            return ReadAnswers.PARTITIONS;
        }
    }

    record User(String name) implements IndexRead<Optional<UserRecord>> {
        public Optional<UserRecord> run(ObjectIndex i) {
            return i.user(name);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(12);
            Wire.text(out, name);
        }

        public Answer<Optional<UserRecord>> answer() {
            return ReadAnswers.USER;
        }
    }

    record UserByAccessKey(String accessKey) implements IndexRead<Optional<UserRecord>> {
        public Optional<UserRecord> run(ObjectIndex i) {
            return i.userByAccessKey(accessKey);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(13);
            Wire.text(out, accessKey);
        }

        public Answer<Optional<UserRecord>> answer() {
            return ReadAnswers.USER;
        }
    }

    record Users() implements IndexRead<List<UserRecord>> {
        public List<UserRecord> run(ObjectIndex i) {
            return i.users();
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(14);
        }

        public Answer<List<UserRecord>> answer() {
            return ReadAnswers.USERS;
        }
    }

    record Upload(long bucketId, String key, String uploadId) implements IndexRead<Optional<UploadRecord>> {
        public Optional<UploadRecord> run(ObjectIndex i) {
            return i.upload(bucketId, key, uploadId);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(15);
            out.writeLong(bucketId);
            Wire.text(out, key);
            Wire.text(out, uploadId);
        }

        public Answer<Optional<UploadRecord>> answer() {
            return ReadAnswers.UPLOAD;
        }
    }

    record UploadParts(long bucketId, String key, String uploadId, int afterPart, int max)
            implements IndexRead<List<PartRecord>> {
        public List<PartRecord> run(ObjectIndex i) {
            return i.uploadParts(bucketId, key, uploadId, afterPart, max);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(16);
            out.writeLong(bucketId);
            Wire.text(out, key);
            Wire.text(out, uploadId);
            out.writeInt(afterPart);
            out.writeInt(max);
        }

        public Answer<List<PartRecord>> answer() {
            return ReadAnswers.PARTS;
        }
    }

    record ObjectParts(long bucketId, String key, long sequence) implements IndexRead<List<PartRecord>> {
        public List<PartRecord> run(ObjectIndex i) {
            return i.objectParts(bucketId, key, sequence);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(17);
            out.writeLong(bucketId);
            Wire.text(out, key);
            out.writeLong(sequence);
        }

        public Answer<List<PartRecord>> answer() {
            return ReadAnswers.PARTS;
        }
    }

    record Uploads(long bucketId, String prefix, String delimiter, String keyMarker, String uploadIdMarker, int max)
            implements IndexRead<UploadPage> {
        public UploadPage run(ObjectIndex i) {
            return i.uploads(bucketId, prefix, delimiter, keyMarker, uploadIdMarker, max);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(18);
            out.writeLong(bucketId);
            Wire.text(out, prefix);
            Wire.text(out, delimiter);
            Wire.text(out, keyMarker);
            Wire.text(out, uploadIdMarker);
            out.writeInt(max);
        }

        public Answer<UploadPage> answer() {
            return ReadAnswers.UPLOAD_PAGE;
        }
    }

    record Intents(int limit) implements IndexRead<List<WriteIntent>> {
        public List<WriteIntent> run(ObjectIndex i) {
            return i.intents(limit);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(19);
            out.writeInt(limit);
        }

        public Answer<List<WriteIntent>> answer() {
            return ReadAnswers.INTENTS;
        }
    }

    record PendingFrees(DataId after, int limit) implements IndexRead<List<PendingFree>> {
        public List<PendingFree> run(ObjectIndex i) {
            return i.pendingFrees(after, limit);
        }

        public void writeRequest(DataOutputStream out) throws IOException {
            out.writeByte(20);
            Wire.text(out, after == null ? null : after.value());
            out.writeInt(limit);
        }

        public Answer<List<PendingFree>> answer() {
            return ReadAnswers.FREES;
        }
    }

    /** The binary form of a request. */
    static byte[] encodeRequest(IndexRead<?> read) {
        return Wire.write(FORMAT, read::writeRequest);
    }

    /** The request in {@code bytes}; IllegalArgumentException when it does not parse. */
    static IndexRead<?> decodeRequest(byte[] bytes) {
        return Wire.read(bytes, FORMAT, in -> switch (in.readByte()) {
            case 1 -> new InlineData(in.readLong(), new DataId(Wire.text(in)));
            case 2 -> new Bucket(Wire.text(in));
            case 3 -> new Buckets();
            case 4 -> new Latest(in.readLong(), Wire.text(in));
            case 5 -> new ListObjects(new ListQuery(in.readLong(), Wire.text(in), Wire.text(in), Wire.text(in),
                    in.readInt(), in.readInt()));
            case 6 -> new Version(in.readLong(), Wire.text(in), Wire.text(in));
            case 7 -> new ListVersions(new VersionQuery(in.readLong(), Wire.text(in), Wire.text(in), Wire.text(in),
                    Wire.text(in), in.readInt(), in.readInt()));
            case 8 -> new Lifecycle(in.readLong());
            case 9 -> new Setting(in.readLong(), Wire.setting(Wire.text(in)));
            case 10 -> new Settings(in.readLong());
            case 11 -> new Partitions(in.readLong());
            case 12 -> new User(Wire.text(in));
            case 13 -> new UserByAccessKey(Wire.text(in));
            case 14 -> new Users();
            case 15 -> new Upload(in.readLong(), Wire.text(in), Wire.text(in));
            case 16 -> new UploadParts(in.readLong(), Wire.text(in), Wire.text(in), in.readInt(), in.readInt());
            case 17 -> new ObjectParts(in.readLong(), Wire.text(in), in.readLong());
            case 18 -> new Uploads(in.readLong(), Wire.text(in), Wire.text(in), Wire.text(in), Wire.text(in), in.readInt());
            case 19 -> new Intents(in.readInt());
            case 20 -> {
                String after = Wire.text(in);
                yield new PendingFrees(after == null ? null : new DataId(after), in.readInt());
            }
            default -> throw new IOException("unknown read");
        });
    }

    /** Runs {@code read} on {@code index} and answers in binary form. */
    static <T> byte[] answer(IndexRead<T> read, ObjectIndex index) {
        T answer = read.run(index);
        return Wire.write(FORMAT, out -> read.answer().write(answer, out));
    }

    /** The answer to {@code read} in {@code bytes}. */
    static <T> T decodeAnswer(IndexRead<T> read, byte[] bytes) {
        return Wire.read(bytes, FORMAT, in -> read.answer().read(in));
    }
}
