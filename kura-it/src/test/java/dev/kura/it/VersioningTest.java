package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.DeleteMarkerEntry;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.ObjectVersion;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Bucket versioning through the AWS SDK: versions, delete markers, lookups and listings by version id. */
class VersioningTest extends KuraTestBase {

    private static void enable(String b) {
        s3.putBucketVersioning(r -> r.bucket(b).versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
    }

    private static String put(String b, String key, String body) {
        return s3.putObject(r -> r.bucket(b).key(key), RequestBody.fromString(body)).versionId();
    }

    private static String get(String b, String key, String versionId) {
        return s3.getObjectAsBytes(r -> r.bucket(b).key(key).versionId(versionId)).asUtf8String();
    }

    private static String errorCode(Throwable e) {
        return ((S3Exception) e).awsErrorDetails().errorCode();
    }

    @Test
    void everyPutKeepsAVersionAndEachReadsBackByItsId() {
        String b = newBucket();
        assertThat(s3.getBucketVersioning(r -> r.bucket(b)).status()).isNull(); // never versioned
        String before = put(b, "k", "unversioned");
        assertThat(before).isNull();
        enable(b);
        assertThat(s3.getBucketVersioning(r -> r.bucket(b)).status()).isEqualTo(BucketVersioningStatus.ENABLED);
        String v1 = put(b, "k", "one");
        String v2 = put(b, "k", "two");
        assertThat(v1).isNotNull().isNotEqualTo("null").isNotEqualTo(v2);
        assertThat(get(b, "k", null)).isEqualTo("two");
        assertThat(get(b, "k", v1)).isEqualTo("one");
        assertThat(get(b, "k", "null")).isEqualTo("unversioned"); // the object from before versioning
        assertThat(s3.headObject(r -> r.bucket(b).key("k").versionId(v1)).versionId()).isEqualTo(v1);
        assertThat(s3.getObject(r -> r.bucket(b).key("k")).response().versionId()).isEqualTo(v2);

        assertThatThrownBy(() -> get(b, "k", "0000000000001"))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("NoSuchVersion"));
        assertThatThrownBy(() -> get(b, "k", "not/a/version"))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("InvalidArgument"));
    }

    @Test
    void aDeleteWritesAMarkerAndDeletingTheMarkerBringsTheObjectBack() {
        String b = newBucket();
        enable(b);
        String v1 = put(b, "k", "one");
        var deleted = s3.deleteObject(r -> r.bucket(b).key("k"));
        assertThat(deleted.deleteMarker()).isTrue();
        String marker = deleted.versionId();
        assertThat(marker).isNotNull().isNotEqualTo(v1);

        assertThatThrownBy(() -> get(b, "k", null)).satisfies(e -> {
            assertThat(errorCode(e)).isEqualTo("NoSuchKey");
            assertThat(((S3Exception) e).awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-delete-marker"))
                    .contains("true");
        });
        assertThatThrownBy(() -> s3.headObject(r -> r.bucket(b).key("k").versionId(marker)))
                .satisfies(e -> assertThat(((S3Exception) e).statusCode()).isEqualTo(405));
        assertThat(get(b, "k", v1)).isEqualTo("one");
        assertThat(s3.listObjectsV2(r -> r.bucket(b)).contents()).isEmpty(); // a marker hides the key

        var undeleted = s3.deleteObject(r -> r.bucket(b).key("k").versionId(marker));
        assertThat(undeleted.deleteMarker()).isTrue();
        assertThat(undeleted.versionId()).isEqualTo(marker);
        assertThat(get(b, "k", null)).isEqualTo("one");

        s3.deleteObject(r -> r.bucket(b).key("k").versionId(v1)); // gone for good
        assertThatThrownBy(() -> get(b, "k", v1)).satisfies(e -> assertThat(errorCode(e)).isEqualTo("NoSuchVersion"));
        assertThat(s3.listObjectVersions(r -> r.bucket(b)).versions()).isEmpty();
        s3.deleteBucket(r -> r.bucket(b)); // no version, no marker left: the bucket is empty
    }

    @Test
    void listObjectVersionsPagesThroughVersionsAndMarkersNewestFirst() {
        String b = newBucket();
        enable(b);
        List<String> ids = new ArrayList<>();
        for (String key : List.of("a", "b", "c")) {
            ids.add(put(b, key, key + "1"));
            ids.add(put(b, key, key + "2"));
        }
        s3.deleteObject(r -> r.bucket(b).key("b"));
        ListObjectVersionsResponse all = s3.listObjectVersions(r -> r.bucket(b));
        assertThat(all.versions()).extracting(ObjectVersion::key).containsExactly("a", "a", "b", "b", "c", "c");
        assertThat(all.versions()).extracting(ObjectVersion::versionId)
                .containsExactly(ids.get(1), ids.get(0), ids.get(3), ids.get(2), ids.get(5), ids.get(4));
        assertThat(all.versions()).extracting(ObjectVersion::isLatest)
                .containsExactly(true, false, false, false, true, false);
        assertThat(all.deleteMarkers()).extracting(DeleteMarkerEntry::key).containsExactly("b");
        assertThat(all.deleteMarkers().getFirst().isLatest()).isTrue();

        // pages of two, continued with the next markers, give the same seven entries
        List<String> paged = new ArrayList<>();
        String keyMarker = null;
        String versionMarker = null;
        for (int i = 0; i < 10; i++) {
            String km = keyMarker;
            String vm = versionMarker;
            ListObjectVersionsResponse page = s3.listObjectVersions(r -> r.bucket(b).maxKeys(2).keyMarker(km)
                    .versionIdMarker(vm));
            page.deleteMarkers().forEach(m -> paged.add(m.key() + "@" + m.versionId()));
            page.versions().forEach(v -> paged.add(v.key() + "@" + v.versionId()));
            assertThat(page.versions().size() + page.deleteMarkers().size()).isLessThanOrEqualTo(2);
            if (!page.isTruncated()) {
                break;
            }
            keyMarker = page.nextKeyMarker();
            versionMarker = page.nextVersionIdMarker();
        }
        assertThat(paged).hasSize(7).doesNotHaveDuplicates();
        // the paginator the SDK offers walks it too
        assertThat(s3.listObjectVersionsPaginator(r -> r.bucket(b).maxKeys(3)).versions()).hasSize(6);
    }

    @Test
    void suspendedVersioningReplacesOnlyTheNullVersion() {
        String b = newBucket();
        enable(b);
        String v1 = put(b, "k", "kept");
        s3.putBucketVersioning(r -> r.bucket(b).versioningConfiguration(c -> c.status(BucketVersioningStatus.SUSPENDED)));
        assertThat(s3.getBucketVersioning(r -> r.bucket(b)).status()).isEqualTo(BucketVersioningStatus.SUSPENDED);
        put(b, "k", "null-1");
        put(b, "k", "null-2");
        assertThat(get(b, "k", null)).isEqualTo("null-2");
        assertThat(get(b, "k", v1)).isEqualTo("kept");
        assertThat(s3.listObjectVersions(r -> r.bucket(b)).versions()).extracting(ObjectVersion::versionId)
                .containsExactly("null", v1);
        var deleted = s3.deleteObject(r -> r.bucket(b).key("k"));
        assertThat(deleted.deleteMarker()).isTrue();
        assertThat(deleted.versionId()).isEqualTo("null");
        assertThat(s3.listObjectVersions(r -> r.bucket(b)).versions()).extracting(ObjectVersion::versionId)
                .containsExactly(v1);
    }

    @Test
    void deleteObjectsTakesVersionIdsAndReportsMarkers() {
        String b = newBucket();
        enable(b);
        String v1 = put(b, "x", "1");
        put(b, "y", "1");
        var r = s3.deleteObjects(d -> d.bucket(b).delete(x -> x.objects(
                ObjectIdentifier.builder().key("x").versionId(v1).build(),
                ObjectIdentifier.builder().key("y").build())));
        assertThat(r.errors()).isEmpty();
        var byKey = new java.util.HashMap<String, software.amazon.awssdk.services.s3.model.DeletedObject>();
        r.deleted().forEach(d -> byKey.put(d.key(), d));
        assertThat(byKey.get("x").versionId()).isEqualTo(v1);
        assertThat(byKey.get("x").deleteMarker()).isNull();
        assertThat(byKey.get("y").deleteMarker()).isTrue();
        assertThat(byKey.get("y").deleteMarkerVersionId()).isNotNull();
        assertThat(s3.listObjectVersions(l -> l.bucket(b)).versions()).extracting(ObjectVersion::key).containsExactly("y");
    }

    @Test
    void copyAndMultipartCreateVersionsToo() {
        String b = newBucket();
        enable(b);
        String v1 = put(b, "src", "first");
        put(b, "src", "second");
        var copied = s3.copyObject(r -> r.sourceBucket(b).sourceKey("src").sourceVersionId(v1)
                .destinationBucket(b).destinationKey("dst"));
        assertThat(copied.copySourceVersionId()).isEqualTo(v1);
        assertThat(copied.versionId()).isNotNull().isNotEqualTo("null");
        assertThat(get(b, "dst", null)).isEqualTo("first");

        String upload = s3.createMultipartUpload(r -> r.bucket(b).key("mp")).uploadId();
        var part = s3.uploadPart(r -> r.bucket(b).key("mp").uploadId(upload).partNumber(1), RequestBody.fromString("p1"));
        var done = s3.completeMultipartUpload(r -> r.bucket(b).key("mp").uploadId(upload)
                .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(part.eTag()))));
        assertThat(done.versionId()).isNotNull().isNotEqualTo("null");
        assertThat(get(b, "mp", done.versionId())).isEqualTo("p1");
    }

    @Test
    void eachVersionHasItsOwnTags() {
        String b = newBucket();
        enable(b);
        String v1 = put(b, "k", "one");
        String v2 = put(b, "k", "two");
        s3.putObjectTagging(r -> r.bucket(b).key("k").versionId(v1).tagging(t -> t.tagSet(
                software.amazon.awssdk.services.s3.model.Tag.builder().key("old").value("yes").build())));
        assertThat(s3.getObjectTagging(r -> r.bucket(b).key("k").versionId(v1)).tagSet())
                .extracting(software.amazon.awssdk.services.s3.model.Tag::key).containsExactly("old");
        assertThat(s3.getObjectTagging(r -> r.bucket(b).key("k")).tagSet()).isEmpty(); // v2, the current one
        assertThat(s3.getObjectTagging(r -> r.bucket(b).key("k").versionId(v2)).versionId()).isEqualTo(v2);
        assertThatThrownBy(() -> s3.getObjectTagging(r -> r.bucket(b).key("k").versionId("0000000000001")))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("NoSuchVersion"));
    }

    @Test
    void badConfigurationsAreRefused() {
        String b = newBucket();
        assertThatThrownBy(() -> s3.putBucketVersioning(r -> r.bucket(b).versioningConfiguration(c -> c.status("Paused"))))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("MalformedXML"));
        assertThatThrownBy(() -> s3.putBucketVersioning(r -> r.bucket(b).mfa("123456 654321")
                .versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED).mfaDelete("Enabled"))))
                .satisfies(e -> assertThat(errorCode(e)).isEqualTo("NotImplemented"));
        assertThat(s3.getBucketVersioning(r -> r.bucket(b)).status()).isNull();
    }
}
