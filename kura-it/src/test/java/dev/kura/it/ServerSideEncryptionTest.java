package dev.kura.it;

import static dev.kura.testing.Bytes.indexOf;
import static dev.kura.it.TestData.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CopyObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectAttributes;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/** SSE-C and SSE-S3 through the AWS SDK for Java v2 (docs/encryption.md). */
class ServerSideEncryptionTest extends KuraTestBase {
    static final int CHUNK = 64 * 1024;
    static final byte[] KEY_A = random(32, 1);
    static final byte[] KEY_B = random(32, 2);

    static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static String md5(byte[] b) {
        try {
            return b64(MessageDigest.getInstance("MD5").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The three SSE-C headers for {@code key}, on any request builder that has them. */
    static Consumer<PutObjectRequest.Builder> sseC(byte[] key) {
        return b -> {
            try {
                b.sseCustomerAlgorithm("AES256").sseCustomerKey(b64(key)).sseCustomerKeyMD5(md5(key));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
    }

    static GetObjectRequest.Builder getC(GetObjectRequest.Builder b, byte[] key) throws Exception {
        return b.sseCustomerAlgorithm("AES256").sseCustomerKey(b64(key)).sseCustomerKeyMD5(md5(key));
    }

    PutObjectResponse put(String bucket, String key, byte[] data, Consumer<PutObjectRequest.Builder> extra) {
        return s3.putObject(b -> {
            b.bucket(bucket).key(key);
            extra.accept(b);
        }, RequestBody.fromBytes(data));
    }

    ResponseBytes<GetObjectResponse> getC(String bucket, String key, byte[] sseKey, String range) throws Exception {
        GetObjectRequest.Builder b = getC(GetObjectRequest.builder().bucket(bucket).key(key), sseKey);
        if (range != null) {
            b.range(range);
        }
        return s3.getObjectAsBytes(b.build());
    }

    static int status(Throwable e) {
        return ((S3Exception) e).statusCode();
    }

    @Test
    void sseCRoundTripsOfEverySizeWithRangesAcrossChunks() throws Exception {
        String bucket = newBucket();
        for (int n : new int[] {0, 1, 1000, 3 * CHUNK + 17}) {
            byte[] data = random(n, n);
            PutObjectResponse put = put(bucket, "c" + n, data, sseC(KEY_A));
            assertThat(put.sseCustomerAlgorithm()).isEqualTo("AES256");
            assertThat(put.sseCustomerKeyMD5()).isEqualTo(md5(KEY_A));
            ResponseBytes<GetObjectResponse> got = getC(bucket, "c" + n, KEY_A, null);
            assertThat(got.asByteArray()).isEqualTo(data);
            assertThat(got.response().sseCustomerKeyMD5()).isEqualTo(md5(KEY_A));
            assertThat(got.response().contentLength()).isEqualTo(n);
            HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key("c" + n).sseCustomerAlgorithm("AES256")
                    .sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A)));
            assertThat(head.contentLength()).isEqualTo(n);
            assertThat(head.eTag()).isEqualTo(put.eTag());
        }
        byte[] data = random(3 * CHUNK + 17, 3 * CHUNK + 17);
        for (int[] r : new int[][] {{CHUNK - 10, CHUNK + 10}, {0, 0}, {2 * CHUNK, 3 * CHUNK + 16}, {CHUNK + 5, 2 * CHUNK + 5}}) {
            assertThat(getC(bucket, "c" + data.length, KEY_A, "bytes=" + r[0] + "-" + r[1]).asByteArray())
                    .isEqualTo(Arrays.copyOfRange(data, r[0], r[1] + 1));
        }
    }

    @Test
    void sseCKeysAreRequiredAndChecked() throws Exception {
        String bucket = newBucket();
        put(bucket, "c", random(100, 1), sseC(KEY_A));
        put(bucket, "plain", random(100, 1), b -> { });
        assertThatThrownBy(() -> s3.getObjectAsBytes(b -> b.bucket(bucket).key("c")))
                .satisfies(e -> assertThat(status(e)).isEqualTo(400));
        assertThatThrownBy(() -> s3.headObject(b -> b.bucket(bucket).key("c")))
                .satisfies(e -> assertThat(status(e)).isEqualTo(400));
        assertThatThrownBy(() -> getC(bucket, "c", KEY_B, null)).satisfies(e -> assertThat(status(e)).isEqualTo(400));
        assertThatThrownBy(() -> getC(bucket, "plain", KEY_A, null)).satisfies(e -> assertThat(status(e)).isEqualTo(400));
        // bad MD5, no MD5, no key, key without algorithm, short key
        for (Consumer<PutObjectRequest.Builder> bad : List.<Consumer<PutObjectRequest.Builder>>of(
                b -> b.sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(b64(new byte[16])),
                b -> b.sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_A)),
                b -> b.sseCustomerAlgorithm("AES256"),
                b -> b.overrideConfiguration(o -> o.putHeader("x-amz-server-side-encryption-customer-key", b64(KEY_A))
                        .putHeader("x-amz-server-side-encryption-customer-key-MD5", md5Unchecked(KEY_A))),
                b -> b.overrideConfiguration(o -> o.putHeader("x-amz-server-side-encryption-customer-algorithm", "AES256")
                        .putHeader("x-amz-server-side-encryption-customer-key", b64(new byte[16]))
                        .putHeader("x-amz-server-side-encryption-customer-key-MD5", md5Unchecked(new byte[16]))))) {
            assertThatThrownBy(() -> put(bucket, "bad", random(10, 1), bad)).isInstanceOf(S3Exception.class)
                    .satisfies(e -> assertThat(status(e)).isEqualTo(400))
                    .satisfies(e -> assertThat(((S3Exception) e).awsErrorDetails().errorCode()).isEqualTo("InvalidArgument"));
        }
        var attrs = s3.getObjectAttributes(b -> b.bucket(bucket).key("c").objectAttributes(ObjectAttributes.OBJECT_SIZE)
                .sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5Unchecked(KEY_A)));
        assertThat(attrs.objectSize()).isEqualTo(100);
        assertThatThrownBy(() -> s3.getObjectAttributes(b -> b.bucket(bucket).key("c")
                .objectAttributes(ObjectAttributes.OBJECT_SIZE))).satisfies(e -> assertThat(status(e)).isEqualTo(400));
    }

    static String md5Unchecked(byte[] b) {
        try {
            return md5(b);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void sseS3IsEchoedAndRoundTrips() {
        String bucket = newBucket();
        byte[] data = random(2 * CHUNK + 3, 7);
        PutObjectResponse put = put(bucket, "s3", data, b -> b.serverSideEncryption(ServerSideEncryption.AES256));
        assertThat(put.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(b -> b.bucket(bucket).key("s3"));
        assertThat(got.asByteArray()).isEqualTo(data);
        assertThat(got.response().serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
        assertThat(s3.headObject(b -> b.bucket(bucket).key("s3")).serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("s3").range("bytes=" + (CHUNK - 1) + "-" + (CHUNK + 1)))
                .asByteArray()).isEqualTo(Arrays.copyOfRange(data, CHUNK - 1, CHUNK + 2));
        assertThat(put(bucket, "plain", data, b -> { }).serverSideEncryption()).isNull();
    }

    @Test
    void kmsIsNotImplemented() {
        String bucket = newBucket();
        assertThatThrownBy(() -> put(bucket, "k", random(10, 1), b -> b.serverSideEncryption(ServerSideEncryption.AWS_KMS)))
                .satisfies(e -> assertThat(status(e)).isEqualTo(501))
                .satisfies(e -> assertThat(((S3Exception) e).awsErrorDetails().errorCode()).isEqualTo("NotImplemented"));
        assertThatThrownBy(() -> put(bucket, "k", random(10, 1), b -> b.serverSideEncryption(ServerSideEncryption.AWS_KMS)
                .ssekmsKeyId("some-key"))).satisfies(e -> assertThat(status(e)).isEqualTo(501));
        // a KMS key id without aws:kms contradicts itself: S3's 400, whatever Kura supports
        assertThatThrownBy(() -> put(bucket, "k", random(10, 1), b -> b.serverSideEncryption(ServerSideEncryption.AES256)
                .ssekmsKeyId("some-key"))).satisfies(e -> assertThat(status(e)).isEqualTo(400));
        assertThatThrownBy(() -> s3.createMultipartUpload(b -> b.bucket(bucket).key("k")
                .serverSideEncryption(ServerSideEncryption.AWS_KMS_DSSE))).satisfies(e -> assertThat(status(e)).isEqualTo(501));
    }

    @Test
    void multipartSseCEveryPartCarriesTheKeyAndReadsCrossParts() throws Exception {
        String bucket = newBucket();
        String id = s3.createMultipartUpload(b -> b.bucket(bucket).key("mp").sseCustomerAlgorithm("AES256")
                .sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A))).uploadId();
        int size = 5 * 1024 * 1024 + 3;
        byte[] p1 = random(size, 11);
        byte[] p2 = random(CHUNK + 9, 12);
        assertThatThrownBy(() -> s3.uploadPart(b -> b.bucket(bucket).key("mp").uploadId(id).partNumber(1),
                RequestBody.fromBytes(p1))).satisfies(e -> assertThat(status(e)).isEqualTo(400));
        assertThatThrownBy(() -> s3.uploadPart(b -> b.bucket(bucket).key("mp").uploadId(id).partNumber(1)
                .sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_B)).sseCustomerKeyMD5(md5Unchecked(KEY_B)),
                RequestBody.fromBytes(p1))).satisfies(e -> assertThat(status(e)).isEqualTo(400));
        List<CompletedPart> parts = new ArrayList<>();
        int n = 1;
        for (byte[] p : List.of(p1, p2)) {
            int number = n++;
            var r = s3.uploadPart(b -> b.bucket(bucket).key("mp").uploadId(id).partNumber(number)
                    .sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5Unchecked(KEY_A)),
                    RequestBody.fromBytes(p));
            assertThat(r.sseCustomerKeyMD5()).isEqualTo(md5(KEY_A));
            parts.add(CompletedPart.builder().partNumber(number).eTag(r.eTag()).build());
        }
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("mp").uploadId(id).multipartUpload(m -> m.parts(parts))
                .sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_A)).sseCustomerKeyMD5(md5(KEY_A)));
        byte[] all = new byte[p1.length + p2.length];
        System.arraycopy(p1, 0, all, 0, p1.length);
        System.arraycopy(p2, 0, all, p1.length, p2.length);
        assertThat(getC(bucket, "mp", KEY_A, null).asByteArray()).isEqualTo(all);
        int from = size - CHUNK - 5;
        assertThat(getC(bucket, "mp", KEY_A, "bytes=" + from + "-" + (size + 20)).asByteArray())
                .isEqualTo(Arrays.copyOfRange(all, from, size + 21));
        var part2 = s3.getObjectAsBytes(getC(GetObjectRequest.builder().bucket(bucket).key("mp").partNumber(2), KEY_A).build());
        assertThat(part2.asByteArray()).isEqualTo(p2);
        assertThatThrownBy(() -> getC(bucket, "mp", KEY_B, null)).satisfies(e -> assertThat(status(e)).isEqualTo(400));
    }

    @Test
    void copiesBetweenEveryKind() throws Exception {
        String bucket = newBucket();
        byte[] data = random(CHUNK * 2 + 1, 21);
        List<String> kinds = List.of("plain", "s3", "c");
        for (String from : kinds) {
            put(bucket, "src-" + from, data, from.equals("s3") ? b -> b.serverSideEncryption(ServerSideEncryption.AES256)
                    : from.equals("c") ? sseC(KEY_A) : b -> { });
            for (String to : kinds) {
                String dest = "copy-" + from + "-" + to;
                CopyObjectRequest.Builder c = CopyObjectRequest.builder().sourceBucket(bucket).sourceKey("src-" + from)
                        .destinationBucket(bucket).destinationKey(dest);
                if (from.equals("c")) {
                    c.copySourceSSECustomerAlgorithm("AES256").copySourceSSECustomerKey(b64(KEY_A))
                            .copySourceSSECustomerKeyMD5(md5(KEY_A));
                }
                if (to.equals("s3")) {
                    c.serverSideEncryption(ServerSideEncryption.AES256);
                } else if (to.equals("c")) {
                    c.sseCustomerAlgorithm("AES256").sseCustomerKey(b64(KEY_B)).sseCustomerKeyMD5(md5(KEY_B));
                }
                var r = s3.copyObject(c.build());
                if (to.equals("s3")) {
                    assertThat(r.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
                }
                if (to.equals("c")) {
                    assertThat(r.sseCustomerKeyMD5()).isEqualTo(md5(KEY_B));
                    assertThat(getC(bucket, dest, KEY_B, null).asByteArray()).isEqualTo(data);
                } else {
                    assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(dest)).asByteArray()).as(dest).isEqualTo(data);
                }
            }
        }
        assertThatThrownBy(() -> s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("src-c").destinationBucket(bucket)
                .destinationKey("nokey"))).satisfies(e -> assertThat(status(e)).isEqualTo(400));
        // UploadPartCopy: an SSE-C source into an SSE-S3 upload
        String id = s3.createMultipartUpload(b -> b.bucket(bucket).key("pc").serverSideEncryption(ServerSideEncryption.AES256))
                .uploadId();
        var part = s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey("src-c").destinationBucket(bucket)
                .destinationKey("pc").uploadId(id).partNumber(1).copySourceSSECustomerAlgorithm("AES256")
                .copySourceSSECustomerKey(b64(KEY_A)).copySourceSSECustomerKeyMD5(md5Unchecked(KEY_A)));
        assertThat(part.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
        s3.completeMultipartUpload(b -> b.bucket(bucket).key("pc").uploadId(id).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(part.copyPartResult().eTag()).build())));
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("pc")).asByteArray()).isEqualTo(data);
    }

    @Test
    void bucketDefaultEncryptionAppliesToWritesWithoutTheirOwn() throws Exception {
        String bucket = newBucket();
        assertThatThrownBy(() -> s3.getBucketEncryption(b -> b.bucket(bucket))).satisfies(e -> {
            assertThat(status(e)).isEqualTo(404);
            assertThat(((S3Exception) e).awsErrorDetails().errorCode()).isEqualTo("ServerSideEncryptionConfigurationNotFoundError");
        });
        assertThatThrownBy(() -> s3.putBucketEncryption(b -> b.bucket(bucket).serverSideEncryptionConfiguration(c -> c.rules(
                r -> r.applyServerSideEncryptionByDefault(d -> d.sseAlgorithm(ServerSideEncryption.AWS_KMS).kmsMasterKeyID("k"))))))
                .satisfies(e -> assertThat(status(e)).isEqualTo(501));
        s3.putBucketEncryption(b -> b.bucket(bucket).serverSideEncryptionConfiguration(c -> c.rules(
                r -> r.applyServerSideEncryptionByDefault(d -> d.sseAlgorithm(ServerSideEncryption.AES256)))));
        assertThat(s3.getBucketEncryption(b -> b.bucket(bucket)).serverSideEncryptionConfiguration().rules().getFirst()
                .applyServerSideEncryptionByDefault().sseAlgorithm()).isEqualTo(ServerSideEncryption.AES256);
        byte[] data = random(CHUNK + 1, 31);
        assertThat(put(bucket, "default", data, b -> { }).serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
        assertThat(s3.headObject(b -> b.bucket(bucket).key("default")).serverSideEncryption())
                .isEqualTo(ServerSideEncryption.AES256);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("default")).asByteArray()).isEqualTo(data);
        // a request's own SSE-C wins over the default
        PutObjectResponse own = put(bucket, "own", data, sseC(KEY_A));
        assertThat(own.serverSideEncryption()).isNull();
        assertThat(own.sseCustomerKeyMD5()).isEqualTo(md5(KEY_A));
        // copies and multipart uploads get the default too
        assertThat(s3.copyObject(b -> b.sourceBucket(bucket).sourceKey("default").destinationBucket(bucket)
                .destinationKey("copied")).serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
        var mpu = s3.createMultipartUpload(b -> b.bucket(bucket).key("mp"));
        assertThat(mpu.serverSideEncryption()).isEqualTo(ServerSideEncryption.AES256);
        s3.deleteBucketEncryption(b -> b.bucket(bucket));
        assertThatThrownBy(() -> s3.getBucketEncryption(b -> b.bucket(bucket))).satisfies(e -> assertThat(status(e)).isEqualTo(404));
        assertThat(put(bucket, "after", data, b -> { }).serverSideEncryption()).isNull();
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("default")).asByteArray()).isEqualTo(data);
    }

    @Test
    void nothingOnDiskIsThePlainText() throws Exception {
        String bucket = newBucket();
        byte[] marker = "KURA-PLAINTEXT-MARKER-6c1f0e".getBytes(StandardCharsets.US_ASCII);
        byte[] big = new byte[300 * 1024];
        for (int i = 0; i + marker.length <= big.length; i += marker.length) {
            System.arraycopy(marker, 0, big, i, marker.length);
        }
        byte[] small = Arrays.copyOf(big, 1000);
        put(bucket, "big-s3", big, b -> b.serverSideEncryption(ServerSideEncryption.AES256));
        put(bucket, "small-s3", small, b -> b.serverSideEncryption(ServerSideEncryption.AES256)); // inline in the index
        put(bucket, "big-c", big, sseC(KEY_A));
        put(bucket, "small-c", small, sseC(KEY_A));
        List<Path> files;
        try (Stream<Path> s = Files.walk(dataDir)) {
            files = s.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            byte[] content = Files.readAllBytes(f);
            assertThat(indexOf(content, marker)).as("%s holds the plain text", f).isEqualTo(-1);
            assertThat(indexOf(content, KEY_A)).as("%s holds the customer key", f).isEqualTo(-1);
        }
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("big-s3")).asByteArray()).isEqualTo(big);
    }
}
