package dev.kura.frontend.s3;

import dev.kura.frontend.http.Exchange;
import dev.kura.index.BucketRecord;
import dev.kura.index.BucketSetting;
import dev.kura.index.ObjectRecord;
import dev.kura.object.ObjectService;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.access.Acl;
import dev.kura.s3.access.Authorizer;
import dev.kura.s3.access.Ownership;
import dev.kura.s3.access.Policy;
import dev.kura.s3.access.PublicAccessBlock;
import dev.kura.s3.http.RequestHead;
import dev.kura.s3.op.S3Operation;
import dev.kura.s3.xml.XmlParser;
import dev.kura.s3.xml.XmlWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/**
 * Who-may-do-what settings: bucket and object ACLs (Get/PutBucketAcl, Get/PutObjectAcl), the bucket
 * policy (Get/Put/DeleteBucketPolicy, GetBucketPolicyStatus), Block Public Access (Get/Put/Delete
 * PublicAccessBlock) and Object Ownership (Get/Put/DeleteBucketOwnershipControls). The request was
 * authorized before it got here; this validates and stores.
 */
final class AccessApi {
    private static final int MAX_XML_BODY = 64 * 1024;

    private final ObjectService objects;
    private final AccessControl access;

    AccessApi(ObjectService objects, AccessControl access) {
        this.objects = objects;
        this.access = access;
    }

    // ---- ACLs

    void getAcl(S3Operation.GetAcl op, Exchange ex) throws IOException {
        BucketRecord bucket = objects.bucket(op.bucket());
        if (op.key() == null) {
            byte[] stored = objects.bucketSettings(bucket).get(BucketSetting.ACL);
            Acl acl = Acl.storedOrPrivate(stored == null ? null : AccessControl.utf8(stored), bucket.owner());
            Responses.xml(ex, 200, acl.toXml(bucket.owner(), access::displayNameOrAnonymous));
            return;
        }
        String versionId = ex.head().queryParam("versionId");
        ObjectRecord r = objects.head(op.bucket(), op.key(), versionId);
        Acl acl = Acl.storedOrPrivate(r.acl(), r.owner());
        Responses.xml(ex, 200, acl.toXml(r.owner(), access::displayNameOrAnonymous),
                versionId == null ? Map.of() : Map.of("x-amz-version-id", r.versionId()));
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketAcl.html, API_PutObjectAcl.html
    void putAcl(S3Operation.PutAcl op, Exchange ex, InputStream body) throws IOException {
        RequestHead head = ex.head();
        BucketRecord bucket = objects.bucket(op.bucket());
        Authorizer.BucketAccess settings = access.bucketAccess(bucket);
        String versionId = head.queryParam("versionId");
        ObjectRecord object = op.key() == null ? null : objects.head(op.bucket(), op.key(), versionId);
        if (settings.aclsDisabled()) {
            throw new S3Exception(S3ErrorCode.AccessControlListNotSupported);
        }
        String owner = object == null ? bucket.owner() : object.owner();
        Optional<Acl> fromHeaders = Acl.fromHeaders(head::header, owner, bucket.owner(), access::displayNameOrAnonymous);
        byte[] bytes = body.readNBytes(MAX_XML_BODY + 1);
        if (bytes.length > MAX_XML_BODY) {
            throw new S3Exception(S3ErrorCode.MaxMessageLengthExceeded);
        }
        Acl acl;
        if (bytes.length > 0) {
            if (fromHeaders.isPresent()) {
                throw new S3Exception(S3ErrorCode.UnexpectedContent, "This request does not support content");
            }
            DeleteObjectsApi.verifyIntegrity(ex, bytes);
            acl = Acl.fromXml(XmlParser.parse(bytes, 1000), access::displayNameOrAnonymous);
        } else {
            acl = fromHeaders.orElseThrow(() -> new S3Exception(S3ErrorCode.MissingSecurityHeader,
                    "Your request was missing a required header").with("MissingHeaderName", "x-amz-acl"));
        }
        if (acl.isPublic() && settings.publicAccessBlock().blockPublicAcls()) {
            throw new S3Exception(S3ErrorCode.AccessDenied);
        }
        if (object == null) {
            objects.putBucketSetting(op.bucket(), BucketSetting.ACL, AccessControl.bytes(acl.encode()));
        } else {
            objects.putObjectAcl(op.bucket(), op.key(), versionId, acl.encode());
        }
        Responses.empty(ex, 200, versionId == null ? Map.of() : Map.of("x-amz-version-id", object.versionId()));
    }

    // ---- policy, Block Public Access, Object Ownership

    void setting(S3Operation.AccessSetting op, Exchange ex, InputStream body) throws IOException {
        BucketRecord bucket = objects.bucket(op.bucket());
        Map<BucketSetting, byte[]> stored = objects.bucketSettings(bucket);
        switch (op.operation()) {
            case "GetBucketPolicy" -> {
                byte[] policy = stored.get(BucketSetting.POLICY);
                if (policy == null) {
                    throw notFound(S3ErrorCode.NoSuchBucketPolicy, op);
                }
                ex.respond(200, Map.of("Content-Type", "application/json"), policy);
            }
            case "PutBucketPolicy" -> {
                byte[] bytes = body.readNBytes(Policy.MAX_BYTES + 1);
                DeleteObjectsApi.verifyIntegrity(ex, bytes);
                Policy policy = Policy.parse(bytes, bucket.name());
                if (policy.isPublic() && access.bucketAccess(bucket).publicAccessBlock().blockPublicPolicy()) {
                    throw new S3Exception(S3ErrorCode.AccessDenied);
                }
                objects.putBucketSetting(op.bucket(), BucketSetting.POLICY, bytes);
                Responses.empty(ex, 204, Map.of());
            }
            case "DeleteBucketPolicy" -> {
                objects.putBucketSetting(op.bucket(), BucketSetting.POLICY, null);
                Responses.empty(ex, 204, Map.of());
            }
            case "GetBucketPolicyStatus" -> {
                Authorizer.BucketAccess a = access.bucketAccess(bucket);
                boolean isPublic = (a.policy() != null && a.policy().isPublic()) || (a.acl() != null && a.acl().isPublic());
                Responses.xml(ex, 200, XmlWriter.document("PolicyStatus").element("IsPublic", isPublic));
            }
            case "GetPublicAccessBlock" -> {
                byte[] pab = stored.get(BucketSetting.PUBLIC_ACCESS_BLOCK);
                if (pab == null) {
                    throw notFound(S3ErrorCode.NoSuchPublicAccessBlockConfiguration, op);
                }
                Responses.xml(ex, 200, PublicAccessBlock.decode(AccessControl.utf8(pab)).toXml());
            }
            case "PutPublicAccessBlock" -> {
                PublicAccessBlock pab = PublicAccessBlock.fromXml(XmlParser.parse(xmlBody(ex, body), 20));
                objects.putBucketSetting(op.bucket(), BucketSetting.PUBLIC_ACCESS_BLOCK, AccessControl.bytes(pab.encode()));
                Responses.empty(ex, 200, Map.of());
            }
            case "DeletePublicAccessBlock" -> {
                objects.putBucketSetting(op.bucket(), BucketSetting.PUBLIC_ACCESS_BLOCK, null);
                Responses.empty(ex, 204, Map.of());
            }
            case "GetBucketOwnershipControls" -> {
                byte[] o = stored.get(BucketSetting.OWNERSHIP);
                if (o == null) {
                    throw notFound(S3ErrorCode.OwnershipControlsNotFoundError, op);
                }
                Responses.xml(ex, 200, Ownership.of(AccessControl.utf8(o)).toXml());
            }
            case "PutBucketOwnershipControls" -> {
                Ownership o = Ownership.fromXml(XmlParser.parse(xmlBody(ex, body), 20));
                Authorizer.BucketAccess a = access.bucketAccess(bucket);
                if (o.aclsDisabled() && a.acl() != null && a.acl().grantsOthersThan(bucket.owner())) {
                    throw new S3Exception(S3ErrorCode.InvalidBucketAclWithObjectOwnership);
                }
                objects.putBucketSetting(op.bucket(), BucketSetting.OWNERSHIP, AccessControl.bytes(o.wire()));
                Responses.empty(ex, 200, Map.of());
            }
            case "DeleteBucketOwnershipControls" -> {
                objects.putBucketSetting(op.bucket(), BucketSetting.OWNERSHIP, null);
                Responses.empty(ex, 204, Map.of());
            }
            default -> throw new S3Exception(S3ErrorCode.NotImplemented, op.operation() + " is not implemented");
        }
    }

    private static byte[] xmlBody(Exchange ex, InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(MAX_XML_BODY + 1);
        if (bytes.length > MAX_XML_BODY) {
            throw new S3Exception(S3ErrorCode.MaxMessageLengthExceeded);
        }
        if (bytes.length == 0) {
            throw new S3Exception(S3ErrorCode.MissingRequestBodyError, "Request Body is empty");
        }
        DeleteObjectsApi.verifyIntegrity(ex, bytes);
        return bytes;
    }

    private static S3Exception notFound(S3ErrorCode code, S3Operation op) {
        return new S3Exception(code).with("BucketName", op.bucket());
    }
}
