package dev.kura.frontend.s3;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.common.Digest;
import dev.kura.frontend.http.Exchange;
import dev.kura.object.ObjectService;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.op.S3Router;
import dev.kura.s3.xml.XmlElement;
import dev.kura.s3.xml.XmlParser;
import dev.kura.s3.xml.XmlWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;

/**
 * DeleteObjects (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html): at most
 * 1000 keys, each deleted on its own (no all-or-nothing), per-key errors in the result; quiet mode
 * lists only the errors.
 */
final class DeleteObjectsApi {
    static final int MAX_KEYS = 1000;
    /** 1000 keys of 1024 bytes plus markup. */
    static final int MAX_BODY = 2 * 1024 * 1024;

    private final ObjectService objects;
    private final AccessControl access;

    DeleteObjectsApi(ObjectService objects, AccessControl access) {
        this.objects = objects;
        this.access = access;
    }

    /** Each key is authorized as its own DeleteObject would be; a denied key is AccessDenied in the result. */
    void handle(String bucket, Exchange ex, InputStream body, dev.kura.s3.access.Principal who) throws IOException {
        objects.bucket(bucket);
        byte[] bytes = body.readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw new S3Exception(S3ErrorCode.MaxMessageLengthExceeded);
        }
        verifyIntegrity(ex, bytes);
        XmlElement delete = XmlParser.parse(bytes, 3 * MAX_KEYS + 10);
        List<XmlElement> entries = delete.children("Object");
        if (!delete.name().equals("Delete") || entries.isEmpty() || entries.size() > MAX_KEYS) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        boolean quiet = "true".equalsIgnoreCase(trim(delete.childText("Quiet")));
        // Validate every entry first; the valid ones are deleted together (one group commit).
        S3Exception[] errors = new S3Exception[entries.size()];
        ObjectService.Deleted[] deleted = new ObjectService.Deleted[entries.size()];
        java.util.List<ObjectService.KeyVersion> keys = new java.util.ArrayList<>();
        java.util.List<Integer> positions = new java.util.ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            XmlElement entry = entries.get(i);
            String key = entry.childText("Key");
            if (key == null) {
                throw new S3Exception(S3ErrorCode.MalformedXML);
            }
            try {
                check(key);
                String version = entry.childText("VersionId");
                if (!access.mayDelete(who, bucket, key, version == null || version.isEmpty() ? null : version, ex)) {
                    throw new S3Exception(S3ErrorCode.AccessDenied);
                }
                keys.add(new ObjectService.KeyVersion(key, version == null || version.isEmpty() ? null : version));
                positions.add(i);
            } catch (S3Exception e) {
                errors[i] = e;
            }
        }
        java.util.List<ObjectService.DeleteResult> outcomes = keys.isEmpty() ? java.util.List.of()
                : objects.deleteObjects(bucket, keys, ProtectionApi.bypassGovernance(ex.head()));
        for (int j = 0; j < outcomes.size(); j++) {
            errors[positions.get(j)] = outcomes.get(j).error();
            deleted[positions.get(j)] = outcomes.get(j).deleted();
        }
        XmlWriter doc = XmlWriter.document("DeleteResult");
        for (int i = 0; i < entries.size(); i++) {
            String key = entries.get(i).childText("Key");
            String version = entries.get(i).childText("VersionId");
            if (errors[i] == null) {
                if (!quiet) {
                    doc.start("Deleted").element("Key", key).element("VersionId", version);
                    ObjectService.Deleted d = deleted[i];
                    if (d != null && d.deleteMarker()) {
                        // the marker this delete created, or the marker it removed (by its version id)
                        doc.element("DeleteMarker", "true").element("DeleteMarkerVersionId", d.versionId());
                    }
                    doc.end();
                }
            } else {
                doc.start("Error").element("Key", key).element("VersionId", version)
                        .element("Code", errors[i].code().name()).element("Message", errors[i].getMessage()).end();
            }
        }
        Responses.xml(ex, 200, doc);
    }

    private static void check(String key) {
        if (key.isEmpty() || key.getBytes(StandardCharsets.UTF_8).length > S3Router.MAX_KEY_BYTES) {
            throw new S3Exception(S3ErrorCode.KeyTooLongError);
        }
    }

    /** Content-MD5 or an x-amz-checksum-* header, when sent, must match the body. */
    /** Content-MD5 and any x-amz-checksum-* header sent with a small XML body must match it (BadDigest). */
    static void verifyIntegrity(Exchange ex, byte[] bytes) {
        String md5 = ex.head().header("content-md5");
        if (md5 != null) {
            byte[] actual = ChecksumAlgorithm.messageDigest("MD5").digest(bytes);
            if (!MessageDigest.isEqual(actual, decode(md5))) {
                throw new S3Exception(S3ErrorCode.BadDigest);
            }
        }
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            String v = ex.head().header(a.headerName());
            if (v != null) {
                Digest d = a.newDigest();
                d.update(bytes, 0, bytes.length);
                if (!Base64.getEncoder().encodeToString(d.finish()).equals(v.trim())) {
                    throw new S3Exception(S3ErrorCode.BadDigest);
                }
            }
        }
    }

    private static byte[] decode(String b64) {
        try {
            return Base64.getDecoder().decode(b64.trim());
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3ErrorCode.InvalidDigest);
        }
    }

    private static String trim(String s) {
        return s == null ? null : s.trim();
    }
}
