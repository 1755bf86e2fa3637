package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.BucketLocationConstraint;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class BucketTest extends KuraTestBase {

    @Test
    void createHeadListDelete() {
        String b = newBucket();
        assertThat(s3.headBucket(r -> r.bucket(b)).sdkHttpResponse().statusCode()).isEqualTo(200);
        assertThat(s3.listBuckets().buckets()).extracting(Bucket::name).contains(b);
        s3.deleteBucket(r -> r.bucket(b));
        assertThatThrownBy(() -> s3.headBucket(r -> r.bucket(b))).isInstanceOf(NoSuchBucketException.class);
        assertThat(s3.listBuckets().buckets()).extracting(Bucket::name).doesNotContain(b);
    }

    @Test
    void expectedBucketOwnerIsChecked() {
        String b = newBucket();
        String owner = s3.listBuckets().owner().id();
        assertThat(s3.headBucket(r -> r.bucket(b).expectedBucketOwner(owner)).sdkHttpResponse().statusCode()).isEqualTo(200);
        assertThatThrownBy(() -> s3.listObjectsV2(r -> r.bucket(b).expectedBucketOwner("111122223333")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
    }

    @Test
    void listBucketsIsSortedByName() {
        String a = "aaa-" + newBucket();
        s3.createBucket(r -> r.bucket(a));
        var names = s3.listBuckets().buckets().stream().map(Bucket::name).toList();
        assertThat(names).isSorted();
    }

    @Test
    void recreatingOwnBucketInUsEast1SucceedsAndKeepsItsObjects() {
        // As S3 in us-east-1 (other regions answer 409 BucketAlreadyOwnedByYou).
        String b = newBucket();
        s3.putObject(r -> r.bucket(b).key("kept"), RequestBody.fromString("x"));
        assertThat(s3.createBucket(r -> r.bucket(b)).sdkHttpResponse().statusCode()).isEqualTo(200);
        assertThat(s3.listObjectsV2(r -> r.bucket(b)).contents()).hasSize(1);
    }

    @Test
    void listBucketsPaginatesAndFilters() {
        String p = "pg-" + Long.toHexString(System.nanoTime());
        for (int i = 0; i < 3; i++) {
            String name = p + "-" + i;
            s3.createBucket(r -> r.bucket(name));
        }
        var first = s3.listBuckets(r -> r.prefix(p).maxBuckets(2));
        assertThat(first.buckets()).extracting(Bucket::name).containsExactly(p + "-0", p + "-1");
        assertThat(first.continuationToken()).isNotNull();
        var second = s3.listBuckets(r -> r.prefix(p).maxBuckets(2).continuationToken(first.continuationToken()));
        assertThat(second.buckets()).extracting(Bucket::name).containsExactly(p + "-2");
        assertThat(second.continuationToken()).isNull();
    }

    @Test
    void invalidNamesAreRefused() throws Exception {
        // Raw requests: the SDK refuses most of these names before sending them.
        for (String name : new String[] {"ab", "UPPER", "has_underscore", "192.168.1.1", "a..b", "-start", "end-", "xn--bad",
                "a".repeat(64), "bucket--x-s3"}) {
            var r = RawHttp.send(RawHttp.signed("PUT", "/" + name, java.util.Map.of("Content-Length", "0"), new byte[0]), new byte[0]);
            assertThat(r.status()).as(name).isEqualTo(400);
            assertThat(r.body()).as(name).contains("<Code>InvalidBucketName</Code>");
        }
    }

    @Test
    void deleteNonEmptyBucketFails() {
        String b = newBucket();
        s3.putObject(r -> r.bucket(b).key("k"), RequestBody.fromString("x"));
        assertThatThrownBy(() -> s3.deleteBucket(r -> r.bucket(b)))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(409);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("BucketNotEmpty");
                });
        s3.deleteObject(r -> r.bucket(b).key("k"));
        s3.deleteBucket(r -> r.bucket(b));
    }

    @Test
    void missingBucketIsNoSuchBucket() {
        assertThatThrownBy(() -> s3.listObjectsV2(r -> r.bucket("no-such-bucket-here")))
                .isInstanceOf(NoSuchBucketException.class);
        assertThatThrownBy(() -> s3.deleteBucket(r -> r.bucket("no-such-bucket-here")))
                .isInstanceOf(NoSuchBucketException.class);
        assertThatThrownBy(() -> s3.putObject(r -> r.bucket("no-such-bucket-here").key("k"), RequestBody.fromString("x")))
                .isInstanceOf(NoSuchBucketException.class);
    }

    @Test
    void locationOfUsEast1IsEmpty() {
        String b = newBucket();
        var loc = s3.getBucketLocation(r -> r.bucket(b));
        assertThat(loc.locationConstraintAsString()).isNullOrEmpty();
    }

    @Test
    void foreignLocationConstraintIsRefused() {
        assertThatThrownBy(() -> s3.createBucket(r -> r.bucket("loc-test-bucket")
                .createBucketConfiguration(c -> c.locationConstraint(BucketLocationConstraint.EU_WEST_1))))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("IllegalLocationConstraintException"));
    }

    @Test
    void deletingABucketAbortsItsUploadsAndARecreatedBucketStartsEmpty() {
        // An upload in progress does not keep a bucket alive; the re-created bucket has a new internal
        // id, so nothing of the old one (rows keyed by the old id) can show through.
        String b = newBucket();
        String uploadId = s3.createMultipartUpload(r -> r.bucket(b).key("pending")).uploadId();
        s3.uploadPart(r -> r.bucket(b).key("pending").uploadId(uploadId).partNumber(1), RequestBody.fromString("part"));
        s3.deleteBucket(r -> r.bucket(b));
        s3.createBucket(r -> r.bucket(b));
        assertThat(s3.listMultipartUploads(r -> r.bucket(b)).uploads()).isEmpty();
        assertThatThrownBy(() -> s3.listParts(r -> r.bucket(b).key("pending").uploadId(uploadId)))
                .isInstanceOf(software.amazon.awssdk.services.s3.model.NoSuchUploadException.class);
        assertThat(s3.listObjectsV2(r -> r.bucket(b)).contents()).isEmpty();
    }
}
