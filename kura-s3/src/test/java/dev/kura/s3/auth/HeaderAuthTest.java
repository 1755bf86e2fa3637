package dev.kura.s3.auth;

import static dev.kura.s3.auth.TestSigner.authenticator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.time.Instant;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Authorization-header auth: every failure answers the S3 code (and message) S3 answers. */
class HeaderAuthTest {
    private static final String GOOD_SIG = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";

    /** AWS's GET Object example with a replaceable Authorization header. */
    private static RequestHead getObject(String authorization) {
        RequestHead.Builder b = RequestHead.builder("GET", "/test.txt")
                .header("Host", "examplebucket.s3.amazonaws.com")
                .header("Range", "bytes=0-9")
                .header("x-amz-content-sha256", TestSigner.EMPTY_SHA256)
                .header("x-amz-date", "20130524T000000Z");
        return b.header("Authorization", authorization).build();
    }

    private static String auth(String credential, String signedHeaders, String signature) {
        return "AWS4-HMAC-SHA256 Credential=" + credential + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature;
    }

    private static final String CRED = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request";
    private static final String SIGNED = "host;range;x-amz-content-sha256;x-amz-date";

    static S3Exception fails(ThrowingCallable call, S3ErrorCode code) {
        S3Exception[] caught = new S3Exception[1];
        assertThatThrownBy(call).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            caught[0] = e;
        });
        return caught[0];
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "AWS4-HMAC-SHA256 Credential=" + CRED + ",SignedHeaders=" + SIGNED + ",Signature=" + GOOD_SIG,
        "AWS4-HMAC-SHA256 Credential=" + CRED + ", SignedHeaders=" + SIGNED + ", Signature=" + GOOD_SIG,
        "AWS4-HMAC-SHA256   Credential=" + CRED + " ,  SignedHeaders=" + SIGNED + " ,Signature=" + GOOD_SIG + " ",
        "AWS4-HMAC-SHA256 Signature=" + GOOD_SIG + ", Credential=" + CRED + ", SignedHeaders=" + SIGNED,
    })
    void whitespaceAndOrderVariationsAreAccepted(String authorization) {
        assertThat(authenticator().authenticate(getObject(authorization)).accessKeyId()).isEqualTo(TestSigner.AKID);
    }

    @Test
    void noAuthIsAnonymous() {
        RequestHead head = RequestHead.builder("GET", "/bucket/key?versionId=3").header("Host", "h").build();
        AuthContext auth = authenticator().authenticate(head);
        assertThat(auth).isSameAs(AuthContext.anonymous());
        assertThat(auth.isAnonymous()).isTrue();
        assertThat(auth.payload()).isEqualTo(PayloadMode.UNSIGNED);
        assertThat(auth.signing()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"AWS4-ECDSA-P256-SHA256 Credential=AKID/20130524/s3/aws4_request, SignedHeaders=host, Signature=00",
        "Bearer abc", "AWS4-HMAC-SHA512 Credential=x"})
    void otherMechanismsAreNotSupported(String authorization) {
        S3Exception e = fails(() -> authenticator().authenticate(getObject(authorization)), S3ErrorCode.InvalidRequest);
        assertThat(e.getMessage()).isEqualTo(
                "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
        assertThat(e.code().status()).isEqualTo(400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ", "",
        "AWS4-HMAC-SHA256 Credential=" + CRED + ", Signature=" + GOOD_SIG,
        "AWS4-HMAC-SHA256 Credential=" + CRED + ", SignedHeaders=" + SIGNED,
        "AWS4-HMAC-SHA256 SignedHeaders=" + SIGNED + ", Signature=" + GOOD_SIG,
        "AWS4-HMAC-SHA256 Credential=" + CRED + ", SignedHeaders=, Signature=" + GOOD_SIG,
        "AWS4-HMAC-SHA256 Credential=" + CRED + ", SignedHeaders=host;;range, Signature=" + GOOD_SIG,
        "AWS4-HMAC-SHA256 Credential=" + CRED + ", SignedHeaders=" + SIGNED + ", Signature=" + GOOD_SIG + ", Extra=1",
        "AWS4-HMAC-SHA256 Credential=" + CRED + ", Credential=" + CRED + ", SignedHeaders=" + SIGNED
                + ", Signature=" + GOOD_SIG,
        "AWS4-HMAC-SHA256 Credential " + CRED + ", SignedHeaders=" + SIGNED + ", Signature=" + GOOD_SIG})
    void malformedHeadersAreAuthorizationHeaderMalformed(String authorization) {
        fails(() -> authenticator().authenticate(getObject(authorization)), S3ErrorCode.AuthorizationHeaderMalformed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3", "AKIAIOSFODNN7EXAMPLE/2013-05-24/us-east-1/s3/aws4_request",
        "/20130524/us-east-1/s3/aws4_request", "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request/x",
        "AKIAIOSFODNN7EXAMPLE/20131324/us-east-1/s3/aws4_request"})
    void malformedCredentials(String credential) {
        S3Exception e = fails(() -> authenticator().authenticate(getObject(auth(credential, SIGNED, GOOD_SIG))),
                S3ErrorCode.AuthorizationHeaderMalformed);
        assertThat(e.getMessage()).isEqualTo("The authorization header is malformed; the Credential is mal-formed; "
                + "expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
    }

    @Test
    void wrongRegionNamesTheExpectedOne() {
        S3Exception e = fails(() -> authenticator().authenticate(getObject(auth(
                "AKIAIOSFODNN7EXAMPLE/20130524/eu-west-1/s3/aws4_request", SIGNED, GOOD_SIG))),
                S3ErrorCode.AuthorizationHeaderMalformed);
        assertThat(e.getMessage()).isEqualTo(
                "The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'");
        assertThat(e.details()).containsEntry("Region", "us-east-1");
        assertThat(e.code().status()).isEqualTo(400);
    }

    @ParameterizedTest
    @CsvSource({"AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/ec2/aws4_request, incorrect service \"ec2\"",
        "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws5_request, incorrect terminal \"aws5_request\""})
    void wrongServiceOrTerminator(String credential, String fragment) {
        S3Exception e = fails(() -> authenticator().authenticate(getObject(auth(credential, SIGNED, GOOD_SIG))),
                S3ErrorCode.AuthorizationHeaderMalformed);
        assertThat(e.getMessage()).contains(fragment);
    }

    @Test
    void credentialDateMustBeTheRequestDate() {
        S3Exception e = fails(() -> authenticator().authenticate(getObject(auth(
                "AKIAIOSFODNN7EXAMPLE/20130523/us-east-1/s3/aws4_request", SIGNED, GOOD_SIG))),
                S3ErrorCode.AuthorizationHeaderMalformed);
        assertThat(e.getMessage()).contains("Date is not the same as X-Amz-Date");
    }

    @Test
    void unknownAccessKey() {
        S3Exception e = fails(() -> authenticator().authenticate(getObject(auth(
                "AKIANOBODY/20130524/us-east-1/s3/aws4_request", SIGNED, GOOD_SIG))), S3ErrorCode.InvalidAccessKeyId);
        assertThat(e.code().status()).isEqualTo(403);
        assertThat(e.details()).containsEntry("AWSAccessKeyId", "AKIANOBODY");
    }

    @Test
    void wrongSignatureReturnsWhatWasSigned() {
        String bad = GOOD_SIG.replace('f', 'e');
        S3Exception e = fails(() -> authenticator().authenticate(getObject(auth(CRED, SIGNED, bad))),
                S3ErrorCode.SignatureDoesNotMatch);
        assertThat(e.code().status()).isEqualTo(403);
        assertThat(e.details()).containsEntry("SignatureProvided", bad).containsEntry("AWSAccessKeyId", TestSigner.AKID)
                .containsEntry("StringToSign", "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
                        + "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
                .containsKey("CanonicalRequest");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "F0E8BDB87C964420E857BD35B5D6ED310BD44F0170ABA48DD91039C6036BDB41", "f0e8", "zz"})
    void malformedOrShortSignaturesDoNotMatch(String signature) {
        fails(() -> authenticator().authenticate(getObject(auth(CRED, SIGNED, signature))),
                signature.isEmpty() ? S3ErrorCode.AuthorizationHeaderMalformed : S3ErrorCode.SignatureDoesNotMatch);
    }

    @Test
    void tamperedSignedHeaderFails() {
        RequestHead head = RequestHead.builder("GET", "/test.txt")
                .header("Host", "examplebucket.s3.amazonaws.com")
                .header("Range", "bytes=0-99")
                .header("x-amz-content-sha256", TestSigner.EMPTY_SHA256)
                .header("x-amz-date", "20130524T000000Z")
                .header("Authorization", auth(CRED, SIGNED, GOOD_SIG)).build();
        fails(() -> authenticator().authenticate(head), S3ErrorCode.SignatureDoesNotMatch);
    }

    @Test
    void missingDateIsAccessDenied() {
        RequestHead head = new TestSigner.Request("GET", "/b/k").signHeader(TestSigner.EMPTY_SHA256);
        RequestHead.Builder b = RequestHead.builder("GET", "/b/k");
        for (String name : head.headerNames()) {
            if (!name.equals("x-amz-date")) {
                head.headers(name).forEach(v -> b.header(name, v));
            }
        }
        S3Exception e = fails(() -> authenticator().authenticate(b.build()), S3ErrorCode.AccessDenied);
        assertThat(e.getMessage()).isEqualTo("AWS authentication requires a valid Date or x-amz-date header");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2013-05-24T00:00:00Z", "20130524T250000Z", "Fri, 24 May 2013 00:00:00 GMT", "20130524"})
    void unparseableAmzDateIsAccessDenied(String date) {
        RequestHead head = new TestSigner.Request("GET", "/b/k").header("x-amz-date", date)
                .signHeader(TestSigner.EMPTY_SHA256);
        fails(() -> authenticator().authenticate(head), S3ErrorCode.AccessDenied);
    }

    /** Without x-amz-date, the Date header (RFC 1123) is the request time. */
    @Test
    void dateHeaderAloneIsEnough() {
        TestSigner.Request r = new TestSigner.Request("GET", "/b/k").header("date", "Fri, 24 May 2013 00:00:00 GMT");
        r.withAmzDate = false;
        AuthContext auth = authenticator().authenticate(r.signHeader(TestSigner.EMPTY_SHA256));
        assertThat(auth.signing().amzDate()).isEqualTo("20130524T000000Z");
    }

    @Test
    void unparseableDateHeaderIsAccessDenied() {
        TestSigner.Request r = new TestSigner.Request("GET", "/b/k").header("date", "yesterday");
        r.withAmzDate = false;
        RequestHead head = r.signHeader(TestSigner.EMPTY_SHA256);
        fails(() -> authenticator().authenticate(head), S3ErrorCode.AccessDenied);
    }

    @ParameterizedTest
    @ValueSource(longs = {-901, 901, -3600, 86_400})
    void clockSkewBeyondFifteenMinutes(long seconds) {
        RequestHead head = getObject(auth(CRED, SIGNED, GOOD_SIG));
        S3Exception e = fails(() -> authenticator(TestSigner.NOW.plusSeconds(seconds)).authenticate(head),
                S3ErrorCode.RequestTimeTooSkewed);
        assertThat(e.code().status()).isEqualTo(403);
        assertThat(e.details()).containsEntry("RequestTime", "20130524T000000Z")
                .containsEntry("MaxAllowedSkewMilliseconds", "900000")
                .containsEntry("ServerTime", AmzTime.formatIso(TestSigner.NOW.plusSeconds(seconds)));
    }

    @ParameterizedTest
    @ValueSource(longs = {-900, 900, 0, 60})
    void clockSkewWithinFifteenMinutes(long seconds) {
        RequestHead head = getObject(auth(CRED, SIGNED, GOOD_SIG));
        Instant now = TestSigner.NOW.plusSeconds(seconds);
        assertThat(authenticator(now).authenticate(head).accessKeyId()).isEqualTo(TestSigner.AKID);
    }

    @Test
    void unsignedAmzHeaderIsAccessDenied() {
        RequestHead head = new TestSigner.Request("PUT", "/b/k").unsignedHeader("x-amz-acl", "public-read")
                .unsignedHeader("x-amz-meta-a", "1").signHeader(TestSigner.EMPTY_SHA256);
        S3Exception e = fails(() -> authenticator().authenticate(head), S3ErrorCode.AccessDenied);
        assertThat(e.getMessage()).isEqualTo("There were headers present in the request which were not signed");
        assertThat(e.details()).containsEntry("HeadersNotSigned", "x-amz-acl, x-amz-meta-a");
    }

    /** Other headers may stay unsigned, and x-amzn-* is not x-amz-*. */
    @Test
    void otherUnsignedHeadersAreFine() {
        RequestHead head = new TestSigner.Request("PUT", "/b/k").unsignedHeader("user-agent", "aws-sdk-java")
                .unsignedHeader("x-amzn-trace-id", "Root=1").unsignedHeader("content-type", "text/plain")
                .unsignedHeader("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==").signHeader(TestSigner.EMPTY_SHA256);
        assertThat(authenticator().authenticate(head).accessKeyId()).isEqualTo(TestSigner.AKID);
    }

    @Test
    void hostMustBeSigned() {
        TestSigner.Request r = new TestSigner.Request("GET", "/b/k");
        r.signed.remove("host");
        r.unsignedHeader("host", "examplebucket.s3.amazonaws.com");
        RequestHead head = r.signHeader(TestSigner.EMPTY_SHA256);
        S3Exception e = fails(() -> authenticator().authenticate(head), S3ErrorCode.AccessDenied);
        assertThat(e.details()).containsEntry("HeadersNotSigned", "host");
    }

    /** "you are not required to include the x-amz-content-sha256 header as a canonical header". */
    @Test
    void contentSha256NeedNotBeSigned() {
        TestSigner.Request r = new TestSigner.Request("GET", "/b/k");
        r.signContentSha256 = false;
        RequestHead head = r.signHeader(TestSigner.EMPTY_SHA256);
        assertThat(head.header("Authorization")).doesNotContain("x-amz-content-sha256");
        assertThat(authenticator().authenticate(head).payload()).isEqualTo(PayloadMode.SIGNED);
    }

    /** The declared hash is part of the signature even when the header is not signed. */
    @Test
    void unsignedContentSha256IsStillCoveredByTheSignature() {
        TestSigner.Request r = new TestSigner.Request("GET", "/b/k");
        r.signContentSha256 = false;
        RequestHead head = r.signHeader(TestSigner.EMPTY_SHA256);
        RequestHead.Builder b = RequestHead.builder("GET", "/b/k");
        for (String name : head.headerNames()) {
            head.headers(name).forEach(v -> b.header(name, name.equals("x-amz-content-sha256") ? "UNSIGNED-PAYLOAD" : v));
        }
        fails(() -> authenticator().authenticate(b.build()), S3ErrorCode.SignatureDoesNotMatch);
    }

    @Test
    void missingContentSha256IsInvalidRequest() {
        RequestHead head = RequestHead.builder("GET", "/test.txt")
                .header("Host", "examplebucket.s3.amazonaws.com")
                .header("x-amz-date", "20130524T000000Z")
                .header("Authorization", auth(CRED, "host;x-amz-date", GOOD_SIG)).build();
        S3Exception e = fails(() -> authenticator().authenticate(head), S3ErrorCode.InvalidRequest);
        assertThat(e.getMessage()).isEqualTo("Missing required header for this request: x-amz-content-sha256");
    }

    @ParameterizedTest
    @ValueSource(strings = {"unsigned-payload", "STREAMING-AWS4-HMAC-SHA256-EVENTS", "abc",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85"})
    void invalidContentSha256IsInvalidArgument(String value) {
        RequestHead head = new TestSigner.Request("PUT", "/b/k").signHeader(value);
        S3Exception e = fails(() -> authenticator().authenticate(head), S3ErrorCode.InvalidArgument);
        assertThat(e.getMessage()).startsWith("x-amz-content-sha256 must be UNSIGNED-PAYLOAD");
        assertThat(e.details()).containsEntry("ArgumentName", "x-amz-content-sha256").containsEntry("ArgumentValue", value);
    }

    @ParameterizedTest
    @CsvSource({"UNSIGNED-PAYLOAD, UNSIGNED", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING_SIGNED",
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING_SIGNED_TRAILER",
        "STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING_UNSIGNED_TRAILER",
        "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855, SIGNED"})
    void payloadModes(String value, PayloadMode mode) {
        AuthContext auth = authenticator().authenticate(new TestSigner.Request("PUT", "/b/k").signHeader(value));
        assertThat(auth.payload()).isEqualTo(mode);
        assertThat(auth.declaredSha256()).isEqualTo(mode == PayloadMode.SIGNED ? TestSigner.EMPTY_SHA256 : null);
        assertThat(auth.signing().seedSignature()).hasSize(64);
    }

    @Test
    void headerAndQueryAuthTogetherIsInvalidArgument() {
        RequestHead signed = new TestSigner.Request("GET", "/b/k").query("X-Amz-Algorithm", "AWS4-HMAC-SHA256")
                .signHeader(TestSigner.EMPTY_SHA256);
        S3Exception e = fails(() -> authenticator().authenticate(signed), S3ErrorCode.InvalidArgument);
        assertThat(e.getMessage()).startsWith("Only one auth mechanism allowed");
    }
}
