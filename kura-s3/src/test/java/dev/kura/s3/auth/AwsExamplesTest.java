package dev.kura.s3.auth;

import static dev.kura.s3.auth.TestSigner.authenticator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The worked examples AWS publishes as a test suite, with their exact signatures: "Signature
 * Calculations for the Authorization Header: Transferring Payload in a Single Chunk"
 * (sig-v4-header-based-auth.html, "Examples: Signature Calculations") and "Authenticating Requests:
 * Using Query Parameters" (sigv4-query-string-auth.html). Credentials AKIAIOSFODNN7EXAMPLE /
 * wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY, time 20130524T000000Z, region us-east-1.
 */
class AwsExamplesTest {
    private static final String CREDENTIAL = "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";

    @Test
    void getObjectWithRange() {
        RequestHead head = RequestHead.builder("GET", "/test.txt")
                .header("Host", "examplebucket.s3.amazonaws.com")
                .header("Range", "bytes=0-9")
                .header("x-amz-content-sha256", TestSigner.EMPTY_SHA256)
                .header("x-amz-date", "20130524T000000Z")
                .header("Authorization", "AWS4-HMAC-SHA256 " + CREDENTIAL
                        + ",SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                        + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
                .build();
        AuthContext auth = authenticator().authenticate(head);
        assertThat(auth.accessKeyId()).isEqualTo("AKIAIOSFODNN7EXAMPLE");
        assertThat(auth.isAnonymous()).isFalse();
        assertThat(auth.payload()).isEqualTo(PayloadMode.SIGNED);
        assertThat(auth.declaredSha256()).isEqualTo(TestSigner.EMPTY_SHA256);
        assertThat(auth.signing().seedSignature())
                .isEqualTo("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
        assertThat(auth.signing().scope()).isEqualTo("20130524/us-east-1/s3/aws4_request");
        assertThat(auth.signing().amzDate()).isEqualTo("20130524T000000Z");
    }

    /** The key is "test$file.text": the '$' is sent raw and must be signed as %24. */
    @Test
    void putObject() throws IOException {
        RequestHead head = RequestHead.builder("PUT", "/test$file.text")
                .header("Host", "examplebucket.s3.amazonaws.com")
                .header("Date", "Fri, 24 May 2013 00:00:00 GMT")
                .header("x-amz-date", "20130524T000000Z")
                .header("x-amz-storage-class", "REDUCED_REDUNDANCY")
                .header("x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
                .header("Authorization", "AWS4-HMAC-SHA256 " + CREDENTIAL
                        + ",SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
                        + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
                .build();
        AuthContext auth = authenticator().authenticate(head);
        assertThat(auth.payload()).isEqualTo(PayloadMode.SIGNED);

        byte[] body = "Welcome to Amazon S3.".getBytes(StandardCharsets.UTF_8);
        try (DecodedBody decoded = PayloadDecoder.wrap(new ByteArrayInputStream(body), auth, head)) {
            assertThat(decoded.readAllBytes()).isEqualTo(body);
        }
        try (DecodedBody decoded = PayloadDecoder.wrap(
                new ByteArrayInputStream("Welcome to Amazon S4.".getBytes(StandardCharsets.UTF_8)), auth, head)) {
            assertThatThrownBy(decoded::readAllBytes).isInstanceOfSatisfying(S3Exception.class,
                    e -> assertThat(e.code()).isEqualTo(S3ErrorCode.XAmzContentSHA256Mismatch));
        }
    }

    @Test
    void getBucketLifecycle() {
        RequestHead head = RequestHead.builder("GET", "/?lifecycle")
                .header("Host", "examplebucket.s3.amazonaws.com")
                .header("x-amz-date", "20130524T000000Z")
                .header("x-amz-content-sha256", TestSigner.EMPTY_SHA256)
                .header("Authorization", "AWS4-HMAC-SHA256 " + CREDENTIAL
                        + ",SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                        + "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
                .build();
        assertThat(authenticator().authenticate(head).accessKeyId()).isEqualTo("AKIAIOSFODNN7EXAMPLE");
    }

    @Test
    void listObjects() {
        RequestHead head = RequestHead.builder("GET", "/?max-keys=2&prefix=J")
                .header("Host", "examplebucket.s3.amazonaws.com")
                .header("x-amz-date", "20130524T000000Z")
                .header("x-amz-content-sha256", TestSigner.EMPTY_SHA256)
                .header("Authorization", "AWS4-HMAC-SHA256 " + CREDENTIAL
                        + ",SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                        + "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
                .build();
        assertThat(authenticator().authenticate(head).accessKeyId()).isEqualTo("AKIAIOSFODNN7EXAMPLE");
    }

    /** The same list request with its parameters in the other order signs the same. */
    @Test
    void listObjectsWithParametersReordered() {
        RequestHead head = RequestHead.builder("GET", "/?prefix=J&max-keys=2")
                .header("Host", "examplebucket.s3.amazonaws.com")
                .header("x-amz-date", "20130524T000000Z")
                .header("x-amz-content-sha256", TestSigner.EMPTY_SHA256)
                .header("Authorization", "AWS4-HMAC-SHA256 " + CREDENTIAL
                        + ",SignedHeaders=host;x-amz-content-sha256;x-amz-date,"
                        + "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
                .build();
        assertThat(authenticator().authenticate(head).accessKeyId()).isEqualTo("AKIAIOSFODNN7EXAMPLE");
    }

    @Test
    void presignedGetObject() {
        RequestHead head = RequestHead.builder("GET", "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                        + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                        + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                        + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
                .header("Host", "examplebucket.s3.amazonaws.com")
                .build();
        AuthContext auth = TestSigner.authenticator(TestSigner.NOW.plusSeconds(86_000)).authenticate(head);
        assertThat(auth.accessKeyId()).isEqualTo("AKIAIOSFODNN7EXAMPLE");
        assertThat(auth.payload()).isEqualTo(PayloadMode.UNSIGNED);
        assertThat(auth.declaredSha256()).isNull();
    }

    @Test
    void presignedGetObjectExpiresAfterItsDay() {
        RequestHead head = RequestHead.builder("GET", "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
                        + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
                        + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
                        + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
                .header("Host", "examplebucket.s3.amazonaws.com")
                .build();
        assertThatThrownBy(() -> TestSigner.authenticator(TestSigner.NOW.plusSeconds(86_401)).authenticate(head))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.code()).isEqualTo(S3ErrorCode.AccessDenied);
                    assertThat(e.getMessage()).isEqualTo("Request has expired");
                    assertThat(e.details()).containsEntry("X-Amz-Expires", "86400")
                            .containsEntry("Expires", "2013-05-25T00:00:00Z")
                            .containsEntry("ServerTime", "2013-05-25T00:00:01Z");
                });
    }
}
