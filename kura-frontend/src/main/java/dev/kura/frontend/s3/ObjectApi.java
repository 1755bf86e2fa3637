package dev.kura.frontend.s3;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.frontend.http.Exchange;
import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import dev.kura.object.ObjectService;
import dev.kura.object.PutObjectInput;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.auth.DecodedBody;
import dev.kura.s3.http.RequestHead;
import dev.kura.s3.access.Principal;
import dev.kura.s3.op.S3Operation;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** PutObject, GetObject, HeadObject, DeleteObject. */
final class ObjectApi {
    /** GetObject's response-* query overrides and the header each one sets. */
    private static final Map<String, String> OVERRIDES = Map.of(
            "response-content-type", "Content-Type",
            "response-content-language", "Content-Language",
            "response-expires", "Expires",
            "response-cache-control", "Cache-Control",
            "response-content-disposition", "Content-Disposition",
            "response-content-encoding", "Content-Encoding");

    /** The declared length of an HTTP-chunked body without Content-Length. */
    static final long UNKNOWN_LENGTH = -1;

    private final ObjectService objects;
    private final AccessControl access;

    ObjectApi(ObjectService objects, AccessControl access) {
        this.objects = objects;
        this.access = access;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
    void put(S3Operation.PutObject op, Exchange ex, DecodedBody body, Principal who) throws IOException {
        RequestHead head = ex.head();
        PutHeaders.refuseUnsupported(head);
        long length = declaredLength(head);
        ChecksumAlgorithm algorithm = PutHeaders.checksumAlgorithm(head);
        Supplier<String> expected = algorithm == null ? null : () -> {
            String v = head.header(algorithm.headerName());
            return v != null ? v : body.trailers().get(algorithm.headerName());
        };
        PutObjectInput in = new PutObjectInput(op.bucket(), op.key(), length, head.header("content-md5"), algorithm,
                expected, PutHeaders.systemHeaders(head), PutHeaders.userMetadata(head), PutHeaders.storageClass(head),
                writePrecondition(head), Tags.fromHeader(head.header("x-amz-tagging"), Tags.MAX_OBJECT_TAGS),
                ProtectionApi.fromHeaders(head), access.writeAccess(who, op.bucket(), head));
        ObjectRecord r = objects.putObject(in, body);
        Map<String, String> h = new LinkedHashMap<>();
        h.put("ETag", Responses.quoted(r.etag()));
        putVersionId(h, r, null);
        ProtectionApi.putExpiration(h, objects, op.bucket(), r);
        if (r.checksum() != null) {
            h.put(r.checksum().algorithm().headerName(), r.checksum().base64());
            h.put("x-amz-checksum-type", r.checksum().type().name());
        }
        Responses.empty(ex, 200, h);
    }

    /** The payload length: x-amz-decoded-content-length for aws-chunked bodies, else Content-Length. */
    static long declaredLength(RequestHead head) {
        String decoded = head.header("x-amz-decoded-content-length");
        String sha = head.header("x-amz-content-sha256");
        boolean streaming = sha != null && sha.startsWith("STREAMING-");
        String value = streaming ? decoded : head.header("content-length");
        if (value == null) {
            String te = head.header("transfer-encoding");
            if (!streaming && te != null && te.toLowerCase(java.util.Locale.ROOT).contains("chunked")) {
                return UNKNOWN_LENGTH; // HTTP chunked body: the length is known at its end
            }
            throw new S3Exception(S3ErrorCode.MissingContentLength);
        }
        try {
            long n = Long.parseLong(value.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "Invalid content length").with("ArgumentName",
                    streaming ? "x-amz-decoded-content-length" : "Content-Length").with("ArgumentValue", value);
        }
    }

    /** PutObject's conditional write headers (https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-writes.html). */
    static Precondition writePrecondition(RequestHead head) {
        String ifNoneMatch = head.header("if-none-match");
        String ifMatch = head.header("if-match");
        if (ifNoneMatch != null && ifMatch != null) {
            throw new S3Exception(S3ErrorCode.NotImplemented, "Specifying both If-Match and If-None-Match is not supported");
        }
        if (ifNoneMatch != null) {
            if (!ifNoneMatch.trim().equals("*")) {
                throw new S3Exception(S3ErrorCode.NotImplemented, "If-None-Match only supports *").with("Header", "If-None-Match");
            }
            return new Precondition.IfNoneMatchAny();
        }
        if (ifMatch != null) {
            String t = ifMatch.trim();
            if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
                t = t.substring(1, t.length() - 1);
            }
            return new Precondition.IfMatch(t);
        }
        return Precondition.NONE;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (and HeadObject)
    void get(String bucket, String key, Exchange ex) throws IOException {
        RequestHead head = ex.head();
        String versionId = head.queryParam("versionId");
        ObjectRecord r = objects.head(bucket, key, versionId);
        Conditionals.check(head, r.etag(), r.lastModified());
        ByteRange range;
        Map<String, String> h;
        if (head.hasQueryParam("partNumber")) {
            range = partRange(bucket, r, head);
            h = objectHeaders(r, head, false);
            h.put("x-amz-mp-parts-count", Integer.toString(Math.max(1, r.partCount())));
        } else {
            range = ByteRange.parse(head.header("range"), r.size());
            h = objectHeaders(r, head, range == null);
        }
        putVersionId(h, r, versionId);
        ProtectionApi.putHeaders(h, r);
        if (versionId == null) {
            ProtectionApi.putExpiration(h, objects, bucket, r);
        }
        long start = 0;
        long length = r.size();
        int status = 200;
        if (range != null) {
            status = 206;
            start = range.start();
            length = range.length();
            h.put("Content-Range", range.contentRange(r.size()));
        }
        if (head.method().equals("HEAD")) {
            ex.respondStream(status, h, length, InputStream.nullInputStream());
            return;
        }
        try (InputStream data = objects.open(bucket, r, start, length)) {
            ex.respondStream(status, h, length, data);
        }
    }

    /** GetObject/HeadObject with partNumber: that part of a multipart object (part 1 of one written whole). */
    private ByteRange partRange(String bucket, ObjectRecord r, RequestHead head) {
        int n = dev.kura.s3.op.S3Router.partNumber(head);
        if (!r.isMultipart()) {
            if (n != 1) {
                throw new S3Exception(S3ErrorCode.InvalidPart, "The requested partnumber is not satisfiable")
                        .with("PartNumberRequested", Integer.toString(n)).with("ActualPartCount", "1");
            }
            return r.size() == 0 ? null : new ByteRange(0, r.size());
        }
        for (var p : objects.parts(bucket, r)) {
            if (p.partNumber() == n) {
                return new ByteRange(p.offset(), p.size());
            }
        }
        throw new S3Exception(S3ErrorCode.InvalidPart, "The requested partnumber is not satisfiable")
                .with("PartNumberRequested", Integer.toString(n)).with("ActualPartCount", Integer.toString(r.partCount()));
    }

    private static Map<String, String> objectHeaders(ObjectRecord r, RequestHead head, boolean whole) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("ETag", Responses.quoted(r.etag()));
        h.put("Last-Modified", Responses.httpDate(r.lastModified()));
        h.put("Accept-Ranges", "bytes");
        r.headers().forEach((name, value) -> h.put(canonical(name), value));
        r.userMetadata().forEach((name, value) -> h.put("x-amz-meta-" + name, value));
        if (!"STANDARD".equals(r.storageClass())) {
            h.put("x-amz-storage-class", r.storageClass());
        }
        if (!r.tags().isEmpty()) {
            h.put("x-amz-tagging-count", Integer.toString(r.tags().size()));
        }
        if (r.checksum() != null && whole && "ENABLED".equalsIgnoreCase(head.header("x-amz-checksum-mode"))) {
            h.put(r.checksum().algorithm().headerName(), r.checksum().base64());
            h.put("x-amz-checksum-type", r.checksum().type().name());
        }
        OVERRIDES.forEach((param, header) -> {
            String v = head.queryParam(param);
            if (v != null) {
                // a decoded query value is text: send its UTF-8 bytes (header values are wire bytes)
                h.put(header, new String(v.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        });
        return h;
    }

    private static String canonical(String lower) {
        StringBuilder sb = new StringBuilder(lower.length());
        boolean up = true;
        for (char c : lower.toCharArray()) {
            sb.append(up ? Character.toUpperCase(c) : c);
            up = c == '-';
        }
        return sb.toString();
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObject.html
    void delete(S3Operation.DeleteObject op, Exchange ex) throws IOException {
        String ifMatch = ex.head().header("if-match");
        Precondition pre = ifMatch == null ? Precondition.NONE : writePrecondition(ex.head());
        ObjectService.Deleted d = objects.deleteObject(op.bucket(), op.key(), ex.head().queryParam("versionId"), pre,
                ProtectionApi.bypassGovernance(ex.head()));
        Map<String, String> h = new LinkedHashMap<>();
        if (d.deleteMarker()) {
            h.put("x-amz-delete-marker", "true");
        }
        if (d.versionId() != null) {
            h.put("x-amz-version-id", d.versionId());
        }
        Responses.empty(ex, 204, h);
    }

    /**
     * {@code x-amz-version-id}: a version's id once its bucket has had versioning (a real id), and
     * "null" when the request named the null version.
     */
    static void putVersionId(Map<String, String> h, ObjectRecord r, String requested) {
        if (!ObjectRecord.NULL_VERSION.equals(r.versionId()) || requested != null) {
            h.put("x-amz-version-id", r.versionId());
        }
    }
}
