package dev.kura.s3.xml;

import java.util.ArrayList;
import java.util.List;

/** A parsed element: local name (namespace ignored, as S3 does), text content and children. */
public record XmlElement(String name, String text, List<XmlElement> children) {

    /** The first child with this local name, or null. */
    public XmlElement child(String childName) {
        for (XmlElement c : children) {
            if (c.name.equals(childName)) {
                return c;
            }
        }
        return null;
    }

    /** All children with this local name. */
    public List<XmlElement> children(String childName) {
        List<XmlElement> out = new ArrayList<>();
        for (XmlElement c : children) {
            if (c.name.equals(childName)) {
                out.add(c);
            }
        }
        return out;
    }

    /** The text of the first child with this name, or null when absent. */
    public String childText(String childName) {
        XmlElement c = child(childName);
        return c == null ? null : c.text;
    }
}
