package dev.kura.s3.auth;

import dev.kura.common.Hex;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Signs a request with AWS Signature Version 4 in the Authorization header, the client side of
 * {@link SigV4Authenticator} (used by {@code kura admin}). It builds the canonical request with the
 * same code the verifier uses ({@link CanonicalRequest}), so both agree on encoding by construction;
 * the AWS worked examples pin the pair to what AWS computes.
 *
 * <p>The signed headers are the given ones (which must include {@code host}, exactly as the HTTP
 * client will send it) plus {@code x-amz-date} and {@code x-amz-content-sha256}, which the signer
 * adds. The secret never leaves this object and is not in its {@code toString}.
 */
public final class SigV4Signer {
    /** Hex SHA-256 of an empty body. */
    public static final String EMPTY_SHA256 = Crypto.EMPTY_SHA256;
    /** The payload hash of a request whose body is not signed. */
    public static final String UNSIGNED_PAYLOAD = PayloadMode.UNSIGNED_PAYLOAD;

    private final String accessKey;
    private final String secretKey;
    private final String region;
    private final String service;

    public SigV4Signer(String accessKey, String secretKey, String region, String service) {
        this.accessKey = Objects.requireNonNull(accessKey, "accessKey");
        this.secretKey = Objects.requireNonNull(secretKey, "secretKey");
        this.region = Objects.requireNonNull(region, "region");
        this.service = Objects.requireNonNull(service, "service");
    }

    /**
     * The headers to add to the request: {@code x-amz-date}, {@code x-amz-content-sha256} and
     * {@code Authorization}, in that order.
     *
     * @param rawPath     the path as it will be sent (percent-encoded)
     * @param rawQuery    the query as it will be sent, without '?'; "" or null when none
     * @param headers     the other headers to sign; must hold {@code host}
     * @param payloadHash hex SHA-256 of the body, or {@link #UNSIGNED_PAYLOAD}
     */
    public Map<String, String> sign(String method, String rawPath, String rawQuery, Map<String, String> headers,
                                    String payloadHash, Instant time) {
        String amzDate = AmzTime.formatAmzDate(time);
        String scope = amzDate.substring(0, 8) + '/' + region + '/' + service + "/aws4_request";
        TreeMap<String, String> signed = new TreeMap<>();
        headers.forEach((name, value) -> signed.put(name.toLowerCase(Locale.ROOT), value));
        if (!signed.containsKey("host")) {
            throw new IllegalArgumentException("the host header must be signed");
        }
        signed.put("x-amz-date", amzDate);
        signed.put("x-amz-content-sha256", payloadHash);
        StringBuilder canonicalHeaders = new StringBuilder();
        signed.forEach((name, value) -> canonicalHeaders.append(name).append(':')
                .append(CanonicalRequest.trimAll(value)).append('\n'));
        String signedHeaders = String.join(";", signed.keySet());
        String canonical = CanonicalRequest.build(method, CanonicalRequest.canonicalUri(rawPath),
                CanonicalRequest.canonicalQuery(CanonicalRequest.parseQuery(rawQuery), null),
                canonicalHeaders.toString(), signedHeaders, payloadHash);
        byte[] key = SigningKey.derive(secretKey, amzDate.substring(0, 8), region, service);
        String signature = Hex.encode(Crypto.hmacSha256(key, CanonicalRequest.stringToSign(amzDate, scope, canonical)));
        Map<String, String> out = new LinkedHashMap<>();
        out.put("x-amz-date", amzDate);
        out.put("x-amz-content-sha256", payloadHash);
        out.put("Authorization", CanonicalRequest.ALGORITHM + " Credential=" + accessKey + '/' + scope
                + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature);
        return out;
    }

    /**
     * AWS UriEncode of one query name or value (every byte but A-Z a-z 0-9 - . _ ~ as %XX), the
     * form to send so the query on the wire is already canonical.
     */
    public static String encode(String s) {
        return CanonicalRequest.uriEncode(s.getBytes(StandardCharsets.UTF_8), false);
    }

    @Override
    public String toString() {
        return "SigV4Signer[" + accessKey + ", " + region + ", " + service + ", secret=<redacted>]";
    }
}
