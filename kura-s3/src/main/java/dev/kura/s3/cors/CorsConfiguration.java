package dev.kura.s3.cors;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.xml.XmlElement;
import dev.kura.s3.xml.XmlWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A bucket's CORS configuration
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html): validated as S3 validates it,
 * written back in one normalized form, and matched against requests as S3 matches them — the first
 * rule whose origin, method and (for a preflight) every requested header match wins. A pure value:
 * the front end stores the normalized XML and asks {@link #match}.
 */
public record CorsConfiguration(List<Rule> rules) {
    /** "A CORS configuration can have up to 100 rules" and be at most 64 KB. */
    public static final int MAX_RULES = 100;
    public static final int MAX_BYTES = 64 * 1024;
    /** The methods a rule may allow (AllowedMethod). */
    public static final Set<String> METHODS = Set.of("GET", "PUT", "POST", "DELETE", "HEAD");

    public CorsConfiguration {
        rules = List.copyOf(rules);
    }

    /**
     * One CORSRule. Origins and allowed headers may hold one {@code *} wildcard each; allowed headers
     * match case-insensitively; {@code maxAgeSeconds} is -1 when absent.
     */
    public record Rule(String id, List<String> allowedOrigins, List<String> allowedMethods, List<String> allowedHeaders,
                       List<String> exposeHeaders, int maxAgeSeconds) {
        public Rule {
            allowedOrigins = List.copyOf(allowedOrigins);
            allowedMethods = List.copyOf(allowedMethods);
            allowedHeaders = List.copyOf(allowedHeaders);
            exposeHeaders = List.copyOf(exposeHeaders);
        }

        /** True if {@code origin} matches one AllowedOrigin (case-sensitive, one wildcard). */
        public boolean allowsOrigin(String origin) {
            for (String pattern : allowedOrigins) {
                if (wildcardMatch(pattern, origin, false)) {
                    return true;
                }
            }
            return false;
        }

        public boolean allowsMethod(String method) {
            return allowedMethods.contains(method);
        }

        /** True if the header name matches one AllowedHeader (case-insensitive, one wildcard). */
        public boolean allowsHeader(String header) {
            for (String pattern : allowedHeaders) {
                if (wildcardMatch(pattern, header, true)) {
                    return true;
                }
            }
            return false;
        }

        /** True if the rule allows every origin ({@code *}), so the answer is {@code *} rather than the origin. */
        public boolean anyOrigin() {
            return allowedOrigins.contains("*");
        }
    }

    /**
     * The first rule that allows {@code origin}, {@code method} and every one of {@code requestHeaders}
     * (lower-case names; empty for an actual request, whose headers S3 does not check).
     */
    public Optional<Rule> match(String origin, String method, List<String> requestHeaders) {
        for (Rule r : rules) {
            if (r.allowsOrigin(origin) && r.allowsMethod(method)
                    && requestHeaders.stream().allMatch(r::allowsHeader)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** Parses and validates a CORSConfiguration document, with S3's error for each mistake. */
    public static CorsConfiguration parse(XmlElement root) {
        if (!root.name().equals("CORSConfiguration")) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        List<XmlElement> ruleElements = root.children("CORSRule");
        if (ruleElements.isEmpty() || root.children().size() != ruleElements.size()) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        if (ruleElements.size() > MAX_RULES) {
            throw new S3Exception(S3ErrorCode.MalformedXML,
                    "The CORS configuration has more than " + MAX_RULES + " rules");
        }
        List<Rule> rules = new ArrayList<>(ruleElements.size());
        for (XmlElement e : ruleElements) {
            rules.add(rule(e));
        }
        return new CorsConfiguration(rules);
    }

    private static Rule rule(XmlElement e) {
        List<String> origins = texts(e, "AllowedOrigin");
        List<String> methods = texts(e, "AllowedMethod");
        if (origins.isEmpty() || methods.isEmpty()) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        for (String m : methods) {
            if (!METHODS.contains(m)) {
                throw new S3Exception(S3ErrorCode.InvalidRequest,
                        "Found unsupported HTTP method in CORS config. Unsupported method is " + m);
            }
        }
        for (String o : origins) {
            if (o.isEmpty()) {
                throw new S3Exception(S3ErrorCode.MalformedXML);
            }
            if (wildcards(o) > 1) {
                throw new S3Exception(S3ErrorCode.InvalidRequest, "AllowedOrigin \"" + o + "\" can not have more than one wildcard.");
            }
        }
        List<String> headers = texts(e, "AllowedHeader");
        for (String h : headers) {
            if (wildcards(h) > 1) {
                throw new S3Exception(S3ErrorCode.InvalidRequest, "AllowedHeader \"" + h + "\" can not have more than one wildcard.");
            }
        }
        List<String> expose = texts(e, "ExposeHeader");
        for (String h : expose) {
            if (h.contains("*")) {
                throw new S3Exception(S3ErrorCode.InvalidRequest, "ExposeHeader \"" + h
                        + "\" contains wildcard. We currently do not support wildcard for ExposeHeader.");
            }
        }
        String id = e.childText("ID");
        if (id != null && id.length() > 255) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "ID length should not exceed allowed limit of 255")
                    .with("ArgumentName", "ID").with("ArgumentValue", id);
        }
        int maxAge = -1;
        String age = e.childText("MaxAgeSeconds");
        if (age != null) {
            try {
                maxAge = Integer.parseInt(age.trim());
            } catch (NumberFormatException ex) {
                throw new S3Exception(S3ErrorCode.MalformedXML);
            }
            if (maxAge < 0) {
                throw new S3Exception(S3ErrorCode.MalformedXML);
            }
        }
        return new Rule(id, origins, methods, headers, expose, maxAge);
    }

    private static List<String> texts(XmlElement e, String name) {
        List<String> out = new ArrayList<>();
        for (XmlElement c : e.children(name)) {
            out.add(c.text() == null ? "" : c.text().trim());
        }
        return out;
    }

    private static int wildcards(String s) {
        return (int) s.chars().filter(c -> c == '*').count();
    }

    /** {@code pattern} with at most one {@code *} standing for any (possibly empty) run of characters. */
    static boolean wildcardMatch(String pattern, String value, boolean ignoreCase) {
        String p = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
        String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
        int star = p.indexOf('*');
        if (star < 0) {
            return p.equals(v);
        }
        String prefix = p.substring(0, star);
        String suffix = p.substring(star + 1);
        return v.length() >= prefix.length() + suffix.length() && v.startsWith(prefix) && v.endsWith(suffix);
    }

    /** The configuration as GetBucketCors answers it (and as it is stored). */
    public XmlWriter toXml() {
        XmlWriter doc = XmlWriter.document("CORSConfiguration");
        for (Rule r : rules) {
            doc.start("CORSRule");
            if (r.id() != null) {
                doc.element("ID", r.id());
            }
            r.allowedHeaders().forEach(h -> doc.element("AllowedHeader", h));
            r.allowedMethods().forEach(m -> doc.element("AllowedMethod", m));
            r.allowedOrigins().forEach(o -> doc.element("AllowedOrigin", o));
            r.exposeHeaders().forEach(h -> doc.element("ExposeHeader", h));
            if (r.maxAgeSeconds() >= 0) {
                doc.element("MaxAgeSeconds", r.maxAgeSeconds());
            }
            doc.end();
        }
        return doc;
    }
}
