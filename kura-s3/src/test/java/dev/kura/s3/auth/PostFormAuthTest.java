package dev.kura.s3.auth;

import static dev.kura.s3.auth.TestSigner.AKID;
import static dev.kura.s3.auth.TestSigner.SECRET;
import static dev.kura.s3.auth.TestSigner.authenticator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostFormAuthTest {
    static final String POLICY = Base64.getEncoder().encodeToString(
            "{\"expiration\": \"2013-05-25T00:00:00Z\", \"conditions\": []}".getBytes(StandardCharsets.UTF_8));

    static Map<String, String> v4() {
        Map<String, String> f = new HashMap<>();
        f.put("policy", POLICY);
        f.put("x-amz-algorithm", "AWS4-HMAC-SHA256");
        f.put("x-amz-credential", AKID + "/20130524/us-east-1/s3/aws4_request");
        f.put("x-amz-date", "20130524T000000Z");
        f.put("x-amz-signature", TestSigner.hex(TestSigner.hmac(TestSigner.signingKey(SECRET, "20130524", "us-east-1"), POLICY)));
        return f;
    }

    static Map<String, String> v2() {
        Map<String, String> f = new HashMap<>();
        f.put("policy", POLICY);
        f.put("awsaccesskeyid", AKID);
        f.put("signature", Base64.getEncoder().encodeToString(Crypto.hmacSha1(SECRET.getBytes(StandardCharsets.UTF_8), POLICY)));
        return f;
    }

    @Test
    void sigV4AndSigV2FormsAuthenticateTheirSigner() {
        assertThat(authenticator().authenticatePostForm(v4()).accessKeyId()).isEqualTo(AKID);
        assertThat(authenticator().authenticatePostForm(v2()).accessKeyId()).isEqualTo(AKID);
        assertThat(authenticator().authenticatePostForm(Map.of("key", "k")).isAnonymous()).isTrue();
    }

    @Test
    void everyFaultHasS3sAnswer() {
        Map<String, String> f = v4();
        f.put("x-amz-signature", "0".repeat(64));
        code(f, S3ErrorCode.SignatureDoesNotMatch);
        f = v4();
        f.remove("x-amz-date");
        code(f, S3ErrorCode.InvalidArgument);
        f = v4();
        f.put("x-amz-date", "20130525T000000Z");
        code(f, S3ErrorCode.InvalidArgument);
        f = v4();
        f.put("x-amz-credential", AKID + "/20130524/eu-west-1/s3/aws4_request");
        code(f, S3ErrorCode.AuthorizationHeaderMalformed);
        f = v4();
        f.put("x-amz-credential", "NOSUCHKEY/20130524/us-east-1/s3/aws4_request");
        code(f, S3ErrorCode.InvalidAccessKeyId);
        f = v4();
        f.put("policy", POLICY + " ");
        code(f, S3ErrorCode.SignatureDoesNotMatch);
        f = v2();
        f.remove("signature");
        code(f, S3ErrorCode.InvalidArgument);
        f = v2();
        f.put("signature", "AAAA");
        code(f, S3ErrorCode.SignatureDoesNotMatch);
        code(Map.of("policy", POLICY), S3ErrorCode.InvalidArgument);
    }

    private static void code(Map<String, String> fields, S3ErrorCode code) {
        assertThatThrownBy(() -> authenticator().authenticatePostForm(fields)).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.code()).isEqualTo(code));
    }
}
