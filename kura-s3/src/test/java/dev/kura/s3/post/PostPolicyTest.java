package dev.kura.s3.post;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostPolicyTest {
    static final Instant NOW = Instant.parse("2026-12-07T04:00:00Z");

    static PostPolicy policy(String json) {
        return PostPolicy.parse(Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)));
    }

    static Map<String, String> fields(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static final String GOOD = """
            {"expiration": "2026-12-07T05:00:00.000Z", "conditions": [
              {"bUcKeT": "b"}, ["StArTs-WiTh", "$KeY", "foo"], {"acl": "private"},
              ["starts-with", "$Content-Type", "text/"], ["content-length-range", 1, 1024],
              ["eq", "$x-amz-meta-a", "1"]]}""";

    @Test
    void fieldsThatMeetEveryConditionPass() {
        PostPolicy p = policy(GOOD);
        p.check(NOW, fields("bucket", "b", "key", "foo.txt", "acl", "private", "content-type", "text/plain",
                "x-amz-meta-a", "1", "policy", "…", "awsaccesskeyid", "k", "signature", "s", "x-ignore-me", "x"));
        assertThat(p.lengthRange()).isEqualTo(new PostPolicy.Condition.ContentLengthRange(1, 1024));
    }

    @Test
    void failuresAreAccessDeniedWithS3sWords() {
        PostPolicy p = policy(GOOD);
        Map<String, String> ok = fields("bucket", "b", "key", "foo.txt", "acl", "private", "content-type", "text/plain",
                "x-amz-meta-a", "1");
        denied(() -> p.check(Instant.parse("2026-12-07T05:00:00Z"), ok), "Invalid according to Policy: Policy expired.");
        Map<String, String> wrongKey = new LinkedHashMap<>(ok);
        wrongKey.put("key", "bar");
        denied(() -> p.check(NOW, wrongKey), "Invalid according to Policy: Policy Condition failed: [\"StArTs-WiTh\", \"$KeY\", \"foo\"]");
        Map<String, String> wrongMeta = new LinkedHashMap<>(ok);
        wrongMeta.put("x-amz-meta-a", "2");
        denied(() -> p.check(NOW, wrongMeta), "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$x-amz-meta-a\", \"1\"]");
        Map<String, String> missing = new LinkedHashMap<>(ok);
        missing.remove("x-amz-meta-a");
        denied(() -> p.check(NOW, missing), "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$x-amz-meta-a\", \"1\"]");
        Map<String, String> extra = new LinkedHashMap<>(ok);
        extra.put("x-amz-meta-b", "2");
        denied(() -> p.check(NOW, extra), "Invalid according to Policy: Extra input fields: x-amz-meta-b");
        Map<String, String> otherBucket = new LinkedHashMap<>(ok);
        otherBucket.put("bucket", "c");
        denied(() -> p.check(NOW, otherBucket), "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bUcKeT\", \"b\"]");
    }

    @Test
    void aBucketWithoutConditionIsAnExtraField() {
        PostPolicy p = policy("{\"expiration\": \"2026-12-07T05:00:00Z\", \"conditions\": [[\"starts-with\", \"$key\", \"\"]]}");
        denied(() -> p.check(NOW, fields("bucket", "b", "key", "k")), "Invalid according to Policy: Extra input fields: bucket");
    }

    @Test
    void malformedPoliciesAreInvalidPolicyDocument() {
        invalid("{\"conditions\": []}");
        invalid("{\"EXPIRATION\": \"2026-12-07T05:00:00Z\", \"conditions\": []}");
        invalid("{\"expiration\": \"2026-12-07T05:00:00Z\"}");
        invalid("{\"expiration\": \"2026-12-07T05:00:00Z\", \"CONDITIONS\": []}");
        invalid("{\"expiration\": \"2026-12-07 05:00:00.000+00:00\", \"conditions\": []}");
        invalid("{\"expiration\": \"2026-12-07T05:00:00Z\", \"conditions\": [{}]}");
        invalid("{\"expiration\": \"2026-12-07T05:00:00Z\", \"conditions\": [[\"content-length-range\", 0]]}");
        invalid("{\"expiration\": \"2026-12-07T05:00:00Z\", \"conditions\": [[\"content-length-range\", -1, 0]]}");
        invalid("{\"expiration\": \"2026-12-07T05:00:00Z\", \"conditions\": [[\"content-length-range\", 5, 4]]}");
        invalid("{\"expiration\": \"2026-12-07T05:00:00Z\", \"conditions\": [[\"in\", \"$key\", \"a\"]]}");
        invalid("{\"expiration\": \"2026-12-07T05:00:00Z\", \"conditions\": [[\"eq\", \"key\", \"a\"]]}");
        invalid("not json");
        assertThatThrownBy(() -> PostPolicy.parse("%%%")).isInstanceOf(S3Exception.class);
    }

    @Test
    void lengthRangeAcceptsNumbersAsStrings() {
        PostPolicy p = policy("{\"expiration\": \"2026-12-07T05:00:00Z\", \"conditions\": [[\"content-length-range\", \"0\", \"10\"]]}");
        assertThat(p.lengthRange().max()).isEqualTo(10);
    }

    private static void denied(Runnable r, String message) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.code()).isEqualTo(S3ErrorCode.AccessDenied);
            assertThat(e.getMessage()).isEqualTo(message);
        });
    }

    private static void invalid(String json) {
        assertThatThrownBy(() -> policy(json)).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.code()).isEqualTo(S3ErrorCode.InvalidPolicyDocument));
    }
}
