package dev.kura.s3.post;

import dev.kura.common.JsonReader;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The policy of a browser-based upload
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html): a base64
 * JSON document with an {@code expiration} and {@code conditions} every form field must satisfy.
 * Parsing gives S3's 400 for a malformed document; {@link #check} gives S3's 403
 * "Invalid according to Policy: ..." for an expired policy, a failed condition or a field no
 * condition names. A pure value: no I/O, the caller passes the time and the fields.
 */
public record PostPolicy(Instant expiration, List<Condition> conditions) {
    /** The base64 policy is at most this long (S3 bounds the fields before the file anyway). */
    public static final int MAX_POLICY_CHARS = 64 * 1024;

    /**
     * Fields no condition needs to name: the signature's own, the file, and {@code x-ignore-*}; also
     * {@code x-amz-checksum-*}, which only lets S3 refuse a corrupted file (ceph/s3-tests'
     * test_post_object_upload_checksum sends one its policy does not name, and S3 accepts it).
     */
    private static final Set<String> EXEMPT = Set.of("policy", "x-amz-signature", "signature", "awsaccesskeyid", "file");

    public PostPolicy {
        conditions = List.copyOf(conditions);
    }

    /** One condition. Field names are lower-case, without the {@code $}. */
    public sealed interface Condition {
        /** {@code {"field": "value"}} or {@code ["eq", "$field", "value"]}. */
        record Equals(String field, String value, String source) implements Condition {
        }

        /** {@code ["starts-with", "$field", "prefix"]}. */
        record StartsWith(String field, String prefix, String source) implements Condition {
        }

        /** {@code ["content-length-range", min, max]}: the file's size in bytes, both ends included. */
        record ContentLengthRange(long min, long max) implements Condition {
        }
    }

    /** Decodes and validates the policy field. */
    public static PostPolicy parse(String base64) {
        if (base64.length() > MAX_POLICY_CHARS) {
            throw invalid("Policy is too large.");
        }
        Map<String, Object> doc;
        try {
            String json = new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8);
            doc = JsonReader.object(json);
        } catch (IllegalArgumentException e) {
            throw invalid("Invalid JSON.");
        }
        Object expiration = doc.get("expiration");
        if (expiration == null) {
            throw invalid("Policy missing expiration.");
        }
        Object conditions = doc.get("conditions");
        if (!(conditions instanceof List<?> list)) {
            throw invalid(conditions == null ? "Policy missing conditions." : "Invalid 'conditions' value.");
        }
        List<Condition> parsed = new ArrayList<>(list.size());
        for (Object c : list) {
            parsed.add(condition(c));
        }
        return new PostPolicy(expiration(expiration), parsed);
    }

    /** ISO 8601 with a 'T' and a 'Z', seconds or milliseconds: {@code 2007-12-01T12:00:00.000Z}. */
    private static Instant expiration(Object value) {
        if (value instanceof String s && s.length() >= 20 && s.charAt(10) == 'T' && s.endsWith("Z")) {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                // fall through
            }
        }
        throw invalid("Invalid 'expiration' value: '" + value + "'");
    }

    private static Condition condition(Object c) {
        if (c instanceof Map<?, ?> m) {
            if (m.size() != 1) {
                throw invalid("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
            }
            Map.Entry<?, ?> e = m.entrySet().iterator().next();
            if (!(e.getValue() instanceof String v)) {
                throw invalid("Invalid Simple-Condition: value must be a string.");
            }
            String field = ((String) e.getKey()).toLowerCase(Locale.ROOT);
            return new Condition.Equals(field, v, "[\"eq\", \"$" + e.getKey() + "\", \"" + v + "\"]");
        }
        if (!(c instanceof List<?> l) || l.isEmpty() || !(l.getFirst() instanceof String op)) {
            throw invalid("Invalid Condition: conditions are objects or arrays.");
        }
        String name = op.toLowerCase(Locale.ROOT);
        if (name.equals("content-length-range")) {
            if (l.size() != 3) {
                throw invalid("Invalid content-length-range Condition: expecting [\"content-length-range\", min, max].");
            }
            long min = length(l.get(1));
            long max = length(l.get(2));
            if (min < 0 || max < min) {
                throw invalid("Invalid content-length-range Condition: min and max must be non-negative, min at most max.");
            }
            return new Condition.ContentLengthRange(min, max);
        }
        if (!name.equals("eq") && !name.equals("starts-with")) {
            throw invalid("Invalid Condition: unknown operation '" + op + "'.");
        }
        if (l.size() != 3 || !(l.get(1) instanceof String f) || !f.startsWith("$") || !(l.get(2) instanceof String v)) {
            throw invalid("Invalid Condition: expecting [\"" + op + "\", \"$field\", \"value\"].");
        }
        String field = f.substring(1).toLowerCase(Locale.ROOT);
        String source = "[\"" + op + "\", \"" + f + "\", \"" + v + "\"]";
        return name.equals("eq") ? new Condition.Equals(field, v, source) : new Condition.StartsWith(field, v, source);
    }

    private static long length(Object v) {
        try {
            if (v instanceof Long n) {
                return n;
            }
            if (v instanceof String s) {
                return Long.parseLong(s.trim());
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw invalid("Invalid content-length-range Condition: min and max must be integers.");
    }

    private static S3Exception invalid(String why) {
        return new S3Exception(S3ErrorCode.InvalidPolicyDocument, "Invalid Policy: " + why);
    }

    private static S3Exception denied(String why) {
        return new S3Exception(S3ErrorCode.AccessDenied, "Invalid according to Policy: " + why);
    }

    /**
     * Checks the expiration and every field condition (not the length range: the file is not read
     * yet). {@code fields} are the form's fields by lower-case name, with {@code bucket} set to the
     * bucket posted to and {@code key} already with {@code ${filename}} replaced.
     */
    public void check(Instant now, Map<String, String> fields) {
        if (!now.isBefore(expiration)) {
            throw denied("Policy expired.");
        }
        Set<String> named = new HashSet<>();
        for (Condition c : conditions) {
            switch (c) {
                case Condition.Equals e -> {
                    named.add(e.field());
                    if (!e.value().equals(fields.get(e.field()))) {
                        throw denied("Policy Condition failed: " + e.source());
                    }
                }
                case Condition.StartsWith s -> {
                    named.add(s.field());
                    String v = fields.get(s.field());
                    if (v == null ? !s.prefix().isEmpty() : !v.startsWith(s.prefix())) {
                        throw denied("Policy Condition failed: " + s.source());
                    }
                }
                case Condition.ContentLengthRange r -> {
                    // checked while the file streams
                }
            }
        }
        for (String field : fields.keySet()) {
            if (!named.contains(field) && !EXEMPT.contains(field) && !field.startsWith("x-ignore-")
                    && !field.startsWith("x-amz-checksum-")) {
                throw denied("Extra input fields: " + field);
            }
        }
    }

    /** The content-length-range condition, or null when the policy has none. */
    public Condition.ContentLengthRange lengthRange() {
        for (Condition c : conditions) {
            if (c instanceof Condition.ContentLengthRange r) {
                return r;
            }
        }
        return null;
    }
}
