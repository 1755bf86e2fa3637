package dev.kura.s3.auth;

import static dev.kura.s3.auth.ChunkedBodyTest.fixture;
import static dev.kura.s3.auth.ChunkedBodyTest.random;
import static dev.kura.s3.auth.ChunkedBodyTest.readFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.auth.ChunkedBodyTest.Fixture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Trailing headers of aws-chunked bodies (sigv4-streaming-trailers.html): signed and unsigned,
 * canonical form, declaration in x-amz-trailer, limits.
 */
class ChunkedTrailersTest {
    private static final String SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    private static final String SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
    private static final String UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";

    @Test
    void signedTrailersAreVerifiedWhateverTheirOrder() throws IOException {
        byte[] data = random(70_000);
        Fixture f = fixture(SIGNED_TRAILER, data.length, "x-amz-checksum-crc32, x-amz-meta-z");
        Map<String, String> trailers = new LinkedHashMap<>();
        trailers.put("x-amz-meta-z", "last");
        trailers.put("x-amz-checksum-crc32", "AAAAAA==");
        try (DecodedBody body = f.wrap(f.signedWithTrailers(data, 65536, trailers))) {
            assertThat(body.trailers()).isEmpty();
            assertThat(body.readAllBytes()).isEqualTo(data);
            assertThat(body.trailers()).containsExactly(Map.entry("x-amz-checksum-crc32", "AAAAAA=="),
                    Map.entry("x-amz-meta-z", "last"));
        }
    }

    @Test
    void whitespaceAroundTheTrailerColonIsTolerated() throws IOException {
        byte[] data = random(10);
        Fixture f = fixture(SIGNED_TRAILER, data.length, "x-amz-checksum-crc32");
        String encoded = new String(f.signedWithTrailers(data, 8192, Map.of("x-amz-checksum-crc32", "AAAAAA==")),
                StandardCharsets.ISO_8859_1).replace("x-amz-checksum-crc32:", "X-Amz-Checksum-CRC32 :  ");
        DecodedBody body = f.wrap(encoded.getBytes(StandardCharsets.ISO_8859_1));
        assertThat(body.readAllBytes()).isEqualTo(data);
        assertThat(body.trailers()).containsEntry("x-amz-checksum-crc32", "AAAAAA==");
    }

    @Test
    void trailerSignatureIsRequiredAndChecked() {
        byte[] data = random(10);
        Fixture f = fixture(SIGNED_TRAILER, data.length, null);
        String good = new String(f.signedWithTrailers(data, 8192, Map.of("x-amz-checksum-crc32", "AAAAAA==")),
                StandardCharsets.ISO_8859_1);
        String missing = good.replaceAll("x-amz-trailer-signature:[0-9a-f]{64}\r\n", "");
        S3Exception e = readFails(f.wrap(missing.getBytes(StandardCharsets.ISO_8859_1)), S3ErrorCode.SignatureDoesNotMatch);
        assertThat(e.getMessage()).contains("x-amz-trailer-signature");
        String altered = good.replace("AAAAAA==", "AAAAAB==");
        readFails(f.wrap(altered.getBytes(StandardCharsets.ISO_8859_1)), S3ErrorCode.SignatureDoesNotMatch);
        String added = good.replace("x-amz-trailer-signature", "x-amz-meta-x:1\r\nx-amz-trailer-signature");
        readFails(f.wrap(added.getBytes(StandardCharsets.ISO_8859_1)), S3ErrorCode.SignatureDoesNotMatch);
    }

    @Test
    void trailersAreRejectedWhenTheModeHasNone() {
        byte[] data = random(10);
        Fixture f = fixture(SIGNED, data.length, null);
        byte[] withTrailers = f.signedWithTrailers(data, 8192, Map.of("x-amz-checksum-crc32", "AAAAAA=="));
        readFails(f.wrap(withTrailers), S3ErrorCode.IncompleteBody);
    }

    @Test
    void unsignedTrailers() throws IOException {
        byte[] data = random(20_000);
        Fixture f = fixture(UNSIGNED_TRAILER, data.length, "x-amz-checksum-sha256");
        assertThat(f.auth().payload()).isEqualTo(PayloadMode.STREAMING_UNSIGNED_TRAILER);
        DecodedBody body = f.wrap(TestSigner.unsignedChunked(data, 8192, "x-amz-checksum-sha256:abc=\r\n"));
        assertThat(body.readAllBytes()).isEqualTo(data);
        assertThat(body.trailers()).containsExactly(Map.entry("x-amz-checksum-sha256", "abc="));
    }

    @Test
    void trailersMustBeThoseDeclared() {
        byte[] data = random(10);
        Fixture f = fixture(UNSIGNED_TRAILER, data.length, "x-amz-checksum-crc32");
        readFails(f.wrap(TestSigner.unsignedChunked(data, 8192, "x-amz-checksum-crc32c:AAAAAA==\r\n")),
                S3ErrorCode.IncompleteBody);
        readFails(f.wrap(TestSigner.unsignedChunked(data, 8192, "")), S3ErrorCode.IncompleteBody);
    }

    @ParameterizedTest
    @ValueSource(strings = {"no-colon\r\n", ":value\r\n", " : \r\n"})
    void malformedTrailersAreIncomplete(String trailer) {
        Fixture f = fixture(UNSIGNED_TRAILER, 10, null);
        readFails(f.wrap(TestSigner.unsignedChunked(random(10), 8192, trailer)), S3ErrorCode.IncompleteBody);
    }

    @Test
    void trailerCountIsBounded() throws IOException {
        Fixture f = fixture(UNSIGNED_TRAILER, 10, null);
        StringBuilder sixteen = new StringBuilder();
        for (int i = 0; i < 16; i++) {
            sixteen.append("x-amz-meta-").append(i).append(":v\r\n");
        }
        assertThat(f.wrap(TestSigner.unsignedChunked(random(10), 8192, sixteen.toString())).readAllBytes()).hasSize(10);
        readFails(f.wrap(TestSigner.unsignedChunked(random(10), 8192, sixteen + "x-amz-meta-x:v\r\n")),
                S3ErrorCode.IncompleteBody);
    }

}
