package dev.kura.s3.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The head of an HTTP request as it came off the wire: method, raw (still percent-encoded) path
 * and query, and headers by lower-case name in arrival order. Independent of the HTTP server
 * library, so parsing, routing and SigV4 can be tested without sockets.
 */
public final class RequestHead {
    private final String method;
    private final String rawPath;
    private final String rawQuery;
    private final Map<String, List<String>> headers;
    private Map<String, List<String>> query;

    private RequestHead(String method, String rawPath, String rawQuery, Map<String, List<String>> headers) {
        this.method = method;
        this.rawPath = rawPath;
        this.rawQuery = rawQuery;
        this.headers = headers;
    }

    /** Splits a request target ({@code /path?query}) into raw path and raw query. */
    public static Builder builder(String method, String requestTarget) {
        int q = requestTarget.indexOf('?');
        String path = q < 0 ? requestTarget : requestTarget.substring(0, q);
        String query = q < 0 ? "" : requestTarget.substring(q + 1);
        return new Builder(method, path, query);
    }

    public String method() {
        return method;
    }

    /** The path exactly as sent, percent-encoded, without the query. */
    public String rawPath() {
        return rawPath;
    }

    /** The query exactly as sent, without the '?', or "" when there is none. */
    public String rawQuery() {
        return rawQuery;
    }

    /** The first value of a header (name case-insensitive), or null. */
    public String header(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    /** All values of a header in arrival order (empty when absent). */
    public List<String> headers(String name) {
        List<String> v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null ? List.of() : Collections.unmodifiableList(v);
    }

    /** Lower-case names of all headers present. */
    public Set<String> headerNames() {
        return Collections.unmodifiableSet(headers.keySet());
    }

    /**
     * Query parameters, names and values percent-decoded ('+' stays '+': S3 clients encode spaces
     * as %20), in arrival order. A parameter without '=' has the value "".
     */
    public Map<String, List<String>> queryParams() {
        if (query == null) {
            Map<String, List<String>> m = new LinkedHashMap<>();
            if (!rawQuery.isEmpty()) {
                for (String part : rawQuery.split("&")) {
                    if (part.isEmpty()) {
                        continue;
                    }
                    int eq = part.indexOf('=');
                    String name = decode(eq < 0 ? part : part.substring(0, eq));
                    String value = eq < 0 ? "" : decode(part.substring(eq + 1));
                    m.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
                }
            }
            query = m;
        }
        return query;
    }

    /** The first value of a query parameter, or null when absent. */
    public String queryParam(String name) {
        List<String> v = queryParams().get(name);
        return v == null ? null : v.getFirst();
    }

    public boolean hasQueryParam(String name) {
        return queryParams().containsKey(name);
    }

    /**
     * Header values are kept as they came off the wire, one char per byte (ISO-8859-1), so they can
     * be stored and echoed byte for byte. This is the text a client meant when it sent UTF-8 bytes:
     * the value re-decoded as UTF-8 when that is valid, else unchanged (clients that send one byte
     * per char, like Python's http.client, sign the UTF-8 of that same text).
     */
    public static String utf8View(String wire) {
        boolean high = false;
        for (int i = 0; i < wire.length(); i++) {
            char c = wire.charAt(i);
            if (c > 0xff) {
                return wire;
            }
            high |= c > 0x7f;
        }
        if (!high) {
            return wire;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(wire.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return wire;
        }
    }

    /**
     * Percent-decodes as RFC 3986 (a '+' stays a '+').
     *
     * @throws IllegalArgumentException on a malformed escape or invalid UTF-8
     */
    public static String decode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    public static final class Builder {
        private final String method;
        private final String rawPath;
        private final String rawQuery;
        private final Map<String, List<String>> headers = new LinkedHashMap<>();

        private Builder(String method, String rawPath, String rawQuery) {
            this.method = method;
            this.rawPath = rawPath;
            this.rawQuery = rawQuery;
        }

        public Builder header(String name, String value) {
            headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(value);
            return this;
        }

        public RequestHead build() {
            return new RequestHead(method, rawPath, rawQuery, headers);
        }
    }
}
