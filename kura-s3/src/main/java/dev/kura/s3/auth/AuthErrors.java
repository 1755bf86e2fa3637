package dev.kura.s3.auth;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.time.Instant;
import java.util.List;

/**
 * The S3 answers to authentication failures, with the messages and extra elements S3 itself
 * sends (as seen on the wire and in the AWS docs "Authenticating Requests (AWS Signature
 * Version 4)"), so that client error handling and people reading them find what they expect.
 * Header and query (presigned) auth word the same faults differently: {@code query} selects.
 */
final class AuthErrors {
    static final long MAX_SKEW_MILLIS = 15 * 60 * 1000;

    private static final String HEADER_PREFIX = "The authorization header is malformed; ";
    private static final String QUERY_PREFIX = "Error parsing the X-Amz-Credential parameter; ";

    private AuthErrors() {
    }

    static S3Exception unsupportedMechanism() {
        return new S3Exception(S3ErrorCode.InvalidRequest,
                "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
    }

    static S3Exception twoMechanisms() {
        return new S3Exception(S3ErrorCode.InvalidArgument, "Only one auth mechanism allowed; only the X-Amz-Algorithm "
                + "query parameter, Signature query string parameter or the Authorization header should be specified")
                .with("ArgumentName", "Authorization");
    }

    static S3Exception headerMalformed(String why) {
        return new S3Exception(S3ErrorCode.AuthorizationHeaderMalformed, HEADER_PREFIX + why);
    }

    static S3Exception headerMissingComponents() {
        return headerMalformed("the authorization header requires three components: Credential, SignedHeaders, "
                + "and Signature.");
    }

    static S3Exception queryError(String message) {
        return new S3Exception(S3ErrorCode.AuthorizationQueryParametersError, message);
    }

    static S3Exception queryParamsMissing() {
        return queryError("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                + "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
    }

    private static S3Exception scopeError(boolean query, String why) {
        return query ? queryError(QUERY_PREFIX + why) : headerMalformed(why);
    }

    static S3Exception credentialMalformed(boolean query) {
        return scopeError(query,
                "the Credential is mal-formed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
    }

    static S3Exception wrongRegion(boolean query, String got, String expected) {
        return scopeError(query, "the region '" + got + "' is wrong; expecting '" + expected + "'")
                .with("Region", expected);
    }

    static S3Exception wrongService(boolean query, String got) {
        return scopeError(query, "incorrect service \"" + got + "\". This endpoint belongs to \"s3\".");
    }

    static S3Exception wrongTerminator(boolean query, String got) {
        return scopeError(query, "incorrect terminal \"" + got + "\". This endpoint uses \"aws4_request\".");
    }

    static S3Exception wrongScopeDate(boolean query) {
        String why = "Invalid credential date. Date is not the same as X-Amz-Date.";
        return query ? queryError(why) : headerMalformed(why);
    }

    static S3Exception missingDate() {
        return new S3Exception(S3ErrorCode.AccessDenied, "AWS authentication requires a valid Date or x-amz-date header");
    }

    static S3Exception missingContentSha256() {
        return new S3Exception(S3ErrorCode.InvalidRequest,
                "Missing required header for this request: x-amz-content-sha256");
    }

    static S3Exception badContentSha256(String value) {
        return new S3Exception(S3ErrorCode.InvalidArgument, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
                + "STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, "
                + "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.")
                .with("ArgumentName", "x-amz-content-sha256").with("ArgumentValue", value);
    }

    static S3Exception notSigned(List<String> headers) {
        return new S3Exception(S3ErrorCode.AccessDenied, "There were headers present in the request which were not signed")
                .with("HeadersNotSigned", String.join(", ", headers));
    }

    static S3Exception unknownAccessKey(String accessKeyId) {
        return new S3Exception(S3ErrorCode.InvalidAccessKeyId).with("AWSAccessKeyId", accessKeyId);
    }

    /** S3 returns what it signed so that a client author can diff it with their own. */
    static S3Exception signatureMismatch(String accessKeyId, String stringToSign, String provided,
                                         String canonicalRequest) {
        return new S3Exception(S3ErrorCode.SignatureDoesNotMatch)
                .with("AWSAccessKeyId", accessKeyId)
                .with("StringToSign", stringToSign)
                .with("SignatureProvided", provided)
                .with("CanonicalRequest", canonicalRequest);
    }

    static S3Exception timeTooSkewed(String requestTime, Instant now) {
        return new S3Exception(S3ErrorCode.RequestTimeTooSkewed)
                .with("RequestTime", requestTime)
                .with("ServerTime", AmzTime.formatIso(now))
                .with("MaxAllowedSkewMilliseconds", Long.toString(MAX_SKEW_MILLIS));
    }

    static S3Exception expired(String expiresParam, Instant expiry, Instant now) {
        return new S3Exception(S3ErrorCode.AccessDenied, "Request has expired")
                .with("X-Amz-Expires", expiresParam)
                .with("Expires", AmzTime.formatIso(expiry))
                .with("ServerTime", AmzTime.formatIso(now));
    }

    static S3Exception notYetValid(Instant requestTime, Instant now) {
        return new S3Exception(S3ErrorCode.AccessDenied, "Request is not valid yet")
                .with("RequestTime", AmzTime.formatIso(requestTime))
                .with("ServerTime", AmzTime.formatIso(now));
    }

    static S3Exception invalidUri() {
        return new S3Exception(S3ErrorCode.InvalidURI);
    }
}
