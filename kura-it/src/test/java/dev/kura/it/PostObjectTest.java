package dev.kura.it;

import static dev.kura.it.PostForms.policy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** PostObject, the browser form upload: every policy rule, both signature versions, and what a failure leaves (nothing). */
class PostObjectTest extends KuraTestBase {
    static String bucket;
    static URI url;

    @BeforeAll
    static void bucket() {
        bucket = newBucket();
        url = URI.create(endpoint + "/" + bucket);
    }

    static Instant later() {
        return Instant.now().plus(Duration.ofHours(1));
    }

    /** The conditions of a typical policy for {@code key}, as s3-tests writes them. */
    static List<String> conditions(String keyPrefix, String... more) {
        List<String> c = new ArrayList<>(List.of("{\"bucket\": \"" + bucket + "\"}",
                "[\"starts-with\", \"$key\", \"" + keyPrefix + "\"]", "{\"acl\": \"private\"}",
                "[\"starts-with\", \"$Content-Type\", \"text/\"]", "[\"content-length-range\", 0, 1048576]"));
        c.addAll(Arrays.asList(more));
        return c;
    }

    static Map<String, String> v4(List<String> conditions, Instant expiration, Map<String, String> fields) {
        Instant now = Instant.now();
        List<String> all = new ArrayList<>(conditions);
        all.addAll(List.of(PostForms.v4Conditions(ACCESS_KEY, now)));
        Map<String, String> f = new LinkedHashMap<>(fields);
        f.putAll(PostForms.v4Fields(policy(expiration, all.toArray(String[]::new)), ACCESS_KEY, SECRET_KEY, now));
        return f;
    }

    static Map<String, String> typical(String key) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("key", key);
        f.put("acl", "private");
        f.put("Content-Type", "text/plain");
        return f;
    }

    @Test
    void sigV4FormStoresTheFileWithItsHeadersAndMetadata() throws Exception {
        Map<String, String> fields = typical("v4/ok.txt");
        fields.put("x-amz-meta-color", "blue");
        fields.put("Cache-Control", "max-age=60");
        HttpResponse<String> r = PostForms.post(url, v4(conditions("v4/", "{\"x-amz-meta-color\": \"blue\"}",
                "[\"starts-with\", \"$cache-control\", \"\"]"), later(), fields), "ignored.bin", bytes("hello form"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(r.headers().firstValue("ETag")).hasValue("\"" + md5Hex("hello form") + "\"");
        assertThat(r.headers().firstValue("Location")).hasValue(endpoint + "/" + bucket + "/v4/ok.txt");
        var got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("v4/ok.txt"));
        assertThat(got.asUtf8String()).isEqualTo("hello form");
        assertThat(got.response().contentType()).isEqualTo("text/plain");
        assertThat(got.response().cacheControl()).isEqualTo("max-age=60");
        assertThat(got.response().metadata()).containsEntry("color", "blue");
    }

    @Test
    void sigV2FormWithFilenameKeyAndCaseInsensitiveNames() throws Exception {
        String p = policy(later(), "{\"bUcKeT\": \"" + bucket + "\"}", "[\"StArTs-WiTh\", \"$KeY\", \"v2/\"]",
                "{\"AcL\": \"private\"}", "[\"starts-with\", \"$CoNtEnT-TyPe\", \"text/plain\"]",
                "[\"content-length-range\", 0, 1024]");
        Map<String, String> f = new LinkedHashMap<>();
        f.put("kEy", "v2/${filename}");
        f.put("aCl", "private");
        f.put("Content-Type", "text/plain");
        f.put("x-ignore-this", "anything");
        f.putAll(PostForms.v2Fields(p, ACCESS_KEY, SECRET_KEY));
        HttpResponse<String> r = PostForms.post(url, f, "name.txt", bytes("bar"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("v2/name.txt")).asUtf8String()).isEqualTo("bar");
    }

    @Test
    void successActionStatusAndRedirect() throws Exception {
        Map<String, String> f = typical("status/201");
        f.put("success_action_status", "201");
        HttpResponse<String> r = PostForms.post(url, v4(conditions("status/", "{\"success_action_status\": \"201\"}"),
                later(), f), "x", bytes("a"));
        assertThat(r.statusCode()).isEqualTo(201);
        assertThat(r.body()).contains("<PostResponse><Location>", "<Bucket>" + bucket + "</Bucket>", "<Key>status/201</Key>",
                "<ETag>&quot;" + md5Hex("a") + "&quot;</ETag>");
        f = typical("status/200");
        f.put("success_action_status", "200");
        r = PostForms.post(url, v4(conditions("status/", "{\"success_action_status\": \"200\"}"), later(), f), "x", bytes("a"));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEmpty();
        f = typical("status/404");
        f.put("success_action_status", "404");
        r = PostForms.post(url, v4(conditions("status/", "[\"starts-with\", \"$success_action_status\", \"\"]"), later(), f),
                "x", bytes("a"));
        assertThat(r.statusCode()).isEqualTo(204);
        f = typical("status/redirect");
        f.put("success_action_redirect", "http://example.test/done?x=1");
        r = PostForms.post(url, v4(conditions("status/", "[\"eq\", \"$success_action_redirect\", \"http://example.test/done?x=1\"]"),
                later(), f), "x", bytes("a"));
        assertThat(r.statusCode()).isEqualTo(303);
        assertThat(r.headers().firstValue("Location")).hasValue("http://example.test/done?x=1&bucket=" + bucket
                + "&key=status%2Fredirect&etag=%22" + md5Hex("a") + "%22");
    }

    @Test
    void largeFileStreamsWithinItsLengthRange() throws Exception {
        byte[] data = new byte[6 * 1024 * 1024 + 17];
        new Random(3).nextBytes(data);
        List<String> c = conditions("big/");
        c.set(4, "[\"content-length-range\", 5242880, 7340032]");
        HttpResponse<String> r = PostForms.post(url, v4(c, later(), typical("big/file")), "f", data);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("big/file")).asByteArray()).isEqualTo(data);
    }

    @Test
    void taggingAndChecksumFields() throws Exception {
        Map<String, String> f = typical("tags/one");
        f.put("tagging", "<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>");
        f.put("x-amz-checksum-sha256", "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="); // sha256("hello")
        // the checksum field needs no condition: it only lets the upload be refused
        HttpResponse<String> r = PostForms.post(url, v4(conditions("tags/", "[\"starts-with\", \"$tagging\", \"\"]"),
                later(), f), "x", bytes("hello"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("tags/one")).tagSet()).hasSize(1);
        f.put("key", "tags/bad");
        f.put("x-amz-checksum-sha256", "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCA=");
        r = PostForms.post(url, v4(conditions("tags/", "[\"starts-with\", \"$tagging\", \"\"]",
                "[\"starts-with\", \"$x-amz-checksum-sha256\", \"\"]"), later(), f), "x", bytes("hello"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertAbsent("tags/bad");
    }

    // ---- every failure: S3's status and code, and nothing stored --------------------------------

    @Test
    void expiredPolicy() throws Exception {
        fails(v4(conditions("neg/"), Instant.now().minusSeconds(60), typical("neg/expired")), 403, "AccessDenied",
                "Invalid according to Policy: Policy expired.", "neg/expired");
    }

    @Test
    void failedConditionAndExtraAndMissingFields() throws Exception {
        fails(v4(conditions("other/"), later(), typical("neg/cond")), 403, "AccessDenied",
                "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"$key\", \"other/\"]", "neg/cond");
        Map<String, String> extra = typical("neg/extra");
        extra.put("x-amz-meta-unlisted", "1");
        fails(v4(conditions("neg/"), later(), extra), 403, "AccessDenied",
                "Invalid according to Policy: Extra input fields: x-amz-meta-unlisted", "neg/extra");
        fails(v4(conditions("neg/", "[\"starts-with\", \"$x-amz-meta-foo\", \"bar\"]"), later(), typical("neg/missing")),
                403, "AccessDenied", null, "neg/missing");
        Map<String, String> wrongValue = typical("neg/value");
        wrongValue.put("x-amz-meta-foo", "barclamp");
        fails(v4(conditions("neg/", "[\"eq\", \"$x-amz-meta-foo\", \"\"]"), later(), wrongValue), 403, "AccessDenied",
                null, "neg/value");
        List<String> noBucket = conditions("neg/");
        noBucket.removeFirst();
        fails(v4(noBucket, later(), typical("neg/nobucket")), 403, "AccessDenied",
                "Invalid according to Policy: Extra input fields: bucket", "neg/nobucket");
    }

    @Test
    void wrongBucket() throws Exception {
        String other = newBucket();
        HttpResponse<String> r = PostForms.post(URI.create(endpoint + "/" + other), v4(conditions("neg/"), later(),
                typical("neg/wrongbucket")), "x", bytes("a"));
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("<Code>AccessDenied</Code>", "Policy Condition failed");
        assertThatThrownBy(() -> s3.headObject(b -> b.bucket(other).key("neg/wrongbucket"))).isNotNull();
    }

    @Test
    void lengthRange() throws Exception {
        List<String> small = conditions("neg/");
        small.set(4, "[\"content-length-range\", 512, 1000]");
        fails(v4(small, later(), typical("neg/small")), 400, "EntityTooSmall", null, "neg/small");
        List<String> none = conditions("neg/");
        none.set(4, "[\"content-length-range\", 0, 0]");
        fails(v4(none, later(), typical("neg/large")), 400, "EntityTooLarge", null, "neg/large");
        // larger than the inline threshold and the streaming buffers: refused as it streams
        HttpResponse<String> r = PostForms.post(url, v4(conditions("neg/"), later(), typical("neg/huge")), "x",
                new byte[3 * 1024 * 1024]);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("<Code>EntityTooLarge</Code>", "<MaxSizeAllowed>1048576</MaxSizeAllowed>");
        assertAbsent("neg/huge");
    }

    @Test
    void malformedPolicies() throws Exception {
        for (String bad : List.of("[\"content-length-range\", 0]", "[\"content-length-range\", -1, 0]", "{}",
                "[\"in\", \"$key\", \"x\"]")) {
            List<String> c = conditions("neg/");
            c.add(bad);
            fails(v4(c, later(), typical("neg/malformed")), 400, "InvalidPolicyDocument", null, "neg/malformed");
        }
        String noExpiration = java.util.Base64.getEncoder().encodeToString("{\"conditions\": []}".getBytes(StandardCharsets.UTF_8));
        Map<String, String> f = typical("neg/noexp");
        f.putAll(PostForms.v2Fields(noExpiration, ACCESS_KEY, SECRET_KEY));
        fails(f, 400, "InvalidPolicyDocument", "Invalid Policy: Policy missing expiration.", "neg/noexp");
    }

    @Test
    void signatureProblems() throws Exception {
        Map<String, String> f = v4(conditions("neg/"), later(), typical("neg/sig"));
        f.put("x-amz-signature", "0".repeat(64));
        fails(f, 403, "SignatureDoesNotMatch", null, "neg/sig");
        Map<String, String> v2 = typical("neg/sig2");
        v2.putAll(PostForms.v2Fields(policy(later(), conditions("neg/").toArray(String[]::new)), "NOSUCHKEY0000", SECRET_KEY));
        fails(v2, 403, "InvalidAccessKeyId", null, "neg/sig2");
        Map<String, String> missingSig = typical("neg/nosig");
        missingSig.putAll(PostForms.v2Fields(policy(later(), conditions("neg/").toArray(String[]::new)), ACCESS_KEY, SECRET_KEY));
        missingSig.remove("signature");
        fails(missingSig, 400, "InvalidArgument", null, "neg/nosig");
        Map<String, String> otherSecret = typical("neg/othersecret");
        otherSecret.putAll(PostForms.v2Fields(policy(later(), conditions("neg/").toArray(String[]::new)), ACCESS_KEY, "wrong"));
        fails(otherSecret, 403, "SignatureDoesNotMatch", null, "neg/othersecret");
    }

    @Test
    void missingKeyAnonymousNotMultipartAndNoFile() throws Exception {
        Map<String, String> noKey = v4(conditions("neg/"), later(), Map.of("acl", "private", "Content-Type", "text/plain"));
        HttpResponse<String> r = PostForms.post(url, noKey, "x", bytes("a"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("<Code>InvalidArgument</Code>", "<ArgumentName>key</ArgumentName>");
        // An anonymous form (no policy, no signature): denied until bucket ACLs/policies allow it.
        fails(typical("neg/anon"), 403, "AccessDenied", null, "neg/anon");
        r = PostForms.post(url, "application/x-www-form-urlencoded", bytes("key=a"), Map.of());
        assertThat(r.statusCode()).isEqualTo(412);
        assertThat(r.body()).contains("<Code>PreconditionFailed</Code>", "multipart/form-data");
        String noFile = "--" + PostForms.BOUNDARY + "\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nneg/nofile\r\n--"
                + PostForms.BOUNDARY + "--\r\n";
        r = PostForms.post(url, "multipart/form-data; boundary=" + PostForms.BOUNDARY, bytes(noFile), Map.of());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("IncorrectNumberOfFilesInPostRequest");
        r = PostForms.post(URI.create(endpoint + "/no-such-bucket-post"), v4(conditions("neg/"), later(), typical("neg/x")),
                "x", bytes("a"));
        assertThat(r.statusCode()).isEqualTo(404);
    }

    @Test
    void anAnonymousFormIsDecidedLikeAnAnonymousPutObject() throws Exception {
        String open = newBucket();
        URI openUrl = URI.create(endpoint + "/" + open);
        Map<String, String> f = typical("anon.txt");
        f.put("acl", "public-read"); // the anonymous writer owns the object: it lets the bucket owner read it
        HttpResponse<String> r = PostForms.post(openUrl, f, "x", bytes("anon"));
        assertThat(r.statusCode()).as("a private bucket").isEqualTo(403);
        s3.putBucketAcl(b -> b.bucket(open).acl(software.amazon.awssdk.services.s3.model.BucketCannedACL.PUBLIC_READ_WRITE));
        r = PostForms.post(openUrl, f, "x", bytes("anon"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(open).key("anon.txt")).asUtf8String()).isEqualTo("anon");
        // a signed form in the same bucket is still held to its policy
        r = PostForms.post(openUrl, v4(conditions("other/"), later(), typical("anon2.txt")), "x", bytes("a"));
        assertThat(r.statusCode()).isEqualTo(403);
    }

    @Test
    void connectionStaysUsableAfterAForm() throws Exception {
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> r = PostForms.post(url, v4(conditions("again/"), later(), typical("again/" + i)), "x", bytes("r" + i));
            assertThat(r.statusCode()).isEqualTo(204);
        }
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("again/2")).asUtf8String()).isEqualTo("r2");
    }

    private static void fails(Map<String, String> fields, int status, String code, String message, String key) throws Exception {
        HttpResponse<String> r = PostForms.post(url, fields, "x", bytes("a"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.body()).contains("<Code>" + code + "</Code>");
        if (message != null) {
            assertThat(r.body()).contains("<Message>" + message.replace("\"", "&quot;") + "</Message>");
        }
        assertAbsent(key);
    }

    private static void assertAbsent(String key) {
        assertThatThrownBy(() -> s3.headObject(b -> b.bucket(bucket).key(key)))
                .isInstanceOf(software.amazon.awssdk.services.s3.model.S3Exception.class);
        assertThatThrownBy(() -> s3.getObject(b -> b.bucket(bucket).key(key))).isInstanceOf(NoSuchKeyException.class);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String md5Hex(String s) throws Exception {
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5").digest(bytes(s)));
    }
}
