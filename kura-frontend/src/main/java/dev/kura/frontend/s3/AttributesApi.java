package dev.kura.frontend.s3;

import dev.kura.frontend.http.Exchange;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.object.ObjectService;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import dev.kura.s3.op.S3Operation;
import dev.kura.s3.xml.XmlWriter;
import java.io.IOException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** GetObjectAttributes (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObjectAttributes.html). */
final class AttributesApi {
    private static final Set<String> KNOWN = Set.of("ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize");
    private final ObjectService objects;

    AttributesApi(ObjectService objects) {
        this.objects = objects;
    }

    void get(S3Operation.GetObjectAttributes op, Exchange ex) throws IOException {
        RequestHead head = ex.head();
        Set<String> wanted = new HashSet<>();
        for (String h : head.headers("x-amz-object-attributes")) {
            for (String a : h.split(",")) {
                if (!a.isBlank()) {
                    wanted.add(a.trim());
                }
            }
        }
        if (wanted.isEmpty() || !KNOWN.containsAll(wanted)) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "Invalid attribute name specified")
                    .with("ArgumentName", "x-amz-object-attributes");
        }
        dev.kura.object.Sse.Customer sseKey = SseHeaders.key(head);
        ObjectRecord r = objects.head(op.bucket(), op.key(), head.queryParam("versionId"));
        objects.checkKey(r, sseKey);
        Conditionals.check(head, r.etag(), r.lastModified());
        XmlWriter doc = XmlWriter.document("GetObjectAttributesResponse");
        if (wanted.contains("ETag")) {
            doc.element("ETag", r.etag());
        }
        if (wanted.contains("Checksum") && r.checksum() != null) {
            doc.start("Checksum").element("Checksum" + MultipartApi.checksumElement(r.checksum().algorithm()),
                    r.checksum().base64()).element("ChecksumType", r.checksum().type().name()).end();
        }
        if (wanted.contains("ObjectParts") && r.isMultipart()) {
            parts(doc, op.bucket(), r, head);
        }
        if (wanted.contains("StorageClass")) {
            doc.element("StorageClass", r.storageClass());
        }
        if (wanted.contains("ObjectSize")) {
            doc.element("ObjectSize", r.size());
        }
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", Responses.XML);
        h.put("Last-Modified", Responses.httpDate(r.lastModified()));
        ObjectApi.putVersionId(h, r, head.queryParam("versionId"));
        ex.respond(200, h, doc.toBytes());
    }

    private void parts(XmlWriter doc, String bucket, ObjectRecord r, RequestHead head) {
        int max = MultipartApi.intParam(head, "x-amz-max-parts", 1000, 1000);
        String hm = head.header("x-amz-max-parts");
        if (hm != null) {
            max = Math.min(1000, Integer.parseInt(hm.trim()));
        }
        String markerHeader = head.header("x-amz-part-number-marker");
        int marker = markerHeader == null ? 0 : Integer.parseInt(markerHeader.trim());
        List<PartRecord> all = objects.parts(bucket, r).stream().filter(p -> p.partNumber() > marker).toList();
        boolean truncated = all.size() > max;
        List<PartRecord> page = truncated ? all.subList(0, max) : all;
        doc.start("ObjectParts").element("PartsCount", r.partCount()).element("PartNumberMarker", marker)
                .element("NextPartNumberMarker", page.isEmpty() ? marker : page.getLast().partNumber())
                .element("MaxParts", max).element("IsTruncated", truncated);
        for (PartRecord p : page) {
            doc.start("Part").element("PartNumber", p.partNumber()).element("Size", p.size());
            if (p.checksum() != null && r.checksum() != null) {
                doc.element("Checksum" + MultipartApi.checksumElement(r.checksum().algorithm()), p.checksum());
            }
            doc.end();
        }
        doc.end();
    }
}
