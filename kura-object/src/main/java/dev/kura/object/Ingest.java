package dev.kura.object;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.common.Digest;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.ObjectIndex;
import dev.kura.index.WriteIntent;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.storage.BlobStore;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.QuorumLostException;
import dev.kura.storage.StorageFullException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Turns a byte stream into durable, verified data that nothing references yet — the first half of
 * every write (PutObject, UploadPart, CopyObject, UploadPartCopy). The caller makes it visible with
 * an index command; if that fails it calls {@link #discard}.
 *
 * <p>Two ways, chosen by size:
 * <ul>
 *   <li><b>Inline</b> (at most {@code inlineThreshold} bytes, PutObject and CopyObject only): the
 *       bytes are read into memory, digested and verified, and travel inside the index command, so
 *       the one synced index commit that makes the object visible also makes its bytes durable. No
 *       data file, no intent, no fsync of its own.</li>
 *   <li><b>On the drives</b>: the write intent is applied to the index <i>unsynced</i>, the bytes
 *       stream to a temp file (digested as they go), Content-MD5 and the additional checksum are
 *       verified, the file is synced, and then — before it is renamed into place, the point from
 *       which it could outlive a crash as a findable file — the intent is made durable
 *       ({@link ObjectIndex#awaitDurable}, free when another commit synced the log meanwhile).
 *       A crash before the rename leaves only a temp file (purged at start); after it, a durable
 *       intent names the garbage for the sweeper. So the intent costs no synced write of its own.
 *       The data carries an annotation (what it is: the bucket and the record to be committed), so the
 *       index can be rebuilt from the drives.</li>
 * </ul>
 */
final class Ingest {
    private static final int BUFFER = 256 * 1024;

    /**
     * Data written and verified: where it is, its size, its MD5 and additional checksum; for inline
     * data ({@code location.isInline()}) the bytes, which the index command must carry.
     */
    record Written(DataLocation location, long size, byte[] md5, ChecksumAlgorithm algorithm, String checksum,
                   byte[] inline) {
    }

    /** The index could not make an intent durable: the write aborts, and the failure is the index's. */
    static final class IntentNotDurable extends RuntimeException {
        final IndexException cause;

        IntentNotDurable(IndexException cause) {
            super(cause);
            this.cause = cause;
        }
    }

    /**
     * What the client said the body is. {@code expectedChecksum} is asked for after the body was read
     * (trailers). {@code sealer}: the data is stored encrypted with it (lengths, digests and checksums
     * stay those of the plain bytes; only the stored bytes and the location's length differ), or null.
     */
    record Expect(long length, String contentMd5, ChecksumAlgorithm algorithm, Supplier<String> expectedChecksum,
                  Encryption.Sealer sealer) {
        Expect(long length, String contentMd5, ChecksumAlgorithm algorithm, Supplier<String> expectedChecksum) {
            this(length, contentMd5, algorithm, expectedChecksum, null);
        }

        static Expect length(long length) {
            return new Expect(length, null, null, null);
        }

        Expect sealedWith(Encryption.Sealer s) {
            return new Expect(length, contentMd5, algorithm, expectedChecksum, s);
        }

        /** The stored length of the declared plain length (-1 when unknown). */
        long storedLength() {
            return sealer == null ? length : SealedData.storedLength(length);
        }

        long storedLength(long plain) {
            return sealer == null ? plain : SealedData.storedLength(plain);
        }
    }

    private final ObjectIndex index;
    private final BlobStore store;
    private final InstantSource clock;
    private final RandomGenerator random;
    private final int inlineThreshold;

    Ingest(ObjectIndex index, BlobStore store, InstantSource clock, RandomGenerator random, int inlineThreshold) {
        this.index = index;
        this.store = store;
        this.clock = clock;
        this.random = random;
        this.inlineThreshold = inlineThreshold;
    }

    /**
     * Describes data on the drives for the annotation stored with it (a {@code DataAnnotation}): called
     * once, after the data is verified and just before the storage commit, with the data as written at
     * its planned location. Not called for inline data, which lives only in the index.
     */
    @FunctionalInterface
    interface Annotate {
        byte[] annotation(Written planned);
    }

    /** Writes data that may be kept inline when small (whole objects). */
    Written write(long bucketId, String label, String key, InputStream body, Expect expect, Annotate annotate)
            throws IOException {
        return write(bucketId, label, key, body, expect, true, annotate);
    }

    /** Writes data to the drives only (multipart parts, whose rows move at completion). */
    Written writeToDrives(long bucketId, String label, String key, InputStream body, Expect expect, Annotate annotate)
            throws IOException {
        return write(bucketId, label, key, body, expect, false, annotate);
    }

    private Written write(long bucketId, String label, String key, InputStream body, Expect expect, boolean mayInline,
                          Annotate annotate) throws IOException {
        try {
            return writeOrFail(bucketId, label, key, body, expect, mayInline, annotate);
        } catch (IOException e) {
            if (StorageFullException.isFull(e)) {
                // The write's partial data is already gone (aborted and discarded on the way out).
                throw new S3Exception(S3ErrorCode.InsufficientStorage);
            }
            if (e instanceof dev.kura.storage.InsufficientDrivesException) {
                // Too few drives up to keep any parity: refused rather than stored without redundancy.
                throw new S3Exception(S3ErrorCode.ServiceUnavailable,
                        "Too few drives are online to store data with parity; try again when drives are back. " + e.getMessage());
            }
            throw e;
        }
    }

    private Written writeOrFail(long bucketId, String label, String key, InputStream body, Expect expect,
                                boolean mayInline, Annotate annotate) throws IOException {
        if (mayInline && inlineThreshold >= 0 && expect.length() <= inlineThreshold) {
            // Declared small, or unknown (HTTP-chunked): read at most one byte past the threshold to decide.
            byte[] head = body.readNBytes(inlineThreshold + 1);
            if (head.length <= inlineThreshold) {
                store.checkSpace(head.length); // the index shares the first drive's file system by default
                return inline(head, expect);
            }
            body = new java.io.SequenceInputStream(new java.io.ByteArrayInputStream(head), body);
        }
        DataLocation planned = plan(bucketId, label, key, expect);
        BlobWriter opened = null;
        for (int attempt = 1; opened == null; attempt++) {
            try {
                opened = store.create(planned, label + "/" + key);
            } catch (QuorumLostException e) {
                discard(planned);
                if (attempt == OPEN_ATTEMPTS) {
                    throw e;
                }
                // Lost as the shards opened, before a byte of the body was taken: the drives that failed are out
                // of placement now (a remote one marked unreachable: a node just cut off), so place it again.
                planned = plan(bucketId, label, key, expect);
            } catch (IOException | RuntimeException e) {
                discard(planned);
                throw e;
            }
        }
        try {
            Digest md5 = Digest.md5();
            Digest extra = expect.algorithm() == null ? null : expect.algorithm().newDigest();
            try (BlobWriter raw = opened) {
                BlobWriter writer = expect.sealer() == null ? raw : new SealingWriter(raw, expect.sealer());
                long limit = expect.length() < 0 ? ObjectService.MAX_PUT_SIZE : expect.length();
                long n = copy(body, writer, md5, extra, limit);
                if (expect.length() >= 0 && n != expect.length()) {
                    throw new S3Exception(S3ErrorCode.IncompleteBody);
                }
                byte[] md5Bytes = md5.finish();
                verifyMd5(expect.contentMd5(), md5Bytes);
                String checksum = verifyChecksum(expect, extra);
                Written asPlanned = new Written(new DataLocation(planned.dataId(), planned.layoutEpoch(),
                        planned.scheme(), planned.drives(), planned.blockSize(), expect.storedLength(n)), n, md5Bytes,
                        expect.algorithm(),
                        checksum, null);
                DataLocation written = writer.commit(this::intentDurable, annotate.annotation(asPlanned));
                return new Written(written, n, md5Bytes, expect.algorithm(), checksum, null);
            }
        } catch (IntentNotDurable e) {
            discard(planned);
            throw Errors.map(e.cause, label, key);
        } catch (IOException | RuntimeException e) {
            discard(planned);
            throw e;
        }
    }

    /**
     * Placements a write tries when its quorum is lost as its shards open: each failure takes the drives that
     * failed out of placement, so a few are enough for a node (or two) just cut off.
     */
    private static final int OPEN_ATTEMPTS = 3;

    /** Places new data for {@code key} and records its write intent (before any shard exists). */
    private DataLocation plan(long bucketId, String label, String key, Expect expect) throws IOException {
        DataLocation planned = store.place(DataId.random(random), expect.storedLength());
        try {
            index.applyUnsynced(new IndexCommand.RecordIntent(new WriteIntent(planned, bucketId, key,
                    clock.instant().truncatedTo(ChronoUnit.MILLIS))));
        } catch (IndexException e) {
            throw Errors.map(e, label, key);
        }
        return planned;
    }

    private void intentDurable() {
        try {
            index.awaitDurable();
        } catch (IndexException e) {
            throw new IntentNotDurable(e);
        }
    }

    /** Small data, already whole in memory: verify it; the index command will carry it. */
    private Written inline(byte[] bytes, Expect expect) throws IOException {
        if (expect.length() >= 0 && bytes.length != expect.length()) {
            throw bytes.length > expect.length()
                    ? new S3Exception(S3ErrorCode.IncompleteBody, "The request body is longer than its declared length")
                    : new S3Exception(S3ErrorCode.IncompleteBody);
        }
        Digest md5 = Digest.md5();
        md5.update(bytes, 0, bytes.length);
        byte[] md5Bytes = md5.finish();
        verifyMd5(expect.contentMd5(), md5Bytes);
        Digest extra = expect.algorithm() == null ? null : expect.algorithm().newDigest();
        if (extra != null) {
            extra.update(bytes, 0, bytes.length);
        }
        String checksum = verifyChecksum(expect, extra);
        byte[] stored = expect.sealer() == null ? bytes : SealingWriter.sealAll(bytes, expect.sealer());
        DataLocation location = DataLocation.inline(DataId.random(random), stored.length);
        return new Written(location, bytes.length, md5Bytes, expect.algorithm(), checksum, stored);
    }

    /**
     * Removes data that will never become visible and forgets its intent; the sweeper retries failures.
     * Only for data whose index command certainly failed: when the outcome is unknown (the index
     * timed out or broke after the command was submitted), the data may be referenced, and must stay.
     */
    /** After the index command that would reference {@code w} failed: discard, unless it may have applied. */
    void abandon(Written w, Exception failure) {
        if (!(failure instanceof IndexException.OutcomeUnknown)) {
            discard(w.location());
        }
    }

    void discard(DataLocation location) {
        if (location.isInline()) {
            return; // nothing outside the index command, which failed
        }
        try {
            store.delete(location);
            index.applyUnsynced(new IndexCommand.CancelIntent(location.dataId()));
        } catch (IOException | IndexException | UncheckedIOException e) {
            // Left for the sweeper: the intent row still names this data.
        }
    }

    private static long copy(InputStream body, BlobWriter writer, Digest md5, Digest extra, long limit) throws IOException {
        byte[] buf = new byte[BUFFER];
        long total = 0;
        int n;
        while ((n = body.read(buf)) > 0) {
            total += n;
            if (total > limit) {
                throw limit == ObjectService.MAX_PUT_SIZE ? new S3Exception(S3ErrorCode.EntityTooLarge)
                        : new S3Exception(S3ErrorCode.IncompleteBody, "The request body is longer than its declared length");
            }
            md5.update(buf, 0, n);
            if (extra != null) {
                extra.update(buf, 0, n);
            }
            writer.write(ByteBuffer.wrap(buf, 0, n));
        }
        return total;
    }

    static void verifyMd5(String contentMd5, byte[] actual) {
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
        if (!MessageDigest.isEqual(expected, actual)) {
            throw new S3Exception(S3ErrorCode.BadDigest).with("ExpectedDigest", contentMd5)
                    .with("CalculatedDigest", Base64.getEncoder().encodeToString(actual));
        }
    }

    private static String verifyChecksum(Expect expect, Digest digest) {
        if (expect.algorithm() == null) {
            return null;
        }
        String actual = Base64.getEncoder().encodeToString(digest.finish());
        String expected = expect.expectedChecksum() == null ? null : expect.expectedChecksum().get();
        if (expected != null && !expected.trim().equals(actual)) {
            throw new S3Exception(S3ErrorCode.BadDigest,
                    "The " + expect.algorithm().name() + " you specified did not match the calculated checksum.");
        }
        return actual;
    }
}
