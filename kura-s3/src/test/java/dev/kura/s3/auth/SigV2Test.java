package dev.kura.s3.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * SigV2 against the examples of "Signing and authenticating REST requests" (AWS S3 user guide) and
 * an independent HMAC-SHA1 of StringToSign written here from the same page.
 */
class SigV2Test {
    static final String AK = "AKIAIOSFODNN7EXAMPLE";
    static final String SK = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final CredentialStore STORE = k -> k.equals(AK) ? Optional.of(SK) : Optional.empty();

    static SigV4Authenticator at(String instant) {
        return new SigV4Authenticator(STORE, "us-west-1", InstantSource.fixed(Instant.parse(instant)));
    }

    static S3ErrorCode code(Runnable r) {
        try {
            r.run();
            return null;
        } catch (S3Exception e) {
            return e.code();
        }
    }

    static String sign(String toSign) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(SK.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(toSign.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theUserGuidesObjectGetExampleVirtualHosted() {
        RequestHead head = RequestHead.builder("GET", "/photos/puppy.jpg")
                .header("Host", "awsexamplebucket1.us-west-1.s3.amazonaws.com")
                .header("Date", "Tue, 27 Mar 2007 19:36:42 +0000")
                .header("Authorization", "AWS " + AK + ":qgk2+6Sv9/oM7G3qLEjTH1a1l1g=").build();
        AuthContext who = at("2007-03-27T19:40:00Z").authenticate(head, "us-west-1.s3.amazonaws.com");
        assertThat(who.accessKeyId()).isEqualTo(AK);
        assertThat(who.payload()).isEqualTo(PayloadMode.UNSIGNED);
    }

    @Test
    void aPresignedUrlVirtualHosted() throws Exception {
        String signature = java.net.URLEncoder.encode(sign("GET\n\n\n1175139620\n/awsexamplebucket1/photos/puppy.jpg"),
                StandardCharsets.UTF_8);
        RequestHead head = RequestHead.builder("GET",
                        "/photos/puppy.jpg?AWSAccessKeyId=" + AK + "&Signature=" + signature + "&Expires=1175139620")
                .header("Host", "awsexamplebucket1.s3.us-west-1.amazonaws.com").build();
        assertThat(at("2007-03-29T03:00:00Z").authenticate(head, "s3.us-west-1.amazonaws.com").accessKeyId()).isEqualTo(AK);
        assertThat(code(() -> at("2007-03-29T03:41:00Z").authenticate(head, "s3.us-west-1.amazonaws.com")))
                .as("after Expires").isEqualTo(S3ErrorCode.AccessDenied);
    }

    @Test
    void pathStylePutWithAmzHeadersAndSubresources() throws Exception {
        String toSign = "PUT\nc8fdb181845a4ca6b8fec737b3581d76\ntext/html\n\n"
                + "x-amz-date:Thu, 17 Nov 2005 18:49:58 GMT\nx-amz-magic:abracadabra\nx-amz-meta-author:foo@bar.com\n"
                + "/quotes/nelson?acl&versionId=v1";
        RequestHead head = RequestHead.builder("PUT", "/quotes/nelson?versionId=v1&acl&foo=bar")
                .header("Host", "127.0.0.1:9000").header("Content-MD5", "c8fdb181845a4ca6b8fec737b3581d76")
                .header("Content-Type", "text/html").header("X-Amz-Date", "Thu, 17 Nov 2005 18:49:58 GMT")
                .header("X-Amz-Meta-Author", "foo@bar.com").header("X-Amz-Magic", "abracadabra")
                .header("Authorization", "AWS " + AK + ":" + sign(toSign)).build();
        assertThat(at("2005-11-17T18:50:00Z").authenticate(head).accessKeyId()).isEqualTo(AK);
        assertThat(SigV2.stringToSign(head, "", null)).isEqualTo(toSign);
    }

    @Test
    void everyFaultHasS3sAnswer() throws Exception {
        String date = "Tue, 27 Mar 2007 19:36:42 GMT";
        String good = sign("GET\n\n\n" + date + "\n/b/k");
        String otherResource = sign("GET\n\n\n" + date + "\n/b/other");
        SigV4Authenticator auth = at("2007-03-27T19:40:00Z");
        assertThat(auth.authenticate(RequestHead.builder("GET", "/b/k").header("Host", "127.0.0.1").header("Date", date)
                .header("Authorization", "AWS " + AK + ":" + good).build()).accessKeyId()).isEqualTo(AK);
        assertThat(code(() -> auth.authenticate(RequestHead.builder("GET", "/b/k").header("Date", date)
                .header("Authorization", "AWS " + AK + ":" + otherResource).build())))
                .isEqualTo(S3ErrorCode.SignatureDoesNotMatch);
        assertThat(code(() -> auth.authenticate(RequestHead.builder("GET", "/b/k").header("Date", date)
                .header("Authorization", "AWS HAHAHA").build()))).isEqualTo(S3ErrorCode.InvalidArgument);
        assertThat(code(() -> auth.authenticate(RequestHead.builder("GET", "/b/k").header("Date", date)
                .header("Authorization", "AWS NOBODY:" + good).build()))).isEqualTo(S3ErrorCode.InvalidAccessKeyId);
        assertThat(code(() -> auth.authenticate(RequestHead.builder("GET", "/b/k").header("Date", "Bad Date")
                .header("Authorization", "AWS " + AK + ":" + good).build()))).isEqualTo(S3ErrorCode.AccessDenied);
        assertThat(code(() -> auth.authenticate(RequestHead.builder("GET", "/b/k")
                .header("Authorization", "AWS " + AK + ":" + good).build()))).isEqualTo(S3ErrorCode.AccessDenied);
        // a bucket request signed for /b/ (what botocore signs for a path-style bucket URL) is accepted
        String slash = sign("PUT\n\n\n" + date + "\n/b/");
        assertThat(auth.authenticate(RequestHead.builder("PUT", "/b").header("Date", date)
                .header("Authorization", "AWS " + AK + ":" + slash).build()).accessKeyId()).isEqualTo(AK);
        // a date with the wrong day name still says when; far off is too skewed
        assertThat(code(() -> auth.authenticate(RequestHead.builder("GET", "/b/k")
                .header("x-amz-date", "Tue, 07 Jul 2010 21:53:04 GMT")
                .header("Authorization", "AWS " + AK + ":" + good).build()))).isEqualTo(S3ErrorCode.RequestTimeTooSkewed);
        assertThat(code(() -> auth.authenticate(RequestHead.builder("GET", "/b/k")
                .header("x-amz-date", "Tue, 07 Jul 1950 21:53:04 GMT")
                .header("Authorization", "AWS " + AK + ":" + good).build()))).isEqualTo(S3ErrorCode.AccessDenied);
        assertThat(code(() -> at("2007-03-27T20:00:00Z").authenticate(RequestHead.builder("GET", "/b/k").header("Date", date)
                .header("Authorization", "AWS " + AK + ":" + good).build()))).isEqualTo(S3ErrorCode.RequestTimeTooSkewed);
    }
}
