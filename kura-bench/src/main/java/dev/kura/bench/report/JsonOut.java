package dev.kura.bench.report;

import java.util.Locale;
import java.util.Map;

/** Writes one flat-ish JSON object on one line, fields in insertion order. */
public final class JsonOut {
    private final StringBuilder sb = new StringBuilder("{");

    public JsonOut field(String name, String value) {
        key(name);
        if (value == null) {
            sb.append("null");
        } else {
            string(value);
        }
        return this;
    }

    public JsonOut field(String name, long value) {
        key(name);
        sb.append(value);
        return this;
    }

    public JsonOut field(String name, double value) {
        key(name);
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            sb.append("null");
        } else {
            sb.append(String.format(Locale.ROOT, "%.3f", value));
        }
        return this;
    }

    public JsonOut field(String name, boolean value) {
        key(name);
        sb.append(value);
        return this;
    }

    public JsonOut counts(String name, Map<String, Long> counts) {
        key(name);
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            string(e.getKey());
            sb.append(':').append(e.getValue());
        }
        sb.append('}');
        return this;
    }

    public JsonOut object(String name, JsonOut nested) {
        key(name);
        sb.append(nested);
        return this;
    }

    private void key(String name) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        string(name);
        sb.append(':');
    }

    private void string(String s) {
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
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    @Override
    public String toString() {
        return sb + "}";
    }
}
