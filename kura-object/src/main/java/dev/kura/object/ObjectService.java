package dev.kura.object;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.common.DataId;
import dev.kura.common.Hex;
import dev.kura.index.BucketRecord;
import dev.kura.index.DataAnnotation;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.IndexResult;
import dev.kura.index.ListPage;
import dev.kura.index.ListQuery;
import dev.kura.index.ObjectIndex;
import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.storage.BlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * S3 semantics over the two seams: the {@link ObjectIndex} for metadata and the {@link BlobStore}
 * for bytes. This is the only layer that reaches both, and the one place where their domain
 * failures become S3 errors ({@link Errors}).
 *
 * <p>Every write is {@link Ingest} (intent → stream → verify → storage commit) followed by one
 * index command that checks its preconditions inside the atomic apply and makes the data visible;
 * a failure between the two discards the data. See ARCHITECTURE.md for the invariants.
 */
public final class ObjectService {
    /** S3's single-PUT and copy-source limit: 5 GiB. */
    public static final long MAX_PUT_SIZE = 5L * 1024 * 1024 * 1024;

    private final ObjectIndex index;
    private final BlobStore store;
    private final InstantSource clock;
    private final RandomGenerator random;
    private final VersionClock versions;
    private final String region;
    private final Ingest ingest;
    private final MultipartService multipart;
    private final BucketCors cors;
    private final ActiveReads activeReads;
    private final Encryption encryption;

    /**
     * Objects up to this size are kept inside the index (one synced commit per PUT, no data file).
     * 64 KiB: measured in docs/BENCHMARKS.md; small enough that a page of 1,024 in-flight PUTs buffers
     * at most 64 MiB, and that listings (which never read the inline rows) stay fast.
     */
    public static final int DEFAULT_INLINE_THRESHOLD = 64 * 1024;

    public ObjectService(ObjectIndex index, BlobStore store, InstantSource clock, RandomGenerator random, String region) {
        this(index, store, clock, random, region, DEFAULT_INLINE_THRESHOLD);
    }

    /** @param inlineThreshold the largest object kept inside the index; -1 keeps every object on the drives */
    public ObjectService(ObjectIndex index, BlobStore store, InstantSource clock, RandomGenerator random, String region,
                         int inlineThreshold) {
        this(index, store, clock, random, region, inlineThreshold, null);
    }

    /**
     * @param masterKey the node's master key ring, which wraps SSE-S3 data keys; null: SSE-S3 (and a
     *                  bucket default asking for it) is refused with NotImplemented
     */
    public ObjectService(ObjectIndex index, BlobStore store, InstantSource clock, RandomGenerator random, String region,
                         int inlineThreshold, dev.kura.common.crypto.KeyWrapper masterKey) {
        this.encryption = new Encryption(masterKey);
        this.index = index;
        this.store = store;
        this.clock = clock;
        this.random = random;
        this.versions = new VersionClock(clock);
        this.region = region;
        this.activeReads = new ActiveReads(clock);
        this.ingest = new Ingest(index, store, clock, random, inlineThreshold);
        this.multipart = new MultipartService(this, index, ingest, encryption, versions, clock, random);
        this.cors = new BucketCors(this, index);
    }

    public String region() {
        return region;
    }

    public MultipartService multipart() {
        return multipart;
    }

    /** Buckets' CORS configurations. */
    public BucketCors cors() {
        return cors;
    }

    /** Reads in progress that may still open data; the sweeper consults it. */
    public ActiveReads activeReads() {
        return activeReads;
    }

    // ---- buckets -------------------------------------------------------------------------

    public BucketRecord createBucket(String name, String owner) {
        return createBucket(name, owner, false);
    }

    /** Creates a bucket; with {@code objectLock}, Object Lock is enabled for it (and so is versioning). */
    public BucketRecord createBucket(String name, String owner, boolean objectLock) {
        return createBucket(name, owner, objectLock, Map.of());
    }

    /** As above, with settings documents (its ACL, ownership controls) written with the bucket, atomically. */
    public BucketRecord createBucket(String name, String owner, boolean objectLock,
                                     Map<dev.kura.index.BucketSetting, byte[]> settings) {
        BucketRecord record = new BucketRecord(name, index.newBucketId(name, random.nextLong()), now(), owner, region,
                objectLock ? BucketRecord.Versioning.ENABLED : BucketRecord.Versioning.UNVERSIONED, Map.of(),
                objectLock ? BucketRecord.ObjectLock.ENABLED_WITHOUT_DEFAULT : null);
        try {
            index.apply(new IndexCommand.CreateBucket(record, settings));
            return record;
        } catch (IndexException.BucketAlreadyExists e) {
            boolean mine = e.existing().owner().equals(owner);
            if (mine && region.equals("us-east-1")) {
                // As S3 in us-east-1: the owner re-creating a bucket succeeds and changes nothing.
                return e.existing();
            }
            throw new S3Exception(mine ? S3ErrorCode.BucketAlreadyOwnedByYou : S3ErrorCode.BucketAlreadyExists)
                    .with("BucketName", name);
        } catch (IndexException e) {
            throw Errors.map(e, name, null);
        }
    }

    public BucketRecord bucket(String name) {
        return index.bucket(name).orElseThrow(() -> new S3Exception(S3ErrorCode.NoSuchBucket).with("BucketName", name));
    }

    public Optional<BucketRecord> findBucket(String name) {
        return index.bucket(name);
    }

    /**
     * The version a request addresses ({@code versionId} null: the current one), if it exists and is
     * not a delete marker; never throws for a missing key or version.
     */
    public Optional<ObjectRecord> findVersion(BucketRecord bucket, String key, String versionId) {
        Optional<ObjectRecord> r;
        if (versionId == null || versionId.isEmpty()) {
            r = index.latest(bucket.id(), key);
        } else {
            try {
                checkVersionId(versionId);
            } catch (S3Exception e) {
                return Optional.empty();
            }
            r = index.version(bucket.id(), key, versionId);
        }
        return r.filter(v -> !v.deleteMarker());
    }

    public List<BucketRecord> buckets() {
        return index.buckets();
    }

    public void deleteBucket(String name) {
        BucketRecord b = bucket(name);
        apply(new IndexCommand.DeleteBucket(name, b.id()), name, null);
    }

    public void putBucketTags(String name, Map<String, String> tags) {
        BucketRecord b = bucket(name);
        apply(new IndexCommand.PutBucketTags(name, b.id(), tags), name, null);
    }

    // ---- objects -------------------------------------------------------------------------

    /** Streams the body to storage, verifies it, and commits it as the key's current version. */
    public ObjectRecord putObject(PutObjectInput in, InputStream body) throws IOException {
        BucketRecord bucket = bucket(in.bucket());
        if (in.contentLength() > MAX_PUT_SIZE) {
            throw new S3Exception(S3ErrorCode.EntityTooLarge).with("ProposedSize", Long.toString(in.contentLength()))
                    .with("MaxSizeAllowed", Long.toString(MAX_PUT_SIZE));
        }
        Stamp stamp = new Stamp(versions, this::now);
        ObjectRecord.Lock lock = lockFor(bucket, in.lock(), stamp.at());
        if (lock != null && lock.mode() != null && in.contentMd5() == null && in.checksum() == null) {
            throw new S3Exception(S3ErrorCode.InvalidRequest,
                    "Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters");
        }
        Encryption.Plan plan = encryption.plan(effectiveSse(bucket, in.sse()));
        Ingest.Written w = ingest.write(bucket.id(), bucket.name(), in.key(), body,
                new Ingest.Expect(in.contentLength(), in.contentMd5(), in.checksum(), in.checksumValue())
                        .sealedWith(encryption.sealer(plan)),
                planned -> annotation(bucket, withAccess(version(bucket, in.key(), in.headers(), in.userMetadata(),
                        in.storageClass(), in.tags(), stamp, planned).withLock(lock), in.access())
                        .withEncryption(plan.recorded())));
        ObjectRecord record = withAccess(version(bucket, in.key(), in.headers(), in.userMetadata(), in.storageClass(),
                in.tags(), stamp, w).withLock(lock), in.access()).withEncryption(plan.recorded());
        return commit(bucket, record, in.precondition(), w);
    }

    /**
     * CopyObject: copies the source's bytes under a new data id (data ids are never shared) with the
     * metadata the request chose. The source record was looked up, and its conditions checked, by
     * the caller.
     */
    public ObjectRecord copyObject(ObjectRecord source, CopyInput in) throws IOException {
        BucketRecord bucket = bucket(in.bucket());
        if (source.size() > MAX_PUT_SIZE) {
            throw new S3Exception(S3ErrorCode.InvalidRequest,
                    "The specified copy source is larger than the maximum allowable size for a copy source: " + MAX_PUT_SIZE);
        }
        ChecksumAlgorithm algorithm = in.checksum() != null ? in.checksum()
                : source.checksum() == null ? null : source.checksum().algorithm();
        Ingest.Written w;
        Stamp stamp = new Stamp(versions, this::now);
        ObjectRecord.Lock lock = lockFor(bucket, in.lock(), stamp.at());
        encryption.checkRead(source.encryption(), in.sourceKey());
        Encryption.Plan plan = encryption.plan(effectiveSse(bucket, in.sse()));
        try (InputStream data = open(in.sourceBucket(), source, 0, source.size(), in.sourceKey())) {
            w = ingest.write(bucket.id(), bucket.name(), in.key(), data, new Ingest.Expect(source.size(), null, algorithm, null)
                            .sealedWith(encryption.sealer(plan)),
                    planned -> annotation(bucket, withAccess(version(bucket, in.key(), in.headers(), in.userMetadata(),
                            in.storageClass(), in.tags(), stamp, planned).withLock(lock), in.access())
                            .withEncryption(plan.recorded())));
        }
        ObjectRecord record = withAccess(version(bucket, in.key(), in.headers(), in.userMetadata(), in.storageClass(),
                in.tags(), stamp, w).withLock(lock), in.access()).withEncryption(plan.recorded());
        return commit(bucket, record, in.precondition(), w);
    }

    /**
     * The encryption a write gets: the one asked for, else the bucket's default
     * (PutBucketEncryption), else none.
     */
    Sse effectiveSse(BucketRecord bucket, Sse requested) {
        if (!(requested instanceof Sse.None)) {
            return requested;
        }
        return defaultSse(bucket);
    }

    /** The bucket's default encryption (none until a configuration is stored). */
    Sse defaultSse(BucketRecord bucket) {
        return bucketEncryption(bucket).map(BucketEncryption::sse).orElse(Sse.NONE);
    }

    /** Parsed default-encryption configurations by bucket id, with the stored bytes they were parsed from. */
    private final ParsedSettings<BucketEncryption> encryptions = new ParsedSettings<>(
            raw -> BucketEncryption.parse(dev.kura.s3.xml.XmlParser.parse(raw, 20)), 10_000);

    /** The bucket's default encryption configuration (GetBucketEncryption), if one is stored. */
    public Optional<BucketEncryption> bucketEncryption(BucketRecord bucket) {
        // the whole settings map is cached by the index; one setting alone would be a read
        return encryptions.get(bucket.id(),
                Optional.ofNullable(index.bucketSettings(bucket.id()).get(dev.kura.index.BucketSetting.ENCRYPTION)));
    }

    /** PutBucketEncryption: the validated configuration, stored as its normalized document. */
    public void putBucketEncryption(String bucketName, BucketEncryption config) {
        BucketRecord bucket = bucket(bucketName);
        encryption.plan(config.sse()); // refuses SSE-S3 on a node without a master key
        apply(new IndexCommand.PutBucketSetting(bucketName, bucket.id(), dev.kura.index.BucketSetting.ENCRYPTION,
                config.toXml().toBytes()), bucketName, null);
    }

    /** DeleteBucketEncryption: new objects are no longer encrypted by default (existing ones stay as they are). */
    public void deleteBucketEncryption(String bucketName) {
        BucketRecord bucket = bucket(bucketName);
        apply(new IndexCommand.PutBucketSetting(bucketName, bucket.id(), dev.kura.index.BucketSetting.ENCRYPTION, null),
                bucketName, null);
    }

    /**
     * Checks a reader's SSE-C key against a version (400 InvalidRequest when the version needs one and
     * it is missing or wrong, or when one is given for a version that has none) — before any byte is
     * read, and before conditional headers are answered.
     */
    public void checkKey(ObjectRecord record, Sse.Customer key) {
        encryption.checkRead(record.encryption(), key);
    }

    /** The record with the writer's owner and ACL; without them (null) it keeps the bucket owner's, private. */
    private static ObjectRecord withAccess(ObjectRecord record, WriteAccess access) {
        return access == null ? record : record.withOwnerAndAcl(access.owner(), access.acl());
    }

    /** The version a write of whole data commits; its sequence and time are the stamp's, chosen once. */
    private static ObjectRecord version(BucketRecord bucket, String key, Map<String, String> headers,
                                        Map<String, String> userMetadata, String storageClass, Map<String, String> tags,
                                        Stamp stamp, Ingest.Written w) {
        return new ObjectRecord(key, proposedVersionId(bucket, stamp.sequence()), stamp.sequence(), false, w.location(), w.size(),
                Hex.encode(w.md5()), stamp.at(), headers, userMetadata, checksumOf(w), storageClass, bucket.owner(), 0,
                null, tags);
    }

    /**
     * The version id the index will most likely assign (it decides, from its own sequence and the
     * bucket's state when it applies the write): written into the data's annotation, so a rebuilt
     * index gets the same ids back.
     */
    static String proposedVersionId(BucketRecord bucket, long sequence) {
        return bucket.versioning() == BucketRecord.Versioning.ENABLED ? dev.kura.index.VersionIds.of(sequence)
                : ObjectRecord.NULL_VERSION;
    }

    private static byte[] annotation(BucketRecord bucket, ObjectRecord planned) {
        return DataAnnotation.encode(new DataAnnotation.Version(bucket, planned));
    }

    /** Commits the version; returns it as the index committed it (with the sequence and version id it assigned). */
    private ObjectRecord commit(BucketRecord bucket, ObjectRecord record, Precondition precondition, Ingest.Written w) {
        try {
            IndexResult r = index.apply(new IndexCommand.PutObject(bucket.id(), record, precondition, w.inline()));
            return r instanceof IndexResult.Replaced replaced && replaced.current() != null ? replaced.current() : record;
        } catch (IndexException | RuntimeException e) {
            ingest.abandon(w, e);
            throw e instanceof IndexException ie ? Errors.map(ie, bucket.name(), record.key()) : (RuntimeException) e;
        }
    }

    private static ObjectRecord.Checksum checksumOf(Ingest.Written w) {
        return w.algorithm() == null ? null
                : new ObjectRecord.Checksum(w.algorithm(), w.checksum(), ObjectRecord.Checksum.Type.FULL_OBJECT);
    }

    /** The current version of a key; NoSuchKey when absent or a delete marker. */
    public ObjectRecord head(String bucketName, String key) {
        return head(bucketName, key, null);
    }

    /**
     * A version of a key: the current one when {@code versionId} is null — NoSuchKey when there is
     * none, or when it is a delete marker (then with {@code x-amz-delete-marker: true} and the
     * marker's version id, as S3 answers) — else that version: NoSuchVersion when there is no such
     * version (InvalidArgument for a string that cannot be a version id), MethodNotAllowed when it is
     * a delete marker.
     */
    public ObjectRecord head(String bucketName, String key, String versionId) {
        BucketRecord bucket = bucket(bucketName);
        if (versionId == null) {
            Optional<ObjectRecord> r = index.latest(bucket.id(), key);
            if (r.isEmpty() || r.get().deleteMarker()) {
                S3Exception e = new S3Exception(S3ErrorCode.NoSuchKey).with("Key", key);
                if (r.isPresent()) {
                    e.withHeader("x-amz-delete-marker", "true").withHeader("x-amz-version-id", r.get().versionId());
                } else {
                    e.withHeader("x-amz-delete-marker", "false"); // as S3 answers for a key with no version at all
                }
                throw e;
            }
            return r.get();
        }
        checkVersionId(versionId);
        ObjectRecord r = index.version(bucket.id(), key, versionId).orElseThrow(() ->
                new S3Exception(S3ErrorCode.NoSuchVersion).with("Key", key).with("VersionId", versionId));
        if (r.deleteMarker()) {
            throw new S3Exception(S3ErrorCode.MethodNotAllowed).with("Method", "GET").with("ResourceType", "DeleteMarker")
                    .withHeader("x-amz-delete-marker", "true").withHeader("x-amz-version-id", versionId)
                    .withHeader("Allow", "DELETE");
        }
        return r;
    }

    // ---- lifecycle -----------------------------------------------------------------------

    /** Parsed lifecycle configurations by bucket id, with the stored bytes they were parsed from. */
    private final ParsedSettings<Lifecycle> lifecycles = new ParsedSettings<>(
            raw -> Lifecycle.parse(dev.kura.s3.xml.XmlParser.parse(raw, 20_000)), 10_000);

    /** The bucket's lifecycle configuration, if any (parsed once per stored document). */
    public Optional<Lifecycle> lifecycle(BucketRecord bucket) {
        return lifecycles.get(bucket.id(), index.lifecycle(bucket.id()));
    }

    /** PutBucketLifecycleConfiguration: the validated configuration, stored as its normalized document. */
    public void putLifecycle(String bucketName, Lifecycle lifecycle) {
        BucketRecord bucket = bucket(bucketName);
        apply(new IndexCommand.PutBucketLifecycle(bucketName, bucket.id(), lifecycle.toXml().toBytes()), bucketName, null);
    }

    public void deleteLifecycle(String bucketName) {
        BucketRecord bucket = bucket(bucketName);
        apply(new IndexCommand.PutBucketLifecycle(bucketName, bucket.id(), null), bucketName, null);
    }

    /** How long a lifecycle "day" is: a real day, or (for tests) the worker's interval. */
    private volatile java.time.Duration lifecycleDay = java.time.Duration.ofDays(1);

    public void lifecycleDay(java.time.Duration day) {
        this.lifecycleDay = day;
    }

    public java.time.Duration lifecycleDay() {
        return lifecycleDay;
    }

    /**
     * When the current version {@code r} expires under the bucket's lifecycle rules, and by which rule;
     * null if never. In real days (rounded up to midnight UTC), as S3 reports it, even when a test has
     * shortened the worker's days.
     */
    public Lifecycle.Expiry expiry(String bucketName, ObjectRecord r) {
        BucketRecord bucket = bucket(bucketName);
        return lifecycle(bucket).map(l -> l.expiry(r, java.time.Duration.ofDays(1))).orElse(null);
    }

    // ---- Object Lock ---------------------------------------------------------------------

    /**
     * The lock a new version gets: the one asked for (refused with InvalidRequest in a bucket without
     * Object Lock), else the bucket's default retention counted from {@code at}; null for none.
     */
    ObjectRecord.Lock lockFor(BucketRecord bucket, ObjectRecord.Lock requested, Instant at) {
        BucketRecord.ObjectLock conf = bucket.objectLock();
        if (requested != null && conf == null) {
            throw new S3Exception(S3ErrorCode.InvalidRequest, "Bucket is missing Object Lock Configuration");
        }
        if (conf == null) {
            return null;
        }
        ObjectRecord.Lock lock = requested == null ? new ObjectRecord.Lock(null, null, false) : requested;
        if (lock.mode() == null && conf.mode() != null) {
            java.time.ZonedDateTime from = at.atZone(java.time.ZoneOffset.UTC);
            Instant until = (conf.days() > 0 ? from.plusDays(conf.days()) : from.plusYears(conf.years())).toInstant();
            lock = lock.withRetention(conf.mode(), until);
        }
        return lock.mode() == null && !lock.legalHold() ? null : lock;
    }

    /** The bucket, refused with InvalidRequest when it has no Object Lock (retention and legal hold need it). */
    private BucketRecord lockedBucket(String bucketName) {
        BucketRecord bucket = bucket(bucketName);
        if (bucket.objectLock() == null) {
            throw new S3Exception(S3ErrorCode.InvalidRequest, "Bucket is missing Object Lock Configuration");
        }
        return bucket;
    }

    /** PutObjectLockConfiguration: enables Object Lock (versioning must be enabled) with an optional default. */
    public void putObjectLockConfiguration(String bucketName, BucketRecord.ObjectLock config) {
        BucketRecord bucket = bucket(bucketName);
        apply(new IndexCommand.PutObjectLockConfiguration(bucketName, bucket.id(), config), bucketName, null);
    }

    /** PutObjectRetention ({@code mode} null removes the retention, which needs the governance bypass). */
    public void putObjectRetention(String bucketName, String key, String versionId, String mode, Instant retainUntil,
                                   boolean bypassGovernance) {
        BucketRecord bucket = lockedBucket(bucketName);
        if (versionId != null) {
            checkVersionId(versionId);
        }
        apply(new IndexCommand.PutObjectRetention(bucket.id(), key, versionId, mode, retainUntil, bypassGovernance, now()),
                bucketName, key);
    }

    public void putObjectLegalHold(String bucketName, String key, String versionId, boolean on) {
        BucketRecord bucket = lockedBucket(bucketName);
        if (versionId != null) {
            checkVersionId(versionId);
        }
        apply(new IndexCommand.PutObjectLegalHold(bucket.id(), key, versionId, on), bucketName, key);
    }

    /** The version whose retention or legal hold is asked for (InvalidRequest in a bucket without Object Lock). */
    public ObjectRecord lockedVersion(String bucketName, String key, String versionId) {
        lockedBucket(bucketName);
        return head(bucketName, key, versionId);
    }

    /** S3 refuses a version id that cannot be one with 400 InvalidArgument before looking anything up. */
    static void checkVersionId(String versionId) {
        if (!ObjectRecord.NULL_VERSION.equals(versionId) && dev.kura.index.VersionIds.sequenceOf(versionId).isEmpty()) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "Invalid version id specified")
                    .with("ArgumentName", "versionId").with("ArgumentValue", versionId);
        }
    }

    /** Turns versioning on or suspends it (a bucket never goes back to unversioned). */
    public void setVersioning(String bucketName, BucketRecord.Versioning state) {
        BucketRecord b = bucket(bucketName);
        apply(new IndexCommand.SetBucketVersioning(bucketName, b.id(), state), bucketName, null);
    }

    /** One page of ListObjectVersions. */
    public dev.kura.index.VersionPage listVersions(String bucketName, String prefix, String delimiter, String keyMarker,
                                                   String versionIdMarker, int maxKeys) {
        BucketRecord bucket = bucket(bucketName);
        if (versionIdMarker != null && !versionIdMarker.isEmpty()) {
            checkVersionId(versionIdMarker);
        }
        return index.listVersions(new dev.kura.index.VersionQuery(bucket.id(), prefix, delimiter, keyMarker,
                versionIdMarker, maxKeys, Math.max(maxKeys + 1, 10_000)));
    }

    /** The parts of a multipart version, in order, with their offsets (empty for data written whole). */
    public List<dev.kura.index.PartRecord> parts(String bucketName, ObjectRecord record) {
        if (!record.isMultipart()) {
            return List.of();
        }
        return index.objectParts(bucket(bucketName).id(), record.key(), record.sequence());
    }

    /**
     * Opens {@code length} bytes of a version from {@code offset}, verified block by block: the one
     * data file of a version written whole, or the overlapping parts of a multipart version, opened
     * one after another.
     */
    public InputStream open(String bucketName, ObjectRecord record, long offset, long length) throws IOException {
        return open(bucketName, record, offset, length, null);
    }

    /**
     * As above, for a version that may be encrypted: {@code key} is the reader's SSE-C key (null for
     * none), checked against the version first. An encrypted version's data is opened chunk by chunk,
     * only the chunks the range covers, each authenticated before it is served.
     */
    public InputStream open(String bucketName, ObjectRecord record, long offset, long length, Sse.Customer key)
            throws IOException {
        encryption.checkRead(record.encryption(), key);
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        ObjectRecord.Encryption sealed = record.encryption();
        if (record.isMultipart()) {
            return new PartsInputStream((p, from, len) -> piece(p.location(), p.size(), from, len, sealed, key),
                    parts(bucketName, record), offset, length, activeReads);
        }
        if (record.location().isInline()) {
            DataId id = record.location().dataId();
            byte[] bytes = index.inlineData(bucket(bucketName).id(), id).orElseThrow(() -> new java.io.FileNotFoundException(
                    "inline data " + id + " of " + bucketName + "/" + record.key() + " is gone"));
            Encryption.Source source = (from, len) -> new java.io.ByteArrayInputStream(bytes, Math.toIntExact(from),
                    Math.toIntExact(len));
            return sealed == null ? source.open(offset, length)
                    : encryption.open(source, record.size(), offset, length, key);
        }
        return piece(record.location(), record.size(), offset, length, sealed, key);
    }

    /** A range of one data piece (an object written whole, or a part), decrypted when the version is encrypted. */
    private InputStream piece(dev.kura.common.DataLocation location, long plainSize, long offset, long length,
                              ObjectRecord.Encryption sealed, Sse.Customer key) throws IOException {
        if (sealed == null) {
            return store.open(location, offset, length);
        }
        return encryption.open((from, len) -> store.open(location, from, len), plainSize, offset, length, key);
    }

    /**
     * What a delete did, for S3's answer: whether the version it created or removed is a delete marker
     * ({@code x-amz-delete-marker}) and that version's id ({@code x-amz-version-id}; null when none).
     */
    public record Deleted(boolean deleteMarker, String versionId) {
        static Deleted of(IndexResult r, String requestedVersionId) {
            if (!(r instanceof IndexResult.Replaced replaced)) {
                return new Deleted(false, requestedVersionId);
            }
            if (requestedVersionId != null) {
                return new Deleted(replaced.previous().map(ObjectRecord::deleteMarker).orElse(false), requestedVersionId);
            }
            ObjectRecord marker = replaced.current();
            return marker == null ? new Deleted(false, null) : new Deleted(true, marker.versionId());
        }
    }

    /**
     * Deletes a key as S3 does: without a version id, the current version (unversioned bucket) or by
     * adding a delete marker (versioned bucket); with one, that version for good. Deleting what is
     * absent succeeds (S3 answers 204 either way).
     */
    public Deleted deleteObject(String bucketName, String key, String versionId, Precondition precondition) {
        return deleteObject(bucketName, key, versionId, precondition, false);
    }

    /** As above; {@code bypassGovernance} lets a version under GOVERNANCE retention be deleted. */
    public Deleted deleteObject(String bucketName, String key, String versionId, Precondition precondition,
                                boolean bypassGovernance) {
        BucketRecord bucket = bucket(bucketName);
        IndexCommand cmd;
        if (versionId == null) {
            cmd = new IndexCommand.DeleteObject(bucket.id(), key, precondition, now());
        } else {
            checkVersionId(versionId);
            cmd = new IndexCommand.DeleteVersion(bucket.id(), key, versionId, now(), bypassGovernance);
        }
        return Deleted.of(apply(cmd, bucketName, key), versionId);
    }

    /** Deletes the current version of a key (see {@link #deleteObject(String, String, String, Precondition)}). */
    public Deleted deleteObject(String bucketName, String key, Precondition precondition) {
        return deleteObject(bucketName, key, null, precondition);
    }

    /** One key of a DeleteObjects request: the key and, optionally, the version to delete. */
    public record KeyVersion(String key, String versionId) {
    }

    /** The outcome for one key of DeleteObjects: what was deleted, or the S3 error for it. */
    public record DeleteResult(Deleted deleted, S3Exception error) {
    }

    /**
     * Deletes each key (DeleteObjects) as {@link #deleteObject(String, String, String, Precondition)}
     * would: independent deletes, group-committed together — a thousand keys cost a few synced index
     * writes, not a thousand. Returns one result per key, in order.
     */
    public List<DeleteResult> deleteObjects(String bucketName, List<KeyVersion> keys) {
        return deleteObjects(bucketName, keys, false);
    }

    /** As above; {@code bypassGovernance} applies to every key. */
    public List<DeleteResult> deleteObjects(String bucketName, List<KeyVersion> keys, boolean bypassGovernance) {
        BucketRecord bucket = bucket(bucketName);
        Instant at = now();
        List<IndexCommand> commands = new java.util.ArrayList<>(keys.size());
        List<DeleteResult> results = new java.util.ArrayList<>(java.util.Collections.nCopies(keys.size(), null));
        List<Integer> applied = new java.util.ArrayList<>(keys.size());
        for (int i = 0; i < keys.size(); i++) {
            KeyVersion k = keys.get(i);
            if (k.versionId() == null) {
                commands.add(new IndexCommand.DeleteObject(bucket.id(), k.key(), Precondition.NONE, at));
            } else {
                try {
                    checkVersionId(k.versionId());
                } catch (S3Exception e) {
                    results.set(i, new DeleteResult(null, e));
                    continue;
                }
                commands.add(new IndexCommand.DeleteVersion(bucket.id(), k.key(), k.versionId(), at, bypassGovernance));
            }
            applied.add(i);
        }
        List<dev.kura.index.IndexOutcome> outcomes = commands.isEmpty() ? List.of() : index.applyAll(commands);
        for (int j = 0; j < applied.size(); j++) {
            int i = applied.get(j);
            KeyVersion k = keys.get(i);
            IndexException failure = outcomes.get(j).failure();
            if (failure == null) {
                results.set(i, new DeleteResult(Deleted.of(outcomes.get(j).result(), k.versionId()), null));
            } else if (Errors.map(failure, bucketName, k.key()) instanceof S3Exception e) {
                results.set(i, new DeleteResult(null, e));
            } else {
                results.set(i, new DeleteResult(null, new S3Exception(S3ErrorCode.InternalError)));
            }
        }
        return results;
    }

    public void putObjectTags(String bucketName, String key, Map<String, String> tags) {
        BucketRecord bucket = bucket(bucketName);
        apply(new IndexCommand.PutObjectTags(bucket.id(), key, null, tags), bucketName, key);
    }

    /** Replaces the tag set of one version ({@code versionId} null: the current one). */
    public void putObjectTags(String bucketName, String key, String versionId, Map<String, String> tags) {
        if (versionId == null) {
            putObjectTags(bucketName, key, tags);
            return;
        }
        checkVersionId(versionId);
        head(bucketName, key, versionId); // NoSuchVersion, or MethodNotAllowed for a delete marker
        BucketRecord bucket = bucket(bucketName);
        apply(new IndexCommand.PutObjectTags(bucket.id(), key, versionId, tags), bucketName, key);
    }

    // ---- access settings -----------------------------------------------------------------

    /** Every settings document of the bucket (ACL, policy, public access block, ownership, ...). */
    public Map<dev.kura.index.BucketSetting, byte[]> bucketSettings(BucketRecord bucket) {
        return index.bucketSettings(bucket.id());
    }

    /** Writes ({@code value} non-null) or removes one settings document of the bucket. */
    public void putBucketSetting(String bucketName, dev.kura.index.BucketSetting setting, byte[] value) {
        BucketRecord bucket = bucket(bucketName);
        apply(new IndexCommand.PutBucketSetting(bucketName, bucket.id(), setting, value), bucketName, null);
    }

    /** Replaces the ACL of one version ({@code versionId} null: the current one); null: private. */
    public void putObjectAcl(String bucketName, String key, String versionId, String acl) {
        if (versionId != null) {
            checkVersionId(versionId);
            head(bucketName, key, versionId); // NoSuchVersion, or MethodNotAllowed for a delete marker
        }
        BucketRecord bucket = bucket(bucketName);
        apply(new IndexCommand.PutObjectAcl(bucket.id(), key, versionId, acl), bucketName, key);
    }

    public ListPage list(String bucketName, String prefix, String delimiter, String startAfter, int maxKeys) {
        BucketRecord bucket = bucket(bucketName);
        return index.list(new ListQuery(bucket.id(), prefix, delimiter, startAfter, maxKeys, 10_000));
    }

    // ---- helpers -------------------------------------------------------------------------

    Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    IndexResult apply(IndexCommand cmd, String bucket, String key) {
        try {
            return index.apply(cmd);
        } catch (IndexException e) {
            throw Errors.map(e, bucket, key);
        }
    }
}
