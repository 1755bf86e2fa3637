package dev.kura.frontend.s3;

import dev.kura.frontend.http.Exchange;
import dev.kura.index.BucketRecord;
import dev.kura.object.ObjectService;
import dev.kura.s3.BucketNames;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.xml.XmlElement;
import dev.kura.s3.xml.XmlParser;
import dev.kura.s3.xml.XmlWriter;
import java.io.IOException;
import dev.kura.index.BucketSetting;
import dev.kura.s3.access.Acl;
import dev.kura.s3.access.Ownership;
import dev.kura.s3.access.Principal;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** CreateBucket, HeadBucket, DeleteBucket, ListBuckets, GetBucketLocation. */
final class BucketApi {
    private final ObjectService objects;
    private final AccessControl access;

    BucketApi(ObjectService objects, AccessControl access) {
        this.objects = objects;
        this.access = access;
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html
    void create(String bucket, Exchange ex, java.io.InputStream in, Principal who) throws IOException {
        BucketNames.check(bucket);
        Map<BucketSetting, byte[]> settings = new EnumMap<>(BucketSetting.class);
        String ownershipHeader = ex.head().header("x-amz-object-ownership");
        Ownership ownership = ownershipHeader == null ? null : Ownership.of(ownershipHeader);
        Optional<Acl> acl = Acl.fromHeaders(ex.head()::header, who.canonicalId(), who.canonicalId(), access::displayName);
        if (ownership == Ownership.BUCKET_OWNER_ENFORCED && acl.isPresent()
                && acl.get().grantsOthersThan(who.canonicalId())) {
            throw new S3Exception(S3ErrorCode.InvalidBucketAclWithObjectOwnership);
        }
        if (ownership != null) {
            settings.put(BucketSetting.OWNERSHIP, AccessControl.bytes(ownership.wire()));
        }
        acl.ifPresent(a -> settings.put(BucketSetting.ACL, AccessControl.bytes(a.encode())));
        boolean objectLock = "true".equalsIgnoreCase(ex.head().header("x-amz-bucket-object-lock-enabled"));
        byte[] body = in.readNBytes(64 * 1024 + 1);
        if (body.length > 64 * 1024) {
            throw new S3Exception(S3ErrorCode.MaxMessageLengthExceeded);
        }
        if (body.length > 0) {
            XmlElement conf = XmlParser.parse(body, 100);
            if (!conf.name().equals("CreateBucketConfiguration")) {
                throw new S3Exception(S3ErrorCode.MalformedXML);
            }
            String location = conf.childText("LocationConstraint");
            // S3-COMPAT: S3 in us-east-1 rejects an explicit "us-east-1"; Kura accepts its own region by name.
            if (location != null && !location.isEmpty() && !location.equals(objects.region())) {
                throw new S3Exception(S3ErrorCode.IllegalLocationConstraintException,
                        "The " + location + " location constraint is incompatible for the region specific endpoint this request was sent to.");
            }
        }
        BucketRecord created = objects.createBucket(bucket, who.canonicalId(), objectLock, settings);
        // A re-create by the owner returns the existing bucket (as S3 in us-east-1).
        byte[] storedAcl = objects.bucketSettings(created).get(BucketSetting.ACL);
        String privateAcl = Acl.privateTo(who.canonicalId()).encode();
        String want = acl.map(Acl::encode).orElse(privateAcl);
        String have = storedAcl == null ? privateAcl : new String(storedAcl, java.nio.charset.StandardCharsets.UTF_8);
        if (!want.equals(have)) {
            // S3-COMPAT: re-creating one's own bucket with another ACL does not change the ACL (as
            // Ceph RGW; S3 in us-east-1 resets it): the bucket exists.
            throw new S3Exception(S3ErrorCode.BucketAlreadyExists).with("BucketName", bucket);
        }
        Responses.empty(ex, 200, Map.of("Location", "/" + bucket));
    }

    void head(String bucket, Exchange ex) throws IOException {
        BucketRecord b = objects.bucket(bucket);
        Responses.empty(ex, 200, Map.of("x-amz-bucket-region", b.region(), "x-amz-access-point-alias", "false"));
    }

    void delete(String bucket, Exchange ex) throws IOException {
        objects.deleteBucket(bucket);
        Responses.empty(ex, 204, Map.of());
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html
    // Paginated with max-buckets / continuation-token (the last name returned) and filtered by prefix.
    void list(Exchange ex, Principal who) throws IOException {
        var head = ex.head();
        int max = MultipartApi.intParam(head, "max-buckets", 10_000, 10_000);
        if (head.queryParam("max-buckets") != null && max < 1) {
            throw new S3Exception(S3ErrorCode.InvalidArgument, "max-buckets must be between 1 and 10000")
                    .with("ArgumentName", "max-buckets");
        }
        String prefix = head.queryParam("prefix") == null ? "" : head.queryParam("prefix");
        String token = head.queryParam("continuation-token");
        String after = token == null || token.isEmpty() ? null : ListApi.decodeToken(token);
        List<BucketRecord> matching = objects.buckets().stream().filter(b -> b.owner().equals(who.canonicalId()))
                .filter(b -> b.name().startsWith(prefix))
                .filter(b -> after == null || b.name().compareTo(after) > 0).toList();
        List<BucketRecord> page = matching.size() > max ? matching.subList(0, max) : matching;
        XmlWriter doc = XmlWriter.document("ListAllMyBucketsResult");
        access.owner(who.canonicalId()).writeTo(doc);
        doc.start("Buckets");
        for (BucketRecord b : page) {
            doc.start("Bucket").element("Name", b.name()).element("CreationDate", b.createdAt())
                    .element("BucketRegion", b.region()).end();
        }
        doc.end();
        if (matching.size() > page.size()) {
            doc.element("ContinuationToken", ListApi.encodeToken(page.getLast().name()));
        }
        if (head.queryParam("prefix") != null) {
            doc.element("Prefix", prefix);
        }
        Responses.xml(ex, 200, doc);
    }

    // https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html: us-east-1 is an empty constraint.
    void location(String bucket, Exchange ex) throws IOException {
        BucketRecord b = objects.bucket(bucket);
        XmlWriter doc = XmlWriter.document("LocationConstraint");
        if (!b.region().equals("us-east-1")) {
            doc.text(b.region());
        }
        Responses.xml(ex, 200, doc);
    }

    /** An owner as listings show it: the canonical id and, when known, the display name. */
    record Owner(String id, String displayName) {
        void writeTo(XmlWriter doc) {
            doc.start("Owner").element("ID", id);
            if (displayName != null) {
                doc.element("DisplayName", displayName);
            }
            doc.end();
        }
    }
}
