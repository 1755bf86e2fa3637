package dev.kura.s3.auth;

import static dev.kura.s3.auth.HeaderAuthTest.fails;
import static dev.kura.s3.auth.TestSigner.authenticator;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Query-string (presigned URL) auth, per "Authenticating Requests: Using Query Parameters (AWS
 * Signature Version 4)" (sigv4-query-string-auth.html).
 */
class PresignedAuthTest {
    private static final String AWS_EXAMPLE = "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

    private static RequestHead example(String target) {
        return RequestHead.builder("GET", target).header("Host", "examplebucket.s3.amazonaws.com").build();
    }

    /** The AWS example with one parameter replaced (or removed when {@code value} is null). */
    private static RequestHead exampleWith(String name, String value) {
        StringBuilder target = new StringBuilder("/test.txt?");
        for (String part : AWS_EXAMPLE.substring("/test.txt?".length()).split("&")) {
            if (part.startsWith(name + "=")) {
                if (value == null) {
                    continue;
                }
                part = name + "=" + value;
            }
            target.append(target.charAt(target.length() - 1) == '?' ? "" : "&").append(part);
        }
        return example(target.toString());
    }

    @Test
    void signedRequestFromTheTestSigner() {
        RequestHead head = new TestSigner.Request("PUT", "/bucket/a key+ü.txt").query("versionId", "x/y")
                .header("x-amz-acl", "private").presign(3600);
        AuthContext auth = authenticator().authenticate(head);
        assertThat(auth.accessKeyId()).isEqualTo(TestSigner.AKID);
        assertThat(auth.payload()).isEqualTo(PayloadMode.UNSIGNED);
    }

    @Test
    void signatureParameterIsNotPartOfTheCanonicalQueryButOthersAre() {
        fails(() -> authenticator().authenticate(example(AWS_EXAMPLE + "&extra=1")), S3ErrorCode.SignatureDoesNotMatch);
        fails(() -> authenticator().authenticate(exampleWith("X-Amz-Expires", "86401")),
                S3ErrorCode.SignatureDoesNotMatch);
    }

    @ParameterizedTest
    @ValueSource(strings = {"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
        "X-Amz-SignedHeaders", "X-Amz-Signature"})
    void everyParameterIsRequired(String missing) {
        S3Exception e = fails(() -> authenticator().authenticate(exampleWith(missing, null)),
                S3ErrorCode.AuthorizationQueryParametersError);
        assertThat(e.getMessage()).startsWith("Query-string authentication version 4 requires the X-Amz-Algorithm");
        assertThat(e.code().status()).isEqualTo(400);
    }

    @Test
    void otherAlgorithm() {
        S3Exception e = fails(() -> authenticator().authenticate(exampleWith("X-Amz-Algorithm", "AWS4-HMAC-SHA1")),
                S3ErrorCode.AuthorizationQueryParametersError);
        assertThat(e.getMessage()).isEqualTo("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
    }

    @Test
    void malformedCredential() {
        S3Exception e = fails(() -> authenticator().authenticate(exampleWith("X-Amz-Credential", "AKID%2F20130524")),
                S3ErrorCode.AuthorizationQueryParametersError);
        assertThat(e.getMessage()).startsWith("Error parsing the X-Amz-Credential parameter; the Credential is mal-formed");
    }

    @Test
    void wrongRegion() {
        S3Exception e = fails(() -> authenticator().authenticate(exampleWith("X-Amz-Credential",
                "AKIAIOSFODNN7EXAMPLE%2F20130524%2Feu-west-1%2Fs3%2Faws4_request")),
                S3ErrorCode.AuthorizationQueryParametersError);
        assertThat(e.getMessage()).isEqualTo(
                "Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'");
        assertThat(e.details()).containsEntry("Region", "us-east-1");
    }

    @Test
    void wrongService() {
        S3Exception e = fails(() -> authenticator().authenticate(exampleWith("X-Amz-Credential",
                "AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fiam%2Faws4_request")),
                S3ErrorCode.AuthorizationQueryParametersError);
        assertThat(e.getMessage()).contains("incorrect service \"iam\"");
    }

    @Test
    void credentialDateMustBeTheRequestDate() {
        S3Exception e = fails(() -> authenticator().authenticate(exampleWith("X-Amz-Credential",
                "AKIAIOSFODNN7EXAMPLE%2F20130525%2Fus-east-1%2Fs3%2Faws4_request")),
                S3ErrorCode.AuthorizationQueryParametersError);
        assertThat(e.getMessage()).isEqualTo("Invalid credential date. Date is not the same as X-Amz-Date.");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2013-05-24T00:00:00Z", "20130524", "20130524T000000", "20130532T000000Z"})
    void malformedDate(String date) {
        S3Exception e = fails(() -> authenticator().authenticate(exampleWith("X-Amz-Date", date)),
                S3ErrorCode.AuthorizationQueryParametersError);
        assertThat(e.getMessage()).isEqualTo("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
    }

    @Test
    void expiresMustBeANumber() {
        S3Exception e = fails(() -> authenticator().authenticate(exampleWith("X-Amz-Expires", "tomorrow")),
                S3ErrorCode.AuthorizationQueryParametersError);
        assertThat(e.getMessage()).isEqualTo("X-Amz-Expires should be a number");
    }

    @Test
    void expiresMustNotBeNegative() {
        S3Exception e = fails(() -> authenticator().authenticate(exampleWith("X-Amz-Expires", "-1")),
                S3ErrorCode.AuthorizationQueryParametersError);
        assertThat(e.getMessage()).isEqualTo("X-Amz-Expires must be non-negative");
    }

    @ParameterizedTest
    @ValueSource(strings = {"604801", "99999999999"})
    void expiresMustBeAtMostAWeek(String expires) {
        S3Exception e = fails(() -> authenticator().authenticate(exampleWith("X-Amz-Expires", expires)),
                S3ErrorCode.AuthorizationQueryParametersError);
        assertThat(e.getMessage()).isEqualTo("X-Amz-Expires must be less than a week (in seconds); that is, "
                + "the given X-Amz-Expires must be less than 604800 seconds");
    }

    @Test
    void aWeekIsAllowed() {
        RequestHead head = new TestSigner.Request("GET", "/b/k").presign(604_800);
        assertThat(authenticator(TestSigner.NOW.plusSeconds(604_800)).authenticate(head).accessKeyId())
                .isEqualTo(TestSigner.AKID);
        fails(() -> authenticator(TestSigner.NOW.plusSeconds(604_801)).authenticate(head), S3ErrorCode.AccessDenied);
    }

    @Test
    void zeroLifetimeIsExpired() {
        RequestHead head = new TestSigner.Request("GET", "/b/k").presign(0);
        S3Exception e = fails(() -> authenticator().authenticate(head), S3ErrorCode.AccessDenied);
        assertThat(e.getMessage()).isEqualTo("Request has expired");
    }

    @Test
    void notValidYet() {
        RequestHead head = new TestSigner.Request("GET", "/b/k").presign(3600);
        S3Exception e = fails(() -> authenticator(TestSigner.NOW.minusSeconds(901)).authenticate(head),
                S3ErrorCode.AccessDenied);
        assertThat(e.getMessage()).isEqualTo("Request is not valid yet");
        assertThat(e.code().status()).isEqualTo(403);
        // Within the usual skew a URL signed "in the future" is fine.
        assertThat(authenticator(TestSigner.NOW.minusSeconds(900)).authenticate(head).isAnonymous()).isFalse();
    }

    @Test
    void unknownAccessKey() {
        TestSigner.Request r = new TestSigner.Request("GET", "/b/k");
        r.akid = "AKIANOBODY";
        RequestHead head = r.presign(60);
        fails(() -> authenticator().authenticate(head), S3ErrorCode.InvalidAccessKeyId);
    }

    @Test
    void wrongSecret() {
        TestSigner.Request r = new TestSigner.Request("GET", "/b/k");
        r.secret = "not-the-secret";
        RequestHead head = r.presign(60);
        fails(() -> authenticator().authenticate(head), S3ErrorCode.SignatureDoesNotMatch);
    }

    @Test
    void unsignedAmzHeaderIsAccessDenied() {
        RequestHead head = new TestSigner.Request("PUT", "/b/k").unsignedHeader("x-amz-acl", "public-read").presign(60);
        S3Exception e = fails(() -> authenticator().authenticate(head), S3ErrorCode.AccessDenied);
        assertThat(e.details()).containsEntry("HeadersNotSigned", "x-amz-acl");
    }

    @Test
    void hostMustBeSigned() {
        RequestHead head = example(AWS_EXAMPLE.replace("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=range"));
        S3Exception e = fails(() -> authenticator().authenticate(head), S3ErrorCode.AccessDenied);
        assertThat(e.details()).containsEntry("HeadersNotSigned", "host");
    }

    /** An unsigned x-amz-content-sha256 is allowed and does not enter the signature. */
    @Test
    void unsignedContentSha256IsIgnoredBySignature() {
        RequestHead head = new TestSigner.Request("PUT", "/b/k").unsignedHeader("x-amz-content-sha256",
                TestSigner.EMPTY_SHA256).presign(60);
        AuthContext auth = authenticator().authenticate(head);
        assertThat(auth.payload()).isEqualTo(PayloadMode.SIGNED);
        assertThat(auth.declaredSha256()).isEqualTo(TestSigner.EMPTY_SHA256);
    }

    @Test
    void signedContentSha256IsThePayloadHash() {
        RequestHead head = new TestSigner.Request("PUT", "/b/k").header("x-amz-content-sha256", TestSigner.EMPTY_SHA256)
                .presign(60);
        AuthContext auth = authenticator().authenticate(head);
        assertThat(auth.payload()).isEqualTo(PayloadMode.SIGNED);
    }

    @Test
    void invalidContentSha256() {
        RequestHead head = new TestSigner.Request("PUT", "/b/k").unsignedHeader("x-amz-content-sha256", "nope").presign(60);
        fails(() -> authenticator().authenticate(head), S3ErrorCode.InvalidArgument);
    }

    @Test
    void queryAndHeaderAuthTogether() {
        RequestHead head = RequestHead.builder("GET", AWS_EXAMPLE).header("Host", "examplebucket.s3.amazonaws.com")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=a/20130524/us-east-1/s3/aws4_request, "
                        + "SignedHeaders=host, Signature=00").build();
        S3Exception e = fails(() -> authenticator().authenticate(head), S3ErrorCode.InvalidArgument);
        assertThat(e.details()).containsEntry("ArgumentName", "Authorization");
    }

    @Test
    void sigV2PresignedUrlIsVerifiedAsSigV2() {
        // SigV2 presigned URLs are checked (SigV2Test); a wrong one is S3's SignatureDoesNotMatch
        RequestHead head = example("/test.txt?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=9999999999"
                + "&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D");
        fails(() -> authenticator().authenticate(head), S3ErrorCode.SignatureDoesNotMatch);
    }

    @Test
    void partialV4ParametersAreNotAnonymous() {
        fails(() -> authenticator().authenticate(example("/test.txt?X-Amz-Signature=abc")),
                S3ErrorCode.AuthorizationQueryParametersError);
    }

    @Test
    void malformedEscapeInTheQueryIsInvalidUri() {
        fails(() -> authenticator().authenticate(example(AWS_EXAMPLE + "&a=%zz")), S3ErrorCode.InvalidURI);
    }
}
