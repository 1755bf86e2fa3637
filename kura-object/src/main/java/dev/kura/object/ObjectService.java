package dev.kura.object;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.common.Digest;
import dev.kura.common.Hex;
import dev.kura.index.BucketRecord;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.IndexResult;
import dev.kura.index.ListPage;
import dev.kura.index.ListQuery;
import dev.kura.index.ObjectIndex;
import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import dev.kura.index.WriteIntent;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.storage.BlobStore;
import dev.kura.storage.BlobWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * S3 semantics over the two seams: the {@link ObjectIndex} for metadata and the {@link BlobStore}
 * for bytes. This is the only place that reaches both, and the one place where their domain
 * failures become S3 errors.
 *
 * <p>The PutObject write order is the durability promise (ARCHITECTURE.md): record the write intent
 * (synced) → stream the body into storage while digesting it → verify Content-MD5 / checksum →
 * storage commit (fsync file, rename, fsync directory) → index commit (synced, precondition checked
 * inside the apply, old data recorded as a pending free, intent cleared) → acknowledge. A failure
 * before the index commit leaves nothing visible; its data is removed now or by the sweeper.
 */
public final class ObjectService {
    /** S3's single-PUT limit: 5 GiB. */
    public static final long MAX_PUT_SIZE = 5L * 1024 * 1024 * 1024;
    private static final int BUFFER = 256 * 1024;

    private final ObjectIndex index;
    private final BlobStore store;
    private final InstantSource clock;
    private final RandomGenerator random;
    private final VersionClock versions;
    private final String region;

    public ObjectService(ObjectIndex index, BlobStore store, InstantSource clock, RandomGenerator random, String region) {
        this.index = index;
        this.store = store;
        this.clock = clock;
        this.random = random;
        this.versions = new VersionClock(clock);
        this.region = region;
    }

    public String region() {
        return region;
    }

    // ---- buckets -------------------------------------------------------------------------

    public BucketRecord createBucket(String name, String owner) {
        BucketRecord record = new BucketRecord(name, random.nextLong(), now(), owner, region,
                BucketRecord.Versioning.UNVERSIONED);
        try {
            index.apply(new IndexCommand.CreateBucket(record));
            return record;
        } catch (IndexException.BucketAlreadyExists e) {
            // S3-COMPAT: us-east-1 S3 answers 200 to its owner re-creating a bucket; like every other
            // region (and most clients' expectations) Kura answers 409 BucketAlreadyOwnedByYou.
            S3ErrorCode code = e.existing().owner().equals(owner) ? S3ErrorCode.BucketAlreadyOwnedByYou
                    : S3ErrorCode.BucketAlreadyExists;
            throw new S3Exception(code).with("BucketName", name);
        } catch (IndexException e) {
            throw Errors.map(e, name, null);
        }
    }

    public BucketRecord bucket(String name) {
        return index.bucket(name).orElseThrow(() -> new S3Exception(S3ErrorCode.NoSuchBucket).with("BucketName", name));
    }

    public List<BucketRecord> buckets() {
        return index.buckets();
    }

    public void deleteBucket(String name) {
        BucketRecord b = bucket(name);
        try {
            index.apply(new IndexCommand.DeleteBucket(name, b.id()));
        } catch (IndexException e) {
            throw Errors.map(e, name, null);
        }
    }

    // ---- objects -------------------------------------------------------------------------

    /** Streams the body to storage, verifies it, and commits it as the key's current version. */
    public ObjectRecord putObject(PutObjectInput in, InputStream body) throws IOException {
        BucketRecord bucket = bucket(in.bucket());
        if (in.contentLength() > MAX_PUT_SIZE) {
            throw new S3Exception(S3ErrorCode.EntityTooLarge).with("ProposedSize", Long.toString(in.contentLength()))
                    .with("MaxSizeAllowed", Long.toString(MAX_PUT_SIZE));
        }
        DataLocation planned = store.place(DataId.random(random));
        apply(new IndexCommand.RecordIntent(new WriteIntent(planned, bucket.id(), in.key(), now())), in);
        DataLocation written = null;
        try {
            Digest md5 = Digest.md5();
            Digest extra = in.checksum() == null ? null : in.checksum().newDigest();
            try (BlobWriter writer = store.create(planned, bucket.name() + "/" + in.key())) {
                long n = copy(body, writer, md5, extra, in.contentLength());
                if (n != in.contentLength()) {
                    throw new S3Exception(S3ErrorCode.IncompleteBody);
                }
                byte[] md5Bytes = md5.finish();
                verifyMd5(in.contentMd5(), md5Bytes);
                ObjectRecord.Checksum checksum = verifyChecksum(in, extra);
                written = writer.commit();
                ObjectRecord record = new ObjectRecord(in.key(), ObjectRecord.NULL_VERSION, versions.next(), false,
                        written, n, Hex.encode(md5Bytes), now(), in.headers(), in.userMetadata(), checksum,
                        in.storageClass(), bucket.owner());
                apply(new IndexCommand.PutObject(bucket.id(), record, in.precondition()), in);
                return record;
            }
        } catch (IOException | RuntimeException e) {
            discard(written != null ? written : planned);
            throw e;
        }
    }

    /** The current version of a key; NoSuchKey when absent or a delete marker. */
    public ObjectRecord head(String bucketName, String key) {
        BucketRecord bucket = bucket(bucketName);
        Optional<ObjectRecord> r = index.latest(bucket.id(), key);
        if (r.isEmpty() || r.get().deleteMarker()) {
            throw new S3Exception(S3ErrorCode.NoSuchKey).with("Key", key);
        }
        return r.get();
    }

    /** Opens {@code length} bytes of a version's data from {@code offset}, verified block by block. */
    public InputStream open(ObjectRecord record, long offset, long length) throws IOException {
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        return store.open(record.location(), offset, length);
    }

    /** Deletes the current version of a key; deleting an absent key succeeds (S3 answers 204 either way). */
    public Optional<ObjectRecord> deleteObject(String bucketName, String key, Precondition precondition) {
        BucketRecord bucket = bucket(bucketName);
        try {
            IndexResult r = index.apply(new IndexCommand.DeleteObject(bucket.id(), key, precondition, now()));
            return r instanceof IndexResult.Replaced(Optional<ObjectRecord> previous) ? previous : Optional.empty();
        } catch (IndexException e) {
            throw Errors.map(e, bucketName, key);
        }
    }

    public ListPage list(String bucketName, String prefix, String delimiter, String startAfter, int maxKeys) {
        BucketRecord bucket = bucket(bucketName);
        return index.list(new ListQuery(bucket.id(), prefix, delimiter, startAfter, maxKeys, 10_000));
    }

    // ---- helpers -------------------------------------------------------------------------

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    private void apply(IndexCommand cmd, PutObjectInput in) {
        try {
            index.apply(cmd);
        } catch (IndexException e) {
            throw Errors.map(e, in.bucket(), in.key());
        }
    }

    private static long copy(InputStream body, BlobWriter writer, Digest md5, Digest extra, long limit) throws IOException {
        byte[] buf = new byte[BUFFER];
        long total = 0;
        int n;
        while ((n = body.read(buf)) > 0) {
            total += n;
            if (total > limit) {
                throw new S3Exception(S3ErrorCode.IncompleteBody, "The request body is longer than its declared length");
            }
            md5.update(buf, 0, n);
            if (extra != null) {
                extra.update(buf, 0, n);
            }
            writer.write(ByteBuffer.wrap(buf, 0, n));
        }
        return total;
    }

    private static void verifyMd5(String contentMd5, byte[] actual) {
        if (contentMd5 == null) {
            return;
        }
        byte[] expected;
        try {
            expected = Base64.getDecoder().decode(contentMd5.trim());
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3ErrorCode.InvalidDigest);
        }
        if (expected.length != 16) {
            throw new S3Exception(S3ErrorCode.InvalidDigest);
        }
        if (!java.security.MessageDigest.isEqual(expected, actual)) {
            throw new S3Exception(S3ErrorCode.BadDigest).with("ExpectedDigest", contentMd5)
                    .with("CalculatedDigest", Base64.getEncoder().encodeToString(actual));
        }
    }

    private static ObjectRecord.Checksum verifyChecksum(PutObjectInput in, Digest digest) {
        if (in.checksum() == null) {
            return null;
        }
        String actual = Base64.getEncoder().encodeToString(digest.finish());
        String expected = in.checksumValue() == null ? null : in.checksumValue().get();
        if (expected != null && !expected.trim().equals(actual)) {
            throw new S3Exception(S3ErrorCode.BadDigest,
                    "The " + in.checksum().name() + " you specified did not match the calculated checksum.");
        }
        return new ObjectRecord.Checksum(in.checksum(), actual, ObjectRecord.Checksum.Type.FULL_OBJECT);
    }

    /** Removes data that will never become visible and forgets its intent; the sweeper retries failures. */
    private void discard(DataLocation location) {
        try {
            store.delete(location);
            index.apply(new IndexCommand.CancelIntent(location.dataId()));
        } catch (IOException | IndexException | UncheckedIOException e) {
            // Left for the sweeper: the intent row still names this data.
        }
    }
}
