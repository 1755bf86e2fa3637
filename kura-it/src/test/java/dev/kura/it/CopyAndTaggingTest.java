package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.TaggingDirective;

class CopyAndTaggingTest extends KuraTestBase {
    static String bucket;

    @BeforeAll
    static void bucket() {
        bucket = newBucket();
    }

    static void assertError(Runnable r, int status, String code) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(S3Exception.class, e -> {
            assertThat(e.statusCode()).isEqualTo(status);
            if (code != null) {
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code);
            }
        });
    }

    @Test
    void copyKeepsOrReplacesMetadata() {
        s3.putObject(b -> b.bucket(bucket).key("src").contentType("text/plain").metadata(Map.of("a", "1"))
                .tagging("t=1"), RequestBody.fromString("copy me"));
        var copied = s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("dst"));
        assertThat(copied.copyObjectResult().eTag()).isEqualTo(s3.headObject(b -> b.bucket(bucket).key("src")).eTag());
        var h = s3.headObject(b -> b.bucket(bucket).key("dst"));
        assertThat(h.contentType()).isEqualTo("text/plain");
        assertThat(h.metadata()).containsEntry("a", "1");
        assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("dst")).tagSet()).extracting(Tag::key).containsExactly("t");
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src").destinationBucket(bucket).destinationKey("dst2")
                .metadataDirective(MetadataDirective.REPLACE).contentType("app/x").metadata(Map.of("b", "2"))
                .taggingDirective(TaggingDirective.REPLACE).tagging("u=2"));
        var h2 = s3.headObject(b -> b.bucket(bucket).key("dst2"));
        assertThat(h2.contentType()).isEqualTo("app/x");
        assertThat(h2.metadata()).containsOnlyKeys("b");
        assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("dst2")).tagSet()).extracting(Tag::key).containsExactly("u");
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("dst2")).asUtf8String()).isEqualTo("copy me");
        // a copy is independent: deleting the source leaves it
        s3.putObject(b -> b.bucket(bucket).key("src2"), RequestBody.fromString("independent"));
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src2").destinationBucket(bucket).destinationKey("dst3"));
        s3.deleteObject(b -> b.bucket(bucket).key("src2"));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("dst3")).asUtf8String()).isEqualTo("independent");
    }

    @Test
    void copyErrors() {
        s3.putObject(b -> b.bucket(bucket).key("self"), RequestBody.fromString("x"));
        assertError(() -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("self").destinationBucket(bucket).destinationKey("self")),
                400, "InvalidRequest");
        s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("self").destinationBucket(bucket).destinationKey("self")
                .metadataDirective(MetadataDirective.REPLACE).metadata(Map.of("n", "1")));
        assertThat(s3.headObject(b -> b.bucket(bucket).key("self")).metadata()).containsEntry("n", "1");
        assertError(() -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("missing").destinationBucket(bucket).destinationKey("d")),
                404, "NoSuchKey");
        assertError(() -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("self").destinationBucket(bucket).destinationKey("d")
                .copySourceIfMatch("\"nope\"")), 412, "PreconditionFailed");
        assertError(() -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("self").destinationBucket(bucket).destinationKey("d")
                .copySourceIfNoneMatch(s3.headObject(h -> h.bucket(bucket).key("self")).eTag())), 412, "PreconditionFailed");
        assertError(() -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("self").destinationBucket("no-such-bucket-x").destinationKey("d")),
                404, "NoSuchBucket");
    }

    @Test
    void objectTagging() {
        s3.putObject(b -> b.bucket(bucket).key("tagged").tagging("a=1&b=two%20words"), RequestBody.fromString("x"));
        assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("tagged")).tagSet())
                .extracting(Tag::key, Tag::value).containsExactly(org.assertj.core.groups.Tuple.tuple("a", "1"),
                        org.assertj.core.groups.Tuple.tuple("b", "two words"));
        assertThat(s3.getObject(b -> b.bucket(bucket).key("tagged")).response().tagCount()).isEqualTo(2);
        s3.putObjectTagging(b -> b.bucket(bucket).key("tagged").tagging(t -> t.tagSet(Tag.builder().key("c").value("3").build())));
        assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("tagged")).tagSet()).extracting(Tag::key).containsExactly("c");
        s3.deleteObjectTagging(b -> b.bucket(bucket).key("tagged"));
        assertThat(s3.getObjectTagging(b -> b.bucket(bucket).key("tagged")).tagSet()).isEmpty();
        List<Tag> eleven = new java.util.ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add(Tag.builder().key("k" + i).value("v").build());
        }
        assertError(() -> s3.putObjectTagging(b -> b.bucket(bucket).key("tagged").tagging(t -> t.tagSet(eleven))), 400, "InvalidTag");
        assertError(() -> s3.putObjectTagging(b -> b.bucket(bucket).key("tagged").tagging(t -> t.tagSet(
                Tag.builder().key("k".repeat(129)).value("v").build()))), 400, "InvalidTag");
        assertError(() -> s3.getObjectTagging(b -> b.bucket(bucket).key("absent")), 404, "NoSuchKey");
    }

    @Test
    void bucketTaggingAndSettingsAnswers() {
        String b2 = newBucket();
        assertError(() -> s3.getBucketTagging(b -> b.bucket(b2)), 404, "NoSuchTagSet");
        s3.putBucketTagging(b -> b.bucket(b2).tagging(t -> t.tagSet(Tag.builder().key("env").value("ci").build())));
        assertThat(s3.getBucketTagging(b -> b.bucket(b2)).tagSet()).extracting(Tag::value).containsExactly("ci");
        s3.deleteBucketTagging(b -> b.bucket(b2));
        assertError(() -> s3.getBucketTagging(b -> b.bucket(b2)), 404, "NoSuchTagSet");

        var acl = s3.getBucketAcl(b -> b.bucket(b2));
        assertThat(acl.grants()).hasSize(1);
        assertThat(acl.grants().getFirst().permissionAsString()).isEqualTo("FULL_CONTROL");
        s3.putBucketAcl(b -> b.bucket(b2).acl("private"));
        assertError(() -> s3.putBucketAcl(b -> b.bucket(b2).acl("world-writable")), 400, "InvalidArgument");
        assertThat(s3.getBucketVersioning(b -> b.bucket(b2)).status()).isNull();
        assertError(() -> s3.getBucketPolicy(b -> b.bucket(b2)), 404, "NoSuchBucketPolicy");
        assertError(() -> s3.getBucketCors(b -> b.bucket(b2)), 404, "NoSuchCORSConfiguration");
        assertError(() -> s3.getBucketLifecycleConfiguration(b -> b.bucket(b2)), 404, "NoSuchLifecycleConfiguration");
        assertError(() -> s3.getBucketEncryption(b -> b.bucket(b2)), 404, "ServerSideEncryptionConfigurationNotFoundError");
        assertError(() -> s3.getObjectLockConfiguration(b -> b.bucket(b2)), 404, "ObjectLockConfigurationNotFoundError");
        s3.deleteBucketPolicy(b -> b.bucket(b2));
        s3.deleteBucketCors(b -> b.bucket(b2));
        s3.putBucketCors(b -> b.bucket(b2).corsConfiguration(c -> c.corsRules(
                r -> r.allowedMethods("GET").allowedOrigins("*"))));
        assertThat(s3.getBucketCors(b -> b.bucket(b2)).corsRules()).hasSize(1);
        s3.deleteBucketCors(b -> b.bucket(b2));
        assertError(() -> s3.getBucketAcl(b -> b.bucket("no-such-bucket-y")), 404, "NoSuchBucket");
    }

    @Test
    void listObjectVersionsShowsNullVersions() {
        String b2 = newBucket();
        s3.putObject(b -> b.bucket(b2).key("v1"), RequestBody.fromString("a"));
        s3.putObject(b -> b.bucket(b2).key("v2"), RequestBody.fromString("b"));
        var versions = s3.listObjectVersions(b -> b.bucket(b2));
        assertThat(versions.versions()).extracting(ObjectVersion::key, ObjectVersion::versionId, ObjectVersion::isLatest)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("v1", "null", true),
                        org.assertj.core.groups.Tuple.tuple("v2", "null", true));
    }
}
