package dev.kura.s3.access;

import java.util.Map;

/**
 * The one authorization function: given who asks (principal), what (an IAM action and the ACL
 * permission it needs), on what (bucket, key) and the request's condition keys, and the bucket's
 * policy, ACLs, Block Public Access and Object Ownership settings, it allows or denies — and says why.
 * Pure: no I/O, no clock, no state; the front end gathers the inputs.
 *
 * <p>The order, as S3 evaluates a request within one account per user: an explicit Deny in the
 * bucket policy wins; the bucket owner may do anything to the bucket (and the object owner to its
 * object); then an Allow in the bucket policy; then an ACL grant (ignored when ACLs are disabled by
 * BucketOwnerEnforced; public grants ignored under IgnorePublicAcls; a public policy's Allows only for
 * the owner under RestrictPublicBuckets); else deny.
 */
public final class Authorizer {
    private Authorizer() {
    }

    /** What a request needs of the ACLs (besides the IAM action, which a policy may grant). */
    public enum Need {
        /** Only the account (authenticated principal) matters: ListBuckets, CreateBucket. */
        AUTHENTICATED,
        BUCKET_READ, BUCKET_WRITE, BUCKET_READ_ACP, BUCKET_WRITE_ACP,
        /** Bucket settings only the owner (or a policy) may read or change. */
        BUCKET_OWNER,
        OBJECT_READ, OBJECT_READ_ACP, OBJECT_WRITE_ACP,
        /** Object settings (tags, retention) only the object's or bucket's owner (or a policy) may use. */
        OBJECT_OWNER,
        /**
         * A request on many keys (DeleteObjects): let through here, decided key by key by its handler
         * (each key as the single-key request would be), denied keys answered with AccessDenied.
         */
        PER_KEY;

        boolean onObject() {
            return this == OBJECT_READ || this == OBJECT_READ_ACP || this == OBJECT_WRITE_ACP || this == OBJECT_OWNER;
        }
    }

    public record Request(Principal principal, String action, Need need, String bucket, String key,
                          RequestContext context) {
        /** The resource ARN a policy statement is matched against. */
        public String resource() {
            return key == null ? "arn:aws:s3:::" + bucket : "arn:aws:s3:::" + bucket + "/" + key;
        }
    }

    /**
     * A bucket's access settings.
     *
     * @param acl       the stored bucket ACL, or null (private to the owner)
     * @param policy    the bucket policy, or null
     * @param ownership the Object Ownership setting, or null (none: object writer)
     */
    public record BucketAccess(String owner, Acl acl, Policy policy, PublicAccessBlock publicAccessBlock,
                               Ownership ownership) {
        public BucketAccess {
            publicAccessBlock = publicAccessBlock == null ? PublicAccessBlock.NONE : publicAccessBlock;
        }

        public boolean aclsDisabled() {
            return ownership != null && ownership.aclsDisabled();
        }

        Acl aclOrPrivate() {
            return acl == null ? Acl.privateTo(owner) : acl;
        }
    }

    /** An existing object version's owner and ACL (null: private to the owner). */
    public record ObjectAccess(String owner, Acl acl) {
        Acl aclOrPrivate() {
            return acl == null ? Acl.privateTo(owner) : acl;
        }
    }

    public record Decision(boolean allowed, String reason) {
        public Decision {
            java.util.Objects.requireNonNull(reason, "reason");
        }

        static Decision allow(String reason) {
            return new Decision(true, reason);
        }

        static Decision deny(String reason) {
            return new Decision(false, reason);
        }
    }

    private static final Map<Need, Permission> ACL_PERMISSION = Map.of(
            Need.BUCKET_READ, Permission.READ, Need.BUCKET_WRITE, Permission.WRITE,
            Need.BUCKET_READ_ACP, Permission.READ_ACP, Need.BUCKET_WRITE_ACP, Permission.WRITE_ACP,
            Need.OBJECT_READ, Permission.READ, Need.OBJECT_READ_ACP, Permission.READ_ACP,
            Need.OBJECT_WRITE_ACP, Permission.WRITE_ACP);

    /**
     * Decides one request.
     *
     * @param bucket the bucket's settings; null when the bucket does not exist (only AUTHENTICATED
     *               needs are decided then)
     * @param object the object version the request reads, or null when it does not exist or the
     *               need is not about an object
     */
    public static Decision decide(Request r, BucketAccess bucket, ObjectAccess object) {
        Principal p = r.principal();
        if (r.need() == Need.PER_KEY) {
            return Decision.allow("decided key by key");
        }
        if (r.need() == Need.AUTHENTICATED || bucket == null) {
            return p.isAnonymous() ? Decision.deny("anonymous request") : Decision.allow("authenticated user");
        }
        Policy policy = bucket.policy();
        if (policy != null) {
            Policy.Statement deny = policy.firstMatch(Policy.Effect.DENY, p, r.action(), r.resource(), r.context());
            if (deny != null) {
                return Decision.deny("bucket policy denies" + sid(deny));
            }
        }
        boolean isBucketOwner = !p.isAnonymous() && p.canonicalId().equals(bucket.owner());
        if (!r.need().onObject()) {
            if (isBucketOwner) {
                return Decision.allow("bucket owner");
            }
        } else {
            String objectOwner = object == null || bucket.aclsDisabled() ? bucket.owner() : object.owner();
            if (!p.isAnonymous() && p.canonicalId().equals(objectOwner)) {
                return Decision.allow(object == null ? "bucket owner" : "object owner");
            }
            if (isBucketOwner && r.need() == Need.OBJECT_OWNER) {
                return Decision.allow("bucket owner");
            }
        }
        if (policy != null) {
            boolean restricted = bucket.publicAccessBlock().restrictPublicBuckets() && policy.isPublic();
            Policy.Statement allow = policy.firstMatch(Policy.Effect.ALLOW, p, r.action(), r.resource(), r.context());
            if (allow != null && !restricted) {
                return Decision.allow("bucket policy allows" + sid(allow));
            }
            if (r.need() == Need.OBJECT_READ && object == null && !restricted) {
                // A missing key: who may list it (s3:ListBucket with the key as prefix) learns it is missing.
                Policy.Statement list = policy.firstMatch(Policy.Effect.ALLOW, p, "s3:ListBucket",
                        "arn:aws:s3:::" + r.bucket(), r.context().with("s3:prefix", r.key()));
                if (list != null) {
                    return Decision.allow("bucket policy allows s3:ListBucket" + sid(list) + " (the key does not exist)");
                }
            }
        }
        Permission needed = ACL_PERMISSION.get(r.need());
        if (needed == null) {
            return Decision.deny("only the owner or a bucket policy may " + r.action());
        }
        if (bucket.aclsDisabled()) {
            return Decision.deny("no bucket policy allows " + r.action() + " (ACLs are disabled)");
        }
        boolean ignorePublic = bucket.publicAccessBlock().ignorePublicAcls();
        Acl acl;
        if (r.need().onObject()) {
            if (object == null) {
                // A missing key: who may list the bucket learns it is missing (404); others get 403.
                return bucket.aclOrPrivate().grantFor(p, Permission.READ, ignorePublic)
                        .map(g -> Decision.allow("bucket ACL grants READ (the key does not exist)"))
                        .orElseGet(() -> Decision.deny("no ACL or bucket policy grants " + r.action()));
            }
            acl = object.aclOrPrivate();
        } else {
            acl = bucket.aclOrPrivate();
        }
        return acl.grantFor(p, needed, ignorePublic)
                .map(g -> Decision.allow((r.need().onObject() ? "object" : "bucket") + " ACL grants " + g.permission()
                        + " to " + (g.type() == Grant.Type.GROUP ? g.grantee().substring(g.grantee().lastIndexOf('/') + 1) : "the user")))
                .orElseGet(() -> Decision.deny("no ACL or bucket policy grants " + r.action()));
    }

    private static String sid(Policy.Statement s) {
        return s.sid() == null ? "" : " (statement " + s.sid() + ")";
    }
}
