package dev.kura.frontend.s3;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.frontend.http.Exchange;
import dev.kura.index.ObjectRecord;
import dev.kura.object.CopyInput;
import dev.kura.object.ObjectService;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import dev.kura.s3.access.Principal;
import dev.kura.s3.op.S3Operation;
import dev.kura.s3.xml.XmlWriter;
import java.io.IOException;
import java.util.Map;

/** CopyObject (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html). */
final class CopyApi {
    private final ObjectService objects;
    private final AccessControl access;

    CopyApi(ObjectService objects, AccessControl access) {
        this.objects = objects;
        this.access = access;
    }

    void copy(S3Operation.CopyObject op, Exchange ex, Principal who) throws IOException {
        RequestHead head = ex.head();
        PutHeaders.refuseUnsupported(head);
        CopySource src = CopySource.parse(head.header("x-amz-copy-source"));
        objects.bucket(op.bucket()); // NoSuchBucket for the destination first
        access.authorizeCopySource(who, src.bucket(), src.key(), src.versionId(), ex);
        ObjectRecord source = src.resolve(objects);
        Conditionals.checkCopySource(head, source.etag(), source.lastModified());
        boolean replaceMeta = directive(head, "x-amz-metadata-directive");
        boolean replaceTags = directive(head, "x-amz-tagging-directive");
        String storageClass = PutHeaders.storageClass(head);
        ChecksumAlgorithm checksum = checksumAlgorithm(head);
        boolean self = src.bucket().equals(op.bucket()) && src.key().equals(op.key());
        if (self && !replaceMeta && head.header("x-amz-storage-class") == null && checksum == null && !replaceTags) {
            throw new S3Exception(S3ErrorCode.InvalidRequest, "This copy request is illegal because it is trying to copy an "
                    + "object to itself without changing the object's metadata, storage class, website redirect location or "
                    + "encryption attributes.");
        }
        Map<String, String> headers = replaceMeta ? PutHeaders.systemHeaders(head) : source.headers();
        Map<String, String> meta = replaceMeta ? PutHeaders.userMetadata(head) : source.userMetadata();
        Map<String, String> tags = replaceTags ? Tags.fromHeader(head.header("x-amz-tagging"), Tags.MAX_OBJECT_TAGS)
                : source.tags();
        CopyInput in = new CopyInput(src.bucket(), op.bucket(), op.key(), headers, meta, storageClass, tags, checksum,
                ObjectApi.writePrecondition(head), ProtectionApi.fromHeaders(head), access.writeAccess(who, op.bucket(), head));
        ObjectRecord[] copied = new ObjectRecord[1];
        LongRunning.respond(ex, () -> {
            ObjectRecord r = objects.copyObject(source, in);
            copied[0] = r;
            XmlWriter doc = XmlWriter.document("CopyObjectResult").element("LastModified", r.lastModified())
                    .element("ETag", Responses.quoted(r.etag()));
            if (r.checksum() != null) {
                doc.element("ChecksumType", r.checksum().type().name())
                        .element("Checksum" + MultipartApi.checksumElement(r.checksum().algorithm()), r.checksum().base64());
            }
            return doc;
        }, () -> {
            Map<String, String> h = new java.util.LinkedHashMap<>();
            if (src.versionId() != null || !ObjectRecord.NULL_VERSION.equals(source.versionId())) {
                h.put("x-amz-copy-source-version-id", source.versionId());
            }
            if (copied[0] != null) {
                ObjectApi.putVersionId(h, copied[0], null);
            }
            return h;
        });
    }

    /** COPY (the default) or REPLACE; true for REPLACE. */
    private static boolean directive(RequestHead head, String name) {
        String v = head.header(name);
        if (v == null || v.equals("COPY")) {
            return false;
        }
        if (v.equals("REPLACE")) {
            return true;
        }
        throw new S3Exception(S3ErrorCode.InvalidArgument, "Unknown " + name).with("ArgumentName", name).with("ArgumentValue", v);
    }

    private static ChecksumAlgorithm checksumAlgorithm(RequestHead head) {
        String a = head.header("x-amz-checksum-algorithm");
        if (a == null) {
            return null;
        }
        return ChecksumAlgorithm.fromName(a.trim()).orElseThrow(() -> new S3Exception(S3ErrorCode.InvalidRequest,
                "Value for x-amz-checksum-algorithm header is invalid."));
    }
}
