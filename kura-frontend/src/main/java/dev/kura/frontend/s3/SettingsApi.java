package dev.kura.frontend.s3;

import dev.kura.frontend.http.Exchange;
import dev.kura.index.BucketRecord;
import dev.kura.index.ObjectRecord;
import dev.kura.object.ObjectService;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.op.S3Operation;
import dev.kura.s3.xml.XmlElement;
import dev.kura.s3.xml.XmlParser;
import dev.kura.s3.xml.XmlWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * Bucket and object settings: tagging, versioning and the settings Kura cannot configure, which
 * answer exactly what S3 answers when nothing is configured. (ACLs, policies, Block Public Access and
 * Object Ownership: {@link AccessApi}.)
 */
final class SettingsApi {
    private final ObjectService objects;

    SettingsApi(ObjectService objects) {
        this.objects = objects;
    }

    // ---- tagging

    void getObjectTagging(S3Operation.GetObjectTagging op, Exchange ex) throws IOException {
        String versionId = ex.head().queryParam("versionId");
        ObjectRecord r = objects.head(op.bucket(), op.key(), versionId);
        Responses.xml(ex, 200, Tags.document(r.tags()), versionHeader(r, versionId));
    }

    void putObjectTagging(S3Operation.PutObjectTagging op, Exchange ex, InputStream body) throws IOException {
        String versionId = ex.head().queryParam("versionId");
        objects.putObjectTags(op.bucket(), op.key(), versionId, Tags.fromXml(body, Tags.MAX_OBJECT_TAGS));
        Responses.empty(ex, 200, versionId == null ? Map.of() : Map.of("x-amz-version-id", versionId));
    }

    void deleteObjectTagging(S3Operation.DeleteObjectTagging op, Exchange ex) throws IOException {
        String versionId = ex.head().queryParam("versionId");
        objects.putObjectTags(op.bucket(), op.key(), versionId, Map.of());
        Responses.empty(ex, 204, versionId == null ? Map.of() : Map.of("x-amz-version-id", versionId));
    }

    private static Map<String, String> versionHeader(ObjectRecord r, String requested) {
        Map<String, String> h = new java.util.LinkedHashMap<>();
        ObjectApi.putVersionId(h, r, requested);
        return h;
    }

    void getBucketTagging(S3Operation.GetBucketTagging op, Exchange ex) throws IOException {
        BucketRecord b = objects.bucket(op.bucket());
        if (b.tags().isEmpty()) {
            throw new S3Exception(S3ErrorCode.NoSuchTagSet).with("BucketName", op.bucket());
        }
        Responses.xml(ex, 200, Tags.document(b.tags()));
    }

    void putBucketTagging(S3Operation.PutBucketTagging op, Exchange ex, InputStream body) throws IOException {
        objects.putBucketTags(op.bucket(), Tags.fromXml(body, Tags.MAX_BUCKET_TAGS));
        Responses.empty(ex, 204, Map.of());
    }

    void deleteBucketTagging(S3Operation.DeleteBucketTagging op, Exchange ex) throws IOException {
        objects.putBucketTags(op.bucket(), Map.of());
        Responses.empty(ex, 204, Map.of());
    }

    // ---- ACLs

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketAcl.html
    // ---- versioning and the unconfigurable settings

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketVersioning.html
    void getVersioning(S3Operation.GetBucketVersioning op, Exchange ex) throws IOException {
        XmlWriter doc = XmlWriter.document("VersioningConfiguration");
        switch (objects.bucket(op.bucket()).versioning()) {
            case ENABLED -> doc.element("Status", "Enabled");
            case SUSPENDED -> doc.element("Status", "Suspended");
            case UNVERSIONED -> {
                // a bucket that never had versioning: an empty configuration
            }
        }
        Responses.xml(ex, 200, doc);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html
    void putVersioning(S3Operation.PutBucketVersioning op, Exchange ex, InputStream body) throws IOException {
        objects.bucket(op.bucket());
        byte[] bytes = body.readNBytes(64 * 1024 + 1);
        if (bytes.length > 64 * 1024) {
            throw new S3Exception(S3ErrorCode.MaxMessageLengthExceeded);
        }
        if (bytes.length == 0) {
            throw new S3Exception(S3ErrorCode.MissingRequestBodyError, "Request Body is empty");
        }
        XmlElement conf = XmlParser.parse(bytes, 20);
        if (!conf.name().equals("VersioningConfiguration")) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        String mfa = conf.childText("MfaDelete");
        if (mfa != null && !mfa.trim().equals("Disabled")) {
            if (!mfa.trim().equals("Enabled")) {
                throw new S3Exception(S3ErrorCode.MalformedXML);
            }
            throw new S3Exception(S3ErrorCode.NotImplemented, "MFA delete is not supported by Kura")
                    .with("Header", "MfaDelete");
        }
        String status = conf.childText("Status");
        if (status == null) {
            // S3 accepts a configuration without a Status (only MfaDelete) and changes nothing
            Responses.empty(ex, 200, Map.of());
            return;
        }
        BucketRecord.Versioning state = switch (status.trim()) {
            case "Enabled" -> BucketRecord.Versioning.ENABLED;
            case "Suspended" -> BucketRecord.Versioning.SUSPENDED;
            default -> throw new S3Exception(S3ErrorCode.MalformedXML);
        };
        // Suspending a bucket that was never versioned is accepted too (as S3 does): its objects keep the null version.
        objects.setVersioning(op.bucket(), state);
        Responses.empty(ex, 200, Map.of());
    }

    void unconfigured(S3Operation.UnconfiguredBucketSetting op, Exchange ex) throws IOException {
        objects.bucket(op.bucket());
        String name = op.operation();
        if (name.startsWith("Delete")) {
            Responses.empty(ex, 204, Map.of());
            return;
        }
        XmlWriter doc = switch (name) {
            case "GetBucketLifecycleConfiguration" -> throw notFound(S3ErrorCode.NoSuchLifecycleConfiguration, op);
            case "GetBucketEncryption" -> throw notFound(S3ErrorCode.ServerSideEncryptionConfigurationNotFoundError, op);
            case "GetObjectLockConfiguration" -> throw notFound(S3ErrorCode.ObjectLockConfigurationNotFoundError, op);
            case "GetBucketWebsite" -> throw notFound(S3ErrorCode.NoSuchWebsiteConfiguration, op);
            case "GetBucketReplication" -> throw notFound(S3ErrorCode.ReplicationConfigurationNotFoundError, op);
            case "GetBucketLogging" -> XmlWriter.document("BucketLoggingStatus");
            case "GetBucketNotificationConfiguration" -> XmlWriter.document("NotificationConfiguration");
            case "GetBucketAccelerateConfiguration" -> XmlWriter.document("AccelerateConfiguration");
            case "GetBucketRequestPayment" -> XmlWriter.document("RequestPaymentConfiguration").element("Payer", "BucketOwner");
            default -> throw new S3Exception(S3ErrorCode.NotImplemented, name + " is not implemented").with("Operation", name);
        };
        Responses.xml(ex, 200, doc);
    }

    private static S3Exception notFound(S3ErrorCode code, S3Operation op) {
        return new S3Exception(code).with("BucketName", op.bucket());
    }
}
