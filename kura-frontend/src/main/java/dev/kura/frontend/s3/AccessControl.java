package dev.kura.frontend.s3;

import dev.kura.frontend.http.Exchange;
import dev.kura.index.BucketRecord;
import dev.kura.index.BucketSetting;
import dev.kura.index.ObjectRecord;
import dev.kura.object.ObjectService;
import dev.kura.object.Users;
import dev.kura.object.WriteAccess;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.access.Acl;
import dev.kura.s3.access.Actions;
import dev.kura.s3.access.Authorizer;
import dev.kura.s3.access.Ownership;
import dev.kura.s3.access.Policy;
import dev.kura.s3.access.Principal;
import dev.kura.s3.access.PublicAccessBlock;
import dev.kura.s3.access.RequestContext;
import dev.kura.s3.auth.AuthContext;
import dev.kura.s3.http.RequestHead;
import dev.kura.s3.op.S3Operation;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gathers what {@link Authorizer#decide} needs for one request — the principal, the bucket's ACL,
 * policy, Block Public Access and Object Ownership, the object's owner and ACL, the condition keys
 * — calls it, writes the decision and its reason into the access log and refuses with AccessDenied.
 * Also decides who owns what a write creates and with which ACL ({@link #writeAccess}).
 */
final class AccessControl {
    /** The canonical id S3 gives objects written anonymously. */
    static final String ANONYMOUS_ID = "65a011a29cdf8ec533ec3d1ccaae921c";

    private final ObjectService objects;
    private final Users users;

    AccessControl(ObjectService objects, Users users) {
        this.objects = objects;
        this.users = users;
    }

    Principal principal(AuthContext who) {
        if (who.isAnonymous()) {
            return Principal.ANONYMOUS;
        }
        Users.Identity id = users.byAccessKey(who.accessKeyId())
                .orElseThrow(() -> new S3Exception(S3ErrorCode.InvalidAccessKeyId));
        return new Principal(id.canonicalId(), id.name(), id.name(), id.accessKey());
    }

    /** A canonical id's display name (user name), if it is a user's. */
    Optional<String> displayName(String canonicalId) {
        return users.byCanonicalId(canonicalId).map(Users.Identity::name);
    }

    /** The Owner element of listings: the id and, when known, the display name. */
    BucketApi.Owner owner(String canonicalId) {
        return new BucketApi.Owner(canonicalId, displayName(canonicalId).orElse(null));
    }

    /** The parsed settings of a bucket, with the (index-cached) record and settings map they came from. */
    private record Parsed(BucketRecord record, Map<BucketSetting, byte[]> settings, Authorizer.BucketAccess access) {
    }

    private final Map<Long, Parsed> parsed = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A bucket's access settings, parsed. The index hands out the same record and settings map objects
     * until a bucket changes, so the parsed form (a policy's JSON above all) is reused while both are
     * the very same objects.
     */
    Authorizer.BucketAccess bucketAccess(BucketRecord bucket) {
        Map<BucketSetting, byte[]> s = objects.bucketSettings(bucket);
        Parsed hit = parsed.get(bucket.id());
        if (hit != null && hit.record() == bucket && hit.settings() == s) {
            return hit.access();
        }
        Authorizer.BucketAccess access = parse(bucket, s);
        if (parsed.size() >= 10_000) {
            parsed.clear();
        }
        parsed.put(bucket.id(), new Parsed(bucket, s, access));
        return access;
    }

    private static Authorizer.BucketAccess parse(BucketRecord bucket, Map<BucketSetting, byte[]> s) {
        byte[] acl = s.get(BucketSetting.ACL);
        byte[] policy = s.get(BucketSetting.POLICY);
        byte[] pab = s.get(BucketSetting.PUBLIC_ACCESS_BLOCK);
        byte[] ownership = s.get(BucketSetting.OWNERSHIP);
        return new Authorizer.BucketAccess(bucket.owner(), acl == null ? null : Acl.decode(utf8(acl)),
                policy == null ? null : Policy.parse(policy, bucket.name()),
                pab == null ? null : PublicAccessBlock.decode(utf8(pab)),
                ownership == null ? null : Ownership.of(utf8(ownership)));
    }

    /**
     * Decides the request; throws AccessDenied when it is denied. A request naming a bucket that does
     * not exist passes (its handler answers NoSuchBucket).
     */
    void authorize(S3Operation op, Principal p, Exchange ex) {
        RequestHead head = ex.head();
        String versionId = head.queryParam("versionId");
        Actions.Action action = Actions.of(op, versionId != null && !versionId.isEmpty());
        authorize(p, action, op.bucket(), op.key(), versionId, ex);
    }

    /**
     * A browser POST form (PostObject), decided once its signature is verified: s3:PutObject on the
     * key, as a PutObject by the same principal would be.
     */
    void authorizePostObject(Principal p, String bucket, String key, Exchange ex) {
        authorize(p, new Actions.Action("s3:PutObject", Authorizer.Need.BUCKET_WRITE), bucket, key, null, ex);
    }

    /** The read of a copy source (CopyObject, UploadPartCopy): s3:GetObject on it. */
    void authorizeCopySource(Principal p, String bucket, String key, String versionId, Exchange ex) {
        authorize(p, new Actions.Action(versionId == null ? "s3:GetObject" : "s3:GetObjectVersion",
                Authorizer.Need.OBJECT_READ), bucket, key, versionId, ex);
    }

    /**
     * One key of a DeleteObjects request: s3:DeleteObject (s3:DeleteObjectVersion with a version id)
     * on that key, decided as a DeleteObject of it would be. Denied keys are AccessDenied in the result.
     */
    boolean mayDelete(Principal p, String bucket, String key, String versionId, Exchange ex) {
        Authorizer.Decision d = decision(p, new Actions.Action(versionId == null ? "s3:DeleteObject"
                : "s3:DeleteObjectVersion", Authorizer.Need.BUCKET_WRITE), bucket, key, versionId, ex);
        if (!d.allowed()) {
            ex.info().decision("deny (some keys): " + d.reason());
        }
        return d.allowed();
    }

    private void authorize(Principal p, Actions.Action action, String bucketName, String key, String versionId,
                           Exchange ex) {
        Authorizer.Decision d = decision(p, action, bucketName, key, versionId, ex);
        ex.info().decision((d.allowed() ? "allow: " : "deny: ") + d.reason());
        if (!d.allowed()) {
            throw new S3Exception(S3ErrorCode.AccessDenied);
        }
    }

    private Authorizer.Decision decision(Principal p, Actions.Action action, String bucketName, String key,
                                         String versionId, Exchange ex) {
        BucketRecord bucket = null;
        if (bucketName != null && action.need() != Authorizer.Need.AUTHENTICATED) {
            bucket = objects.findBucket(bucketName).orElse(null);
            if (bucket == null) {
                return new Authorizer.Decision(true, "no such bucket (its handler answers NoSuchBucket)");
            }
        }
        Authorizer.BucketAccess access = bucket == null ? null : bucketAccess(bucket);
        ObjectRecord object = null;
        if (bucket != null && key != null && action.need().name().startsWith("OBJECT")) {
            object = objects.findVersion(bucket, key, versionId).orElse(null);
        }
        // The condition keys matter only to a bucket policy: most requests (no policy) skip building them.
        RequestContext context = access != null && access.policy() != null ? context(ex, p, object) : new RequestContext();
        return Authorizer.decide(new Authorizer.Request(p, action.name(), action.need(), bucketName,
                key, context), access, object == null ? null
                : new Authorizer.ObjectAccess(object.owner(), object.acl() == null ? null : Acl.decode(object.acl())));
    }

    /** The IAM condition keys of this request. */
    private static RequestContext context(Exchange ex, Principal p, ObjectRecord object) {
        RequestHead head = ex.head();
        RequestContext c = new RequestContext();
        if (ex.remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null) {
            c.put("aws:SourceIp", inet.getAddress().getHostAddress());
        }
        c.put("aws:SecureTransport", "false");
        c.put("aws:Referer", head.header("referer"));
        c.put("aws:UserAgent", head.header("user-agent"));
        Instant now = Instant.now();
        c.put("aws:CurrentTime", now.toString());
        c.put("aws:EpochTime", Long.toString(now.getEpochSecond()));
        c.put("aws:PrincipalType", p.isAnonymous() ? "Anonymous" : "User");
        if (!p.isAnonymous()) {
            c.put("aws:username", p.userName()).put("aws:userid", p.canonicalId());
        }
        for (String q : List.of("prefix", "delimiter", "max-keys")) {
            c.put("s3:" + q, head.queryParam(q));
        }
        c.put("s3:VersionId", head.queryParam("versionId"));
        for (String h : List.of("x-amz-acl", "x-amz-grant-read", "x-amz-grant-write", "x-amz-grant-read-acp",
                "x-amz-grant-write-acp", "x-amz-grant-full-control", "x-amz-server-side-encryption",
                "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-customer-algorithm",
                "x-amz-copy-source", "x-amz-metadata-directive", "x-amz-content-sha256", "x-amz-storage-class",
                "x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date", "x-amz-object-lock-legal-hold")) {
            c.put("s3:" + h, head.header(h));
        }
        c.put("s3:signatureversion", head.header("authorization") != null || head.queryParam("X-Amz-Signature") != null
                ? "AWS4-HMAC-SHA256" : null);
        c.put("s3:authType", head.header("authorization") != null ? "REST-HEADER"
                : head.queryParam("X-Amz-Signature") != null ? "REST-QUERY-STRING" : null);
        String tagging = head.header("x-amz-tagging");
        if (tagging != null) {
            try {
                Map<String, String> tags = Tags.fromHeader(tagging, Integer.MAX_VALUE);
                tags.forEach((k, v) -> c.put("s3:RequestObjectTag/" + k, v));
                c.putAll("s3:RequestObjectTagKeys", new ArrayList<>(tags.keySet()));
            } catch (S3Exception e) {
                // the handler refuses the bad header; no condition key comes from it
            }
        }
        if (object != null) {
            object.tags().forEach((k, v) -> c.put("s3:ExistingObjectTag/" + k, v));
        }
        return c;
    }

    /**
     * Who owns the version a write creates and its ACL, from the writer, the bucket's Object Ownership
     * and the request's x-amz-acl / x-amz-grant-* headers (S3's rules: under BucketOwnerEnforced only
     * bucket-owner-full-control or no ACL is accepted and the bucket owner owns everything; under
     * BucketOwnerPreferred, bucket-owner-full-control gives the bucket owner the object; Block Public
     * Access's BlockPublicAcls refuses a public ACL).
     */
    WriteAccess writeAccess(Principal p, String bucketName, RequestHead head) {
        BucketRecord bucket = objects.bucket(bucketName);
        Authorizer.BucketAccess access = bucketAccess(bucket);
        String writer = p.isAnonymous() ? ANONYMOUS_ID : p.canonicalId();
        String canned = head.header("x-amz-acl");
        boolean ownerFullControl = "bucket-owner-full-control".equals(canned);
        if (access.aclsDisabled()) {
            if ((canned != null && !ownerFullControl) || hasGrantHeaders(head)) {
                throw new S3Exception(S3ErrorCode.AccessControlListNotSupported);
            }
            return new WriteAccess(bucket.owner(), null);
        }
        String owner = access.ownership() == Ownership.BUCKET_OWNER_PREFERRED && ownerFullControl ? bucket.owner() : writer;
        Optional<Acl> acl = Acl.fromHeaders(head::header, owner, bucket.owner(), this::displayNameOrAnonymous);
        if (acl.isPresent() && acl.get().isPublic() && access.publicAccessBlock().blockPublicAcls()) {
            throw new S3Exception(S3ErrorCode.AccessDenied);
        }
        return new WriteAccess(owner, acl.map(Acl::encode).orElse(null));
    }

    /** Users and the anonymous writer, who can be an owner (and so a grantee). */
    Optional<String> displayNameOrAnonymous(String canonicalId) {
        return ANONYMOUS_ID.equals(canonicalId) ? Optional.of("") : displayName(canonicalId);
    }

    static boolean hasGrantHeaders(RequestHead head) {
        return head.headerNames().stream().anyMatch(n -> n.startsWith("x-amz-grant-"));
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
