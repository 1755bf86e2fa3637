package dev.kura.bench.http;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs S3 requests with AWS Signature Version 4 in the Authorization header
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html), and the chunks
 * of a streaming {@code aws-chunked} body
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html).
 *
 * <p>Written from the AWS documentation, independently of the server's verifier, so that every
 * benchmark run also cross-checks the two. One signer per worker thread: it keeps its own
 * {@link Mac} and {@link MessageDigest} and caches the signing key per day.
 */
public final class SigV4Signer {
    public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    public static final String STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    public static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final DateTimeFormatter AMZ_DATE =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final HexFormat HEX = HexFormat.of();

    private final String accessKey;
    private final String secretKey;
    private final String region;
    private final Mac mac;
    private final MessageDigest sha256;
    private String keyDate = "";
    private byte[] signingKey;
    private long cachedSecond = Long.MIN_VALUE;
    private String cachedAmzDate;

    public SigV4Signer(String accessKey, String secretKey, String region) {
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.region = region;
        try {
            this.mac = Mac.getInstance("HmacSHA256");
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a signed request carries, and what a streaming body's chunk signatures chain from. */
    public record Signed(String amzDate, String authorization, String seedSignature, String scope) {
    }

    /**
     * Signs one request.
     *
     * @param rawPath     the path as sent, already URI-encoded (see {@link #encodePath})
     * @param query       query parameters, not encoded; a value-less parameter has value ""
     * @param headers     headers to sign besides host, x-amz-date and x-amz-content-sha256, names lower-case
     * @param payloadHash hex SHA-256 of the body, {@link #UNSIGNED_PAYLOAD} or {@link #STREAMING_PAYLOAD}
     */
    public Signed sign(String method, String host, String rawPath, Map<String, String> query,
                       Map<String, String> headers, String payloadHash, Instant now) {
        String amzDate = amzDate(now);
        String date = amzDate.substring(0, 8);
        TreeMap<String, String> signed = new TreeMap<>(headers);
        signed.put("host", host);
        signed.put("x-amz-date", amzDate);
        signed.put("x-amz-content-sha256", payloadHash);
        StringBuilder canonical = new StringBuilder(256)
                .append(method).append('\n')
                .append(rawPath).append('\n')
                .append(canonicalQuery(query)).append('\n');
        for (Map.Entry<String, String> h : signed.entrySet()) {
            canonical.append(h.getKey()).append(':').append(h.getValue().strip()).append('\n');
        }
        String signedHeaders = String.join(";", signed.keySet());
        canonical.append('\n').append(signedHeaders).append('\n').append(payloadHash);
        String scope = date + "/" + region + "/s3/aws4_request";
        String stringToSign = ALGORITHM + "\n" + amzDate + "\n" + scope + "\n" + hexSha256(canonical.toString());
        String signature = HEX.formatHex(hmac(key(date), stringToSign));
        String authorization = ALGORITHM + " Credential=" + accessKey + "/" + scope
                + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature;
        return new Signed(amzDate, authorization, signature, scope);
    }

    /** The signature of one {@code aws-chunked} chunk; {@code previous} is the seed or the prior chunk's. */
    public String chunkSignature(Signed request, String previous, byte[] data, int off, int len) {
        sha256.update(data, off, len);
        String chunkHash = HEX.formatHex(sha256.digest());
        String stringToSign = ALGORITHM + "-PAYLOAD\n" + request.amzDate() + "\n" + request.scope() + "\n"
                + previous + "\n" + EMPTY_SHA256 + "\n" + chunkHash;
        return HEX.formatHex(hmac(key(request.amzDate().substring(0, 8)), stringToSign));
    }

    public String hexSha256(byte[] data, int off, int len) {
        sha256.update(data, off, len);
        return HEX.formatHex(sha256.digest());
    }

    /** The SHA-256 being built for a body written in pieces (see {@link #finishHex}). */
    public MessageDigest digest() {
        sha256.reset();
        return sha256;
    }

    public static String finishHex(MessageDigest md) {
        return HEX.formatHex(md.digest());
    }

    private String hexSha256(String s) {
        return HEX.formatHex(sha256.digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private String amzDate(Instant now) {
        long second = now.getEpochSecond();
        if (second != cachedSecond) {
            cachedSecond = second;
            cachedAmzDate = AMZ_DATE.format(Instant.ofEpochSecond(second));
        }
        return cachedAmzDate;
    }

    private byte[] key(String date) {
        if (!date.equals(keyDate)) {
            byte[] k = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
            k = hmac(k, region);
            k = hmac(k, "s3");
            signingKey = hmac(k, "aws4_request");
            keyDate = date;
        }
        return signingKey;
    }

    private byte[] hmac(byte[] key, String data) {
        try {
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    static String canonicalQuery(Map<String, String> query) {
        if (query.isEmpty()) {
            return "";
        }
        List<String[]> pairs = new ArrayList<>(query.size());
        for (Map.Entry<String, String> e : query.entrySet()) {
            pairs.add(new String[] {encode(e.getKey(), true), encode(e.getValue(), true)});
        }
        pairs.sort(Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]));
        StringBuilder sb = new StringBuilder();
        for (String[] p : pairs) {
            if (!sb.isEmpty()) {
                sb.append('&');
            }
            sb.append(p[0]).append('=').append(p[1]);
        }
        return sb.toString();
    }

    /** The query string as sent: the same encoding as the canonical form, in the caller's order. */
    public static String queryString(Map<String, String> query) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (!sb.isEmpty()) {
                sb.append('&');
            }
            sb.append(encode(e.getKey(), true));
            if (!e.getValue().isEmpty()) {
                sb.append('=').append(encode(e.getValue(), true));
            }
        }
        return sb.toString();
    }

    /** {@code /bucket/key} with each byte outside RFC 3986's unreserved set percent-encoded, '/' kept. */
    public static String encodePath(String bucket, String key) {
        return "/" + encode(bucket, true) + (key == null ? "" : "/" + encode(key, false));
    }

    /** URI-encodes as SigV4 requires: unreserved characters stay, everything else is %XX of its UTF-8 bytes. */
    public static String encode(String s, boolean encodeSlash) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            char c = (char) (b & 0xff);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encodeSlash)) {
                sb.append(c);
            } else {
                sb.append('%').append(HEX.toHexDigits(b).toUpperCase(Locale.ROOT));
            }
        }
        return sb.toString();
    }
}
