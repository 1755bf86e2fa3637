package dev.kura.s3.cors;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What S3 answers to CORS: the preflight decision ({@code OPTIONS}) and the
 * {@code Access-Control-*} headers of a matching rule, for a preflight or an actual request
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html). Pure functions.
 */
public final class CorsResponses {
    static final String VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

    private CorsResponses() {
    }

    /**
     * The preflight answer's headers, or S3's error: 400 when the Origin or the
     * Access-Control-Request-Method is missing or not a CORS method, 403 AccessForbidden when the
     * bucket has no configuration or no rule allows the request.
     *
     * @param config         the bucket's configuration, if any
     * @param requestHeaders the raw Access-Control-Request-Headers value, or null
     * @param object         whether the preflight is for an object (S3 names the resource type)
     */
    public static Map<String, String> preflight(Optional<CorsConfiguration> config, String origin, String method,
                                                String requestHeaders, boolean object) {
        if (origin == null || origin.isEmpty()) {
            throw new S3Exception(S3ErrorCode.BadRequest, "Insufficient information. Origin request header needed.");
        }
        if (method == null || !CorsConfiguration.METHODS.contains(method)) {
            throw new S3Exception(S3ErrorCode.BadRequest, "Invalid Access-Control-Request-Method: " + method);
        }
        String resourceType = object ? "OBJECT" : "BUCKET";
        if (config.isEmpty()) {
            throw new S3Exception(S3ErrorCode.AccessForbidden, "CORSResponse: CORS is not enabled for this bucket.")
                    .with("Method", method).with("ResourceType", resourceType);
        }
        List<String> headers = headerList(requestHeaders);
        CorsConfiguration.Rule rule = config.get().match(origin, method, headers).orElseThrow(() ->
                new S3Exception(S3ErrorCode.AccessForbidden, "CORSResponse: This CORS request is not allowed. This is "
                        + "usually because the evalution of Origin, request method / Access-Control-Request-Method or "
                        + "Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.")
                        .with("Method", method).with("ResourceType", resourceType));
        Map<String, String> h = ruleHeaders(rule, origin);
        if (!headers.isEmpty()) {
            h.put("Access-Control-Allow-Headers", String.join(", ", headers));
        }
        return h;
    }

    /**
     * The headers an actual request with an {@code Origin} gets (also on an error answer): those of
     * the first rule allowing the origin and the method — the request's own, or the
     * Access-Control-Request-Method it carries, as S3 does — or none.
     */
    public static Map<String, String> actual(Optional<CorsConfiguration> config, String origin, String method) {
        if (origin == null || origin.isEmpty() || config.isEmpty()) {
            return Map.of();
        }
        return config.get().match(origin, method, List.of()).map(r -> ruleHeaders(r, origin)).orElse(Map.of());
    }

    private static Map<String, String> ruleHeaders(CorsConfiguration.Rule rule, String origin) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Access-Control-Allow-Origin", rule.anyOrigin() ? "*" : origin);
        h.put("Access-Control-Allow-Methods", String.join(", ", rule.allowedMethods()));
        if (!rule.exposeHeaders().isEmpty()) {
            h.put("Access-Control-Expose-Headers", String.join(", ", rule.exposeHeaders()));
        }
        if (rule.maxAgeSeconds() >= 0) {
            h.put("Access-Control-Max-Age", Integer.toString(rule.maxAgeSeconds()));
        }
        if (!rule.anyOrigin()) {
            h.put("Access-Control-Allow-Credentials", "true");
        }
        h.put("Vary", VARY);
        return h;
    }

    /** Access-Control-Request-Headers: comma-separated names, trimmed and lower-cased, empties dropped. */
    static List<String> headerList(String value) {
        List<String> out = new ArrayList<>();
        if (value != null) {
            for (String s : value.split(",")) {
                String t = s.trim().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
        }
        return out;
    }
}
