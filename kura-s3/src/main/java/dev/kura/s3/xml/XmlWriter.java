package dev.kura.s3.xml;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A tiny XML writer for S3 response bodies. Every element is in the S3 namespace (set on the root),
 * text is escaped, and characters XML 1.0 cannot carry are written as character references
 * (S3 does the same; clients that need them exact ask for {@code encoding-type=url}).
 */
public final class XmlWriter {
    public static final String S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/";
    private final StringBuilder sb = new StringBuilder(256);
    private final Deque<String> open = new ArrayDeque<>();

    private XmlWriter() {
        sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    }

    /** Starts a document whose root element carries the S3 namespace. */
    public static XmlWriter document(String root) {
        return documentNs(root, S3_NS);
    }

    public static XmlWriter documentNs(String root, String namespace) {
        XmlWriter w = new XmlWriter();
        w.sb.append('<').append(root);
        if (namespace != null) {
            w.sb.append(" xmlns=\"").append(namespace).append('"');
        }
        w.sb.append('>');
        w.open.push(root);
        return w;
    }

    public XmlWriter start(String name) {
        sb.append('<').append(name).append('>');
        open.push(name);
        return this;
    }

    /** Starts an element with raw attribute text (trusted constants only, never user input). */
    public XmlWriter startWithAttributes(String name, String attributes) {
        sb.append('<').append(name).append(' ').append(attributes).append('>');
        open.push(name);
        return this;
    }

    public XmlWriter end() {
        sb.append("</").append(open.pop()).append('>');
        return this;
    }

    /** Writes escaped text inside the current element. */
    public XmlWriter text(String text) {
        escape(text);
        return this;
    }

    /** Writes {@code <name>text</name>}; nothing when text is null. */
    public XmlWriter element(String name, String text) {
        if (text != null) {
            sb.append('<').append(name).append('>');
            escape(text);
            sb.append("</").append(name).append('>');
        }
        return this;
    }

    public XmlWriter element(String name, long value) {
        return element(name, Long.toString(value));
    }

    public XmlWriter element(String name, boolean value) {
        return element(name, Boolean.toString(value));
    }

    /** S3's timestamp form in XML bodies: ISO-8601 with milliseconds, e.g. 2009-10-12T17:50:30.000Z. */
    public XmlWriter element(String name, Instant time) {
        return element(name, isoMillis(time));
    }

    public static String isoMillis(Instant time) {
        String s = time.truncatedTo(ChronoUnit.MILLIS).toString();
        // Instant.toString drops zero fractions; S3 always writes three digits.
        int dot = s.indexOf('.');
        if (dot < 0) {
            return s.substring(0, s.length() - 1) + ".000Z";
        }
        String frac = s.substring(dot + 1, s.length() - 1);
        return s.substring(0, dot + 1) + (frac + "000").substring(0, 3) + "Z";
    }

    public byte[] toBytes() {
        while (!open.isEmpty()) {
            end();
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private void escape(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> {
                    if (c < 0x20 || c == 0xFFFE || c == 0xFFFF) {
                        sb.append("&#x").append(Integer.toHexString(c).toUpperCase()).append(';');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
    }
}
