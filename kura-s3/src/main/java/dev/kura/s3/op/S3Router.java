package dev.kura.s3.op;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a request head into one {@link S3Operation}: path-style addressing
 * ({@code /bucket/key}), sub-resources from the query string, parameters validated here so
 * handlers receive typed values. See https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html.
 */
public final class S3Router {
    public static final int MAX_KEY_BYTES = 1024;

    /** Bucket sub-resources, by method, mapped to the AWS operation they name (not implemented yet). */
    private static final Map<String, String[]> BUCKET_SUBRESOURCES = Map.ofEntries(
            Map.entry("acl", new String[] {"GetBucketAcl", "PutBucketAcl", null}),
            Map.entry("policy", new String[] {"GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"}),
            Map.entry("policyStatus", new String[] {"GetBucketPolicyStatus", null, null}),
            Map.entry("cors", new String[] {"GetBucketCors", "PutBucketCors", "DeleteBucketCors"}),
            Map.entry("lifecycle", new String[] {"GetBucketLifecycleConfiguration", "PutBucketLifecycleConfiguration", "DeleteBucketLifecycle"}),
            Map.entry("versioning", new String[] {"GetBucketVersioning", "PutBucketVersioning", null}),
            Map.entry("versions", new String[] {"ListObjectVersions", null, null}),
            Map.entry("uploads", new String[] {"ListMultipartUploads", null, null}),
            Map.entry("tagging", new String[] {"GetBucketTagging", "PutBucketTagging", "DeleteBucketTagging"}),
            Map.entry("encryption", new String[] {"GetBucketEncryption", "PutBucketEncryption", "DeleteBucketEncryption"}),
            Map.entry("object-lock", new String[] {"GetObjectLockConfiguration", "PutObjectLockConfiguration", null}),
            Map.entry("website", new String[] {"GetBucketWebsite", "PutBucketWebsite", "DeleteBucketWebsite"}),
            Map.entry("logging", new String[] {"GetBucketLogging", "PutBucketLogging", null}),
            Map.entry("notification", new String[] {"GetBucketNotificationConfiguration", "PutBucketNotificationConfiguration", null}),
            Map.entry("replication", new String[] {"GetBucketReplication", "PutBucketReplication", "DeleteBucketReplication"}),
            Map.entry("requestPayment", new String[] {"GetBucketRequestPayment", "PutBucketRequestPayment", null}),
            Map.entry("accelerate", new String[] {"GetBucketAccelerateConfiguration", "PutBucketAccelerateConfiguration", null}),
            Map.entry("ownershipControls", new String[] {"GetBucketOwnershipControls", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls"}),
            Map.entry("publicAccessBlock", new String[] {"GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock"}),
            Map.entry("analytics", new String[] {"GetBucketAnalyticsConfiguration", "PutBucketAnalyticsConfiguration", "DeleteBucketAnalyticsConfiguration"}),
            Map.entry("metrics", new String[] {"GetBucketMetricsConfiguration", "PutBucketMetricsConfiguration", "DeleteBucketMetricsConfiguration"}),
            Map.entry("inventory", new String[] {"GetBucketInventoryConfiguration", "PutBucketInventoryConfiguration", "DeleteBucketInventoryConfiguration"}),
            Map.entry("intelligent-tiering", new String[] {"GetBucketIntelligentTieringConfiguration", "PutBucketIntelligentTieringConfiguration", "DeleteBucketIntelligentTieringConfiguration"}),
            Map.entry("session", new String[] {"CreateSession", null, null}));

    /** Object sub-resources mapped to the AWS operations they name (not implemented yet). */
    private static final Map<String, String[]> OBJECT_SUBRESOURCES = Map.ofEntries(
            Map.entry("acl", new String[] {"GetObjectAcl", "PutObjectAcl", null}),
            Map.entry("tagging", new String[] {"GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging"}),
            Map.entry("retention", new String[] {"GetObjectRetention", "PutObjectRetention", null}),
            Map.entry("legal-hold", new String[] {"GetObjectLegalHold", "PutObjectLegalHold", null}),
            Map.entry("attributes", new String[] {"GetObjectAttributes", null, null}),
            Map.entry("torrent", new String[] {"GetObjectTorrent", null, null}),
            Map.entry("renameObject", new String[] {null, "RenameObject", null}));

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "PUT", "POST", "DELETE");

    private S3Router() {
    }

    public static S3Operation route(RequestHead head) {
        String method = head.method().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new S3Exception(S3ErrorCode.MethodNotAllowed);
        }
        String raw = head.rawPath();
        if (!raw.startsWith("/")) {
            throw new S3Exception(S3ErrorCode.InvalidURI);
        }
        String path = decodePath(raw);
        int slash = path.indexOf('/', 1);
        String bucket = slash < 0 ? path.substring(1) : path.substring(1, slash);
        String key = slash < 0 ? "" : path.substring(slash + 1);
        if (bucket.isEmpty()) {
            if (!method.equals("GET")) {
                throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            }
            return new S3Operation.ListBuckets();
        }
        if (key.isEmpty()) {
            return bucketOperation(method, bucket, head);
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new S3Exception(S3ErrorCode.KeyTooLongError).with("Size", Integer.toString(key.getBytes(StandardCharsets.UTF_8).length))
                    .with("MaxSizeAllowed", Integer.toString(MAX_KEY_BYTES));
        }
        return objectOperation(method, bucket, key, head);
    }

    private static String decodePath(String raw) {
        try {
            return RequestHead.decode(raw);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3ErrorCode.InvalidURI);
        }
    }

    private static S3Operation bucketOperation(String method, String bucket, RequestHead head) {
        for (Map.Entry<String, String[]> sub : BUCKET_SUBRESOURCES.entrySet()) {
            if (head.hasQueryParam(sub.getKey())) {
                return unsupported(sub.getValue(), method, bucket, null);
            }
        }
        return switch (method) {
            case "GET" -> {
                if (head.hasQueryParam("location")) {
                    yield new S3Operation.GetBucketLocation(bucket);
                }
                yield "2".equals(head.queryParam("list-type")) ? listV2(bucket, head) : listV1(bucket, head);
            }
            case "HEAD" -> new S3Operation.HeadBucket(bucket);
            case "PUT" -> new S3Operation.CreateBucket(bucket);
            case "DELETE" -> new S3Operation.DeleteBucket(bucket);
            case "POST" -> {
                if (head.hasQueryParam("delete")) {
                    yield new S3Operation.DeleteObjects(bucket);
                }
                throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            }
            default -> throw new S3Exception(S3ErrorCode.MethodNotAllowed);
        };
    }

    private static S3Operation objectOperation(String method, String bucket, String key, RequestHead head) {
        for (Map.Entry<String, String[]> sub : OBJECT_SUBRESOURCES.entrySet()) {
            if (head.hasQueryParam(sub.getKey())) {
                return unsupported(sub.getValue(), method, bucket, key);
            }
        }
        boolean upload = head.hasQueryParam("uploadId");
        return switch (method) {
            case "GET" -> upload ? new S3Operation.Unsupported("ListParts", bucket, key) : new S3Operation.GetObject(bucket, key);
            case "HEAD" -> new S3Operation.HeadObject(bucket, key);
            case "PUT" -> {
                if (upload || head.hasQueryParam("partNumber")) {
                    yield new S3Operation.Unsupported(head.header("x-amz-copy-source") != null ? "UploadPartCopy" : "UploadPart", bucket, key);
                }
                if (head.header("x-amz-copy-source") != null) {
                    yield new S3Operation.Unsupported("CopyObject", bucket, key);
                }
                yield new S3Operation.PutObject(bucket, key);
            }
            case "DELETE" -> upload ? new S3Operation.Unsupported("AbortMultipartUpload", bucket, key) : new S3Operation.DeleteObject(bucket, key);
            case "POST" -> {
                if (head.hasQueryParam("uploads")) {
                    yield new S3Operation.Unsupported("CreateMultipartUpload", bucket, key);
                }
                if (upload) {
                    yield new S3Operation.Unsupported("CompleteMultipartUpload", bucket, key);
                }
                if (head.hasQueryParam("restore")) {
                    yield new S3Operation.Unsupported("RestoreObject", bucket, key);
                }
                if (head.hasQueryParam("select")) {
                    yield new S3Operation.Unsupported("SelectObjectContent", bucket, key);
                }
                throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            }
            default -> throw new S3Exception(S3ErrorCode.MethodNotAllowed);
        };
    }

    private static S3Operation unsupported(String[] byMethod, String method, String bucket, String key) {
        String name = switch (method) {
            case "GET", "HEAD" -> byMethod[0];
            case "PUT" -> byMethod[1];
            case "DELETE" -> byMethod[2];
            default -> null;
        };
        if (name == null) {
            throw new S3Exception(S3ErrorCode.MethodNotAllowed);
        }
        return new S3Operation.Unsupported(name, bucket, key);
    }

    private static S3Operation listV1(String bucket, RequestHead head) {
        return new S3Operation.ListObjects(bucket, orEmpty(head.queryParam("prefix")), emptyToNull(head.queryParam("delimiter")),
                maxKeys(head), emptyToNull(head.queryParam("marker")), urlEncoding(head));
    }

    private static S3Operation listV2(String bucket, RequestHead head) {
        return new S3Operation.ListObjectsV2(bucket, orEmpty(head.queryParam("prefix")), emptyToNull(head.queryParam("delimiter")),
                maxKeys(head), emptyToNull(head.queryParam("start-after")), head.queryParam("continuation-token"),
                urlEncoding(head), "true".equals(head.queryParam("fetch-owner")));
    }

    /** max-keys: a non-negative integer, capped at 1000 as S3 does. */
    static int maxKeys(RequestHead head) {
        String v = head.queryParam("max-keys");
        if (v == null || v.isEmpty()) {
            return 1000;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.min(n, 1000);
        } catch (NumberFormatException e) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "Provided max-keys not an integer or within integer range")
                    .with("ArgumentName", "max-keys").with("ArgumentValue", v);
        }
    }

    private static boolean urlEncoding(RequestHead head) {
        String v = head.queryParam("encoding-type");
        if (v == null) {
            return false;
        }
        if (!v.equals("url")) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "Invalid Encoding Method specified in Request")
                    .with("ArgumentName", "encoding-type").with("ArgumentValue", v);
        }
        return true;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
