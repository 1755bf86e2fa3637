package dev.kura.s3.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.access.Authorizer.BucketAccess;
import dev.kura.s3.access.Authorizer.Decision;
import dev.kura.s3.access.Authorizer.Need;
import dev.kura.s3.access.Authorizer.ObjectAccess;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The authorization function, decision by decision, and the policy grammar it evaluates. */
class AuthorizerTest {
    static final Principal OWNER = new Principal("owner-id", "owner", "owner", "AKOWNER");
    static final Principal ALICE = new Principal("alice-id", "alice", "alice", "AKALICE");
    static final Principal ANON = Principal.ANONYMOUS;

    static Decision decide(Principal p, String action, Need need, String key, BucketAccess b, ObjectAccess o) {
        return decide(p, action, need, key, b, o, new RequestContext());
    }

    static Decision decide(Principal p, String action, Need need, String key, BucketAccess b, ObjectAccess o,
                           RequestContext c) {
        return Authorizer.decide(new Authorizer.Request(p, action, need, "bkt", key, c), b, o);
    }

    static BucketAccess bucket(Acl acl, String policy, PublicAccessBlock pab, Ownership ownership) {
        return new BucketAccess("owner-id", acl, policy == null ? null : Policy.parse(policy.getBytes(StandardCharsets.UTF_8),
                "bkt"), pab, ownership);
    }

    static final BucketAccess PRIVATE = bucket(null, null, null, null);

    @Test
    void theOwnerMayAndOthersMayNotByDefault() {
        assertThat(decide(OWNER, "s3:ListBucket", Need.BUCKET_READ, null, PRIVATE, null).allowed()).isTrue();
        assertThat(decide(OWNER, "s3:PutBucketPolicy", Need.BUCKET_OWNER, null, PRIVATE, null).reason())
                .isEqualTo("bucket owner");
        Decision d = decide(ALICE, "s3:ListBucket", Need.BUCKET_READ, null, PRIVATE, null);
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).contains("s3:ListBucket");
        assertThat(decide(ANON, "s3:GetObject", Need.OBJECT_READ, "k", PRIVATE, new ObjectAccess("owner-id", null))
                .allowed()).isFalse();
        assertThat(decide(ANON, "s3:ListAllMyBuckets", Need.AUTHENTICATED, null, null, null).allowed()).isFalse();
        assertThat(decide(ALICE, "s3:CreateBucket", Need.AUTHENTICATED, null, null, null).allowed()).isTrue();
        // DeleteObjects is let through and decided key by key by its handler
        assertThat(decide(ANON, "s3:DeleteObject", Need.PER_KEY, null, PRIVATE, null).reason()).isEqualTo("decided key by key");
    }

    @Test
    void objectsBelongToTheirWriterUnlessTheBucketOwnerEnforcesOwnership() {
        ObjectAccess alices = new ObjectAccess("alice-id", null);
        assertThat(decide(OWNER, "s3:GetObject", Need.OBJECT_READ, "k", PRIVATE, alices).allowed()).isFalse();
        assertThat(decide(ALICE, "s3:GetObject", Need.OBJECT_READ, "k", PRIVATE, alices).reason()).isEqualTo("object owner");
        assertThat(decide(OWNER, "s3:PutObjectTagging", Need.OBJECT_OWNER, "k", PRIVATE, alices).allowed()).isTrue();
        BucketAccess enforced = bucket(null, null, null, Ownership.BUCKET_OWNER_ENFORCED);
        assertThat(decide(OWNER, "s3:GetObject", Need.OBJECT_READ, "k", enforced, alices).allowed()).isTrue();
        assertThat(decide(ALICE, "s3:GetObject", Need.OBJECT_READ, "k", enforced, alices).allowed()).isFalse();
    }

    @Test
    void aclGrantsCountUnlessIgnoredOrDisabled() {
        Acl publicRead = Acl.canned("public-read", "owner-id", "owner-id");
        ObjectAccess shared = new ObjectAccess("owner-id", publicRead);
        assertThat(decide(ANON, "s3:GetObject", Need.OBJECT_READ, "k", PRIVATE, shared).reason())
                .isEqualTo("object ACL grants READ to AllUsers");
        assertThat(decide(ANON, "s3:PutObjectAcl", Need.OBJECT_WRITE_ACP, "k", PRIVATE, shared).allowed()).isFalse();
        BucketAccess ignoring = bucket(null, null, new PublicAccessBlock(false, true, false, false), null);
        assertThat(decide(ANON, "s3:GetObject", Need.OBJECT_READ, "k", ignoring, shared).allowed()).isFalse();
        BucketAccess enforced = bucket(null, null, null, Ownership.BUCKET_OWNER_ENFORCED);
        assertThat(decide(ANON, "s3:GetObject", Need.OBJECT_READ, "k", enforced, shared).allowed()).isFalse();

        Acl authRead = Acl.canned("authenticated-read", "owner-id", "owner-id");
        BucketAccess listable = bucket(authRead, null, null, null);
        assertThat(decide(ALICE, "s3:ListBucket", Need.BUCKET_READ, null, listable, null).allowed()).isTrue();
        assertThat(decide(ANON, "s3:ListBucket", Need.BUCKET_READ, null, listable, null).allowed()).isFalse();
        // a missing key: who may list learns it is missing (404), others get 403
        assertThat(decide(ALICE, "s3:GetObject", Need.OBJECT_READ, "nope", listable, null).allowed()).isTrue();
        assertThat(decide(ANON, "s3:GetObject", Need.OBJECT_READ, "nope", listable, null).allowed()).isFalse();
    }

    @Test
    void anExplicitDenyWinsOverOwnershipAllowsAndAcls() {
        String policy = """
                {"Version":"2012-10-17","Statement":[
                 {"Sid":"Read","Effect":"Allow","Principal":{"AWS":["alice-id"]},"Action":"s3:Get*","Resource":"arn:aws:s3:::bkt/*"},
                 {"Sid":"Lock","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::bkt/locked/*"}]}""";
        BucketAccess b = bucket(Acl.canned("public-read-write", "owner-id", "owner-id"), policy, null, null);
        ObjectAccess o = new ObjectAccess("owner-id", null);
        assertThat(decide(ALICE, "s3:GetObject", Need.OBJECT_READ, "x", b, o).reason()).isEqualTo("bucket policy allows (statement Read)");
        Decision deny = decide(OWNER, "s3:DeleteObject", Need.BUCKET_WRITE, "locked/a", b, null);
        assertThat(deny.allowed()).isFalse();
        assertThat(deny.reason()).isEqualTo("bucket policy denies (statement Lock)");
        assertThat(decide(ANON, "s3:DeleteObject", Need.BUCKET_WRITE, "open/a", b, null).allowed()).isTrue();
    }

    @Test
    void restrictPublicBucketsLimitsAPublicPolicyToTheOwner() {
        String open = """
                {"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bkt/*"}]}""";
        ObjectAccess o = new ObjectAccess("owner-id", null);
        assertThat(decide(ANON, "s3:GetObject", Need.OBJECT_READ, "k", bucket(null, open, null, null), o).allowed()).isTrue();
        BucketAccess restricted = bucket(null, open, new PublicAccessBlock(false, false, false, true), null);
        assertThat(decide(ANON, "s3:GetObject", Need.OBJECT_READ, "k", restricted, o).allowed()).isFalse();
        assertThat(decide(OWNER, "s3:GetObject", Need.OBJECT_READ, "k", restricted, o).allowed()).isTrue();
    }

    @Test
    void notPrincipalNotActionAndNotResourceInvertTheirMatch() {
        String policy = """
                {"Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"owner-id"},"NotAction":"s3:GetObject",
                  "NotResource":"arn:aws:s3:::bkt/scratch/*"}]}""";
        BucketAccess b = bucket(Acl.canned("public-read-write", "owner-id", "owner-id"), policy, null, null);
        assertThat(decide(ALICE, "s3:PutObject", Need.BUCKET_WRITE, "data/x", b, null).allowed()).isFalse();
        assertThat(decide(ALICE, "s3:PutObject", Need.BUCKET_WRITE, "scratch/x", b, null).allowed()).isTrue();
        assertThat(decide(OWNER, "s3:PutObject", Need.BUCKET_WRITE, "data/x", b, null).allowed()).isTrue();
    }

    @Test
    void conditionOperatorsAsIamDefinesThem() {
        RequestContext c = new RequestContext().put("aws:SourceIp", "192.168.1.7").put("s3:prefix", "home/alice/")
                .put("s3:max-keys", "50").put("aws:SecureTransport", "false")
                .put("aws:CurrentTime", "2026-12-07T10:00:00Z").putAll("s3:RequestObjectTagKeys", List.of("a", "b"));
        assertThat(holds("IpAddress", "aws:SourceIp", "192.168.0.0/16", c)).isTrue();
        assertThat(holds("NotIpAddress", "aws:SourceIp", "192.168.0.0/16", c)).isFalse();
        assertThat(holds("IpAddress", "aws:SourceIp", "10.0.0.0/8", c)).isFalse();
        assertThat(holds("StringLike", "s3:prefix", "home/*", c)).isTrue();
        assertThat(holds("StringNotLike", "s3:prefix", "home/*", c)).isFalse();
        assertThat(holds("StringEqualsIgnoreCase", "s3:prefix", "HOME/ALICE/", c)).isTrue();
        assertThat(holds("NumericLessThanEquals", "s3:max-keys", "50", c)).isTrue();
        assertThat(holds("NumericGreaterThan", "s3:max-keys", "50", c)).isFalse();
        assertThat(holds("Bool", "aws:SecureTransport", "false", c)).isTrue();
        assertThat(holds("DateLessThan", "aws:CurrentTime", "2027-01-01T00:00:00Z", c)).isTrue();
        // a missing key: false, but true for negated operators and IfExists; Null tests presence
        assertThat(holds("StringEquals", "s3:x-amz-acl", "private", c)).isFalse();
        assertThat(holds("StringNotEquals", "s3:x-amz-acl", "private", c)).isTrue();
        assertThat(holds("StringEqualsIfExists", "s3:x-amz-acl", "private", c)).isTrue();
        assertThat(holds("Null", "s3:x-amz-acl", "true", c)).isTrue();
        assertThat(holds("Null", "s3:prefix", "true", c)).isFalse();
        // set qualifiers
        assertThat(holds("ForAllValues:StringEquals", "s3:RequestObjectTagKeys", "[\"a\",\"b\",\"c\"]", c)).isTrue();
        assertThat(holds("ForAllValues:StringEquals", "s3:RequestObjectTagKeys", "\"a\"", c)).isFalse();
        assertThat(holds("ForAnyValue:StringEquals", "s3:RequestObjectTagKeys", "\"b\"", c)).isTrue();
    }

    private static boolean holds(String operator, String key, String value, RequestContext c) {
        String v = value.startsWith("[") || value.startsWith("\"") ? value : "\"" + value + "\"";
        String policy = """
                {"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::bkt",
                  "Condition":{"%s":{"%s":%s}}}]}""".formatted(operator, key, v);
        return decide(ANON, "s3:ListBucket", Need.BUCKET_READ, null, bucket(null, policy, null, null), null, c).allowed();
    }

    @Test
    void malformedPoliciesAreRefusedWithS3sError() {
        for (String bad : List.of("", "[]", "not json", "{}", "{\"Statement\":[]}",
                "{\"Version\":\"2099-01-01\",\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
                "{\"Statement\":{\"Effect\":\"Maybe\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
                "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}",
                "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"ec2:RunInstances\",\"Resource\":\"*\"}}",
                "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::other/*\"}}",
                "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"Bogus\":{\"a\":\"b\"}}}}",
                "{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Extra\":1}}",
                "{" + "\"Statement\":[".repeat(100))) {
            assertThatThrownBy(() -> Policy.parse(bad.getBytes(StandardCharsets.UTF_8), "bkt")).as(bad)
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.MalformedPolicy));
        }
        byte[] huge = ("{\"Statement\":{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:*\",\"Resource\":\"*\",\"Sid\":\""
                + "x".repeat(Policy.MAX_BYTES) + "\"}}").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Policy.parse(huge, "bkt")).isInstanceOf(S3Exception.class);
    }

    @Test
    void aclsRoundTripAndCannedAclsGrantWhatS3Grants() {
        Acl acl = Acl.canned("bucket-owner-full-control", "writer", "owner-id");
        assertThat(Acl.decode(acl.encode())).isEqualTo(acl);
        assertThat(acl.grants()).containsExactly(Grant.user("writer", Permission.FULL_CONTROL),
                Grant.user("owner-id", Permission.FULL_CONTROL));
        assertThat(Acl.canned("public-read-write", "o", "o").isPublic()).isTrue();
        assertThat(Acl.canned("private", "o", "o").isPublic()).isFalse();
        assertThatThrownBy(() -> Acl.canned("world-writable", "o", "o")).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.code()).isEqualTo(S3ErrorCode.InvalidArgument));
        java.util.Map<String, String> headers = java.util.Map.of("x-amz-grant-read",
                "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\", id=\"alice-id\"");
        Acl fromHeaders = Acl.fromHeaders(headers::get, "o", "o", id -> id.equals("alice-id") ? Optional.of("alice")
                : Optional.empty()).orElseThrow();
        assertThat(fromHeaders.grants()).hasSize(2);
        assertThatThrownBy(() -> Acl.fromHeaders(java.util.Map.of("x-amz-grant-read", "id=\"ghost\"")::get, "o", "o",
                id -> Optional.empty())).isInstanceOf(S3Exception.class);
    }
}
