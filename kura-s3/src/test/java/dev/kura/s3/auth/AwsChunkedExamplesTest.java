package dev.kura.s3.auth;

import static dev.kura.s3.auth.TestSigner.authenticator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * AWS's aws-chunked examples, bytes rebuilt from the pages: "Example: PUT Object" of
 * sigv4-streaming.html (66560 bytes of 'a' in a 65536- and a 1024-byte chunk, seed signature
 * 4f232c43…), the same upload with a signed CRC32C trailer from sigv4-streaming-trailers.html (seed
 * 106e2a8a…, trailer signature d81f82fc…) and the STREAMING-UNSIGNED-PAYLOAD-TRAILER request AWS
 * gives for amzn-s3-demo-bucket/Key+ (17408 bytes, CRC32 s3SFCQ==).
 */
class AwsChunkedExamplesTest {
    private static final String CREDENTIAL = "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";

    private static RequestHead streamingHead() {
        return RequestHead.builder("PUT", "/examplebucket/chunkObject.txt")
                .header("Host", "s3.amazonaws.com")
                .header("x-amz-date", "20130524T000000Z")
                .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
                .header("Authorization", CREDENTIAL + ",SignedHeaders=content-encoding;content-length;host;"
                        + "x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,"
                        + "Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
                .header("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
                .header("Content-Encoding", "aws-chunked")
                .header("x-amz-decoded-content-length", "66560")
                .header("Content-Length", "66824")
                .build();
    }

    private static byte[] streamingBody() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii("10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n"));
        out.writeBytes(a(65536));
        out.writeBytes(ascii("\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n"));
        out.writeBytes(a(1024));
        out.writeBytes(ascii("\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n"));
        return out.toByteArray();
    }

    @Test
    void streamingPutObjectDecodes() throws IOException {
        RequestHead head = streamingHead();
        AuthContext auth = authenticator().authenticate(head);
        assertThat(auth.payload()).isEqualTo(PayloadMode.STREAMING_SIGNED);
        assertThat(auth.signing().seedSignature())
                .isEqualTo("4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
        byte[] body = streamingBody();
        assertThat(body).hasSize(66824);
        try (DecodedBody decoded = PayloadDecoder.wrap(new ByteArrayInputStream(body), auth, head)) {
            assertThat(decoded.readAllBytes()).isEqualTo(a(66560));
            assertThat(decoded.read()).isEqualTo(-1);
            assertThat(decoded.trailers()).isEmpty();
        }
    }

    @Test
    void streamingPutObjectWithAFlippedDataByteFails() {
        RequestHead head = streamingHead();
        AuthContext auth = authenticator().authenticate(head);
        byte[] body = streamingBody();
        body[66000] = 'b'; // inside the second chunk
        assertSignatureFails(PayloadDecoder.wrap(new ByteArrayInputStream(body), auth, head));
        byte[] first = streamingBody();
        first[200] = 'b'; // inside the first chunk
        assertSignatureFails(PayloadDecoder.wrap(new ByteArrayInputStream(first), auth, head));
    }

    @Test
    void streamingPutObjectWithAFlippedSignatureFails() {
        RequestHead head = streamingHead();
        AuthContext auth = authenticator().authenticate(head);
        byte[] body = streamingBody();
        int last = new String(body, StandardCharsets.ISO_8859_1).lastIndexOf("b6c6ea8a");
        body[last] = 'c';
        assertSignatureFails(PayloadDecoder.wrap(new ByteArrayInputStream(body), auth, head));
    }

    private static RequestHead trailerHead() {
        return RequestHead.builder("PUT", "/examplebucket/chunkObject.txt")
                .header("Host", "s3.amazonaws.com")
                .header("x-amz-date", "20130524T000000Z")
                .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
                .header("Authorization", CREDENTIAL + ",SignedHeaders=content-encoding;host;x-amz-content-sha256;"
                        + "x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,"
                        + "Signature=106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e")
                .header("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER")
                .header("Content-Encoding", "aws-chunked")
                .header("x-amz-decoded-content-length", "66560")
                .header("x-amz-trailer", "x-amz-checksum-crc32c")
                .build();
    }

    private static byte[] trailerBody(String checksum, String trailerSignature) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii("10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n"));
        out.writeBytes(a(65536));
        out.writeBytes(ascii("\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n"));
        out.writeBytes(a(1024));
        out.writeBytes(ascii("\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n"));
        out.writeBytes(ascii("x-amz-checksum-crc32c:" + checksum + "\r\n"));
        out.writeBytes(ascii("x-amz-trailer-signature:" + trailerSignature + "\r\n\r\n"));
        return out.toByteArray();
    }

    private static final String TRAILER_SIGNATURE = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";

    @Test
    void signedTrailerExampleDecodes() throws IOException {
        RequestHead head = trailerHead();
        AuthContext auth = authenticator().authenticate(head);
        assertThat(auth.payload()).isEqualTo(PayloadMode.STREAMING_SIGNED_TRAILER);
        byte[] body = trailerBody("sOO8/Q==", TRAILER_SIGNATURE);
        assertThat(body).hasSize(66946);
        try (DecodedBody decoded = PayloadDecoder.wrap(new ByteArrayInputStream(body), auth, head)) {
            byte[] data = decoded.readAllBytes();
            assertThat(data).isEqualTo(a(66560));
            assertThat(decoded.trailers()).containsExactly(java.util.Map.entry("x-amz-checksum-crc32c", "sOO8/Q=="));
            assertThat(decoded.trailers().get("x-amz-checksum-crc32c")).isEqualTo(crc(ChecksumAlgorithm.CRC32C, data));
        }
    }

    @Test
    void signedTrailerExampleWithAnAlteredChecksumFails() {
        RequestHead head = trailerHead();
        AuthContext auth = authenticator().authenticate(head);
        byte[] body = trailerBody("AAAAAA==", TRAILER_SIGNATURE);
        assertSignatureFails(PayloadDecoder.wrap(new ByteArrayInputStream(body), auth, head));
    }

    @Test
    void signedTrailerExampleWithAnAlteredSignatureFails() {
        RequestHead head = trailerHead();
        AuthContext auth = authenticator().authenticate(head);
        byte[] body = trailerBody("sOO8/Q==", TRAILER_SIGNATURE.replace('d', 'e'));
        assertSignatureFails(PayloadDecoder.wrap(new ByteArrayInputStream(body), auth, head));
    }

    /** AWS's body ends "s3SFCQ==\n\r\n\r\n": one stray line end that must be tolerated. */
    @Test
    void unsignedTrailerExampleDecodes() throws IOException {
        RequestHead head = RequestHead.builder("PUT", "/Key+")
                .header("Host", "amzn-s3-demo-bucket.s3.amazonaws.com")
                .header("Content-Encoding", "aws-chunked")
                .header("x-amz-decoded-content-length", "17408")
                .header("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
                .header("x-amz-trailer", "x-amz-checksum-crc32")
                .header("Authorization", CREDENTIAL + ",SignedHeaders=content-encoding;host;x-amz-content-sha256;"
                        + "x-amz-date;x-amz-decoded-content-length;x-amz-trailer,"
                        + "Signature=8fdf2b7a7005b82789d2a9cec832705457298e8a6a908f8c85f17e44c707aa64")
                .header("x-amz-date", "20130524T000000Z")
                .build();
        AuthContext auth = authenticator().authenticate(head);
        assertThat(auth.payload()).isEqualTo(PayloadMode.STREAMING_UNSIGNED_TRAILER);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii("2000\r\n"));
        out.writeBytes(a(8192));
        out.writeBytes(ascii("\r\n2000\r\n"));
        out.writeBytes(a(8192));
        out.writeBytes(ascii("\r\n400\r\n"));
        out.writeBytes(a(1024));
        out.writeBytes(ascii("\r\n0\r\nx-amz-checksum-crc32:s3SFCQ==\n\r\n\r\n"));
        try (DecodedBody decoded = PayloadDecoder.wrap(new ByteArrayInputStream(out.toByteArray()), auth, head)) {
            byte[] data = decoded.readAllBytes();
            assertThat(data).isEqualTo(a(17408));
            assertThat(decoded.trailers()).containsEntry("x-amz-checksum-crc32", "s3SFCQ==");
            assertThat(crc(ChecksumAlgorithm.CRC32, data)).isEqualTo("s3SFCQ==");
        }
    }

    static void assertSignatureFails(DecodedBody body) {
        assertThatThrownBy(body::readAllBytes).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.code()).isEqualTo(S3ErrorCode.SignatureDoesNotMatch));
    }

    private static String crc(ChecksumAlgorithm algorithm, byte[] data) {
        var d = algorithm.newDigest();
        d.update(data, 0, data.length);
        return Base64.getEncoder().encodeToString(d.finish());
    }

    static byte[] a(int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) 'a');
        return b;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
