package dev.kura.s3.auth;

import dev.kura.s3.http.RequestHead;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A client-side SigV4 signer written for the tests from the AWS pages, sharing no code with the
 * verifier, so the two check each other. It signs the way the SDKs do: canonical headers sorted,
 * path and query UriEncoded from their decoded form.
 */
final class TestSigner {
    static final String AKID = "AKIAIOSFODNN7EXAMPLE";
    static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    static final String REGION = "us-east-1";
    static final String AMZ_DATE = "20130524T000000Z";
    static final Instant NOW = Instant.parse("2013-05-24T00:00:00Z");
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private TestSigner() {
    }

    static SigV4Authenticator authenticator() {
        return authenticator(NOW);
    }

    static SigV4Authenticator authenticator(Instant now) {
        CredentialStore store = id -> id.equals(AKID) ? Optional.of(SECRET) : Optional.empty();
        return new SigV4Authenticator(store, REGION, InstantSource.fixed(now));
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String sha256Hex(String s) {
        return hex(sha256(s.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] hmac(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static byte[] signingKey(String secret, String date, String region) {
        byte[] k = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        k = hmac(k, region);
        k = hmac(k, "s3");
        return hmac(k, "aws4_request");
    }

    static String uriEncode(String s, boolean path) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (Character.isLetterOrDigit(c) && c < 128 || "-._~".indexOf(c) >= 0 || path && c == '/') {
                sb.append(c);
            } else {
                sb.append(String.format("%%%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    /** A request being built: decoded path and query, headers to sign, headers to leave unsigned. */
    static final class Request {
        final String method;
        final String path;
        final List<String[]> query = new ArrayList<>();
        final Map<String, String> signed = new LinkedHashMap<>();
        final Map<String, String> unsigned = new LinkedHashMap<>();
        String akid = AKID;
        String secret = SECRET;
        String region = REGION;
        String scopeDate = AMZ_DATE.substring(0, 8);
        String service = "s3";
        String amzDate = AMZ_DATE;
        String signature;
        /** When set, the exact path sent and signed (instead of the UriEncoded {@link #path}). */
        String encodedPath;
        boolean withAmzDate = true;
        boolean signContentSha256 = true;

        Request(String method, String path) {
            this.method = method;
            this.path = path;
            signed.put("host", "examplebucket.s3.amazonaws.com");
        }

        Request query(String name, String value) {
            query.add(new String[] {name, value});
            return this;
        }

        Request header(String name, String value) {
            signed.put(name.toLowerCase(Locale.ROOT), value);
            return this;
        }

        Request unsignedHeader(String name, String value) {
            unsigned.put(name.toLowerCase(Locale.ROOT), value);
            return this;
        }

        String scope() {
            return scopeDate + "/" + region + "/" + service + "/aws4_request";
        }

        private String canonicalQuery(String excluded) {
            return query.stream().filter(p -> !p[0].equals(excluded))
                    .map(p -> uriEncode(p[0], false) + "=" + uriEncode(p[1], false)).sorted()
                    .collect(Collectors.joining("&"));
        }

        private String encodedPath() {
            return encodedPath != null ? encodedPath : uriEncode(path, true);
        }

        private String rawTarget() {
            String q = query.stream().map(p -> uriEncode(p[0], false) + "=" + uriEncode(p[1], false))
                    .collect(Collectors.joining("&"));
            return encodedPath() + (q.isEmpty() ? "" : "?" + q);
        }

        private String sign(String canonicalQuery, String payloadHash) {
            TreeMap<String, String> sorted = new TreeMap<>(signed);
            StringBuilder headers = new StringBuilder();
            sorted.forEach((k, v) -> headers.append(k).append(':').append(v.strip()).append('\n'));
            String signedHeaders = String.join(";", sorted.keySet());
            String canonical = method + "\n" + encodedPath() + "\n" + canonicalQuery + "\n" + headers + "\n"
                    + signedHeaders + "\n" + payloadHash;
            String stringToSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope() + "\n" + sha256Hex(canonical);
            signature = hex(hmac(signingKey(secret, scopeDate, region), stringToSign));
            return signedHeaders;
        }

        /** Signs with an Authorization header; x-amz-date and x-amz-content-sha256 are added and signed. */
        RequestHead signHeader(String payloadHash) {
            if (withAmzDate) {
                signed.putIfAbsent("x-amz-date", amzDate);
            }
            if (signContentSha256) {
                signed.putIfAbsent("x-amz-content-sha256", payloadHash);
            } else {
                unsigned.putIfAbsent("x-amz-content-sha256", payloadHash);
            }
            String signedHeaders = sign(canonicalQuery(null), payloadHash);
            RequestHead.Builder b = RequestHead.builder(method, rawTarget());
            signed.forEach(b::header);
            unsigned.forEach(b::header);
            b.header("Authorization", "AWS4-HMAC-SHA256 Credential=" + akid + "/" + scope() + ", SignedHeaders="
                    + signedHeaders + ", Signature=" + signature);
            return b.build();
        }

        /** Signs as a presigned URL valid for {@code expires} seconds. */
        RequestHead presign(long expires) {
            query("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
            query("X-Amz-Credential", akid + "/" + scope());
            query("X-Amz-Date", amzDate);
            query("X-Amz-Expires", Long.toString(expires));
            query("X-Amz-SignedHeaders", String.join(";", new TreeMap<>(signed).keySet()));
            String payload = signed.getOrDefault("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
            sign(canonicalQuery(null), payload);
            query("X-Amz-Signature", signature);
            RequestHead.Builder b = RequestHead.builder(method, rawTarget());
            signed.forEach(b::header);
            unsigned.forEach(b::header);
            return b.build();
        }
    }

    /**
     * Encodes {@code data} as a signed aws-chunked body (chunks of the given sizes, then the final
     * empty chunk), optionally with trailers signed per the trailer page.
     */
    static byte[] signedChunked(byte[] data, int chunkSize, byte[] key, String seed, Map<String, String> trailers) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String scope = AMZ_DATE.substring(0, 8) + "/" + REGION + "/s3/aws4_request";
        String previous = seed;
        int off = 0;
        while (true) {
            int n = Math.min(chunkSize, data.length - off);
            byte[] chunk = java.util.Arrays.copyOfRange(data, off, off + n);
            String sts = "AWS4-HMAC-SHA256-PAYLOAD\n" + AMZ_DATE + "\n" + scope + "\n" + previous + "\n"
                    + EMPTY_SHA256 + "\n" + hex(sha256(chunk));
            previous = hex(hmac(key, sts));
            out.writeBytes((Integer.toHexString(n) + ";chunk-signature=" + previous + "\r\n").getBytes(StandardCharsets.US_ASCII));
            if (n == 0) {
                break;
            }
            out.writeBytes(chunk);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            off += n;
        }
        if (trailers != null) {
            StringBuilder canonical = new StringBuilder();
            new TreeMap<>(trailers).forEach((k, v) -> canonical.append(k).append(':').append(v).append('\n'));
            String sts = "AWS4-HMAC-SHA256-TRAILER\n" + AMZ_DATE + "\n" + scope + "\n" + previous + "\n"
                    + sha256Hex(canonical.toString());
            String trailerSig = hex(hmac(key, sts));
            trailers.forEach((k, v) -> out.writeBytes((k + ":" + v + "\r\n").getBytes(StandardCharsets.US_ASCII)));
            out.writeBytes(("x-amz-trailer-signature:" + trailerSig + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Encodes {@code data} as an unsigned aws-chunked body with the given trailer lines (raw). */
    static byte[] unsignedChunked(byte[] data, int chunkSize, String trailerLines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int off = 0; off < data.length; off += chunkSize) {
            int n = Math.min(chunkSize, data.length - off);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(data, off, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(("0\r\n" + trailerLines + "\r\n").getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
