package dev.kura.s3.auth;

import dev.kura.common.Hex;
import java.nio.charset.StandardCharsets;

/**
 * The derived SigV4 key of one request and the values every chunk and trailer signature of its
 * body chains from (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html):
 * the request time, the credential scope and the seed signature (the request's own signature).
 * The key bytes never leave this class.
 */
public final class SigningKey {
    private final byte[] key;
    private final String amzDate;
    private final String scope;
    private final String seedSignature;

    SigningKey(byte[] key, String amzDate, String scope, String seedSignature) {
        this.key = key.clone();
        this.amzDate = amzDate;
        this.scope = scope;
        this.seedSignature = seedSignature;
    }

    /**
     * kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, yyyyMMdd), region), service), "aws4_request"),
     * per "Signature Calculations for the Authorization Header".
     */
    static byte[] derive(String secretKey, String date, String region, String service) {
        byte[] k = Crypto.hmacSha256(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
        k = Crypto.hmacSha256(k, region);
        k = Crypto.hmacSha256(k, service);
        return Crypto.hmacSha256(k, "aws4_request");
    }

    /** The request time as {@code yyyyMMdd'T'HHmmss'Z'}. */
    public String amzDate() {
        return amzDate;
    }

    /** The credential scope {@code yyyyMMdd/region/s3/aws4_request}. */
    public String scope() {
        return scope;
    }

    /** The request signature, from which the first chunk signature chains. */
    public String seedSignature() {
        return seedSignature;
    }

    /** Lower-case hex HMAC-SHA256 of {@code stringToSign} under this key. */
    public String sign(String stringToSign) {
        return Hex.encode(Crypto.hmacSha256(key, stringToSign));
    }

    @Override
    public String toString() {
        return "SigningKey[" + scope + " " + amzDate + "]";
    }
}
