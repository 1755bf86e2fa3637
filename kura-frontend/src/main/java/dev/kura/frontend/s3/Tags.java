package dev.kura.frontend.s3;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.xml.XmlElement;
import dev.kura.s3.xml.XmlParser;
import dev.kura.s3.xml.XmlWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Tag sets as S3 limits them
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html): at most 10 tags on an
 * object (50 on a bucket), keys up to 128 and values up to 256 Unicode characters of letters,
 * digits, spaces and {@code + - = . _ : / @}, keys unique.
 */
final class Tags {
    static final int MAX_OBJECT_TAGS = 10;
    static final int MAX_BUCKET_TAGS = 50;
    private static final Pattern ALLOWED = Pattern.compile("[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*");

    private Tags() {
    }

    /** The {@code x-amz-tagging} header: URL query form {@code k1=v1&k2=v2}. */
    static Map<String, String> fromHeader(String header, int max) {
        if (header == null) {
            return Map.of();
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (String pair : header.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = decode(eq < 0 ? pair : pair.substring(0, eq));
            String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (tags.put(k, v) != null) {
                throw new S3Exception(S3ErrorCode.InvalidTag, "Cannot provide multiple Tags with the same key");
            }
        }
        return validate(tags, max);
    }

    static Map<String, String> fromXml(InputStream body, int max) throws IOException {
        XmlElement root = XmlParser.parse(body, 64 * 1024, 4 * max + 16);
        XmlElement set = root.child("TagSet");
        if (!root.name().equals("Tagging") || set == null) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (XmlElement tag : set.children("Tag")) {
            String k = tag.childText("Key");
            String v = tag.childText("Value");
            if (k == null || v == null) {
                throw new S3Exception(S3ErrorCode.MalformedXML);
            }
            if (tags.put(k, v) != null) {
                throw new S3Exception(S3ErrorCode.InvalidTag, "Cannot provide multiple Tags with the same key");
            }
        }
        return validate(tags, max);
    }

    static Map<String, String> validate(Map<String, String> tags, int max) {
        if (tags.size() > max) {
            throw new S3Exception(S3ErrorCode.InvalidTag, (max == MAX_OBJECT_TAGS ? "Object" : "Bucket")
                    + " tags cannot be greater than " + max);
        }
        for (Map.Entry<String, String> e : tags.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            if (k.isEmpty() || k.codePointCount(0, k.length()) > 128 || !ALLOWED.matcher(k).matches()) {
                throw new S3Exception(S3ErrorCode.InvalidTag, "The TagKey you have provided is invalid");
            }
            if (v.codePointCount(0, v.length()) > 256 || !ALLOWED.matcher(v).matches()) {
                throw new S3Exception(S3ErrorCode.InvalidTag, "The TagValue you have provided is invalid");
            }
            if (k.startsWith("aws:")) {
                throw new S3Exception(S3ErrorCode.InvalidTag, "System tags cannot be added/updated by requester");
            }
        }
        return new TreeMap<>(tags);
    }

    static XmlWriter document(Map<String, String> tags) {
        XmlWriter doc = XmlWriter.document("Tagging").start("TagSet");
        new TreeMap<>(tags).forEach((k, v) -> doc.start("Tag").element("Key", k).element("Value", v).end());
        return doc.end();
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3ErrorCode.InvalidTag, "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.");
        }
    }
}
