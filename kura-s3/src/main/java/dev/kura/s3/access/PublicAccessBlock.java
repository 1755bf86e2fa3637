package dev.kura.s3.access;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.xml.XmlElement;
import dev.kura.s3.xml.XmlWriter;

/** A bucket's Block Public Access settings (PublicAccessBlockConfiguration). */
public record PublicAccessBlock(boolean blockPublicAcls, boolean ignorePublicAcls, boolean blockPublicPolicy,
                                boolean restrictPublicBuckets) {
    public static final PublicAccessBlock NONE = new PublicAccessBlock(false, false, false, false);

    public static PublicAccessBlock fromXml(XmlElement root) {
        if (!"PublicAccessBlockConfiguration".equals(root.name())) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        return new PublicAccessBlock(flag(root, "BlockPublicAcls"), flag(root, "IgnorePublicAcls"),
                flag(root, "BlockPublicPolicy"), flag(root, "RestrictPublicBuckets"));
    }

    private static boolean flag(XmlElement root, String name) {
        String v = root.childText(name);
        if (v == null) {
            return false;
        }
        return switch (v.trim()) {
            case "true", "TRUE", "True" -> true;
            case "false", "FALSE", "False" -> false;
            default -> throw new S3Exception(S3ErrorCode.MalformedXML);
        };
    }

    public XmlWriter toXml() {
        return XmlWriter.document("PublicAccessBlockConfiguration").element("BlockPublicAcls", blockPublicAcls)
                .element("IgnorePublicAcls", ignorePublicAcls).element("BlockPublicPolicy", blockPublicPolicy)
                .element("RestrictPublicBuckets", restrictPublicBuckets);
    }

    public String encode() {
        return (blockPublicAcls ? "1" : "0") + (ignorePublicAcls ? "1" : "0") + (blockPublicPolicy ? "1" : "0")
                + (restrictPublicBuckets ? "1" : "0");
    }

    public static PublicAccessBlock decode(String s) {
        return new PublicAccessBlock(s.charAt(0) == '1', s.charAt(1) == '1', s.charAt(2) == '1', s.charAt(3) == '1');
    }
}
