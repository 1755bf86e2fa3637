package dev.kura.object;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.common.CrcCombine;
import dev.kura.common.Digest;
import dev.kura.common.Hex;
import dev.kura.index.BucketRecord;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.IndexResult;
import dev.kura.index.ObjectIndex;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.Precondition;
import dev.kura.index.UploadPage;
import dev.kura.index.UploadRecord;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.io.IOException;
import java.io.InputStream;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * Multipart uploads (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html).
 * Parts are ordinary ingested data recorded in part rows; completing copies no part data — the
 * new version lists the chosen parts in their own rows, and its location is a small, empty manifest
 * data piece whose annotation describes the version and its parts (for rebuilding a lost index) —
 * and computes the ETag (MD5 of the parts' MD5s, "-N") and the checksum (composite, or full-object by combining part CRCs) from what the
 * parts recorded, never by re-reading bytes.
 */
public final class MultipartService {
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    public static final long MAX_PART_SIZE = 5L * 1024 * 1024 * 1024;
    public static final long MAX_OBJECT_SIZE = 5L * 1024 * 1024 * 1024 * 1024;
    public static final int MAX_PARTS = 10_000;

    /** A part as CompleteMultipartUpload names it. */
    public record RequestedPart(int partNumber, String etag, Map<ChecksumAlgorithm, String> checksums) {
    }

    /** What completing produced; {@code retried} when the upload had already been completed. */
    public record Completed(ObjectRecord record, boolean retried) {
    }

    private final ObjectService objects;
    private final ObjectIndex index;
    private final Ingest ingest;
    private final VersionClock versions;
    private final InstantSource clock;
    private final RandomGenerator random;

    MultipartService(ObjectService objects, ObjectIndex index, Ingest ingest, VersionClock versions, InstantSource clock,
                     RandomGenerator random) {
        this.objects = objects;
        this.index = index;
        this.ingest = ingest;
        this.versions = versions;
        this.clock = clock;
        this.random = random;
    }

    public UploadRecord create(String bucketName, String key, Map<String, String> headers, Map<String, String> meta,
                               String storageClass, Map<String, String> tags, ChecksumAlgorithm algorithm,
                               ObjectRecord.Checksum.Type type) {
        return create(bucketName, key, headers, meta, storageClass, tags, algorithm, type, null, null);
    }

    /**
     * As above, with the Object Lock retention and legal hold the completed version gets (null: the
     * bucket's default) and its owner and ACL (null: the bucket owner's, private).
     */
    public UploadRecord create(String bucketName, String key, Map<String, String> headers, Map<String, String> meta,
                               String storageClass, Map<String, String> tags, ChecksumAlgorithm algorithm,
                               ObjectRecord.Checksum.Type type, ObjectRecord.Lock lock, WriteAccess access) {
        BucketRecord bucket = objects.bucket(bucketName);
        Instant now = objects.now();
        ObjectRecord.Lock effective = objects.lockFor(bucket, lock, now);
        // Upload ids sort by initiation time (ListMultipartUploads order) and are unguessable.
        String id = String.format("%016x%016x", clock.instant().toEpochMilli() * 1000, random.nextLong());
        UploadRecord u = new UploadRecord(key, id, now, headers, meta, algorithm, algorithm == null ? null : type,
                storageClass, access == null ? bucket.owner() : access.owner(), tags, effective,
                access == null ? null : access.acl());
        objects.apply(new IndexCommand.CreateUpload(bucket.id(), u), bucketName, key);
        return u;
    }

    public UploadRecord upload(String bucketName, String key, String uploadId) {
        BucketRecord bucket = objects.bucket(bucketName);
        return index.upload(bucket.id(), key, uploadId).orElseThrow(() -> noSuchUpload(uploadId));
    }

    public PartRecord uploadPart(String bucketName, String key, String uploadId, int partNumber, long length,
                                 String contentMd5, ChecksumAlgorithm sent, java.util.function.Supplier<String> sentValue,
                                 InputStream body) throws IOException {
        checkPartNumber(partNumber);
        if (length > MAX_PART_SIZE) {
            throw new S3Exception(S3ErrorCode.EntityTooLarge).with("ProposedSize", Long.toString(length))
                    .with("MaxSizeAllowed", Long.toString(MAX_PART_SIZE));
        }
        BucketRecord bucket = objects.bucket(bucketName);
        UploadRecord u = index.upload(bucket.id(), key, uploadId).orElseThrow(() -> noSuchUpload(uploadId));
        ChecksumAlgorithm algorithm = partAlgorithm(u, sent);
        Stamp stamp = new Stamp(versions, objects::now);
        Ingest.Written w = ingest.writeToDrives(bucket.id(), bucketName, key, body,
                new Ingest.Expect(length, contentMd5, algorithm, sent == null ? null : sentValue),
                planned -> annotation(bucket, u, part(partNumber, stamp, planned)));
        return record(bucket, key, uploadId, part(partNumber, stamp, w), w);
    }

    /** UploadPartCopy: a range of an existing object becomes a part (bytes copied under a new data id). */
    public PartRecord copyPart(String bucketName, String key, String uploadId, int partNumber, String sourceBucket,
                               ObjectRecord source, long start, long length) throws IOException {
        checkPartNumber(partNumber);
        if (length > MAX_PART_SIZE) {
            throw new S3Exception(S3ErrorCode.EntityTooLarge);
        }
        BucketRecord bucket = objects.bucket(bucketName);
        UploadRecord u = index.upload(bucket.id(), key, uploadId).orElseThrow(() -> noSuchUpload(uploadId));
        Ingest.Written w;
        Stamp stamp = new Stamp(versions, objects::now);
        try (InputStream data = objects.open(sourceBucket, source, start, length)) {
            w = ingest.writeToDrives(bucket.id(), bucketName, key, data, new Ingest.Expect(length, null, u.checksumAlgorithm(), null),
                    planned -> annotation(bucket, u, part(partNumber, stamp, planned)));
        }
        return record(bucket, key, uploadId, part(partNumber, stamp, w), w);
    }

    private static PartRecord part(int partNumber, Stamp stamp, Ingest.Written w) {
        return new PartRecord(partNumber, w.location(), w.size(), Hex.encode(w.md5()), stamp.at(), w.checksum(), 0);
    }

    /** The annotation stored with a part's data: the bucket, the upload (as created) and the part. */
    private static byte[] annotation(BucketRecord bucket, UploadRecord upload, PartRecord planned) {
        return dev.kura.index.DataAnnotation.encode(new dev.kura.index.DataAnnotation.UploadPart(bucket, upload, planned));
    }

    private PartRecord record(BucketRecord bucket, String key, String uploadId, PartRecord part, Ingest.Written w) {
        try {
            index.apply(new IndexCommand.PutPart(bucket.id(), key, uploadId, part));
        } catch (IndexException | RuntimeException e) {
            ingest.abandon(w, e);
            throw e instanceof IndexException ie ? Errors.map(ie, bucket.name(), key) : (RuntimeException) e;
        }
        return part;
    }

    /** The checksum a part carries: the upload's algorithm; a part may not send another one. */
    private static ChecksumAlgorithm partAlgorithm(UploadRecord u, ChecksumAlgorithm sent) {
        if (u.checksumAlgorithm() != null && sent != null && sent != u.checksumAlgorithm()) {
            throw new S3Exception(S3ErrorCode.InvalidRequest, "Checksum Type mismatch occurred, expected checksum Type: "
                    + u.checksumAlgorithm().name().toLowerCase() + ", actual checksum Type: " + sent.name().toLowerCase());
        }
        return u.checksumAlgorithm() != null ? u.checksumAlgorithm() : sent;
    }

    public Completed complete(String bucketName, String key, String uploadId, List<RequestedPart> requested,
                              Precondition precondition, Long declaredSize) {
        BucketRecord bucket = objects.bucket(bucketName);
        UploadRecord u = index.upload(bucket.id(), key, uploadId).orElse(null);
        if (u == null) {
            return retriedOrMissing(bucket, key, uploadId);
        }
        if (requested.isEmpty()) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        Map<Integer, PartRecord> uploaded = new HashMap<>();
        for (PartRecord p : index.uploadParts(bucket.id(), key, uploadId, 0, MAX_PARTS)) {
            uploaded.put(p.partNumber(), p);
        }
        List<PartRecord> chosen = choose(requested, uploaded, u);
        long total = chosen.isEmpty() ? 0 : chosen.getLast().offset() + chosen.getLast().size();
        if (declaredSize != null && declaredSize != total) {
            throw new S3Exception(S3ErrorCode.InvalidRequest,
                    "The provided 'x-amz-mp-object-size' header value " + declaredSize + " does not match the object size " + total);
        }
        if (total > MAX_OBJECT_SIZE) {
            throw new S3Exception(S3ErrorCode.EntityTooLarge);
        }
        String etag = etag(chosen);
        ObjectRecord.Checksum checksum = checksum(u, chosen);
        Stamp stamp = new Stamp(versions, objects::now);
        // The manifest: an empty data piece on the drives whose annotation is the version and its parts,
        // so a lost index can be rebuilt with the completed object (the record references it, so it
        // goes when the version goes). Written like any data: intent, data, then the index commit.
        Ingest.Written w;
        try {
            w = ingest.writeToDrives(bucket.id(), bucketName, key, InputStream.nullInputStream(), Ingest.Expect.length(0),
                    planned -> manifest(bucket, completedVersion(bucket, key, u, uploadId, chosen, total, etag, checksum, stamp,
                            planned), chosen));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ObjectRecord record = completedVersion(bucket, key, u, uploadId, chosen, total, etag, checksum, stamp, w);
        IndexResult r;
        try {
            r = index.apply(new IndexCommand.CompleteUpload(bucket.id(), uploadId, record, chosen, precondition));
        } catch (IndexException | RuntimeException e) {
            ingest.abandon(w, e);
            throw e instanceof IndexException ie ? Errors.map(ie, bucketName, key) : (RuntimeException) e;
        }
        if (r instanceof IndexResult.AlreadyCompleted(ObjectRecord done)) {
            ingest.discard(w.location()); // a retry: the version (and its manifest) exist already
            return new Completed(done, true);
        }
        // as the index committed it: the sequence and version id are the index's
        return new Completed(r instanceof IndexResult.Replaced replaced && replaced.current() != null
                ? replaced.current() : record, false);
    }

    /** The version a Complete commits; its sequence and time are the stamp's, its location the manifest. */
    private static ObjectRecord completedVersion(BucketRecord bucket, String key, UploadRecord u, String uploadId,
                                                 List<PartRecord> chosen, long total, String etag,
                                                 ObjectRecord.Checksum checksum, Stamp stamp, Ingest.Written manifest) {
        return new ObjectRecord(key, ObjectService.proposedVersionId(bucket, stamp.sequence()), stamp.sequence(), false,
                manifest.location(), total, etag,
                stamp.at(), u.headers(), u.userMetadata(), checksum, u.storageClass(), u.owner(), chosen.size(), uploadId,
                u.tags(), u.lock(), u.acl());
    }

    /** The annotation stored with a manifest: the bucket, the version as committed and its parts in order. */
    private static byte[] manifest(BucketRecord bucket, ObjectRecord planned, List<PartRecord> chosen) {
        return dev.kura.index.DataAnnotation.encode(new dev.kura.index.DataAnnotation.Completed(bucket, planned,
                chosen.stream().map(dev.kura.index.DataAnnotation.CompletedPart::of).toList()));
    }

    private Completed retriedOrMissing(BucketRecord bucket, String key, String uploadId) {
        return index.latest(bucket.id(), key).filter(r -> uploadId.equals(r.uploadId()))
                .map(r -> new Completed(r, true)) // S3: a retried Complete of a completed upload succeeds
                .orElseThrow(() -> noSuchUpload(uploadId));
    }

    /** Validates the requested list against the uploaded parts and sets each part's offset. */
    private static List<PartRecord> choose(List<RequestedPart> listed, Map<Integer, PartRecord> uploaded, UploadRecord u) {
        // Ascending order; a part number listed twice in a row counts once, as its last entry (S3
        // accepts a list naming a re-uploaded part twice).
        List<RequestedPart> requested = new ArrayList<>(listed.size());
        int last = 0;
        for (RequestedPart rp : listed) {
            if (rp.partNumber() < last) {
                throw new S3Exception(S3ErrorCode.InvalidPartOrder);
            }
            if (rp.partNumber() == last) {
                requested.removeLast();
            }
            requested.add(rp);
            last = rp.partNumber();
        }
        List<PartRecord> chosen = new ArrayList<>(requested.size());
        long offset = 0;
        for (int i = 0; i < requested.size(); i++) {
            RequestedPart rp = requested.get(i);
            PartRecord p = uploaded.get(rp.partNumber());
            if (p == null || !p.etag().equals(unquote(rp.etag()))) {
                throw new S3Exception(S3ErrorCode.InvalidPart).with("PartNumber", Integer.toString(rp.partNumber()))
                        .with("ETag", rp.etag());
            }
            for (Map.Entry<ChecksumAlgorithm, String> c : rp.checksums().entrySet()) {
                if (c.getKey() == u.checksumAlgorithm() && p.checksum() != null && !p.checksum().equals(c.getValue().trim())) {
                    throw new S3Exception(S3ErrorCode.InvalidPart, "The " + c.getKey() + " of part " + rp.partNumber()
                            + " does not match the uploaded part's").with("PartNumber", Integer.toString(rp.partNumber()));
                }
            }
            if (i < requested.size() - 1 && p.size() < MIN_PART_SIZE) {
                throw new S3Exception(S3ErrorCode.EntityTooSmall).with("ProposedSize", Long.toString(p.size()))
                        .with("MinSizeAllowed", Long.toString(MIN_PART_SIZE)).with("PartNumber", Integer.toString(p.partNumber()))
                        .with("ETag", p.etag());
            }
            chosen.add(p.at(offset));
            offset += p.size();
        }
        return chosen;
    }

    /** The multipart ETag: hex MD5 of the concatenated binary part MD5s, then "-" and the part count. */
    static String etag(List<PartRecord> parts) {
        Digest md5 = Digest.md5();
        for (PartRecord p : parts) {
            byte[] b = Hex.decode(p.etag());
            md5.update(b, 0, b.length);
        }
        return Hex.encode(md5.finish()) + "-" + parts.size();
    }

    /** Composite: checksum of the concatenated part checksums, "-N"; full-object: part CRCs combined. */
    static ObjectRecord.Checksum checksum(UploadRecord u, List<PartRecord> parts) {
        ChecksumAlgorithm a = u.checksumAlgorithm();
        if (a == null || parts.stream().anyMatch(p -> p.checksum() == null)) {
            return null;
        }
        if (u.checksumType() == ObjectRecord.Checksum.Type.FULL_OBJECT) {
            CrcCombine crc = CrcCombine.of(a);
            long combined = 0;
            boolean first = true;
            for (PartRecord p : parts) {
                long partCrc = toLong(Base64.getDecoder().decode(p.checksum()));
                combined = first ? partCrc : crc.combine(combined, partCrc, p.size());
                first = false;
            }
            return new ObjectRecord.Checksum(a, Base64.getEncoder().encodeToString(toBytes(combined, a.digestLength())),
                    ObjectRecord.Checksum.Type.FULL_OBJECT);
        }
        Digest d = a.newDigest();
        for (PartRecord p : parts) {
            byte[] raw = Base64.getDecoder().decode(p.checksum());
            d.update(raw, 0, raw.length);
        }
        return new ObjectRecord.Checksum(a, Base64.getEncoder().encodeToString(d.finish()) + "-" + parts.size(),
                ObjectRecord.Checksum.Type.COMPOSITE);
    }

    public void abort(String bucketName, String key, String uploadId) {
        BucketRecord bucket = objects.bucket(bucketName);
        if (!dev.kura.index.codec.KeyCodec.isUploadId(uploadId)) {
            throw noSuchUpload(uploadId);
        }
        objects.apply(new IndexCommand.AbortUpload(bucket.id(), key, uploadId, objects.now()), bucketName, key);
    }

    public List<PartRecord> parts(String bucketName, String key, String uploadId, int afterPart, int max) {
        BucketRecord bucket = objects.bucket(bucketName);
        return index.uploadParts(bucket.id(), key, uploadId, afterPart, max);
    }

    public UploadPage uploads(String bucketName, String prefix, String delimiter, String keyMarker, String uploadIdMarker,
                              int max) {
        BucketRecord bucket = objects.bucket(bucketName);
        return index.uploads(bucket.id(), prefix, delimiter, keyMarker, uploadIdMarker, max);
    }

    static void checkPartNumber(int partNumber) {
        if (partNumber < 1 || partNumber > MAX_PARTS) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive")
                    .with("ArgumentName", "partNumber").with("ArgumentValue", Integer.toString(partNumber));
        }
    }

    static S3Exception noSuchUpload(String uploadId) {
        return new S3Exception(S3ErrorCode.NoSuchUpload).with("UploadId", uploadId);
    }

    private static String unquote(String etag) {
        String t = etag == null ? "" : etag.trim();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }

    private static long toLong(byte[] b) {
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xff);
        }
        return v;
    }

    private static byte[] toBytes(long v, int n) {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) (v >>> (8 * (n - 1 - i)));
        }
        return out;
    }
}
