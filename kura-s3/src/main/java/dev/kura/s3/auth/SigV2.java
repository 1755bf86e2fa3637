package dev.kura.s3.auth;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * AWS Signature Version 2 (https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html),
 * which S3 still accepts in its older regions and old clients still send:
 * {@code Authorization: AWS AccessKeyId:Signature}, or a presigned URL with {@code AWSAccessKeyId},
 * {@code Expires} and {@code Signature}. The signature is base64(HMAC-SHA1(secret, StringToSign)),
 * StringToSign = verb, Content-MD5, Content-Type, Date (empty when x-amz-date is sent; the expiry time
 * of a presigned URL), the x-amz-* headers and the canonical resource, one per line. SigV2 signs no
 * body hash: a body is as trustworthy as its Content-MD5 (checked while it streams).
 */
final class SigV2 {
    /** The query parameters that are part of the canonical resource (sub-resources and response overrides). */
    private static final Set<String> SUBRESOURCES = Set.of("accelerate", "acl", "cors", "delete", "encryption",
            "legal-hold", "lifecycle", "location", "logging", "notification", "object-lock", "ownershipControls",
            "partNumber", "policy", "policyStatus", "publicAccessBlock", "replication", "requestPayment",
            "response-cache-control", "response-content-disposition", "response-content-encoding",
            "response-content-language", "response-content-type", "response-expires", "restore", "retention",
            "select", "select-type", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions",
            "website", "attributes");

    private SigV2() {
    }

    /** {@code Authorization: AWS AccessKeyId:Signature}. */
    static AuthContext header(RequestHead head, String authorization, CredentialStore store, Instant now,
                              String virtualBucket) {
        String rest = authorization.strip().substring(3).strip();
        int colon = rest.lastIndexOf(':');
        if (colon <= 0 || colon == rest.length() - 1) {
            throw new S3Exception(S3ErrorCode.InvalidArgument,
                    "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature")
                    .with("ArgumentName", "Authorization").with("ArgumentValue", authorization);
        }
        String accessKey = rest.substring(0, colon);
        String provided = rest.substring(colon + 1);
        String amzDate = head.header("x-amz-date");
        String date = amzDate != null ? amzDate : head.header("date");
        // a date before the epoch is no date (S3: AccessDenied, not RequestTimeTooSkewed)
        Optional<Instant> when = date == null ? Optional.empty() : parseDate(date).filter(t -> !t.isBefore(Instant.EPOCH));
        if (when.isEmpty()) {
            throw new S3Exception(S3ErrorCode.AccessDenied, "AWS authentication requires a valid Date or x-amz-date header");
        }
        String secret = store.secretKey(accessKey).orElseThrow(() -> AuthErrors.unknownAccessKey(accessKey));
        if (Math.abs(when.get().toEpochMilli() - now.toEpochMilli()) > AuthErrors.MAX_SKEW_MILLIS) {
            throw AuthErrors.timeTooSkewed(date, now);
        }
        check(head, accessKey, secret, amzDate != null ? "" : date, virtualBucket, provided);
        return new AuthContext(accessKey, PayloadMode.UNSIGNED, null, null);
    }

    /** A presigned URL: {@code AWSAccessKeyId}, {@code Expires} (epoch seconds), {@code Signature}. */
    static AuthContext query(RequestHead head, List<CanonicalRequest.QueryParam> query, CredentialStore store,
                             Instant now, String virtualBucket) {
        String accessKey = value(query, "AWSAccessKeyId");
        String provided = value(query, "Signature");
        String expires = value(query, "Expires");
        if (expires == null || expires.isEmpty() || !expires.chars().allMatch(Character::isDigit) || expires.length() > 12) {
            throw new S3Exception(S3ErrorCode.AccessDenied, "Query-string authentication requires the Signature, "
                    + "Expires and AWSAccessKeyId parameters");
        }
        String secret = store.secretKey(accessKey).orElseThrow(() -> AuthErrors.unknownAccessKey(accessKey));
        Instant expiry = Instant.ofEpochSecond(Long.parseLong(expires));
        if (now.isAfter(expiry)) {
            throw new S3Exception(S3ErrorCode.AccessDenied, "Request has expired").with("Expires", AmzTime.formatIso(expiry))
                    .with("ServerTime", AmzTime.formatIso(now));
        }
        check(head, accessKey, secret, expires, virtualBucket, provided);
        return new AuthContext(accessKey, PayloadMode.UNSIGNED, null, null);
    }

    /**
     * Compares the signature with the one of the request's StringToSign. A path-style request for a
     * bucket ({@code /bucket}) is also accepted as signed for {@code /bucket/}: the resource SDKs sign
     * for a bucket whatever the URL they send (botocore's HmacV1, for one).
     */
    private static void check(RequestHead head, String accessKey, String secret, String date, String virtualBucket,
                              String provided) {
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        String toSign = stringToSign(head, date, virtualBucket, "");
        boolean ok = Crypto.sameSignature(Base64.getEncoder().encodeToString(Crypto.hmacSha1(key, toSign)), provided);
        String path = head.rawPath();
        if (!ok && virtualBucket == null && path.length() > 1 && path.indexOf('/', 1) < 0) {
            String withSlash = stringToSign(head, date, null, "/");
            ok = Crypto.sameSignature(Base64.getEncoder().encodeToString(Crypto.hmacSha1(key, withSlash)), provided);
        }
        if (!ok) {
            throw new S3Exception(S3ErrorCode.SignatureDoesNotMatch).with("AWSAccessKeyId", accessKey)
                    .with("StringToSign", toSign).with("SignatureProvided", provided);
        }
    }

    static String stringToSign(RequestHead head, String date, String virtualBucket) {
        return stringToSign(head, date, virtualBucket, "");
    }

    private static String stringToSign(RequestHead head, String date, String virtualBucket, String pathSuffix) {
        StringBuilder sb = new StringBuilder();
        sb.append(head.method()).append('\n');
        sb.append(orEmpty(head.header("content-md5"))).append('\n');
        sb.append(orEmpty(head.header("content-type"))).append('\n');
        sb.append(date).append('\n');
        TreeMap<String, List<String>> amz = new TreeMap<>();
        for (String name : head.headerNames()) {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-amz-")) {
                for (String v : head.headers(name)) {
                    amz.computeIfAbsent(lower, k -> new ArrayList<>()).add(v.strip().replaceAll("\\s*\\n\\s*", " "));
                }
            }
        }
        for (Map.Entry<String, List<String>> e : amz.entrySet()) {
            sb.append(e.getKey()).append(':').append(String.join(",", e.getValue())).append('\n');
        }
        if (virtualBucket != null) {
            sb.append('/').append(virtualBucket);
        }
        sb.append(head.rawPath()).append(pathSuffix);
        TreeMap<String, String> sub = new TreeMap<>();
        for (CanonicalRequest.QueryParam p : CanonicalRequest.parseQuery(head.rawQuery())) {
            if (SUBRESOURCES.contains(p.name())) {
                sub.put(p.name(), p.value());
            }
        }
        char sep = '?';
        for (Map.Entry<String, String> e : sub.entrySet()) {
            sb.append(sep).append(e.getKey());
            if (!e.getValue().isEmpty()) {
                sb.append('=').append(e.getValue());
            }
            sep = '&';
        }
        return sb.toString();
    }

    /**
     * An HTTP date (RFC 1123; the day name is not held against it, as S3 does not) or the ISO 8601
     * basic form.
     */
    private static Optional<Instant> parseDate(String s) {
        String t = s.strip();
        Optional<Instant> http = AmzTime.parseHttpDate(t);
        if (http.isPresent()) {
            return http;
        }
        int comma = t.indexOf(',');
        if (comma > 0 && comma < 10) {
            try {
                return Optional.of(java.time.ZonedDateTime.parse(t.substring(comma + 1).strip(),
                        java.time.format.DateTimeFormatter.ofPattern("d MMM uuuu HH:mm:ss zzz", Locale.ROOT)).toInstant());
            } catch (java.time.DateTimeException e) {
                return Optional.empty();
            }
        }
        return AmzTime.parseAmzDate(t);
    }

    private static String value(List<CanonicalRequest.QueryParam> query, String name) {
        for (CanonicalRequest.QueryParam p : query) {
            if (p.name().equals(name)) {
                return p.value();
            }
        }
        return null;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
