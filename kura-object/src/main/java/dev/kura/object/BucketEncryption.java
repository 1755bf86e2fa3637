package dev.kura.object;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.xml.XmlElement;
import dev.kura.s3.xml.XmlWriter;

/**
 * A bucket's default encryption (PutBucketEncryption,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketEncryption.html): the
 * {@code ServerSideEncryptionConfiguration} with its one rule, applied to every new object (PUT,
 * copy, multipart upload) that does not ask for encryption itself. Kura supports SSE-S3 (AES256);
 * SSE-KMS and DSSE-KMS are refused with 501.
 *
 * @param bucketKeyEnabled echoed as configured (it only matters to SSE-KMS)
 */
public record BucketEncryption(boolean bucketKeyEnabled) {

    /** Parses and validates the request body (MalformedXML when it is not a configuration with one rule). */
    public static BucketEncryption parse(XmlElement root) {
        if (!root.name().equals("ServerSideEncryptionConfiguration")) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        var rules = root.children("Rule");
        if (rules.size() != 1) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        XmlElement rule = rules.getFirst();
        XmlElement apply = rule.child("ApplyServerSideEncryptionByDefault");
        String algorithm = apply == null ? null : apply.childText("SSEAlgorithm");
        if (algorithm == null) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        if (algorithm.startsWith("aws:kms")) {
            // S3-COMPAT: no key management service, so no SSE-KMS default either.
            throw new S3Exception(S3ErrorCode.NotImplemented, "Default encryption with AWS KMS keys (SSE-KMS, DSSE-KMS) "
                    + "is not implemented; use AES256");
        }
        if (!algorithm.equals("AES256")) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        if (apply.child("KMSMasterKeyID") != null) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "a KMSMasterKeyID is not applicable if the default sse "
                    + "algorithm is not aws:kms or aws:kms:dsse").with("ArgumentName", "ApplyServerSideEncryptionByDefault");
        }
        String bucketKey = rule.childText("BucketKeyEnabled");
        return new BucketEncryption("true".equals(bucketKey));
    }

    /** The configuration as S3 returns it (and as Kura stores it: its normalized form). */
    public XmlWriter toXml() {
        XmlWriter doc = XmlWriter.document("ServerSideEncryptionConfiguration").start("Rule")
                .start("ApplyServerSideEncryptionByDefault").element("SSEAlgorithm", "AES256").end();
        if (bucketKeyEnabled) {
            doc.element("BucketKeyEnabled", true);
        }
        return doc.end();
    }

    /** What a write without its own encryption header gets. */
    public Sse sse() {
        return Sse.S3;
    }
}
