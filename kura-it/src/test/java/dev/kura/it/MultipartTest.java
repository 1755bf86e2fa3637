package dev.kura.it;

import static dev.kura.it.TestData.md5Hex;
import static dev.kura.it.TestData.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectAttributes;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.transfer.s3.S3TransferManager;

class MultipartTest extends KuraTestBase {
    static final int MIB = 1024 * 1024;
    static String bucket;

    @BeforeAll
    static void bucket() {
        bucket = newBucket();
    }



    /** Uploads parts by hand; returns the completed parts. */
    static List<CompletedPart> upload(String key, String uploadId, byte[]... parts) {
        List<CompletedPart> done = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            int n = i + 1;
            var r = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(n), RequestBody.fromBytes(parts[i]));
            done.add(CompletedPart.builder().partNumber(n).eTag(r.eTag()).build());
        }
        return done;
    }

    @Test
    void manualMultipartRoundTripWithS3ETag() throws Exception {
        byte[] p1 = random(5 * MIB, 1);
        byte[] p2 = random(5 * MIB, 2);
        byte[] p3 = random(123_456, 3);
        String id = s3.createMultipartUpload(b -> b.bucket(bucket).key("mp/a").contentType("video/mp4")
                .metadata(java.util.Map.of("k", "v"))).uploadId();
        List<CompletedPart> parts = upload("mp/a", id, p1, p2, p3);
        var listed = s3.listParts(b -> b.bucket(bucket).key("mp/a").uploadId(id));
        assertThat(listed.parts()).extracting(p -> p.partNumber()).containsExactly(1, 2, 3);
        assertThat(listed.parts().get(2).size()).isEqualTo(123_456L);
        var done = s3.completeMultipartUpload(b -> b.bucket(bucket).key("mp/a").uploadId(id)
                .multipartUpload(m -> m.parts(parts)));
        MessageDigest md = MessageDigest.getInstance("MD5");
        for (byte[] p : new byte[][] {p1, p2, p3}) {
            md.update(MessageDigest.getInstance("MD5").digest(p));
        }
        String expected = "\"" + HexFormat.of().formatHex(md.digest()) + "-3\"";
        assertThat(done.eTag()).isEqualTo(expected);
        var got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("mp/a"));
        assertThat(md5Hex(got.asByteArray())).isEqualTo(md5Hex(p1, p2, p3));
        assertThat(got.response().eTag()).isEqualTo(expected);
        assertThat(got.response().contentType()).isEqualTo("video/mp4");
        assertThat(got.response().metadata()).containsEntry("k", "v");
        // ranges across part boundaries
        var cross = s3.getObjectAsBytes(b -> b.bucket(bucket).key("mp/a").range("bytes=" + (5 * MIB - 10) + "-" + (5 * MIB + 9)));
        assertThat(cross.asByteArray()).isEqualTo(concat(Arrays.copyOfRange(p1, 5 * MIB - 10, 5 * MIB), Arrays.copyOfRange(p2, 0, 10)));
        // partNumber GETs
        var part2 = s3.getObjectAsBytes(b -> b.bucket(bucket).key("mp/a").partNumber(2));
        assertThat(part2.asByteArray()).isEqualTo(p2);
        assertThat(part2.response().partsCount()).isEqualTo(3);
        assertError(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("mp/a").partNumber(4)), "InvalidPart");
        // attributes
        var attrs = s3.getObjectAttributes(b -> b.bucket(bucket).key("mp/a")
                .objectAttributes(ObjectAttributes.E_TAG, ObjectAttributes.OBJECT_PARTS, ObjectAttributes.OBJECT_SIZE));
        assertThat(attrs.objectSize()).isEqualTo(10L * MIB + 123_456);
        assertThat(attrs.objectParts().totalPartsCount()).isEqualTo(3);
        // a retried Complete succeeds
        var again = s3.completeMultipartUpload(b -> b.bucket(bucket).key("mp/a").uploadId(id).multipartUpload(m -> m.parts(parts)));
        assertThat(again.eTag()).isEqualTo(expected);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void errorsAsS3AnswersThem() {
        String id = s3.createMultipartUpload(b -> b.bucket(bucket).key("mp/err")).uploadId();
        List<CompletedPart> parts = upload("mp/err", id, random(1000, 4), random(1000, 5));
        // a part below 5 MiB that is not the last
        assertError(() -> s3.completeMultipartUpload(b -> b.bucket(bucket).key("mp/err").uploadId(id)
                .multipartUpload(m -> m.parts(parts))), "EntityTooSmall");
        // wrong ETag
        assertError(() -> s3.completeMultipartUpload(b -> b.bucket(bucket).key("mp/err").uploadId(id)
                .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag("\"00000000000000000000000000000000\"").build()))),
                "InvalidPart");
        // out of order
        assertError(() -> s3.completeMultipartUpload(b -> b.bucket(bucket).key("mp/err").uploadId(id)
                .multipartUpload(m -> m.parts(parts.get(1), parts.get(0)))), "InvalidPartOrder");
        // bad part numbers
        assertError(() -> s3.uploadPart(b -> b.bucket(bucket).key("mp/err").uploadId(id).partNumber(10001),
                RequestBody.fromString("x")), "InvalidArgument");
        // unknown upload
        assertThatThrownBy(() -> s3.uploadPart(b -> b.bucket(bucket).key("mp/err").uploadId("0000000000000000ffffffffffffffff")
                .partNumber(1), RequestBody.fromString("x"))).isInstanceOf(NoSuchUploadException.class);
        assertThatThrownBy(() -> s3.listParts(b -> b.bucket(bucket).key("mp/err").uploadId("nope")))
                .isInstanceOf(NoSuchUploadException.class);
        // abort, then everything about it is gone
        s3.abortMultipartUpload(b -> b.bucket(bucket).key("mp/err").uploadId(id));
        assertThatThrownBy(() -> s3.abortMultipartUpload(b -> b.bucket(bucket).key("mp/err").uploadId(id)))
                .isInstanceOf(NoSuchUploadException.class);
        assertThatThrownBy(() -> s3.completeMultipartUpload(b -> b.bucket(bucket).key("mp/err").uploadId(id)
                .multipartUpload(m -> m.parts(parts)))).isInstanceOf(NoSuchUploadException.class);
    }

    static void assertError(Runnable r, String code) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo(code));
    }

    @Test
    void reuploadedPartReplacesAndUnlistedPartsAreDropped() throws Exception {
        String id = s3.createMultipartUpload(b -> b.bucket(bucket).key("mp/re")).uploadId();
        upload("mp/re", id, random(5 * MIB, 6), random(100, 7), random(100, 8));
        byte[] newLast = random(200, 9);
        var r = s3.uploadPart(b -> b.bucket(bucket).key("mp/re").uploadId(id).partNumber(2), RequestBody.fromBytes(newLast));
        String firstEtag = s3.listParts(b -> b.bucket(bucket).key("mp/re").uploadId(id)).parts().get(0).eTag();
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("mp/re").uploadId(id).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(firstEtag).build(),
                CompletedPart.builder().partNumber(2).eTag(r.eTag()).build())));
        byte[] got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("mp/re")).asByteArray();
        assertThat(md5Hex(got)).isEqualTo(md5Hex(random(5 * MIB, 6), newLast));
    }

    @Test
    void listMultipartUploadsPaginates() {
        String b2 = newBucket();
        List<String> ids = new ArrayList<>();
        for (String key : new String[] {"x/1", "x/2", "y", "y", "z"}) {
            ids.add(s3.createMultipartUpload(b -> b.bucket(b2).key(key)).uploadId());
        }
        var all = s3.listMultipartUploads(b -> b.bucket(b2));
        assertThat(all.uploads()).extracting(MultipartUpload::key).containsExactly("x/1", "x/2", "y", "y", "z");
        var paged = s3.listMultipartUploadsPaginator(b -> b.bucket(b2).maxUploads(2)).uploads().stream().map(MultipartUpload::uploadId).toList();
        assertThat(paged).containsExactlyInAnyOrderElementsOf(ids);
        var rolled = s3.listMultipartUploads(b -> b.bucket(b2).delimiter("/"));
        assertThat(rolled.commonPrefixes()).extracting(p -> p.prefix()).containsExactly("x/");
        // deleting the bucket aborts its uploads (uploads do not keep a bucket alive)
        s3.deleteBucket(b -> b.bucket(b2));
    }

    @Test
    void compositeAndFullObjectChecksums() throws Exception {
        byte[] p1 = random(5 * MIB, 10);
        byte[] p2 = random(1000, 11);
        for (var type : new ChecksumType[] {ChecksumType.COMPOSITE, ChecksumType.FULL_OBJECT}) {
            String key = "mp/sum-" + type;
            String id = s3.createMultipartUpload(b -> b.bucket(bucket).key(key).checksumAlgorithm(ChecksumAlgorithm.CRC32)
                    .checksumType(type)).uploadId();
            List<CompletedPart> parts = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int n = i + 1;
                byte[] data = i == 0 ? p1 : p2;
                var r = s3.uploadPart(b -> b.bucket(bucket).key(key).uploadId(id).partNumber(n)
                        .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(data));
                parts.add(CompletedPart.builder().partNumber(n).eTag(r.eTag()).checksumCRC32(r.checksumCRC32()).build());
            }
            var done = s3.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(id).multipartUpload(m -> m.parts(parts)));
            java.util.zip.CRC32 whole = new java.util.zip.CRC32();
            whole.update(p1);
            whole.update(p2);
            String wholeB64 = java.util.Base64.getEncoder().encodeToString(java.nio.ByteBuffer.allocate(4).putInt((int) whole.getValue()).array());
            if (type == ChecksumType.FULL_OBJECT) {
                assertThat(done.checksumCRC32()).isEqualTo(wholeB64);
            } else {
                assertThat(done.checksumCRC32()).endsWith("-2");
            }
            var head = s3.headObject(b -> b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED));
            assertThat(head.checksumCRC32()).isEqualTo(done.checksumCRC32());
        }
    }

    @Test
    void asyncClientMultipartAndTransferManager(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        byte[] data = random(17 * MIB + 5, 12);
        try (S3AsyncClient async = S3AsyncClient.builder().endpointOverride(endpoint)
                .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                .credentialsProvider(software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .forcePathStyle(true).multipartEnabled(true)
                .multipartConfiguration(c -> c.minimumPartSizeInBytes(5L * MIB).thresholdInBytes(8L * MIB)).build()) {
            // The async multipart client sends x-amz-mp-object-size on Complete.
            async.putObject(b -> b.bucket(bucket).key("mp/async"), AsyncRequestBody.fromBytes(data)).join();
            var got = async.getObject(b -> b.bucket(bucket).key("mp/async"), AsyncResponseTransformer.toBytes()).join();
            assertThat(md5Hex(got.asByteArray())).isEqualTo(md5Hex(data));
            assertThat(got.response().eTag()).endsWith("-4\"");
            try (S3TransferManager tm = S3TransferManager.builder().s3Client(async).build()) {
                Path src = tmp.resolve("in.bin");
                Files.write(src, data);
                tm.uploadFile(u -> u.source(src).putObjectRequest(p -> p.bucket(bucket).key("mp/tm"))).completionFuture().join();
                Path dst = tmp.resolve("out.bin");
                tm.downloadFile(d -> d.destination(dst).getObjectRequest(g -> g.bucket(bucket).key("mp/tm"))).completionFuture().join();
                assertThat(md5Hex(Files.readAllBytes(dst))).isEqualTo(md5Hex(data));
            }
        }
    }

    @Test
    void uploadPartCopyWithRanges() throws Exception {
        byte[] src = random(6 * MIB, 13);
        s3.putObject(b -> b.bucket(bucket).key("mp/src"), RequestBody.fromBytes(src));
        String id = s3.createMultipartUpload(b -> b.bucket(bucket).key("mp/copied")).uploadId();
        var c1 = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("mp/src").destinationBucket(bucket)
                .destinationKey("mp/copied").uploadId(id).partNumber(1).copySourceRange("bytes=0-" + (5 * MIB - 1)));
        var c2 = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("mp/src").destinationBucket(bucket)
                .destinationKey("mp/copied").uploadId(id).partNumber(2).copySourceRange("bytes=" + 5 * MIB + "-" + (6 * MIB - 1)));
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("mp/copied").uploadId(id).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(c1.copyPartResult().eTag()).build(),
                CompletedPart.builder().partNumber(2).eTag(c2.copyPartResult().eTag()).build())));
        assertThat(md5Hex(s3.getObjectAsBytes(b -> b.bucket(bucket).key("mp/copied")).asByteArray())).isEqualTo(md5Hex(src));
        assertThatThrownBy(() -> s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("mp/src").destinationBucket(bucket)
                .destinationKey("mp/copied").uploadId(id).partNumber(1).copySourceRange("bytes=0-" + (7 * MIB))))
                .isInstanceOf(S3Exception.class);
    }

    @Test
    void conditionalComplete() {
        s3.putObject(b -> b.bucket(bucket).key("mp/cond"), RequestBody.fromString("exists"));
        String id = s3.createMultipartUpload(b -> b.bucket(bucket).key("mp/cond")).uploadId();
        List<CompletedPart> parts = upload("mp/cond", id, random(100, 14));
        assertThatThrownBy(() -> s3.completeMultipartUpload(b -> b.bucket(bucket).key("mp/cond").uploadId(id).ifNoneMatch("*")
                .multipartUpload(m -> m.parts(parts))))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(412));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("mp/cond")).asUtf8String()).isEqualTo("exists");
    }
}
