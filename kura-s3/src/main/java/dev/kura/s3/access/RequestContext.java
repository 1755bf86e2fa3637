package dev.kura.s3.access;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The condition keys of one request (aws:SourceIp, aws:SecureTransport, s3:prefix, s3:x-amz-acl,
 * s3:ExistingObjectTag/KEY, ...), looked up case-insensitively as IAM does. A key may have several
 * values (s3:RequestObjectTagKeys).
 */
public final class RequestContext {
    private final Map<String, List<String>> values = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    public RequestContext put(String key, String value) {
        if (value != null) {
            values.put(key, List.of(value));
        }
        return this;
    }

    public RequestContext putAll(String key, List<String> list) {
        values.put(key, List.copyOf(list));
        return this;
    }

    /** A copy with one key set (or replaced). */
    public RequestContext with(String key, String value) {
        RequestContext c = new RequestContext();
        c.values.putAll(values);
        return c.put(key, value);
    }

    /** The values of a key, or null when the request does not have it. */
    public List<String> get(String key) {
        return values.get(key);
    }

    @Override
    public String toString() {
        return values.keySet().toString().toLowerCase(Locale.ROOT);
    }
}
