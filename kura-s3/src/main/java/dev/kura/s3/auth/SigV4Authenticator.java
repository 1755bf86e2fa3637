package dev.kura.s3.auth;

import dev.kura.s3.http.RequestHead;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies AWS Signature Version 4 on a request head: the Authorization header
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html)
 * or a presigned URL (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
 * The body is checked later, while it streams, by {@link PayloadDecoder}.
 *
 * <p>Checks run in the order that gives the most useful answer: the shape of the auth data, the
 * credential scope, the request time, the payload declaration, the unsigned-header rule, the access
 * key, the clock skew and only then the signature. Every failure is an {@code S3Exception} with
 * the code S3 answers.
 */
public final class SigV4Authenticator {
    private static final int MAX_CACHED_KEYS = 1024;
    private final java.util.concurrent.ConcurrentHashMap<String, byte[]> derivedKeys = new java.util.concurrent.ConcurrentHashMap<>();
    private static final String SERVICE = "s3";
    private static final String TERMINATOR = "aws4_request";
    /** X-Amz-Expires upper bound: seven days, per "Authenticating Requests: Using Query Parameters". */
    private static final long MAX_EXPIRES_SECONDS = 604_800;
    private static final String CONTENT_SHA256 = "x-amz-content-sha256";

    private final CredentialStore store;
    private final String region;
    private final InstantSource clock;

    public SigV4Authenticator(CredentialStore store, String region, InstantSource clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.region = Objects.requireNonNull(region, "region");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Verifies the request head. Returns {@link AuthContext#anonymous()} when the request carries no
     * auth at all.
     *
     * @throws dev.kura.s3.S3Exception with the exact S3 code on any failure
     */
    public AuthContext authenticate(RequestHead head) {
        return authenticate(head, null);
    }

    /**
     * As above; {@code domain} (or null) is the base domain of virtual-hosted-style requests, which a
     * SigV2 signature's canonical resource names the bucket of.
     */
    public AuthContext authenticate(RequestHead head, String domain) {
        List<CanonicalRequest.QueryParam> query = CanonicalRequest.parseQuery(head.rawQuery());
        boolean v4Query = has(query, "X-Amz-Algorithm") || has(query, "X-Amz-Credential")
                || has(query, "X-Amz-Signature");
        boolean v2Query = has(query, "AWSAccessKeyId") && has(query, "Signature");
        String authorization = head.header("authorization");
        if (authorization != null) {
            if (has(query, "X-Amz-Algorithm") || v2Query) {
                throw AuthErrors.twoMechanisms();
            }
            if (authorization.startsWith("AWS ")) {
                return SigV2.header(head, authorization, store, clock.instant(),
                        dev.kura.s3.op.S3Router.virtualHostBucket(head.header("host"), domain));
            }
            return headerAuth(head, query, AuthorizationHeader.parse(authorization));
        }
        if (v4Query) {
            return presignedAuth(head, query);
        }
        if (v2Query) {
            return SigV2.query(head, query, store, clock.instant(),
                    dev.kura.s3.op.S3Router.virtualHostBucket(head.header("host"), domain));
        }
        return AuthContext.anonymous();
    }

    /** The authenticator's clock: a POST policy's expiration is judged by it too. */
    public Instant now() {
        return clock.instant();
    }

    /**
     * Verifies the signature of a browser POST form (its fields by lower-case name): SigV4
     * (x-amz-algorithm, x-amz-credential, x-amz-date, x-amz-signature over the base64 policy) or
     * SigV2 (AWSAccessKeyId, signature). Returns {@link AuthContext#anonymous()} for a form that
     * carries neither. The policy itself is checked by the caller
     * ({@code dev.kura.s3.post.PostPolicy}).
     */
    public AuthContext authenticatePostForm(java.util.Map<String, String> fields) {
        return PostFormAuth.authenticate(fields, this);
    }

    /** For {@link PostFormAuth}: the credential scope checks and the cached derived key. */
    void checkPostScope(Credential credential) {
        checkScope(credential, false);
    }

    String postSecret(Credential credential) {
        return secretKey(credential);
    }

    String postSecret(String accessKeyId) {
        return store.secretKey(accessKeyId).orElseThrow(() -> AuthErrors.unknownAccessKey(accessKeyId));
    }

    byte[] postSigningKey(Credential credential, String secret) {
        return signingKey(credential, secret);
    }

    private AuthContext headerAuth(RequestHead head, List<CanonicalRequest.QueryParam> query, AuthorizationHeader auth) {
        Credential credential = Credential.parse(auth.credential())
                .orElseThrow(() -> AuthErrors.credentialMalformed(false));
        checkScope(credential, false);
        RequestTime time = requestTime(head);
        if (!time.amzDate().startsWith(credential.date())) {
            throw AuthErrors.wrongScopeDate(false);
        }
        // "The x-amz-content-sha256 header is required for all AWS Signature Version 4 requests"
        // (sig-v4-header-based-auth.html).
        String contentSha256 = head.header(CONTENT_SHA256);
        if (contentSha256 == null) {
            throw AuthErrors.missingContentSha256();
        }
        DeclaredPayload payload = DeclaredPayload.parse(contentSha256);
        List<String> signedHeaders = AuthorizationHeader.signedHeaderNames(auth.signedHeaders());
        checkSignedHeaders(head, signedHeaders);
        String secret = secretKey(credential);
        Instant now = clock.instant();
        if (Math.abs(Duration.between(time.instant(), now).toMillis()) > AuthErrors.MAX_SKEW_MILLIS) {
            throw AuthErrors.timeTooSkewed(time.raw(), now);
        }
        List<String> canonical = canonicalRequests(head, CanonicalRequest.canonicalQuery(query, null),
                CanonicalRequest.canonicalHeaders(head, signedHeaders), auth.signedHeaders(), contentSha256);
        SigningKey key = verify(credential, secret, time.amzDate(), canonical, auth.signature());
        return new AuthContext(credential.accessKeyId(), payload.mode(), payload.sha256(), key);
    }

    private AuthContext presignedAuth(RequestHead head, List<CanonicalRequest.QueryParam> query) {
        String algorithm = first(query, "X-Amz-Algorithm");
        String credentialParam = first(query, "X-Amz-Credential");
        String signature = first(query, "X-Amz-Signature");
        String date = first(query, "X-Amz-Date");
        String signedHeadersParam = first(query, "X-Amz-SignedHeaders");
        String expiresParam = first(query, "X-Amz-Expires");
        if (algorithm == null || credentialParam == null || signature == null || date == null
                || signedHeadersParam == null || expiresParam == null) {
            throw AuthErrors.queryParamsMissing();
        }
        if (!algorithm.equals(CanonicalRequest.ALGORITHM)) {
            throw AuthErrors.queryError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
        }
        Credential credential = Credential.parse(credentialParam)
                .orElseThrow(() -> AuthErrors.credentialMalformed(true));
        checkScope(credential, true);
        Instant signedAt = AmzTime.parseAmzDate(date).orElseThrow(() -> AuthErrors.queryError(
                "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""));
        if (!date.startsWith(credential.date())) {
            throw AuthErrors.wrongScopeDate(true);
        }
        long expires = expiresSeconds(expiresParam);
        List<String> signedHeaders = AuthorizationHeader.signedHeaderNames(signedHeadersParam);
        if (signedHeaders == null) {
            throw AuthErrors.queryError("X-Amz-SignedHeaders is malformed: \"" + signedHeadersParam + "\"");
        }
        // A presigned URL does not know its payload: the hash is UNSIGNED-PAYLOAD unless the client
        // chose to sign an x-amz-content-sha256 header ("Authenticating Requests: Using Query Parameters").
        String contentSha256 = head.header(CONTENT_SHA256);
        DeclaredPayload payload = contentSha256 == null ? DeclaredPayload.UNSIGNED : DeclaredPayload.parse(contentSha256);
        String payloadHash = contentSha256 != null && signedHeaders.contains(CONTENT_SHA256)
                ? contentSha256 : PayloadMode.UNSIGNED_PAYLOAD;
        checkSignedHeaders(head, signedHeaders);
        String secret = secretKey(credential);
        Instant now = clock.instant();
        if (Duration.between(now, signedAt).toMillis() > AuthErrors.MAX_SKEW_MILLIS) {
            throw AuthErrors.notYetValid(signedAt, now);
        }
        Instant expiry = signedAt.plusSeconds(expires);
        // A zero lifetime can never be honoured; S3 documents 1 as the minimum.
        if (expires == 0 || now.isAfter(expiry)) {
            throw AuthErrors.expired(expiresParam, expiry, now);
        }
        List<String> canonical = canonicalRequests(head, CanonicalRequest.canonicalQuery(query, "X-Amz-Signature"),
                CanonicalRequest.canonicalHeaders(head, signedHeaders), signedHeadersParam, payloadHash);
        SigningKey key = verify(credential, secret, date, canonical, signature);
        return new AuthContext(credential.accessKeyId(), payload.mode(), payload.sha256(), key);
    }

    private static long expiresSeconds(String param) {
        long expires;
        try {
            expires = Long.parseLong(param);
        } catch (NumberFormatException e) {
            throw AuthErrors.queryError("X-Amz-Expires should be a number");
        }
        if (expires < 0) {
            throw AuthErrors.queryError("X-Amz-Expires must be non-negative");
        }
        if (expires > MAX_EXPIRES_SECONDS) {
            throw AuthErrors.queryError("X-Amz-Expires must be less than a week (in seconds); that is, "
                    + "the given X-Amz-Expires must be less than 604800 seconds");
        }
        return expires;
    }

    /** One canonical request per plausible canonical URI (see {@link CanonicalRequest#canonicalUris}). */
    private static List<String> canonicalRequests(RequestHead head, String query, String headers, String signedHeaders,
                                                  String payloadHash) {
        return CanonicalRequest.canonicalUris(head.rawPath()).stream()
                .map(uri -> CanonicalRequest.build(head.method(), uri, query, headers, signedHeaders, payloadHash))
                .toList();
    }

    /** Accepts the signature if it signs one of the candidate canonical requests; reports the first. */
    private SigningKey verify(Credential credential, String secret, String amzDate, List<String> canonical,
                              String provided) {
        String scope = credential.scope();
        byte[] key = signingKey(credential, secret);
        SigningKey signing = new SigningKey(key, amzDate, scope, provided);
        String firstStringToSign = null;
        for (String c : canonical) {
            String stringToSign = CanonicalRequest.stringToSign(amzDate, scope, c);
            if (Crypto.sameSignature(signing.sign(stringToSign), provided)) {
                return signing;
            }
            if (firstStringToSign == null) {
                firstStringToSign = stringToSign;
            }
        }
        throw AuthErrors.signatureMismatch(credential.accessKeyId(), firstStringToSign, provided, canonical.getFirst());
    }

    /**
     * The derived key changes once a day per credential, so it is cached (four HMACs per request
     * otherwise). The cache key includes the secret, so a changed secret never meets a stale key;
     * the cache is bounded and simply cleared when full.
     */
    private byte[] signingKey(Credential credential, String secret) {
        String id = credential.accessKeyId() + '\n' + secret + '\n' + credential.date() + '\n' + credential.region()
                + '\n' + credential.service();
        byte[] key = derivedKeys.get(id);
        if (key == null) {
            key = SigningKey.derive(secret, credential.date(), credential.region(), credential.service());
            if (derivedKeys.size() >= MAX_CACHED_KEYS) {
                derivedKeys.clear();
            }
            derivedKeys.put(id, key);
        }
        return key;
    }

    private void checkScope(Credential credential, boolean query) {
        if (!credential.region().equals(region)) {
            throw AuthErrors.wrongRegion(query, credential.region(), region);
        }
        if (!credential.service().equals(SERVICE)) {
            throw AuthErrors.wrongService(query, credential.service());
        }
        if (!credential.terminator().equals(TERMINATOR)) {
            throw AuthErrors.wrongTerminator(query, credential.terminator());
        }
    }

    /**
     * {@code host} and every {@code x-amz-*} header present must be signed. x-amz-content-sha256 is
     * exempt: "because the x-amz-content-sha256 header value is already part of your HashedPayload,
     * you are not required to include the x-amz-content-sha256 header as a canonical header"
     * (sig-v4-header-based-auth.html).
     * S3-COMPAT: Content-Type and Content-MD5 are not required to be signed (S3 does not insist
     * either, whatever the doc wording; browsers add Content-Type to presigned PUTs).
     */
    private static void checkSignedHeaders(RequestHead head, List<String> signedHeaders) {
        Set<String> signed = new HashSet<>(signedHeaders);
        List<String> unsigned = new ArrayList<>();
        if (!signed.contains("host")) {
            unsigned.add("host");
        }
        for (String name : head.headerNames()) {
            if (name.startsWith("x-amz-") && !name.equals(CONTENT_SHA256) && !signed.contains(name)) {
                unsigned.add(name);
            }
        }
        if (!unsigned.isEmpty()) {
            throw AuthErrors.notSigned(unsigned);
        }
    }

    private String secretKey(Credential credential) {
        return store.secretKey(credential.accessKeyId())
                .orElseThrow(() -> AuthErrors.unknownAccessKey(credential.accessKeyId()));
    }

    /** The time the request was signed at: x-amz-date, else the Date header. */
    private record RequestTime(Instant instant, String amzDate, String raw) {
    }

    private static RequestTime requestTime(RequestHead head) {
        String amz = head.header("x-amz-date");
        if (amz != null) {
            Instant t = AmzTime.parseAmzDate(amz.strip()).orElseThrow(AuthErrors::missingDate);
            return new RequestTime(t, amz.strip(), amz);
        }
        String date = head.header("date");
        Instant t = AmzTime.parseHttpDate(date).orElseThrow(AuthErrors::missingDate);
        return new RequestTime(t, AmzTime.formatAmzDate(t), date);
    }

    /** The body protection declared by x-amz-content-sha256. */
    private record DeclaredPayload(PayloadMode mode, String sha256) {
        static final DeclaredPayload UNSIGNED = new DeclaredPayload(PayloadMode.UNSIGNED, null);

        static DeclaredPayload parse(String value) {
            return switch (value) {
                case PayloadMode.UNSIGNED_PAYLOAD -> UNSIGNED;
                case PayloadMode.STREAMING_PAYLOAD -> new DeclaredPayload(PayloadMode.STREAMING_SIGNED, null);
                case PayloadMode.STREAMING_PAYLOAD_TRAILER ->
                        new DeclaredPayload(PayloadMode.STREAMING_SIGNED_TRAILER, null);
                case PayloadMode.STREAMING_UNSIGNED_PAYLOAD_TRAILER ->
                        new DeclaredPayload(PayloadMode.STREAMING_UNSIGNED_TRAILER, null);
                default -> {
                    if (!isSha256Hex(value)) {
                        throw AuthErrors.badContentSha256(value);
                    }
                    yield new DeclaredPayload(PayloadMode.SIGNED, value.toLowerCase(Locale.ROOT));
                }
            };
        }

        private static boolean isSha256Hex(String s) {
            if (s.length() != 64) {
                return false;
            }
            for (int i = 0; i < 64; i++) {
                if (Character.digit(s.charAt(i), 16) < 0 || s.charAt(i) > 'f') {
                    return false;
                }
            }
            return true;
        }
    }

    private static boolean has(List<CanonicalRequest.QueryParam> query, String name) {
        return first(query, name) != null;
    }

    private static String first(List<CanonicalRequest.QueryParam> query, String name) {
        for (CanonicalRequest.QueryParam p : query) {
            if (p.name().equals(name)) {
                return p.value();
            }
        }
        return null;
    }
}
