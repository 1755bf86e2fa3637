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
 * every write (PutObject, UploadPart, CopyObject, UploadPartCopy). The order is the durability
 * promise: the write intent is recorded (synced) before the first byte is written, the bytes are
 * digested as they stream, Content-MD5 and the additional checksum are verified, and only then is
 * the data committed (fsync, rename, directory fsync). The caller makes it visible with an index
 * command; if that fails it calls {@link #discard}. A crash anywhere leaves an intent that names
 * the garbage.
 */
final class Ingest {
    private static final int BUFFER = 256 * 1024;

    /** Data written and verified: where it is, its size, its MD5 and additional checksum. */
    record Written(DataLocation location, long size, byte[] md5, ChecksumAlgorithm algorithm, String checksum) {
    }

    /** What the client said the body is. {@code expectedChecksum} is asked for after the body was read (trailers). */
    record Expect(long length, String contentMd5, ChecksumAlgorithm algorithm, Supplier<String> expectedChecksum) {
        static Expect length(long length) {
            return new Expect(length, null, null, null);
        }
    }

    private final ObjectIndex index;
    private final BlobStore store;
    private final InstantSource clock;
    private final RandomGenerator random;

    Ingest(ObjectIndex index, BlobStore store, InstantSource clock, RandomGenerator random) {
        this.index = index;
        this.store = store;
        this.clock = clock;
        this.random = random;
    }

    Written write(long bucketId, String label, String key, InputStream body, Expect expect) throws IOException {
        DataLocation planned = store.place(DataId.random(random));
        try {
            index.apply(new IndexCommand.RecordIntent(new WriteIntent(planned, bucketId, key,
                    clock.instant().truncatedTo(ChronoUnit.MILLIS))));
        } catch (IndexException e) {
            throw Errors.map(e, label, key);
        }
        try {
            Digest md5 = Digest.md5();
            Digest extra = expect.algorithm() == null ? null : expect.algorithm().newDigest();
            try (BlobWriter writer = store.create(planned, label + "/" + key)) {
                long limit = expect.length() < 0 ? ObjectService.MAX_PUT_SIZE : expect.length();
                long n = copy(body, writer, md5, extra, limit);
                if (expect.length() >= 0 && n != expect.length()) {
                    throw new S3Exception(S3ErrorCode.IncompleteBody);
                }
                byte[] md5Bytes = md5.finish();
                verifyMd5(expect.contentMd5(), md5Bytes);
                String checksum = verifyChecksum(expect, extra);
                DataLocation written = writer.commit();
                return new Written(written, n, md5Bytes, expect.algorithm(), checksum);
            }
        } catch (IOException | RuntimeException e) {
            discard(planned);
            throw e;
        }
    }

    /** Removes data that will never become visible and forgets its intent; the sweeper retries failures. */
    void discard(DataLocation location) {
        try {
            store.delete(location);
            index.apply(new IndexCommand.CancelIntent(location.dataId()));
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
