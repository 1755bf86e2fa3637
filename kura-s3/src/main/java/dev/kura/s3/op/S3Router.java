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

    /**
     * Bucket sub-resources Kura does not configure, by method {GET, PUT, DELETE}: a name answered as
     * "nothing configured" (UnconfiguredBucketSetting), "!" + name for 501 NotImplemented, null for 405.
     */
    private static final Map<String, String[]> BUCKET_SETTINGS = Map.ofEntries(
            Map.entry("website", new String[] {"GetBucketWebsite", "!PutBucketWebsite", "DeleteBucketWebsite"}),
            Map.entry("logging", new String[] {"GetBucketLogging", "!PutBucketLogging", null}),
            Map.entry("notification", new String[] {"GetBucketNotificationConfiguration", "!PutBucketNotificationConfiguration", null}),
            Map.entry("replication", new String[] {"GetBucketReplication", "!PutBucketReplication", "DeleteBucketReplication"}),
            Map.entry("requestPayment", new String[] {"GetBucketRequestPayment", "!PutBucketRequestPayment", null}),
            Map.entry("accelerate", new String[] {"GetBucketAccelerateConfiguration", "!PutBucketAccelerateConfiguration", null}),
            Map.entry("analytics", new String[] {"!GetBucketAnalyticsConfiguration", "!PutBucketAnalyticsConfiguration", "!DeleteBucketAnalyticsConfiguration"}),
            Map.entry("metrics", new String[] {"!GetBucketMetricsConfiguration", "!PutBucketMetricsConfiguration", "!DeleteBucketMetricsConfiguration"}),
            Map.entry("inventory", new String[] {"!GetBucketInventoryConfiguration", "!PutBucketInventoryConfiguration", "!DeleteBucketInventoryConfiguration"}),
            Map.entry("intelligent-tiering", new String[] {"!GetBucketIntelligentTieringConfiguration", "!PutBucketIntelligentTieringConfiguration", "!DeleteBucketIntelligentTieringConfiguration"}),
            Map.entry("session", new String[] {"!CreateSession", null, null}),
            Map.entry("metadataTable", new String[] {"!GetBucketMetadataTableConfiguration", null, "!DeleteBucketMetadataTableConfiguration"}));

    /** Bucket access settings ({@link S3Operation.AccessSetting}), by method {GET, PUT, DELETE}. */
    private static final Map<String, String[]> ACCESS_SETTINGS = Map.of(
            "policy", new String[] {"GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy"},
            "policyStatus", new String[] {"GetBucketPolicyStatus", null, null},
            "ownershipControls", new String[] {"GetBucketOwnershipControls", "PutBucketOwnershipControls",
                    "DeleteBucketOwnershipControls"},
            "publicAccessBlock", new String[] {"GetPublicAccessBlock", "PutPublicAccessBlock", "DeletePublicAccessBlock"});

    /** Object sub-resources Kura does not implement, by method {GET, PUT, DELETE}. */
    private static final Map<String, String[]> OBJECT_UNSUPPORTED = Map.ofEntries(
            Map.entry("torrent", new String[] {"GetObjectTorrent", null, null}),
            Map.entry("renameObject", new String[] {null, "RenameObject", null}));

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "PUT", "POST", "DELETE");

    private S3Router() {
    }

    /** Routes a path-style request ({@code /bucket/key}). */
    public static S3Operation route(RequestHead head) {
        return route(head, null);
    }

    /**
     * Routes a request. With a {@code domain}, a Host of {@code bucket.domain} addresses the bucket
     * virtual-hosted style and the whole path is the key; any other Host is path-style.
     */
    public static S3Operation route(RequestHead head, String domain) {
        String method = head.method().toUpperCase(Locale.ROOT);
        if (!METHODS.contains(method)) {
            throw new S3Exception(S3ErrorCode.MethodNotAllowed);
        }
        String raw = head.rawPath();
        if (!raw.startsWith("/")) {
            throw new S3Exception(S3ErrorCode.InvalidURI);
        }
        String path = decodePath(raw);
        try {
            head.queryParams(); // decoded once here: a malformed escape is the client's error, not a 500 later
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3ErrorCode.InvalidURI);
        }
        String bucket = virtualHostBucket(head.header("host"), domain);
        String key;
        if (bucket != null) {
            key = path.substring(1);
        } else {
            int slash = path.indexOf('/', 1);
            bucket = slash < 0 ? path.substring(1) : path.substring(1, slash);
            key = slash < 0 ? "" : path.substring(slash + 1);
        }
        if (bucket.isEmpty()) {
            if (!method.equals("GET")) {
                throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            }
            return new S3Operation.ListBuckets();
        }
        if (key.isEmpty()) {
            return bucketOperation(method, bucket, head);
        }
        int keyBytes = key.getBytes(StandardCharsets.UTF_8).length;
        if (keyBytes > MAX_KEY_BYTES) {
            throw new S3Exception(S3ErrorCode.KeyTooLongError).with("Size", Integer.toString(keyBytes))
                    .with("MaxSizeAllowed", Integer.toString(MAX_KEY_BYTES));
        }
        return objectOperation(method, bucket, key, head);
    }

    /** The bucket and key a request addresses (key "" for the bucket), whatever its method. */
    public record Target(String bucket, String key) {
    }

    /**
     * Where a request points, without deciding the operation: for CORS, which answers preflights
     * ({@code OPTIONS}) and adds headers to any answer, errors included. Null for the service root
     * or a path that cannot be decoded.
     */
    public static Target target(RequestHead head, String domain) {
        String raw = head.rawPath();
        if (!raw.startsWith("/")) {
            return null;
        }
        String path;
        try {
            path = RequestHead.decode(raw);
        } catch (IllegalArgumentException e) {
            return null;
        }
        String bucket = virtualHostBucket(head.header("host"), domain);
        if (bucket != null) {
            return new Target(bucket, path.substring(1));
        }
        int slash = path.indexOf('/', 1);
        bucket = slash < 0 ? path.substring(1) : path.substring(1, slash);
        return bucket.isEmpty() ? null : new Target(bucket, slash < 0 ? "" : path.substring(slash + 1));
    }

    /** The bucket named by a {@code bucket.domain} Host (port ignored, case-insensitive), or null. */
    public static String virtualHostBucket(String host, String domain) {
        if (domain == null || domain.isEmpty() || host == null) {
            return null;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (!h.startsWith("[")) {
            int colon = h.lastIndexOf(':');
            if (colon >= 0) {
                h = h.substring(0, colon);
            }
        }
        String suffix = "." + domain.toLowerCase(Locale.ROOT);
        if (h.endsWith(suffix) && h.length() > suffix.length()) {
            return h.substring(0, h.length() - suffix.length());
        }
        return null;
    }

    private static String decodePath(String raw) {
        try {
            return RequestHead.decode(raw);
        } catch (IllegalArgumentException e) {
            throw new S3Exception(S3ErrorCode.InvalidURI);
        }
    }

    private static S3Operation bucketOperation(String method, String bucket, RequestHead head) {
        for (Map.Entry<String, String[]> sub : ACCESS_SETTINGS.entrySet()) {
            if (head.hasQueryParam(sub.getKey())) {
                return new S3Operation.AccessSetting(byMethod(sub.getValue(), method), bucket);
            }
        }
        for (Map.Entry<String, String[]> sub : BUCKET_SETTINGS.entrySet()) {
            if (head.hasQueryParam(sub.getKey())) {
                String name = byMethod(sub.getValue(), method);
                return name.startsWith("!") ? new S3Operation.Unsupported(name.substring(1), bucket, null)
                        : new S3Operation.UnconfiguredBucketSetting(name, bucket);
            }
        }
        if (head.hasQueryParam("lifecycle")) {
            return switch (method) {
                case "GET", "HEAD" -> new S3Operation.GetBucketLifecycleConfiguration(bucket);
                case "PUT" -> new S3Operation.PutBucketLifecycleConfiguration(bucket);
                case "DELETE" -> new S3Operation.DeleteBucketLifecycle(bucket);
                default -> throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            };
        }
        if (head.hasQueryParam("encryption")) {
            return switch (method) {
                case "GET", "HEAD" -> new S3Operation.GetBucketEncryption(bucket);
                case "PUT" -> new S3Operation.PutBucketEncryption(bucket);
                case "DELETE" -> new S3Operation.DeleteBucketEncryption(bucket);
                default -> throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            };
        }
        if (head.hasQueryParam("cors")) {
            return switch (method) {
                case "GET", "HEAD" -> new S3Operation.GetBucketCors(bucket);
                case "PUT" -> new S3Operation.PutBucketCors(bucket);
                case "DELETE" -> new S3Operation.DeleteBucketCors(bucket);
                default -> throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            };
        }
        if (head.hasQueryParam("object-lock")) {
            return switch (method) {
                case "GET", "HEAD" -> new S3Operation.GetObjectLockConfiguration(bucket);
                case "PUT" -> new S3Operation.PutObjectLockConfiguration(bucket);
                default -> throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            };
        }
        if (head.hasQueryParam("tagging")) {
            return switch (method) {
                case "GET", "HEAD" -> new S3Operation.GetBucketTagging(bucket);
                case "PUT" -> new S3Operation.PutBucketTagging(bucket);
                case "DELETE" -> new S3Operation.DeleteBucketTagging(bucket);
                default -> throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            };
        }
        if (head.hasQueryParam("acl")) {
            return switch (method) {
                case "GET", "HEAD" -> new S3Operation.GetAcl(bucket, null);
                case "PUT" -> new S3Operation.PutAcl(bucket, null);
                default -> throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            };
        }
        if (head.hasQueryParam("versioning")) {
            return switch (method) {
                case "GET", "HEAD" -> new S3Operation.GetBucketVersioning(bucket);
                case "PUT" -> new S3Operation.PutBucketVersioning(bucket);
                default -> throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            };
        }
        return switch (method) {
            case "GET" -> {
                if (head.hasQueryParam("location")) {
                    yield new S3Operation.GetBucketLocation(bucket);
                }
                if (head.hasQueryParam("uploads")) {
                    yield new S3Operation.ListMultipartUploads(bucket);
                }
                if (head.hasQueryParam("versions")) {
                    yield new S3Operation.ListObjectVersions(bucket);
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
                // https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
                yield new S3Operation.PostObject(bucket);
            }
            default -> throw new S3Exception(S3ErrorCode.MethodNotAllowed);
        };
    }

    private static S3Operation objectOperation(String method, String bucket, String key, RequestHead head) {
        for (Map.Entry<String, String[]> sub : OBJECT_UNSUPPORTED.entrySet()) {
            if (head.hasQueryParam(sub.getKey())) {
                return new S3Operation.Unsupported(byMethod(sub.getValue(), method), bucket, key);
            }
        }
        if (head.hasQueryParam("retention")) {
            return switch (method) {
                case "GET", "HEAD" -> new S3Operation.GetObjectRetention(bucket, key);
                case "PUT" -> new S3Operation.PutObjectRetention(bucket, key);
                default -> throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            };
        }
        if (head.hasQueryParam("legal-hold")) {
            return switch (method) {
                case "GET", "HEAD" -> new S3Operation.GetObjectLegalHold(bucket, key);
                case "PUT" -> new S3Operation.PutObjectLegalHold(bucket, key);
                default -> throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            };
        }
        if (head.hasQueryParam("tagging")) {
            return switch (method) {
                case "GET", "HEAD" -> new S3Operation.GetObjectTagging(bucket, key);
                case "PUT" -> new S3Operation.PutObjectTagging(bucket, key);
                case "DELETE" -> new S3Operation.DeleteObjectTagging(bucket, key);
                default -> throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            };
        }
        if (head.hasQueryParam("acl")) {
            return switch (method) {
                case "GET", "HEAD" -> new S3Operation.GetAcl(bucket, key);
                case "PUT" -> new S3Operation.PutAcl(bucket, key);
                default -> throw new S3Exception(S3ErrorCode.MethodNotAllowed);
            };
        }
        String uploadId = head.queryParam("uploadId");
        boolean copy = head.header("x-amz-copy-source") != null;
        return switch (method) {
            case "GET" -> {
                if (uploadId != null) {
                    yield new S3Operation.ListParts(bucket, key, uploadId);
                }
                if (head.hasQueryParam("attributes")) {
                    yield new S3Operation.GetObjectAttributes(bucket, key);
                }
                yield new S3Operation.GetObject(bucket, key);
            }
            case "HEAD" -> new S3Operation.HeadObject(bucket, key);
            case "PUT" -> {
                if (uploadId != null || head.hasQueryParam("partNumber")) {
                    if (uploadId == null) {
                        throw new S3Exception(S3ErrorCode.InvalidArgument, "This operation needs an uploadId")
                                .with("ArgumentName", "uploadId");
                    }
                    int part = partNumber(head);
                    yield copy ? new S3Operation.UploadPartCopy(bucket, key, uploadId, part)
                            : new S3Operation.UploadPart(bucket, key, uploadId, part);
                }
                yield copy ? new S3Operation.CopyObject(bucket, key) : new S3Operation.PutObject(bucket, key);
            }
            case "DELETE" -> uploadId != null ? new S3Operation.AbortMultipartUpload(bucket, key, uploadId)
                    : new S3Operation.DeleteObject(bucket, key);
            case "POST" -> {
                if (head.hasQueryParam("uploads")) {
                    yield new S3Operation.CreateMultipartUpload(bucket, key);
                }
                if (uploadId != null) {
                    yield new S3Operation.CompleteMultipartUpload(bucket, key, uploadId);
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

    /** partNumber: an integer 1..10000 (InvalidArgument otherwise). */
    public static int partNumber(RequestHead head) {
        String v = head.queryParam("partNumber");
        try {
            int n = Integer.parseInt(v == null ? "" : v.trim());
            if (n >= 1 && n <= 10_000) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new S3Exception(S3ErrorCode.InvalidArgument, "Part number must be an integer between 1 and 10000, inclusive")
                .with("ArgumentName", "partNumber").with("ArgumentValue", v);
    }

    private static String byMethod(String[] byMethod, String method) {
        String name = switch (method) {
            case "GET", "HEAD" -> byMethod[0];
            case "PUT" -> byMethod[1];
            case "DELETE" -> byMethod[2];
            default -> null;
        };
        if (name == null) {
            throw new S3Exception(S3ErrorCode.MethodNotAllowed);
        }
        return name;
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
