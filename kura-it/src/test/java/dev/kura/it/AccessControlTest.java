package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.server.admin.AdminCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectCannedACL;
import software.amazon.awssdk.services.s3.model.ObjectOwnership;
import software.amazon.awssdk.services.s3.model.Permission;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Type;

/**
 * Who may do what, end to end over the AWS SDK and raw HTTP: users added with {@code kura admin user},
 * ACLs, bucket policies, Block Public Access and Object Ownership — and every denial is S3's error
 * with no side effect.
 */
class AccessControlTest extends KuraTestBase {
    static String aliceKey;
    static String aliceSecret;
    static String aliceId;
    static S3Client alice;

    @BeforeAll
    static void addAlice() {
        String json = admin("user", "add", "alice", "--json");
        aliceKey = field(json, "accessKey");
        aliceSecret = field(json, "secretKey");
        aliceId = field(json, "canonicalId");
        alice = client(aliceKey, aliceSecret);
    }

    @AfterAll
    static void closeAlice() {
        if (alice != null) {
            alice.close();
        }
    }

    static String admin(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new AdminCommand(Map.of("KURA_ACCESS_KEY", ACCESS_KEY, "KURA_SECRET_KEY",
                SECRET_KEY), InstantSource.system()));
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        String[] all = new String[args.length + 2];
        all[0] = "--endpoint";
        all[1] = "http://127.0.0.1:" + adminPort();
        System.arraycopy(args, 0, all, 2, args.length);
        int code = cli.execute(all);
        assertThat(code).as("kura admin %s: %s", String.join(" ", args), err).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]*)\"").matcher(json);
        assertThat(m.find()).as("%s in %s", name, json).isTrue();
        return m.group(1);
    }

    static RawHttp.Response anonymous(String method, String target) throws Exception {
        return RawHttp.send(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + s3Port()
                + "\r\nContent-Length: 0\r\n\r\n", new byte[0]);
    }

    static int status(Runnable call) {
        try {
            call.run();
            return 200;
        } catch (S3Exception e) {
            return e.statusCode();
        }
    }

    static String code(Runnable call) {
        try {
            call.run();
            return "OK";
        } catch (S3Exception e) {
            return e.awsErrorDetails().errorCode();
        }
    }

    @Test
    void aNewUserSeesOnlyItsOwnBucketsAndCannotTouchOthers() throws Exception {
        String rootBucket = newBucket();
        s3.putObject(r -> r.bucket(rootBucket).key("secret.txt"), RequestBody.fromString("root data"));
        String mine = "alice-" + UUID.randomUUID().toString().substring(0, 8);
        alice.createBucket(r -> r.bucket(mine));

        assertThat(alice.listBuckets().buckets()).extracting(b -> b.name()).containsExactly(mine);
        assertThat(alice.listBuckets().owner().id()).isEqualTo(aliceId);
        assertThat(alice.listBuckets().owner().displayName()).isEqualTo("alice");
        assertThat(s3.listBuckets().buckets()).extracting(b -> b.name()).contains(rootBucket).doesNotContain(mine);

        assertThat(code(() -> alice.getObject(r -> r.bucket(rootBucket).key("secret.txt")))).isEqualTo("AccessDenied");
        assertThat(code(() -> alice.listObjectsV2(r -> r.bucket(rootBucket)))).isEqualTo("AccessDenied");
        assertThat(code(() -> alice.putObject(r -> r.bucket(rootBucket).key("planted"), RequestBody.fromString("x"))))
                .isEqualTo("AccessDenied");
        assertThat(code(() -> alice.deleteObject(r -> r.bucket(rootBucket).key("secret.txt")))).isEqualTo("AccessDenied");
        assertThat(code(() -> alice.deleteBucket(r -> r.bucket(rootBucket)))).isEqualTo("AccessDenied");
        assertThat(code(() -> alice.getBucketAcl(r -> r.bucket(rootBucket)))).isEqualTo("AccessDenied");
        // no side effect: nothing planted, nothing removed
        assertThat(s3.listObjectsV2(r -> r.bucket(rootBucket)).contents()).extracting(o -> o.key())
                .containsExactly("secret.txt");
        // the bucket owner's ACL shows the owner with full control
        var acl = s3.getBucketAcl(r -> r.bucket(rootBucket));
        assertThat(acl.grants()).hasSize(1);
        assertThat(acl.grants().getFirst().permission()).isEqualTo(Permission.FULL_CONTROL);
        assertThat(acl.grants().getFirst().grantee().id()).isEqualTo(acl.owner().id());
    }

    @Test
    void anonymousReadsOnlyWhatAnAclMadePublic() throws Exception {
        String b = newBucket();
        s3.putObject(r -> r.bucket(b).key("private.txt"), RequestBody.fromString("hidden"));
        s3.putObject(r -> r.bucket(b).key("public.txt").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("shown"));

        assertThat(anonymous("GET", "/" + b + "/private.txt").status()).isEqualTo(403);
        RawHttp.Response shown = anonymous("GET", "/" + b + "/public.txt");
        assertThat(shown.status()).isEqualTo(200);
        assertThat(shown.body()).isEqualTo("shown");
        assertThat(anonymous("GET", "/" + b + "?list-type=2").status()).isEqualTo(403);
        assertThat(anonymous("PUT", "/" + b + "/anon.txt").status()).isEqualTo(403);
        assertThat(anonymous("DELETE", "/" + b + "/public.txt").status()).isEqualTo(403);
        assertThat(s3.listObjectsV2(r -> r.bucket(b)).contents()).hasSize(2);

        var grants = s3.getObjectAcl(r -> r.bucket(b).key("public.txt")).grants();
        assertThat(grants).anySatisfy(g -> {
            assertThat(g.grantee().type()).isEqualTo(Type.GROUP);
            assertThat(g.grantee().uri()).isEqualTo("http://acs.amazonaws.com/groups/global/AllUsers");
            assertThat(g.permission()).isEqualTo(Permission.READ);
        });

        // a public-read-write bucket lets anyone list and write; the writer owns what it wrote
        s3.putBucketAcl(r -> r.bucket(b).acl(BucketCannedACL.PUBLIC_READ_WRITE));
        assertThat(anonymous("GET", "/" + b + "?list-type=2").status()).isEqualTo(200);
        assertThat(anonymous("PUT", "/" + b + "/anon.txt").status()).isEqualTo(200);
        // ... and then taking it back closes it again
        s3.putBucketAcl(r -> r.bucket(b).acl(BucketCannedACL.PRIVATE));
        assertThat(anonymous("GET", "/" + b + "?list-type=2").status()).isEqualTo(403);
    }

    @Test
    void grantsByCanonicalIdAndTheObjectWriterOwnsWhatItWrites() {
        String b = newBucket();
        s3.putBucketAcl(r -> r.bucket(b).grantWrite("id=\"" + aliceId + "\"").grantFullControl("id=\""
                + s3.getBucketAcl(a -> a.bucket(b)).owner().id() + "\""));
        alice.putObject(r -> r.bucket(b).key("from-alice"), RequestBody.fromString("alice's"));
        var acl = alice.getObjectAcl(r -> r.bucket(b).key("from-alice"));
        assertThat(acl.owner().id()).isEqualTo(aliceId);
        // the bucket owner may delete it but not read it: alice's object is private to alice
        assertThat(code(() -> s3.getObject(r -> r.bucket(b).key("from-alice")))).isEqualTo("AccessDenied");
        alice.putObjectAcl(r -> r.bucket(b).key("from-alice").acl(ObjectCannedACL.BUCKET_OWNER_READ));
        assertThat(s3.getObjectAsBytes(r -> r.bucket(b).key("from-alice")).asUtf8String()).isEqualTo("alice's");
        s3.deleteObject(r -> r.bucket(b).key("from-alice"));

        // unknown grantees are refused with S3's errors
        assertThat(code(() -> s3.putBucketAcl(r -> r.bucket(b).grantRead("id=\"" + "0".repeat(64) + "\""))))
                .isEqualTo("InvalidArgument");
        assertThat(code(() -> s3.putBucketAcl(r -> r.bucket(b).grantRead("emailAddress=\"nobody@example.com\""))))
                .isEqualTo("UnresolvableGrantByEmailAddress");
    }

    @Test
    void aBucketPolicyGrantsAndAnExplicitDenyWinsEvenForTheOwner() {
        String b = newBucket();
        s3.putObject(r -> r.bucket(b).key("public/a.txt"), RequestBody.fromString("a"));
        s3.putObject(r -> r.bucket(b).key("private/b.txt"), RequestBody.fromString("b"));
        String policy = """
                {"Version":"2012-10-17","Statement":[
                  {"Sid":"AliceReadsPublic","Effect":"Allow","Principal":{"AWS":"%s"},
                   "Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/public/*"},
                  {"Sid":"NoDeletes","Effect":"Deny","Principal":"*","Action":["s3:DeleteObject"],
                   "Resource":"arn:aws:s3:::%s/*"}]}""".formatted(aliceId, b, b);
        s3.putBucketPolicy(r -> r.bucket(b).policy(policy));
        assertThat(s3.getBucketPolicy(r -> r.bucket(b)).policy()).isEqualTo(policy);
        assertThat(s3.getBucketPolicyStatus(r -> r.bucket(b)).policyStatus().isPublic()).isFalse();

        assertThat(alice.getObjectAsBytes(r -> r.bucket(b).key("public/a.txt")).asUtf8String()).isEqualTo("a");
        assertThat(code(() -> alice.getObject(r -> r.bucket(b).key("private/b.txt")))).isEqualTo("AccessDenied");
        assertThat(code(() -> s3.deleteObject(r -> r.bucket(b).key("public/a.txt")))).isEqualTo("AccessDenied");
        assertThat(s3.listObjectsV2(r -> r.bucket(b)).contents()).hasSize(2);

        assertThat(code(() -> s3.putBucketPolicy(r -> r.bucket(b).policy("not json")))).isEqualTo("MalformedPolicy");
        assertThat(code(() -> s3.putBucketPolicy(r -> r.bucket(b).policy("""
                {"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
                 "Resource":"arn:aws:s3:::another-bucket/*"}]}""")))).isEqualTo("MalformedPolicy");
        assertThat(code(() -> s3.putBucketPolicy(r -> r.bucket(b).policy("""
                {"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
                 "Resource":"arn:aws:s3:::%s/*","Condition":{"NoSuchOperator":{"aws:SourceIp":"1.2.3.4"}}}]}"""
                .formatted(b))))).isEqualTo("MalformedPolicy");

        s3.deleteBucketPolicy(r -> r.bucket(b));
        assertThat(code(() -> s3.getBucketPolicy(r -> r.bucket(b)))).isEqualTo("NoSuchBucketPolicy");
        s3.deleteObject(r -> r.bucket(b).key("public/a.txt"));
    }

    @Test
    void deleteObjectsDecidesEachKeyAsItsOwnDeleteWould() {
        String b = newBucket();
        for (String k : List.of("locked/a", "open/b", "tmp/c", "data/d")) {
            s3.putObject(r -> r.bucket(b).key(k), RequestBody.fromString(k));
        }
        String policy = "{\"Statement\":["
                + "{\"Sid\":\"Locked\",\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"s3:DeleteObject\","
                + "\"Resource\":\"arn:aws:s3:::" + b + "/locked/*\"},"
                + "{\"Sid\":\"AliceTmp\",\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"" + aliceId + "\"},"
                + "\"Action\":\"s3:DeleteObject\",\"Resource\":\"arn:aws:s3:::" + b + "/tmp/*\"}]}";
        s3.putBucketPolicy(r -> r.bucket(b).policy(policy));
        var asOwner = s3.deleteObjects(r -> r.bucket(b).delete(d -> d.objects(o -> o.key("locked/a"), o -> o.key("open/b"))));
        assertThat(asOwner.deleted()).extracting(x -> x.key()).containsExactly("open/b");
        assertThat(asOwner.errors()).extracting(e -> e.key() + " " + e.code()).containsExactly("locked/a AccessDenied");
        var asAlice = alice.deleteObjects(r -> r.bucket(b).delete(d -> d.objects(o -> o.key("tmp/c"), o -> o.key("data/d"))));
        assertThat(asAlice.deleted()).extracting(x -> x.key()).containsExactly("tmp/c");
        assertThat(asAlice.errors()).extracting(e -> e.key() + " " + e.code()).containsExactly("data/d AccessDenied");
        assertThat(s3.listObjectsV2(r -> r.bucket(b)).contents()).extracting(o -> o.key()).containsExactly("data/d", "locked/a");
        s3.deleteBucketPolicy(r -> r.bucket(b));
    }

    @Test
    void conditionsOnTheSourceAddressAndPrefix() throws Exception {
        String b = newBucket();
        s3.putObject(r -> r.bucket(b).key("k"), RequestBody.fromString("v"));
        s3.putBucketPolicy(r -> r.bucket(b).policy("""
                {"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",
                  "Resource":"arn:aws:s3:::%s/*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}},
                 {"Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::%s",
                  "Condition":{"StringEquals":{"s3:prefix":"open/"}}}]}""".formatted(b, b)));
        assertThat(anonymous("GET", "/" + b + "/k").status()).as("not from 10/8").isEqualTo(403);
        assertThat(anonymous("GET", "/" + b + "?list-type=2&prefix=open/").status()).isEqualTo(200);
        assertThat(anonymous("GET", "/" + b + "?list-type=2&prefix=closed/").status()).isEqualTo(403);
        assertThat(anonymous("GET", "/" + b + "?list-type=2").status()).isEqualTo(403);
        assertThat(s3.getBucketPolicyStatus(r -> r.bucket(b)).policyStatus().isPublic()).isTrue();
    }

    @Test
    void blockPublicAccessRefusesAndIgnoresPublicGrants() throws Exception {
        String b = newBucket();
        s3.putObject(r -> r.bucket(b).key("was-public").acl(ObjectCannedACL.PUBLIC_READ), RequestBody.fromString("x"));
        assertThat(anonymous("GET", "/" + b + "/was-public").status()).isEqualTo(200);
        assertThat(code(() -> s3.getPublicAccessBlock(r -> r.bucket(b)))).isEqualTo("NoSuchPublicAccessBlockConfiguration");
        s3.putPublicAccessBlock(r -> r.bucket(b).publicAccessBlockConfiguration(c -> c.blockPublicAcls(true)
                .ignorePublicAcls(true).blockPublicPolicy(true).restrictPublicBuckets(false)));
        assertThat(s3.getPublicAccessBlock(r -> r.bucket(b)).publicAccessBlockConfiguration().ignorePublicAcls()).isTrue();

        assertThat(anonymous("GET", "/" + b + "/was-public").status()).as("public grants ignored").isEqualTo(403);
        assertThat(code(() -> s3.putObject(r -> r.bucket(b).key("p").acl(ObjectCannedACL.PUBLIC_READ),
                RequestBody.fromString("x")))).isEqualTo("AccessDenied");
        assertThat(code(() -> s3.putBucketAcl(r -> r.bucket(b).acl(BucketCannedACL.PUBLIC_READ)))).isEqualTo("AccessDenied");
        assertThat(code(() -> s3.putBucketPolicy(r -> r.bucket(b).policy("""
                {"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}"""
                .formatted(b))))).isEqualTo("AccessDenied");
        assertThat(s3.listObjectsV2(r -> r.bucket(b)).contents()).extracting(o -> o.key()).containsExactly("was-public");

        s3.deletePublicAccessBlock(r -> r.bucket(b));
        assertThat(anonymous("GET", "/" + b + "/was-public").status()).isEqualTo(200);
    }

    @Test
    void bucketOwnerEnforcedDisablesAcls() {
        String b = "enforced-" + UUID.randomUUID().toString().substring(0, 8);
        s3.createBucket(r -> r.bucket(b).objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED));
        assertThat(s3.getBucketOwnershipControls(r -> r.bucket(b)).ownershipControls().rules().getFirst().objectOwnership())
                .isEqualTo(ObjectOwnership.BUCKET_OWNER_ENFORCED);
        s3.putObject(r -> r.bucket(b).key("ok").acl(ObjectCannedACL.BUCKET_OWNER_FULL_CONTROL), RequestBody.fromString("x"));
        assertThat(code(() -> s3.putObject(r -> r.bucket(b).key("no").acl(ObjectCannedACL.PUBLIC_READ),
                RequestBody.fromString("x")))).isEqualTo("AccessControlListNotSupported");
        assertThat(code(() -> s3.putBucketAcl(r -> r.bucket(b).acl(BucketCannedACL.PRIVATE))))
                .isEqualTo("AccessControlListNotSupported");
        assertThat(s3.listObjectsV2(r -> r.bucket(b)).contents()).extracting(o -> o.key()).containsExactly("ok");

        s3.deleteBucketOwnershipControls(r -> r.bucket(b));
        assertThat(code(() -> s3.getBucketOwnershipControls(r -> r.bucket(b)))).isEqualTo("OwnershipControlsNotFoundError");
        s3.putBucketAcl(r -> r.bucket(b).acl(BucketCannedACL.PUBLIC_READ));
        assertThat(code(() -> s3.putBucketOwnershipControls(r -> r.bucket(b).ownershipControls(c -> c.rules(
                x -> x.objectOwnership(ObjectOwnership.BUCKET_OWNER_ENFORCED)))))).isEqualTo("InvalidBucketAclWithObjectOwnership");
    }

    @Test
    void rotatedAndRemovedKeysStopWorking() {
        String json = admin("user", "add", "bob", "--json");
        String key = field(json, "accessKey");
        String secret = field(json, "secretKey");
        try (S3Client bob = client(key, secret)) {
            assertThat(bob.listBuckets().buckets()).isEmpty();
        }
        assertThat(admin("user", "list")).contains("bob", key, "alice").doesNotContain(secret);
        String rotated = admin("user", "rotate", "bob", "--json");
        try (S3Client old = client(key, secret); S3Client fresh = client(field(rotated, "accessKey"), field(rotated, "secretKey"))) {
            assertThat(code(() -> old.listBuckets())).isEqualTo("InvalidAccessKeyId");
            assertThat(fresh.listBuckets().buckets()).isEmpty();
            admin("user", "remove", "bob");
            assertThat(code(() -> fresh.listBuckets())).isEqualTo("InvalidAccessKeyId");
        }
        assertThat(admin("user", "list")).doesNotContain("bob");
    }
}
