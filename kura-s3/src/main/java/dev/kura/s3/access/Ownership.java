package dev.kura.s3.access;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.xml.XmlElement;
import dev.kura.s3.xml.XmlWriter;

/**
 * Object Ownership (OwnershipControls): who owns a new object and whether ACLs count.
 * {@link #BUCKET_OWNER_ENFORCED} disables ACLs (the bucket owner owns every object);
 * {@link #BUCKET_OWNER_PREFERRED} gives the bucket owner objects written with
 * {@code bucket-owner-full-control}; {@link #OBJECT_WRITER} (also: no controls) leaves them to the writer.
 */
public enum Ownership {
    BUCKET_OWNER_ENFORCED("BucketOwnerEnforced"), BUCKET_OWNER_PREFERRED("BucketOwnerPreferred"),
    OBJECT_WRITER("ObjectWriter");

    private final String wire;

    Ownership(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /** @throws S3Exception InvalidArgument for an unknown value */
    public static Ownership of(String wire) {
        for (Ownership o : values()) {
            if (o.wire.equals(wire == null ? null : wire.trim())) {
                return o;
            }
        }
        throw new S3Exception(S3ErrorCode.InvalidArgument, "Invalid x-amz-object-ownership header: " + wire)
                .with("ArgumentName", "x-amz-object-ownership");
    }

    public static Ownership fromXml(XmlElement root) {
        if (!"OwnershipControls".equals(root.name()) || root.children("Rule").size() != 1) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        String value = root.children("Rule").getFirst().childText("ObjectOwnership");
        if (value == null) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        try {
            return of(value);
        } catch (S3Exception e) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
    }

    public XmlWriter toXml() {
        return XmlWriter.document("OwnershipControls").start("Rule").element("ObjectOwnership", wire).end();
    }

    public boolean aclsDisabled() {
        return this == BUCKET_OWNER_ENFORCED;
    }
}
