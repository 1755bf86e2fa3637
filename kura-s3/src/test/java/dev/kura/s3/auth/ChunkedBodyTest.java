package dev.kura.s3.auth;

import static dev.kura.s3.auth.AwsChunkedExamplesTest.ascii;
import static dev.kura.s3.auth.HeaderAuthTest.fails;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** aws-chunked decoding, signed and unsigned, against bodies built by the independent {@link TestSigner}. */
class ChunkedBodyTest {
    private static final String SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    private static final String SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    private static final String UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    /** A signed request head, its auth result, and what the test signer needs to sign its body. */
    record Fixture(RequestHead head, AuthContext auth, byte[] key, String seed) {
        DecodedBody wrap(byte[] body) {
            return PayloadDecoder.wrap(new ByteArrayInputStream(body), auth, head);
        }

        byte[] signed(byte[] data, int chunkSize) {
            return TestSigner.signedChunked(data, chunkSize, key, seed, null);
        }

        byte[] signedWithTrailers(byte[] data, int chunkSize, Map<String, String> trailers) {
            return TestSigner.signedChunked(data, chunkSize, key, seed, trailers);
        }
    }

    static Fixture fixture(String contentSha256, long decodedLength, String trailer) {
        TestSigner.Request r = new TestSigner.Request("PUT", "/bucket/key").header("content-encoding", "aws-chunked");
        if (decodedLength >= 0) {
            r.header("x-amz-decoded-content-length", Long.toString(decodedLength));
        }
        if (trailer != null) {
            r.header("x-amz-trailer", trailer);
        }
        RequestHead head = r.signHeader(contentSha256);
        AuthContext auth = TestSigner.authenticator().authenticate(head);
        return new Fixture(head, auth, TestSigner.signingKey(TestSigner.SECRET, "20130524", TestSigner.REGION), r.signature);
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    static byte[] readAll(InputStream in, int bufferSize) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[bufferSize];
        for (int n; (n = in.read(buf)) >= 0; ) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    static S3Exception readFails(DecodedBody body, S3ErrorCode code) {
        return fails(body::readAllBytes, code);
    }

    @ParameterizedTest
    @CsvSource({"0, 8192", "1, 8192", "8192, 8192", "8193, 8192", "212009, 65536", "131072, 131072", "300000, 100000"})
    void signedRoundTrip(int size, int chunkSize) throws IOException {
        byte[] data = random(size);
        Fixture f = fixture(SIGNED, size, null);
        assertThat(f.auth().payload()).isEqualTo(PayloadMode.STREAMING_SIGNED);
        try (DecodedBody body = f.wrap(f.signed(data, chunkSize))) {
            assertThat(readAll(body, 1000)).isEqualTo(data);
            assertThat(body.read()).isEqualTo(-1);
            assertThat(body.trailers()).isEmpty();
        }
    }

    @Test
    void byteByByteAndOddBuffersGiveTheSameBytes() throws IOException {
        byte[] data = random(20_000);
        Fixture f = fixture(SIGNED, -1, null);
        byte[] encoded = f.signed(data, 8192);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DecodedBody body = f.wrap(encoded)) {
            for (int b; (b = body.read()) >= 0; ) {
                out.write(b);
            }
        }
        assertThat(out.toByteArray()).isEqualTo(data);
        for (int buffer : new int[] {1, 7, 8191, 8192, 8193, 70_000}) {
            assertThat(readAll(f.wrap(encoded), buffer)).isEqualTo(data);
        }
    }

    @Test
    void forgedChunkTailIsNeverReleased() throws IOException {
        byte[] data = random(3 * 8192);
        Fixture f = fixture(SIGNED, data.length, null);
        byte[] encoded = f.signed(data, 8192);
        int secondChunkData = new String(encoded, StandardCharsets.ISO_8859_1).indexOf("\r\n", 8192 + 100) + 2;
        encoded[secondChunkData + 10] ^= 1;
        DecodedBody body = f.wrap(encoded);
        byte[] buf = new byte[100];
        long delivered = 0;
        try {
            for (int n; (n = body.read(buf)) >= 0; ) {
                delivered += n;
            }
            throw new AssertionError("forged chunk accepted");
        } catch (S3Exception e) {
            assertThat(e.code()).isEqualTo(S3ErrorCode.SignatureDoesNotMatch);
        }
        assertThat(delivered).isLessThan(2 * 8192).isGreaterThanOrEqualTo(8192);
        // The failure is sticky: a caller that retries does not get the rest or a clean end.
        assertThatThrownBy(() -> body.read(buf)).isInstanceOf(S3Exception.class);
        assertThatThrownBy(body::read).isInstanceOf(S3Exception.class);
    }

    @Test
    void reorderedChunksFail() {
        byte[] data = random(2 * 8192);
        Fixture f = fixture(SIGNED, data.length, null);
        byte[] encoded = f.signed(data, 8192);
        int chunkLength = "2000;chunk-signature=".length() + 64 + 2 + 8192 + 2;
        byte[] swapped = encoded.clone();
        System.arraycopy(encoded, chunkLength, swapped, 0, chunkLength);
        System.arraycopy(encoded, 0, swapped, chunkLength, chunkLength);
        readFails(f.wrap(swapped), S3ErrorCode.SignatureDoesNotMatch);
    }

    @Test
    void aBodySignedByAnotherRequestFails() {
        byte[] data = random(100);
        Fixture f = fixture(SIGNED, data.length, null);
        byte[] other = TestSigner.signedChunked(data, 8192, f.key(), "0".repeat(64), null);
        readFails(f.wrap(other), S3ErrorCode.SignatureDoesNotMatch);
    }

    @Test
    void missingChunkSignatureFails() {
        Fixture f = fixture(SIGNED, 3, null);
        readFails(f.wrap(ascii("3\r\nabc\r\n0\r\n\r\n")), S3ErrorCode.SignatureDoesNotMatch);
        readFails(f.wrap(ascii("3;chunk-sig=00\r\nabc\r\n0\r\n\r\n")), S3ErrorCode.SignatureDoesNotMatch);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10, 50, 90, 200, 8000, 8280, 8283, 8300})
    void truncatedBodyIsIncomplete(int cut) {
        byte[] data = random(8192 + 10);
        Fixture f = fixture(SIGNED, -1, null);
        byte[] encoded = f.signed(data, 8192);
        assertThat(cut).isLessThan(encoded.length - 2);
        readFails(f.wrap(Arrays.copyOf(encoded, cut)), S3ErrorCode.IncompleteBody);
    }

    /** Only the very last CRLF may be missing: every signed byte has been seen by then. */
    @Test
    void missingFinalCrlfIsTolerated() throws IOException {
        byte[] data = random(100);
        Fixture f = fixture(SIGNED, data.length, null);
        byte[] encoded = f.signed(data, 8192);
        assertThat(f.wrap(Arrays.copyOf(encoded, encoded.length - 2)).readAllBytes()).isEqualTo(data);
    }

    @Test
    void bareLineFeedsAndTrailingBlanksAreTolerated() throws IOException {
        byte[] data = random(9000);
        Fixture f = fixture(SIGNED, data.length, null);
        String encoded = new String(f.signed(data, 8192), StandardCharsets.ISO_8859_1);
        String quirky = encoded.replaceAll("(chunk-signature=[0-9a-f]{64})\r\n", "$1 \t\n");
        assertThat(f.wrap(quirky.getBytes(StandardCharsets.ISO_8859_1)).readAllBytes()).isEqualTo(data);
    }

    @ParameterizedTest
    @ValueSource(strings = {"zz", "-1", "0x10", "", " ", "1 0", "10000000000000000", "1000001"})
    void badChunkSizeIsIncomplete(String size) {
        Fixture f = fixture(UNSIGNED_TRAILER, -1, null);
        readFails(f.wrap(ascii(size + "\r\nabc\r\n0\r\n\r\n")), S3ErrorCode.IncompleteBody);
    }

    @Test
    void chunkLongerThanItsSizeIsIncomplete() {
        Fixture f = fixture(UNSIGNED_TRAILER, -1, null);
        readFails(f.wrap(ascii("3\r\nabcd\r\n0\r\n\r\n")), S3ErrorCode.IncompleteBody);
    }

    @Test
    void onlyTheLastSignedChunkMayBeSmall() {
        byte[] data = random(8000 + 8192);
        Fixture f = fixture(SIGNED, data.length, null);
        S3Exception e = readFails(f.wrap(smallThenFull(f, data)), S3ErrorCode.InvalidChunkSizeError);
        assertThat(e.details()).containsEntry("Chunk", "1").containsEntry("BadChunkSize", "8000");
        assertThat(e.code().status()).isEqualTo(403);
    }

    /** A signed body whose first chunk is 8000 bytes and second 8192. */
    private static byte[] smallThenFull(Fixture f, byte[] data) {
        String scope = "20130524/us-east-1/s3/aws4_request";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String previous = f.seed();
        int[] sizes = {8000, 8192, 0};
        int off = 0;
        for (int n : sizes) {
            byte[] chunk = Arrays.copyOfRange(data, off, off + n);
            String sts = "AWS4-HMAC-SHA256-PAYLOAD\n" + TestSigner.AMZ_DATE + "\n" + scope + "\n" + previous + "\n"
                    + TestSigner.EMPTY_SHA256 + "\n" + TestSigner.hex(TestSigner.sha256(chunk));
            previous = TestSigner.hex(TestSigner.hmac(f.key(), sts));
            out.writeBytes(ascii(Integer.toHexString(n) + ";chunk-signature=" + previous + "\r\n"));
            out.writeBytes(chunk);
            out.writeBytes(ascii("\r\n"));
            off += n;
        }
        return out.toByteArray();
    }

    @Test
    void smallUnsignedChunksAreFine() throws IOException {
        byte[] data = random(1000);
        Fixture f = fixture(UNSIGNED_TRAILER, data.length, null);
        assertThat(f.wrap(TestSigner.unsignedChunked(data, 7, "")).readAllBytes()).isEqualTo(data);
    }

    @Test
    void decodedLengthMustMatch() {
        byte[] data = random(10_000);
        Fixture longer = fixture(SIGNED, 10_001, null);
        S3Exception e = readFails(longer.wrap(longer.signed(data, 8192)), S3ErrorCode.IncompleteBody);
        assertThat(e.getMessage()).contains("x-amz-decoded-content-length");
        Fixture shorter = fixture(SIGNED, 9_999, null);
        readFails(shorter.wrap(shorter.signed(data, 8192)), S3ErrorCode.IncompleteBody);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "ten", "1.5"})
    void invalidDecodedLengthIsInvalidArgument(String value) {
        Fixture f = fixture(SIGNED, -1, null);
        RequestHead.Builder b = RequestHead.builder("PUT", "/bucket/key").header("x-amz-decoded-content-length", value);
        fails(() -> PayloadDecoder.wrap(new ByteArrayInputStream(new byte[0]), f.auth(), b.build()),
                S3ErrorCode.InvalidArgument);
    }

    @Test
    void dataAfterTheEndIsRejectedButBlankLinesAreNot() throws IOException {
        byte[] data = random(10);
        Fixture f = fixture(SIGNED, data.length, null);
        byte[] encoded = f.signed(data, 8192);
        byte[] garbage = Arrays.copyOf(encoded, encoded.length + 3);
        garbage[encoded.length] = 'x';
        readFails(f.wrap(garbage), S3ErrorCode.IncompleteBody);
        byte[] blanks = Arrays.copyOf(encoded, encoded.length + 4);
        System.arraycopy(ascii("\r\n\r\n"), 0, blanks, encoded.length, 4);
        assertThat(f.wrap(blanks).readAllBytes()).isEqualTo(data);
    }

    @Test
    void framingLinesAreBounded() {
        Fixture f = fixture(UNSIGNED_TRAILER, 10, null);
        String longTrailer = "x-amz-checksum-crc32:" + "A".repeat(LineInput.MAX_LINE) + "\r\n";
        S3Exception e = readFails(f.wrap(TestSigner.unsignedChunked(random(10), 8192, longTrailer)),
                S3ErrorCode.IncompleteBody);
        assertThat(e.getMessage()).contains("longer than");
        readFails(f.wrap(ascii("a;" + "x".repeat(10_000) + "\r\n")), S3ErrorCode.IncompleteBody);
    }

    /** Streams: the decoder reads ahead at most one small buffer, whatever the chunk size. */
    @Test
    void readAheadIsBounded() throws IOException {
        byte[] data = random(4 << 20);
        Fixture f = fixture(SIGNED, data.length, null);
        byte[] encoded = f.signed(data, 1 << 20);
        long[] consumed = new long[1];
        InputStream counting = new FilterInputStream(new ByteArrayInputStream(encoded)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                consumed[0] += Math.max(n, 0);
                return n;
            }
        };
        DecodedBody body = PayloadDecoder.wrap(counting, f.auth(), f.head());
        byte[] buf = new byte[4096];
        long decoded = 0;
        for (int n; (n = body.read(buf)) >= 0; ) {
            decoded += n;
            assertThat(consumed[0] - decoded).isLessThan(8192 + 4 * 100L);
        }
        assertThat(decoded).isEqualTo(data.length);
    }

}
