package dev.kura.frontend.s3;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.frontend.http.Exchange;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.UploadPage;
import dev.kura.index.UploadRecord;
import dev.kura.object.MultipartService;
import dev.kura.object.MultipartService.RequestedPart;
import dev.kura.object.ObjectService;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.auth.DecodedBody;
import dev.kura.s3.http.RequestHead;
import dev.kura.s3.access.Principal;
import dev.kura.s3.op.S3Operation;
import dev.kura.s3.xml.XmlElement;
import dev.kura.s3.xml.XmlParser;
import dev.kura.s3.xml.XmlWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/** The multipart upload operations (https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html). */
final class MultipartApi {
    private final ObjectService objects;
    private final MultipartService multipart;
    private final AccessControl access;

    MultipartApi(ObjectService objects, AccessControl access) {
        this.objects = objects;
        this.multipart = objects.multipart();
        this.access = access;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
    void create(S3Operation.CreateMultipartUpload op, Exchange ex, Principal who) throws IOException {
        RequestHead head = ex.head();
        PutHeaders.refuseUnsupported(head);
        ChecksumAlgorithm algorithm = null;
        String a = head.header("x-amz-checksum-algorithm");
        if (a != null) {
            algorithm = ChecksumAlgorithm.fromName(a.trim()).orElseThrow(() -> new S3Exception(S3ErrorCode.InvalidRequest,
                    "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]"));
        }
        ObjectRecord.Checksum.Type type = checksumType(head.header("x-amz-checksum-type"), algorithm);
        UploadRecord u = multipart.create(op.bucket(), op.key(), PutHeaders.systemHeaders(head), PutHeaders.userMetadata(head),
                PutHeaders.storageClass(head), Tags.fromHeader(head.header("x-amz-tagging"), Tags.MAX_OBJECT_TAGS), algorithm, type,
                ProtectionApi.fromHeaders(head), access.writeAccess(who, op.bucket(), head));
        XmlWriter doc = XmlWriter.document("InitiateMultipartUploadResult")
                .element("Bucket", op.bucket()).element("Key", op.key()).element("UploadId", u.uploadId());
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", Responses.XML);
        if (algorithm != null) {
            h.put("x-amz-checksum-algorithm", algorithm.name());
            h.put("x-amz-checksum-type", type.name());
        }
        ex.respond(200, h, doc.toBytes());
    }

    /** x-amz-checksum-type: COMPOSITE (default; CRC64NVME only supports FULL_OBJECT) or FULL_OBJECT (CRCs only). */
    static ObjectRecord.Checksum.Type checksumType(String header, ChecksumAlgorithm algorithm) {
        if (header == null) {
            return algorithm == ChecksumAlgorithm.CRC64NVME ? ObjectRecord.Checksum.Type.FULL_OBJECT
                    : ObjectRecord.Checksum.Type.COMPOSITE;
        }
        ObjectRecord.Checksum.Type t;
        try {
            t = ObjectRecord.Checksum.Type.valueOf(header.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3ErrorCode.InvalidRequest, "Value for x-amz-checksum-type header is invalid.");
        }
        if (algorithm == null) {
            throw new S3Exception(S3ErrorCode.InvalidRequest, "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
        }
        boolean crc = algorithm != ChecksumAlgorithm.SHA1 && algorithm != ChecksumAlgorithm.SHA256;
        if ((t == ObjectRecord.Checksum.Type.FULL_OBJECT && !crc)
                || (t == ObjectRecord.Checksum.Type.COMPOSITE && algorithm == ChecksumAlgorithm.CRC64NVME)) {
            throw new S3Exception(S3ErrorCode.InvalidRequest, "The " + algorithm + " checksum algorithm does not support the "
                    + t + " checksum type.");
        }
        return t;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPart.html
    void uploadPart(S3Operation.UploadPart op, Exchange ex, DecodedBody body) throws IOException {
        RequestHead head = ex.head();
        long length = ObjectApi.declaredLength(head);
        ChecksumAlgorithm sent = PutHeaders.checksumAlgorithm(head);
        Supplier<String> value = sent == null ? null : () -> {
            String v = head.header(sent.headerName());
            return v != null ? v : body.trailers().get(sent.headerName());
        };
        PartRecord p = multipart.uploadPart(op.bucket(), op.key(), op.uploadId(), op.partNumber(), length,
                head.header("content-md5"), sent, value, body);
        Map<String, String> h = new LinkedHashMap<>();
        h.put("ETag", Responses.quoted(p.etag()));
        if (p.checksum() != null) {
            UploadRecord u = multipart.upload(op.bucket(), op.key(), op.uploadId());
            ChecksumAlgorithm a = u.checksumAlgorithm() != null ? u.checksumAlgorithm() : sent;
            if (a != null) {
                h.put(a.headerName(), p.checksum());
            }
        }
        Responses.empty(ex, 200, h);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html
    void uploadPartCopy(S3Operation.UploadPartCopy op, Exchange ex, Principal who) throws IOException {
        RequestHead head = ex.head();
        CopySource src = CopySource.parse(head.header("x-amz-copy-source"));
        access.authorizeCopySource(who, src.bucket(), src.key(), src.versionId(), ex);
        ObjectRecord source = src.resolve(objects);
        Conditionals.checkCopySource(head, source.etag(), source.lastModified());
        long start = 0;
        long length = source.size();
        String range = head.header("x-amz-copy-source-range");
        if (range != null) {
            long[] r = CopySource.range(range, source.size());
            start = r[0];
            length = r[1] - r[0] + 1;
        }
        multipart.upload(op.bucket(), op.key(), op.uploadId()); // NoSuchUpload before any copying
        PartRecord p = multipart.copyPart(op.bucket(), op.key(), op.uploadId(), op.partNumber(), src.bucket(), source,
                start, length);
        XmlWriter doc = XmlWriter.document("CopyPartResult").element("LastModified", p.lastModified())
                .element("ETag", Responses.quoted(p.etag()));
        Responses.xml(ex, 200, doc);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
    void complete(S3Operation.CompleteMultipartUpload op, Exchange ex, InputStream body) throws IOException {
        RequestHead head = ex.head();
        List<RequestedPart> parts = parseParts(body);
        Long declared = null;
        String size = head.header("x-amz-mp-object-size");
        if (size != null) {
            try {
                declared = Long.parseLong(size.trim());
            } catch (NumberFormatException e) {
                throw new S3Exception(S3ErrorCode.InvalidArgument, "Invalid x-amz-mp-object-size").with("ArgumentName", "x-amz-mp-object-size");
            }
        }
        Long declaredSize = declared;
        var precondition = ObjectApi.writePrecondition(head);
        ObjectRecord[] completed = new ObjectRecord[1];
        LongRunning.respond(ex, () -> {
            MultipartService.Completed done = multipart.complete(op.bucket(), op.key(), op.uploadId(), parts, precondition,
                    declaredSize);
            ObjectRecord r = done.record();
            completed[0] = r;
            verifyFullChecksum(head, r);
            XmlWriter doc = XmlWriter.document("CompleteMultipartUploadResult")
                    .element("Location", "/" + op.bucket() + "/" + op.key())
                    .element("Bucket", op.bucket()).element("Key", op.key()).element("ETag", Responses.quoted(r.etag()));
            if (r.checksum() != null) {
                doc.element("Checksum" + checksumElement(r.checksum().algorithm()), r.checksum().base64())
                        .element("ChecksumType", r.checksum().type().name());
            }
            return doc;
        }, () -> {
            Map<String, String> h = new java.util.LinkedHashMap<>();
            if (completed[0] != null) {
                ObjectApi.putVersionId(h, completed[0], null);
            }
            return h;
        });
    }

    /** A full-object checksum sent with Complete must equal the one computed from the parts. */
    private static void verifyFullChecksum(RequestHead head, ObjectRecord r) {
        if (r.checksum() == null) {
            return;
        }
        String sent = head.header(r.checksum().algorithm().headerName());
        if (sent != null && !sent.trim().equals(r.checksum().base64())
                && !(sent.trim() + "-" + r.partCount()).equals(r.checksum().base64())) {
            throw new S3Exception(S3ErrorCode.BadDigest, "The " + r.checksum().algorithm()
                    + " you specified did not match the calculated checksum.");
        }
    }

    static String checksumElement(ChecksumAlgorithm a) {
        return switch (a) {
            case CRC32 -> "CRC32";
            case CRC32C -> "CRC32C";
            case CRC64NVME -> "CRC64NVME";
            case SHA1 -> "SHA1";
            case SHA256 -> "SHA256";
        };
    }

    private static List<RequestedPart> parseParts(InputStream body) throws IOException {
        byte[] bytes = body.readNBytes(4 * 1024 * 1024 + 1);
        if (bytes.length == 0) {
            throw new S3Exception(S3ErrorCode.MalformedXML); // S3 answers an empty Complete so
        }
        if (bytes.length > 4 * 1024 * 1024) {
            throw new S3Exception(S3ErrorCode.MaxMessageLengthExceeded);
        }
        XmlElement root = XmlParser.parse(bytes, 8 * MultipartService.MAX_PARTS + 10);
        if (!root.name().equals("CompleteMultipartUpload")) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        List<RequestedPart> parts = new ArrayList<>();
        for (XmlElement p : root.children("Part")) {
            String number = p.childText("PartNumber");
            String etag = p.childText("ETag");
            if (number == null || etag == null) {
                throw new S3Exception(S3ErrorCode.MalformedXML);
            }
            int n;
            try {
                n = Integer.parseInt(number.trim());
            } catch (NumberFormatException e) {
                throw new S3Exception(S3ErrorCode.MalformedXML);
            }
            Map<ChecksumAlgorithm, String> sums = new EnumMap<>(ChecksumAlgorithm.class);
            for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
                String v = p.childText("Checksum" + checksumElement(a));
                if (v != null) {
                    sums.put(a, v);
                }
            }
            parts.add(new RequestedPart(n, etag, sums));
        }
        if (parts.isEmpty()) {
            throw new S3Exception(S3ErrorCode.MalformedXML);
        }
        return parts;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_AbortMultipartUpload.html
    void abort(S3Operation.AbortMultipartUpload op, Exchange ex) throws IOException {
        multipart.abort(op.bucket(), op.key(), op.uploadId());
        Responses.empty(ex, 204, Map.of());
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListParts.html
    void listParts(S3Operation.ListParts op, Exchange ex) throws IOException {
        RequestHead head = ex.head();
        UploadRecord u = multipart.upload(op.bucket(), op.key(), op.uploadId());
        int max = intParam(head, "max-parts", 1000, 1000);
        int marker = intParam(head, "part-number-marker", 0, Integer.MAX_VALUE);
        List<PartRecord> page = multipart.parts(op.bucket(), op.key(), op.uploadId(), marker, max + 1);
        boolean truncated = page.size() > max;
        if (truncated) {
            page = page.subList(0, max);
        }
        XmlWriter doc = XmlWriter.document("ListPartsResult")
                .element("Bucket", op.bucket()).element("Key", op.key()).element("UploadId", op.uploadId())
                .element("PartNumberMarker", marker)
                .element("NextPartNumberMarker", page.isEmpty() ? marker : page.getLast().partNumber())
                .element("MaxParts", max).element("IsTruncated", truncated);
        for (PartRecord p : page) {
            doc.start("Part").element("PartNumber", p.partNumber()).element("LastModified", p.lastModified())
                    .element("ETag", Responses.quoted(p.etag())).element("Size", p.size());
            if (p.checksum() != null && u.checksumAlgorithm() != null) {
                doc.element("Checksum" + checksumElement(u.checksumAlgorithm()), p.checksum());
            }
            doc.end();
        }
        initiatorAndOwner(doc, u);
        doc.element("StorageClass", u.storageClass());
        if (u.checksumAlgorithm() != null) {
            doc.element("ChecksumAlgorithm", u.checksumAlgorithm().name()).element("ChecksumType", u.checksumType().name());
        }
        Responses.xml(ex, 200, doc);
    }

    /** The upload's initiator and owner: the owner its version will have. */
    private void initiatorAndOwner(XmlWriter doc, UploadRecord u) {
        BucketApi.Owner o = access.owner(u.owner());
        doc.start("Initiator").element("ID", o.id());
        if (o.displayName() != null) {
            doc.element("DisplayName", o.displayName());
        }
        doc.end();
        o.writeTo(doc);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListMultipartUploads.html
    void listUploads(S3Operation.ListMultipartUploads op, Exchange ex) throws IOException {
        RequestHead head = ex.head();
        int max = intParam(head, "max-uploads", 1000, 1000);
        String prefix = head.queryParam("prefix") == null ? "" : head.queryParam("prefix");
        String delimiter = emptyToNull(head.queryParam("delimiter"));
        String keyMarker = emptyToNull(head.queryParam("key-marker"));
        String idMarker = emptyToNull(head.queryParam("upload-id-marker"));
        boolean url = "url".equals(head.queryParam("encoding-type"));
        java.util.function.UnaryOperator<String> enc = url ? ListApi::urlEncode : s -> s;
        UploadPage page = multipart.uploads(op.bucket(), prefix, delimiter, keyMarker, idMarker, max);
        XmlWriter doc = XmlWriter.document("ListMultipartUploadsResult")
                .element("Bucket", op.bucket())
                .element("KeyMarker", keyMarker == null ? "" : enc.apply(keyMarker))
                .element("UploadIdMarker", idMarker == null ? "" : idMarker)
                .element("NextKeyMarker", page.nextKeyMarker() == null ? "" : enc.apply(page.nextKeyMarker()))
                .element("NextUploadIdMarker", page.nextUploadIdMarker() == null ? "" : page.nextUploadIdMarker())
                .element("Prefix", enc.apply(prefix))
                .element("Delimiter", delimiter == null ? null : enc.apply(delimiter))
                .element("MaxUploads", max)
                .element("EncodingType", url ? "url" : null)
                .element("IsTruncated", page.truncated());
        for (UploadRecord u : page.uploads()) {
            doc.start("Upload").element("Key", enc.apply(u.key())).element("UploadId", u.uploadId());
            initiatorAndOwner(doc, u);
            doc.element("StorageClass", u.storageClass()).element("Initiated", u.initiated());
            if (u.checksumAlgorithm() != null) {
                doc.element("ChecksumAlgorithm", u.checksumAlgorithm().name());
            }
            doc.end();
        }
        for (String p : page.commonPrefixes()) {
            doc.start("CommonPrefixes").element("Prefix", enc.apply(p)).end();
        }
        Responses.xml(ex, 200, doc);
    }

    static int intParam(RequestHead head, String name, int dflt, int cap) {
        String v = head.queryParam(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.min(n, cap);
        } catch (NumberFormatException e) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "Provided " + name + " not an integer or within integer range")
                    .with("ArgumentName", name).with("ArgumentValue", v);
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
