package dev.kura.s3.auth;

import dev.kura.s3.http.RequestHead;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * Builds the SigV4 canonical request the way S3 does, per "Signature Calculations for the
 * Authorization Header" (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html):
 *
 * <pre>
 * HTTPMethod \n CanonicalURI \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload
 * </pre>
 *
 * The client signed what it meant, not what it sent, so the path and query are percent-decoded
 * and re-encoded with AWS's UriEncode; S3 does NOT normalise the path ({@code a/./b} and
 * {@code a//b} are distinct keys), unlike other AWS services.
 */
final class CanonicalRequest {
    static final String ALGORITHM = "AWS4-HMAC-SHA256";
    private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();

    private CanonicalRequest() {
    }

    /** One query parameter: decoded name and value, and their UriEncoded canonical forms. */
    record QueryParam(String name, String value, String canonicalName, String canonicalValue) {
    }

    /** The full canonical request text. */
    static String build(String method, String canonicalUri, String canonicalQuery, String canonicalHeaders,
                        String signedHeaders, String payloadHash) {
        return method + '\n' + canonicalUri + '\n' + canonicalQuery + '\n' + canonicalHeaders + '\n'
                + signedHeaders + '\n' + payloadHash;
    }

    /** "AWS4-HMAC-SHA256" \n timestamp \n scope \n hex(sha256(canonical request)). */
    static String stringToSign(String amzDate, String scope, String canonicalRequest) {
        return ALGORITHM + '\n' + amzDate + '\n' + scope + '\n' + Crypto.sha256Hex(canonicalRequest);
    }

    /** The raw path decoded then UriEncoded with '/' kept; an empty path is "/". */
    static String canonicalUri(String rawPath) {
        if (rawPath == null || rawPath.isEmpty()) {
            return "/";
        }
        return uriEncode(percentDecode(rawPath), true);
    }

    /**
     * The canonical URIs a client may have signed. Normally one: {@link #canonicalUri}, what the
     * SDKs sign (they encode the key, keeping its '/'). A path with an encoded slash (%2F) is
     * ambiguous: decoded, it is the same key as with '/', but a client that escaped the slash on
     * purpose signed it escaped. Both forms name the same key, so accepting either is safe.
     */
    static List<String> canonicalUris(String rawPath) {
        String primary = canonicalUri(rawPath);
        if (rawPath == null || !rawPath.toUpperCase(Locale.ROOT).contains("%2F")) {
            return List.of(primary);
        }
        StringJoiner bySegment = new StringJoiner("/");
        for (String segment : rawPath.split("/", -1)) {
            bySegment.add(uriEncode(percentDecode(segment), false));
        }
        return List.of(primary, bySegment.toString());
    }

    /** Splits a raw query into parameters (empty pieces such as "a&&b" are skipped). */
    static List<QueryParam> parseQuery(String rawQuery) {
        List<QueryParam> params = new ArrayList<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return params;
        }
        for (String part : rawQuery.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            byte[] name = percentDecode(eq < 0 ? part : part.substring(0, eq));
            byte[] value = eq < 0 ? new byte[0] : percentDecode(part.substring(eq + 1));
            params.add(new QueryParam(new String(name, StandardCharsets.UTF_8), new String(value, StandardCharsets.UTF_8),
                    uriEncode(name, false), uriEncode(value, false)));
        }
        return params;
    }

    /**
     * Parameters sorted by encoded name then encoded value (byte order, as the encoded forms are
     * ASCII), joined as {@code name=value} with '&'; {@code excluded} (X-Amz-Signature for presigned
     * URLs) is left out.
     */
    static String canonicalQuery(List<QueryParam> params, String excluded) {
        List<QueryParam> sorted = new ArrayList<>(params.size());
        for (QueryParam p : params) {
            if (!p.name().equals(excluded)) {
                sorted.add(p);
            }
        }
        sorted.sort(Comparator.comparing(QueryParam::canonicalName).thenComparing(QueryParam::canonicalValue));
        StringBuilder sb = new StringBuilder();
        for (QueryParam p : sorted) {
            if (!sb.isEmpty()) {
                sb.append('&');
            }
            sb.append(p.canonicalName()).append('=').append(p.canonicalValue());
        }
        return sb.toString();
    }

    /**
     * {@code name:value\n} for each signed header, in the order the client listed them (the
     * SignedHeaders string is used verbatim, so the client's order is the one it signed). Values
     * are trimmed with inner runs of spaces collapsed; repeated headers are joined by ','.
     */
    static String canonicalHeaders(RequestHead head, List<String> signedHeaders) {
        StringBuilder sb = new StringBuilder();
        for (String name : signedHeaders) {
            sb.append(name).append(':');
            List<String> values = head.headers(name);
            for (int i = 0; i < values.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(trimAll(RequestHead.utf8View(values.get(i))));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Trims the value and turns each run of spaces or tabs into one space (SigV4 "Trimall"). */
    static String trimAll(String v) {
        StringBuilder sb = new StringBuilder(v.length());
        boolean space = false;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == ' ' || c == '\t') {
                space = true;
            } else {
                if (space && !sb.isEmpty()) {
                    sb.append(' ');
                }
                space = false;
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /**
     * AWS UriEncode: every byte except the unreserved A-Z a-z 0-9 - . _ ~ becomes %XX with
     * upper-case hex; '/' is kept only in paths.
     */
    static String uriEncode(byte[] bytes, boolean keepSlash) {
        StringBuilder sb = new StringBuilder(bytes.length + 16);
        for (byte b : bytes) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~' || (keepSlash && c == '/')) {
                sb.append((char) c);
            } else {
                sb.append('%').append(HEX_UPPER[c >> 4]).append(HEX_UPPER[c & 0xf]);
            }
        }
        return sb.toString();
    }

    /**
     * Percent-decodes to bytes ('+' stays '+': S3 clients encode a space as %20). Characters
     * outside ASCII are taken as UTF-8. A malformed escape is {@code InvalidURI}.
     */
    static byte[] percentDecode(String s) {
        byte[] in = s.getBytes(StandardCharsets.UTF_8);
        if (s.indexOf('%') < 0) {
            return in;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
        for (int i = 0; i < in.length; i++) {
            if (in[i] != '%') {
                out.write(in[i]);
                continue;
            }
            if (i + 2 >= in.length) {
                throw AuthErrors.invalidUri();
            }
            int hi = Character.digit(in[i + 1], 16);
            int lo = Character.digit(in[i + 2], 16);
            if (hi < 0 || lo < 0) {
                throw AuthErrors.invalidUri();
            }
            out.write(hi << 4 | lo);
            i += 2;
        }
        return out.toByteArray();
    }
}
