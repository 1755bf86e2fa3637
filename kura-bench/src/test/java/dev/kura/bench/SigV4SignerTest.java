package dev.kura.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.bench.http.SigV4Signer;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The signer against the worked examples of the AWS documentation. */
class SigV4SignerTest {
    private static final String ACCESS = "AKIAIOSFODNN7EXAMPLE";
    private static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static final Instant WHEN = Instant.parse("2013-05-24T00:00:00Z");

    // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, "Example: GET Object"
    @Test
    void getObjectExample() {
        SigV4Signer s = new SigV4Signer(ACCESS, SECRET, "us-east-1");
        SigV4Signer.Signed signed = s.sign("GET", "examplebucket.s3.amazonaws.com", "/test.txt", Map.of(),
                Map.of("range", "bytes=0-9"), SigV4Signer.EMPTY_SHA256, WHEN);
        assertThat(signed.authorization()).isEqualTo("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/"
                + "us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    }

    // the same page, "Example: GET Bucket Lifecycle" (a value-less query parameter)
    @Test
    void valuelessQueryParameter() {
        SigV4Signer s = new SigV4Signer(ACCESS, SECRET, "us-east-1");
        SigV4Signer.Signed signed = s.sign("GET", "examplebucket.s3.amazonaws.com", "/", Map.of("lifecycle", ""),
                Map.of(), SigV4Signer.EMPTY_SHA256, WHEN);
        assertThat(signed.seedSignature()).isEqualTo("fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html, the worked example
    @Test
    void streamingExample() {
        SigV4Signer s = new SigV4Signer(ACCESS, SECRET, "us-east-1");
        Map<String, String> h = new LinkedHashMap<>();
        h.put("content-encoding", "aws-chunked");
        h.put("content-length", "66824");
        h.put("x-amz-decoded-content-length", "66560");
        h.put("x-amz-storage-class", "REDUCED_REDUNDANCY");
        SigV4Signer.Signed signed = s.sign("PUT", "s3.amazonaws.com", "/examplebucket/chunkObject.txt", Map.of(), h,
                SigV4Signer.STREAMING_PAYLOAD, WHEN);
        assertThat(signed.seedSignature()).isEqualTo("4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
        byte[] a = new byte[65536];
        Arrays.fill(a, (byte) 'a');
        String first = s.chunkSignature(signed, signed.seedSignature(), a, 0, 65536);
        assertThat(first).isEqualTo("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648");
        String second = s.chunkSignature(signed, first, a, 0, 1024);
        assertThat(second).isEqualTo("0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497");
        assertThat(s.chunkSignature(signed, second, a, 0, 0))
                .isEqualTo("b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9");
    }

    @Test
    void encodesLikeSigV4() {
        assertThat(SigV4Signer.encodePath("b", "a b/ü~*+")).isEqualTo("/b/a%20b/%C3%BC~%2A%2B");
        assertThat(SigV4Signer.queryString(Map.of("prefix", "a/b c"))).isEqualTo("prefix=a%2Fb%20c");
    }
}
