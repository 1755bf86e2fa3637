package dev.kura.common;

/**
 * A tiny writer of one JSON object (the access log line, the health detail): fields in the order
 * written, strings escaped per RFC 8259, null for absent values. No parsing, no reflection.
 */
public final class JsonWriter {
    private final StringBuilder out = new StringBuilder(256).append('{');
    private boolean first = true;

    public JsonWriter field(String name, String value) {
        name(name);
        if (value == null) {
            out.append("null");
        } else {
            quote(out, value);
        }
        return this;
    }

    public JsonWriter field(String name, long value) {
        name(name);
        out.append(value);
        return this;
    }

    public JsonWriter field(String name, boolean value) {
        name(name);
        out.append(value);
        return this;
    }

    /** A duration in milliseconds with three decimals (microsecond resolution). */
    public JsonWriter millis(String name, long nanos) {
        name(name);
        appendMillis(out, nanos);
        return this;
    }

    /** A finite number; NaN and infinities become null (JSON has no literal for them). */
    public JsonWriter field(String name, double value) {
        name(name);
        if (Double.isFinite(value)) {
            out.append(String.format(java.util.Locale.ROOT, "%.3f", value));
        } else {
            out.append("null");
        }
        return this;
    }

    /** An object of counters, e.g. errors by code. */
    public JsonWriter counts(String name, java.util.Map<String, Long> counts) {
        JsonWriter o = new JsonWriter();
        counts.forEach(o::field);
        return field(name, o);
    }

    /** A nested object, already written. */
    public JsonWriter field(String name, JsonWriter object) {
        name(name);
        out.append(object.toString());
        return this;
    }

    /** An array of nested objects, already written. */
    public JsonWriter array(String name, Iterable<JsonWriter> objects) {
        name(name);
        out.append('[');
        boolean firstItem = true;
        for (JsonWriter o : objects) {
            if (!firstItem) {
                out.append(',');
            }
            firstItem = false;
            out.append(o.toString());
        }
        out.append(']');
        return this;
    }

    /** An array of strings. */
    public JsonWriter strings(String name, Iterable<String> values) {
        name(name);
        out.append('[');
        boolean firstItem = true;
        for (String v : values) {
            if (!firstItem) {
                out.append(',');
            }
            firstItem = false;
            quote(out, v);
        }
        out.append(']');
        return this;
    }

    private void name(String name) {
        if (!first) {
            out.append(',');
        }
        first = false;
        quote(out, name);
        out.append(':');
    }

    @Override
    public String toString() {
        return out + "}";
    }

    public static void appendMillis(StringBuilder sb, long nanos) {
        if (nanos < 0) {
            sb.append('-');
            nanos = -nanos;
        }
        long micros = nanos / 1_000;
        long frac = micros % 1_000;
        sb.append(micros / 1_000).append('.');
        if (frac < 100) {
            sb.append(frac < 10 ? "00" : "0");
        }
        sb.append(frac);
    }

    /**
     * Appends {@code s} as a JSON string. Control characters, quotes and backslashes are escaped;
     * so are U+2028/U+2029 (line breaks to some readers) and lone surrogates (not valid UTF-8), so a
     * line stays one line and valid JSON whatever an object key holds.
     */
    public static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || loneSurrogate(s, i)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static boolean loneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }
}
