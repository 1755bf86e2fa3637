package dev.kura.bench.load;

import java.util.ArrayList;
import java.util.List;

/** Just enough XML for S3 responses the workloads read: the text of named elements. */
final class Xml {
    private Xml() {
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String unescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&amp;", "&");
    }

    /** The text of the first {@code <name>…</name>}, or null. */
    static String first(String xml, String name) {
        int start = xml.indexOf("<" + name + ">");
        if (start < 0) {
            return null;
        }
        start += name.length() + 2;
        int end = xml.indexOf("</" + name + ">", start);
        return end < 0 ? null : unescape(xml.substring(start, end));
    }

    /** The texts of every {@code <name>…</name>}, in order. */
    static List<String> all(String xml, String name) {
        List<String> out = new ArrayList<>();
        String open = "<" + name + ">";
        String close = "</" + name + ">";
        int at = 0;
        while (true) {
            int s = xml.indexOf(open, at);
            if (s < 0) {
                return out;
            }
            int e = xml.indexOf(close, s);
            if (e < 0) {
                return out;
            }
            out.add(unescape(xml.substring(s + open.length(), e)));
            at = e + close.length();
        }
    }
}
