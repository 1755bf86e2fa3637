package dev.kura.s3.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The client-side signer against AWS's worked examples (sig-v4-header-based-auth.html, the same
 * signatures {@link AwsExamplesTest} verifies) and in round trips through {@link SigV4Authenticator}.
 */
class SigV4SignerTest {
    private static final String HOST = "examplebucket.s3.amazonaws.com";
    private static final SigV4Signer SIGNER = new SigV4Signer(TestSigner.AKID, TestSigner.SECRET, TestSigner.REGION, "s3");

    private static String signature(Map<String, String> added) {
        String auth = added.get("Authorization");
        return auth.substring(auth.indexOf("Signature=") + "Signature=".length());
    }

    @Test
    void getObjectWithRangeMatchesAws() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", HOST);
        headers.put("Range", "bytes=0-9");
        Map<String, String> added = SIGNER.sign("GET", "/test.txt", "", headers, TestSigner.EMPTY_SHA256, TestSigner.NOW);
        assertThat(added).containsEntry("x-amz-date", "20130524T000000Z")
                .containsEntry("x-amz-content-sha256", TestSigner.EMPTY_SHA256);
        assertThat(added.get("Authorization")).isEqualTo("AWS4-HMAC-SHA256 "
                + "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
                + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    }

    @Test
    void bucketLifecycleAndListObjectsMatchAws() {
        assertThat(signature(SIGNER.sign("GET", "/", "lifecycle", Map.of("host", HOST), TestSigner.EMPTY_SHA256,
                TestSigner.NOW))).isEqualTo("fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
        String list = "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7";
        assertThat(signature(SIGNER.sign("GET", "/", "max-keys=2&prefix=J", Map.of("host", HOST),
                TestSigner.EMPTY_SHA256, TestSigner.NOW))).isEqualTo(list);
        assertThat(signature(SIGNER.sign("GET", "/", "prefix=J&max-keys=2", Map.of("host", HOST),
                TestSigner.EMPTY_SHA256, TestSigner.NOW))).isEqualTo(list);
    }

    private static RequestHead request(String method, String path, String query, Map<String, String> added) {
        RequestHead.Builder b = RequestHead.builder(method, path + (query.isEmpty() ? "" : "?" + query))
                .header("Host", "127.0.0.1:9001");
        added.forEach(b::header);
        return b.build();
    }

    @Test
    void roundTripThroughTheAuthenticator() {
        String query = "path=" + SigV4Signer.encode("/mnt/disk 2/é+x") + "&wait=true";
        assertThat(query).isEqualTo("path=%2Fmnt%2Fdisk%202%2F%C3%A9%2Bx&wait=true");
        for (String payload : new String[] {SigV4Signer.UNSIGNED_PAYLOAD, SigV4Signer.EMPTY_SHA256}) {
            Map<String, String> added = SIGNER.sign("POST", "/admin/v1/drives/format", query,
                    Map.of("host", "127.0.0.1:9001"), payload, TestSigner.NOW);
            AuthContext auth = TestSigner.authenticator().authenticate(request("POST", "/admin/v1/drives/format", query, added));
            assertThat(auth.accessKeyId()).isEqualTo(TestSigner.AKID);
        }
    }

    @Test
    void aWrongSecretOrATamperedRequestIsRefused() {
        SigV4Signer wrong = new SigV4Signer(TestSigner.AKID, "not-the-secret", TestSigner.REGION, "s3");
        Map<String, String> added = wrong.sign("GET", "/admin/v1/drives", "", Map.of("host", "127.0.0.1:9001"),
                SigV4Signer.UNSIGNED_PAYLOAD, TestSigner.NOW);
        assertThatThrownBy(() -> TestSigner.authenticator().authenticate(request("GET", "/admin/v1/drives", "", added)))
                .isInstanceOfSatisfying(S3Exception.class,
                        e -> assertThat(e.code()).isEqualTo(S3ErrorCode.SignatureDoesNotMatch));

        Map<String, String> good = SIGNER.sign("POST", "/admin/v1/heal", "wait=false", Map.of("host", "127.0.0.1:9001"),
                SigV4Signer.UNSIGNED_PAYLOAD, TestSigner.NOW);
        assertThatThrownBy(() -> TestSigner.authenticator().authenticate(request("POST", "/admin/v1/heal", "wait=true", good)))
                .isInstanceOfSatisfying(S3Exception.class,
                        e -> assertThat(e.code()).isEqualTo(S3ErrorCode.SignatureDoesNotMatch));
    }

    @Test
    void theHostMustBeSignedAndTheSecretStaysHidden() {
        assertThatThrownBy(() -> SIGNER.sign("GET", "/", "", Map.of(), SigV4Signer.UNSIGNED_PAYLOAD, Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SIGNER.toString()).doesNotContain(TestSigner.SECRET);
    }
}
