package dev.kura.frontend.s3;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.frontend.http.Exchange;
import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import dev.kura.object.ObjectService;
import dev.kura.object.PutObjectInput;
import dev.kura.object.WriteAccess;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.auth.AuthContext;
import dev.kura.s3.auth.SigV4Authenticator;
import dev.kura.s3.http.RequestHead;
import dev.kura.s3.op.S3Operation;
import dev.kura.s3.op.S3Router;
import dev.kura.s3.post.MultipartForm;
import dev.kura.s3.post.PostPolicy;
import dev.kura.s3.xml.XmlWriter;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * PostObject, the browser-based upload (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html). In order: the form's
 * fields up to the file are read (bounded); the signature of the policy is verified (SigV4 or SigV2,
 * or none: anonymous); the policy's expiration and conditions are checked against the fields; the
 * {@link PostObjectAuthorizer} is asked; only then is the file streamed into an ordinary PutObject,
 * its size held to the policy's content-length-range as it streams (nothing is stored when it is
 * outside). Form fields stand for the PutObject headers of the same names.
 */
final class PostObjectApi {
    /** Form fields that carry what PutObject headers carry, by lower-case name. */
    private static final Set<String> HEADER_FIELDS = Set.of("content-type", "cache-control", "content-disposition",
            "content-encoding", "expires", "content-language", "content-md5", "x-amz-storage-class",
            "x-amz-server-side-encryption", "x-amz-server-side-encryption-customer-algorithm",
            "x-amz-server-side-encryption-customer-key", "x-amz-server-side-encryption-customer-key-md5",
            "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-website-redirect-location",
            "x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date", "x-amz-object-lock-legal-hold");
    /** What may follow the file in the body (later fields are ignored) before the connection is closed instead. */
    private static final long MAX_TRAILING_BYTES = 1024 * 1024;

    private final ObjectService objects;
    private final SigV4Authenticator auth;
    private final PostObjectAuthorizer authorizer;

    PostObjectApi(ObjectService objects, SigV4Authenticator auth, PostObjectAuthorizer authorizer) {
        this.objects = objects;
        this.auth = auth;
        this.authorizer = authorizer;
    }

    void post(S3Operation.PostObject op, Exchange ex) throws IOException {
        String boundary = MultipartForm.boundary(ex.head().header("content-type"));
        if (boundary == null) {
            throw new S3Exception(S3ErrorCode.PreconditionFailed)
                    .with("Condition", "Bucket POST must be of the enclosure-type multipart/form-data");
        }
        objects.bucket(op.bucket()); // NoSuchBucket before any of the body is read
        MultipartForm form = MultipartForm.open(ex.body(), boundary);
        MultipartForm.Fields f = form.readFields();
        Map<String, String> fields = f.values();
        AuthContext who = auth.authenticatePostForm(fields);
        ex.info().accessKeyId(who.accessKeyId());
        String key = key(fields, f.filename());
        ex.info().target(op.bucket(), key);
        PostPolicy.Condition.ContentLengthRange range = null;
        if (!who.isAnonymous()) {
            PostPolicy policy = PostPolicy.parse(fields.get("policy"));
            Map<String, String> checked = new LinkedHashMap<>(fields);
            checked.put("bucket", op.bucket());
            checked.put("key", key);
            policy.check(auth.now(), checked);
            range = policy.lengthRange();
        }
        RequestHead head = asHead(fields);
        WriteAccess access = authorizer.authorizePutObject(who, op.bucket(), key, head, ex);
        PutHeaders.refuseUnsupported(head);
        dev.kura.object.Sse sse = SseHeaders.forWrite(head);
        ChecksumAlgorithm algorithm = PutHeaders.checksumAlgorithm(head);
        String tagging = fields.get("tagging");
        Map<String, String> tags = tagging == null ? Map.of()
                : Tags.fromXml(new ByteArrayInputStream(tagging.getBytes(StandardCharsets.UTF_8)), Tags.MAX_OBJECT_TAGS);
        PutObjectInput in = new PutObjectInput(op.bucket(), key, ObjectApi.UNKNOWN_LENGTH, head.header("content-md5"),
                algorithm, algorithm == null ? null : () -> head.header(algorithm.headerName()),
                PutHeaders.systemHeaders(head), PutHeaders.userMetadata(head), PutHeaders.storageClass(head),
                Precondition.NONE, tags, ProtectionApi.fromHeaders(head), access).withSse(sse);
        ObjectRecord r = objects.putObject(in, new LengthRange(form.file(), range));
        if (!form.drain(MAX_TRAILING_BYTES)) {
            ex.closeAfterResponse();
        }
        answer(op, ex, fields, key, r, SseHeaders.customerOf(sse));
    }

    /** The key field, with ${filename} replaced by the file's name; InvalidArgument when absent. */
    private static String key(Map<String, String> fields, String filename) {
        String key = fields.get("key");
        if (key == null) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "Bucket POST must contain a field named 'key'.  "
                    + "If it is specified, please check the order of the fields.")
                    .with("ArgumentName", "key").with("ArgumentValue", "");
        }
        key = key.replace("${filename}", filename);
        if (key.isEmpty()) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "User key must have a length greater than 0.")
                    .with("ArgumentName", "key").with("ArgumentValue", "");
        }
        int bytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > S3Router.MAX_KEY_BYTES) {
            throw new S3Exception(S3ErrorCode.KeyTooLongError).with("Size", Integer.toString(bytes))
                    .with("MaxSizeAllowed", Integer.toString(S3Router.MAX_KEY_BYTES));
        }
        return key;
    }

    /**
     * The fields that stand for PutObject headers, as a request head (values as UTF-8 wire bytes, as
     * header values are kept), so PutObject's own header rules apply to them unchanged.
     */
    static RequestHead asHead(Map<String, String> fields) {
        RequestHead.Builder b = RequestHead.builder("POST", "/");
        fields.forEach((name, value) -> {
            String wire = new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
            if (HEADER_FIELDS.contains(name) || name.startsWith("x-amz-meta-") || name.startsWith("x-amz-grant-")
                    || name.startsWith("x-amz-checksum-") && !name.equals("x-amz-checksum-algorithm")) {
                b.header(name, wire);
            } else if (name.equals("acl")) {
                b.header("x-amz-acl", wire);
            }
        });
        return b.build();
    }

    /**
     * success_action_redirect (303), else success_action_status 200, 201 (PostResponse, which S3
     * writes without a namespace) or 204.
     */
    private static void answer(S3Operation.PostObject op, Exchange ex, Map<String, String> fields, String key,
                               ObjectRecord r, dev.kura.object.Sse.Customer customerKey) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        String etag = Responses.quoted(r.etag());
        h.put("ETag", etag);
        ObjectApi.putVersionId(h, r, null);
        SseHeaders.put(h, r.encryption(), customerKey);
        String location = location(ex.head(), op.bucket(), key);
        String redirect = fields.getOrDefault("success_action_redirect", fields.get("redirect"));
        if (redirect != null && isHttpUrl(redirect)) {
            h.put("Location", redirect + (redirect.contains("?") ? "&" : "?") + "bucket=" + encode(op.bucket())
                    + "&key=" + encode(key) + "&etag=" + encode(etag));
            Responses.empty(ex, 303, h);
            return;
        }
        h.put("Location", location);
        switch (String.valueOf(fields.get("success_action_status"))) {
            case "200" -> Responses.empty(ex, 200, h);
            case "201" -> Responses.xml(ex, 201, XmlWriter.documentNs("PostResponse", null).element("Location", location)
                    .element("Bucket", op.bucket()).element("Key", key).element("ETag", etag), h);
            default -> Responses.empty(ex, 204, h);
        }
    }

    private static boolean isHttpUrl(String s) {
        try {
            URI u = URI.create(s);
            return ("http".equalsIgnoreCase(u.getScheme()) || "https".equalsIgnoreCase(u.getScheme())) && u.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String location(RequestHead head, String bucket, String key) {
        String host = head.header("host");
        String path = "/" + encode(bucket) + "/" + encode(key).replace("%2F", "/");
        return host == null ? path : "http://" + host + path;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * The file, held to the policy's content-length-range while it streams: EntityTooLarge as soon
     * as it passes the maximum, EntityTooSmall at its end when under the minimum — before the object
     * service could commit it.
     */
    private static final class LengthRange extends InputStream {
        private final InputStream in;
        private final PostPolicy.Condition.ContentLengthRange range;
        private long count;

        LengthRange(InputStream in, PostPolicy.Condition.ContentLengthRange range) {
            this.in = in;
            this.range = range;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (range == null) {
                return n;
            }
            if (n > 0) {
                count += n;
                if (count > range.max()) {
                    throw new S3Exception(S3ErrorCode.EntityTooLarge, "Your proposed upload exceeds the maximum allowed size")
                            .with("ProposedSize", Long.toString(count)).with("MaxSizeAllowed", Long.toString(range.max()));
                }
            } else if (n < 0 && count < range.min()) {
                throw new S3Exception(S3ErrorCode.EntityTooSmall, "Your proposed upload is smaller than the minimum allowed size")
                        .with("ProposedSize", Long.toString(count)).with("MinSizeAllowed", Long.toString(range.min()));
            }
            return n;
        }
    }
}
