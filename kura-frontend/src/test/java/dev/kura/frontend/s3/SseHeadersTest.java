package dev.kura.frontend.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.object.Sse;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.security.MessageDigest;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The SSE headers of a write, as a table: what each combination becomes, or which S3 error. */
class SseHeadersTest {
    static final String KEY = "pO3upElrwuEXSoFwCfnZPdSsmt/xWeFa0N9KgDijwVs=";
    static final String MD5 = "DWygnHRtgiJ77HCm+1rvHw==";
    static final String ALG = "x-amz-server-side-encryption-customer-algorithm";
    static final String K = "x-amz-server-side-encryption-customer-key";
    static final String M = "x-amz-server-side-encryption-customer-key-md5";
    static final String SSE = "x-amz-server-side-encryption";
    static final String KMS_ID = "x-amz-server-side-encryption-aws-kms-key-id";

    /** The outcome: "none", "s3", "c", or the error code with its status. */
    static String write(String... headers) {
        RequestHead.Builder b = RequestHead.builder("PUT", "/b/k");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return switch (SseHeaders.forWrite(b.build())) {
                case Sse.None n -> "none";
                case Sse.S3 s -> "s3";
                case Sse.Customer c -> "c";
            };
        } catch (S3Exception e) {
            return e.code().name() + " " + e.code().status();
        }
    }

    @Test
    void writes() throws Exception {
        assertThat(write()).isEqualTo("none");
        assertThat(write(SSE, "AES256")).isEqualTo("s3");
        assertThat(write(ALG, "AES256", K, KEY, M, MD5)).isEqualTo("c");
        assertThat(write(SSE, "aws:kms")).isEqualTo("NotImplemented 501");
        assertThat(write(SSE, "aws:kms:dsse", KMS_ID, "k")).isEqualTo("NotImplemented 501");
        assertThat(write(SSE, "AES512")).isEqualTo("InvalidArgument 400");
        // contradictions are 400 before KMS is even considered
        assertThat(write(SSE, "AES256", ALG, "AES256", K, KEY, M, MD5)).isEqualTo("InvalidArgument 400");
        assertThat(write(SSE, "aws:kms", KMS_ID, "k", ALG, "AES256", K, KEY, M, MD5)).isEqualTo("InvalidArgument 400");
        assertThat(write(SSE, "AES256", KMS_ID, "k")).isEqualTo("InvalidArgument 400");
        // SSE-C sets that are incomplete or wrong
        assertThat(write(ALG, "AES256", K, KEY, M, "AAAAAAAAAAAAAAAAAAAAAA==")).isEqualTo("InvalidArgument 400");
        assertThat(write(ALG, "AES256", K, KEY)).isEqualTo("InvalidArgument 400");
        assertThat(write(ALG, "AES256")).isEqualTo("InvalidArgument 400");
        assertThat(write(K, KEY, M, MD5)).isEqualTo("InvalidArgument 400");
        assertThat(write(ALG, "AES128", K, KEY, M, MD5)).isEqualTo("InvalidArgument 400");
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        String shortMd5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(new byte[16]));
        assertThat(write(ALG, "AES256", K, shortKey, M, shortMd5)).isEqualTo("InvalidArgument 400");
        assertThat(write(ALG, "AES256", K, "not base64!", M, MD5)).isEqualTo("InvalidArgument 400");
    }

    @Test
    void errorsNeverEchoTheKey() {
        RequestHead head = RequestHead.builder("PUT", "/b/k").header(ALG, "AES256").header(K, KEY)
                .header(M, "AAAAAAAAAAAAAAAAAAAAAA==").build();
        try {
            SseHeaders.forWrite(head);
        } catch (S3Exception e) {
            assertThat(e.toString() + e.getMessage() + e.details()).doesNotContain(KEY);
            return;
        }
        throw new AssertionError("expected InvalidArgument");
    }

    @Test
    void theCustomerKeyIsNotPrinted() {
        Sse.Customer c = (Sse.Customer) SseHeaders.forWrite(RequestHead.builder("PUT", "/b/k").header(ALG, "AES256")
                .header(K, KEY).header(M, MD5).build());
        assertThat(c.toString()).doesNotContain(KEY).contains(MD5);
        assertThat(c.keyMd5()).isEqualTo(MD5);
    }
}
