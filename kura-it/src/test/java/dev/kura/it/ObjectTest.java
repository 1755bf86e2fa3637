package dev.kura.it;

import static dev.kura.it.TestData.md5Hex;
import static dev.kura.it.TestData.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class ObjectTest extends KuraTestBase {
    static String bucket;

    @BeforeAll
    static void bucket() {
        bucket = newBucket();
    }



    @Test
    void putGetHeadDeleteRoundTrip() throws Exception {
        byte[] data = random(300_000, 1);
        var put = s3.putObject(r -> r.bucket(bucket).key("round/trip.bin"), RequestBody.fromBytes(data));
        assertThat(put.eTag()).isEqualTo("\"" + md5Hex(data) + "\"");
        ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(r -> r.bucket(bucket).key("round/trip.bin"));
        assertThat(got.asByteArray()).isEqualTo(data);
        assertThat(got.response().eTag()).isEqualTo(put.eTag());
        assertThat(got.response().contentLength()).isEqualTo(data.length);
        var head = s3.headObject(r -> r.bucket(bucket).key("round/trip.bin"));
        assertThat(head.contentLength()).isEqualTo(data.length);
        assertThat(head.lastModified()).isBefore(Instant.now().plusSeconds(2));
        s3.deleteObject(r -> r.bucket(bucket).key("round/trip.bin"));
        assertThatThrownBy(() -> s3.headObject(r -> r.bucket(bucket).key("round/trip.bin")))
                .isInstanceOf(NoSuchKeyException.class);
        assertThatThrownBy(() -> s3.getObjectAsBytes(r -> r.bucket(bucket).key("round/trip.bin")))
                .isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void emptyObject() {
        s3.putObject(r -> r.bucket(bucket).key("empty"), RequestBody.empty());
        var got = s3.getObjectAsBytes(r -> r.bucket(bucket).key("empty"));
        assertThat(got.asByteArray()).isEmpty();
        assertThat(got.response().eTag()).isEqualTo("\"d41d8cd98f00b204e9800998ecf8427e\"");
    }

    @Test
    void overwriteIsVisibleImmediately() {
        for (int i = 0; i < 5; i++) {
            String v = "version-" + i;
            s3.putObject(r -> r.bucket(bucket).key("over"), RequestBody.fromString(v));
            assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("over")).asUtf8String()).isEqualTo(v);
        }
    }

    @Test
    void deleteOfMissingKeySucceeds() {
        var r = s3.deleteObject(d -> d.bucket(bucket).key("never-existed"));
        assertThat(r.sdkHttpResponse().statusCode()).isEqualTo(204);
    }

    @Test
    void storedHeadersAndMetadataComeBack() {
        s3.putObject(r -> r.bucket(bucket).key("meta").contentType("text/plain; charset=utf-8")
                        .contentEncoding("identity").contentDisposition("attachment; filename=\"a.txt\"")
                        .contentLanguage("en").cacheControl("max-age=60").expires(Instant.parse("2030-01-01T00:00:00Z"))
                        .metadata(Map.of("color", "blue", "Mixed-Case", "Value With Spaces")),
                RequestBody.fromString("hello"));
        var h = s3.headObject(r -> r.bucket(bucket).key("meta"));
        assertThat(h.contentType()).isEqualTo("text/plain; charset=utf-8");
        assertThat(h.contentEncoding()).isEqualTo("identity");
        assertThat(h.contentDisposition()).isEqualTo("attachment; filename=\"a.txt\"");
        assertThat(h.contentLanguage()).isEqualTo("en");
        assertThat(h.cacheControl()).isEqualTo("max-age=60");
        assertThat(h.expires()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(h.metadata()).containsEntry("color", "blue").containsEntry("mixed-case", "Value With Spaces");
    }

    @Test
    void nonAsciiMetadataComesBackAsItsUtf8Bytes() throws Exception {
        // boto3 sends UTF-8 bytes and expects them back (ceph/s3-tests checks this against AWS).
        var put = RawHttp.send(RawHttp.signed("PUT", "/" + bucket + "/meta-utf8",
                Map.of("x-amz-meta-greeting", "Hello Worldé", "Content-Length", "1"), new byte[1]), new byte[1]);
        assertThat(put.status()).isEqualTo(200);
        var get = RawHttp.signedGet("/" + bucket + "/meta-utf8");
        assertThat(get.headers()).containsEntry("x-amz-meta-greeting", "Hello Worldé");
    }

    @Test
    void defaultContentTypeIsBinaryOctetStream() throws Exception {
        // SDKs always send a Content-Type; a raw PUT without one gets S3's default.
        var put = RawHttp.send(RawHttp.signed("PUT", "/" + bucket + "/no-type", Map.of("Content-Length", "2"), new byte[2]),
                new byte[2]);
        assertThat(put.status()).isEqualTo(200);
        assertThat(s3.headObject(r -> r.bucket(bucket).key("no-type")).contentType()).isEqualTo("binary/octet-stream");
    }

    @Test
    void responseOverrides() {
        s3.putObject(r -> r.bucket(bucket).key("ovr").contentType("text/plain"), RequestBody.fromString("x"));
        var got = s3.getObjectAsBytes(r -> r.bucket(bucket).key("ovr").responseContentType("application/json")
                .responseContentDisposition("inline").responseCacheControl("no-cache").responseContentLanguage("de")
                .responseContentEncoding("gzip").responseExpires(Instant.parse("2031-01-01T00:00:00Z")));
        assertThat(got.response().contentType()).isEqualTo("application/json");
        assertThat(got.response().contentDisposition()).isEqualTo("inline");
        assertThat(got.response().cacheControl()).isEqualTo("no-cache");
        assertThat(got.response().contentLanguage()).isEqualTo("de");
        assertThat(got.response().contentEncoding()).isEqualTo("gzip");
    }

    @Test
    void ranges() {
        byte[] data = random(100_000, 2);
        s3.putObject(r -> r.bucket(bucket).key("range"), RequestBody.fromBytes(data));
        assertRange("bytes=0-9", data, 0, 10);
        assertRange("bytes=99990-", data, 99_990, 10);
        assertRange("bytes=-5", data, 99_995, 5);
        assertRange("bytes=50000-50000", data, 50_000, 1);
        assertRange("bytes=99000-200000", data, 99_000, 1_000);
        assertRange("bytes=-200000", data, 0, 100_000);
        var got = s3.getObjectAsBytes(r -> r.bucket(bucket).key("range").range("bytes=10-19"));
        assertThat(got.response().contentRange()).isEqualTo("bytes 10-19/100000");
        assertThatThrownBy(() -> s3.getObjectAsBytes(r -> r.bucket(bucket).key("range").range("bytes=100000-")))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(416);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidRange");
                });
        // Unparsable or multi-range headers are ignored, as S3 does: the whole object comes back.
        assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("range").range("bytes=0-1,5-6")).asByteArray()).isEqualTo(data);
        assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("range").range("items=0-1")).asByteArray()).isEqualTo(data);
    }

    private void assertRange(String range, byte[] data, int from, int len) {
        var got = s3.getObjectAsBytes(r -> r.bucket(bucket).key("range").range(range));
        byte[] expected = java.util.Arrays.copyOfRange(data, from, from + len);
        assertThat(got.asByteArray()).as(range).isEqualTo(expected);
    }

    @Test
    void getConditionals() {
        var put = s3.putObject(r -> r.bucket(bucket).key("cond"), RequestBody.fromString("c"));
        String etag = put.eTag();
        Instant modified = s3.headObject(r -> r.bucket(bucket).key("cond")).lastModified();
        assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("cond").ifMatch(etag)).asUtf8String()).isEqualTo("c");
        assertStatus(() -> s3.getObjectAsBytes(r -> r.bucket(bucket).key("cond").ifMatch("\"nope\"")), 412);
        assertStatus(() -> s3.getObjectAsBytes(r -> r.bucket(bucket).key("cond").ifNoneMatch(etag)), 304);
        assertStatus(() -> s3.getObjectAsBytes(r -> r.bucket(bucket).key("cond").ifModifiedSince(modified.plusSeconds(5))), 304);
        assertStatus(() -> s3.getObjectAsBytes(r -> r.bucket(bucket).key("cond").ifUnmodifiedSince(modified.minusSeconds(5))), 412);
        assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("cond").ifModifiedSince(modified.minusSeconds(5))).asUtf8String())
                .isEqualTo("c");
        // If-Match true wins over a false If-Unmodified-Since; If-None-Match false + If-Modified-Since stale = 200.
        assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("cond").ifMatch(etag)
                .ifUnmodifiedSince(modified.minusSeconds(5))).asUtf8String()).isEqualTo("c");
        assertStatus(() -> s3.headObject(r -> r.bucket(bucket).key("cond").ifNoneMatch(etag)), 304);
        // a 304 still names the version
        assertThatThrownBy(() -> s3.getObjectAsBytes(r -> r.bucket(bucket).key("cond").ifNoneMatch(etag)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().sdkHttpResponse()
                        .firstMatchingHeader("ETag")).contains(etag));
    }

    static void assertStatus(Runnable call, int status) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.statusCode()).isEqualTo(status));
    }

    @Test
    void contentMd5Mismatch() {
        String wrong = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> s3.putObject(r -> r.bucket(bucket).key("md5").contentMD5(wrong), RequestBody.fromString("data")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("BadDigest"));
        assertThatThrownBy(() -> s3.headObject(r -> r.bucket(bucket).key("md5"))).isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void contentMd5Match() throws Exception {
        byte[] data = "right".getBytes(StandardCharsets.UTF_8);
        String md5 = Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(data));
        s3.putObject(r -> r.bucket(bucket).key("md5ok").contentMD5(md5), RequestBody.fromBytes(data));
        assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("md5ok")).asByteArray()).isEqualTo(data);
    }

    @Test
    void everyChecksumAlgorithmIsVerifiedStoredAndReturned() {
        byte[] data = random(70_000, 3);
        for (ChecksumAlgorithm a : new ChecksumAlgorithm[] {ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32_C,
                ChecksumAlgorithm.SHA1, ChecksumAlgorithm.SHA256, ChecksumAlgorithm.CRC64_NVME}) {
            String key = "sum-" + a;
            var put = s3.putObject(r -> r.bucket(bucket).key(key).checksumAlgorithm(a), RequestBody.fromBytes(data));
            var head = s3.headObject(r -> r.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED));
            String sent = switch (a) {
                case CRC32 -> put.checksumCRC32();
                case CRC32_C -> put.checksumCRC32C();
                case SHA1 -> put.checksumSHA1();
                case SHA256 -> put.checksumSHA256();
                case CRC64_NVME -> put.checksumCRC64NVME();
                default -> throw new IllegalStateException();
            };
            String stored = switch (a) {
                case CRC32 -> head.checksumCRC32();
                case CRC32_C -> head.checksumCRC32C();
                case SHA1 -> head.checksumSHA1();
                case SHA256 -> head.checksumSHA256();
                case CRC64_NVME -> head.checksumCRC64NVME();
                default -> throw new IllegalStateException();
            };
            assertThat(stored).as(a.toString()).isNotNull().isEqualTo(sent);
            var got = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED));
            assertThat(got.asByteArray()).isEqualTo(data);
        }
    }

    @Test
    void wrongChecksumHeaderIsRejectedAndNothingStored() {
        String wrong = Base64.getEncoder().encodeToString(new byte[4]);
        assertThatThrownBy(() -> s3.putObject(r -> r.bucket(bucket).key("badsum").checksumCRC32(wrong),
                RequestBody.fromString("payload")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        assertThatThrownBy(() -> s3.headObject(r -> r.bucket(bucket).key("badsum"))).isInstanceOf(NoSuchKeyException.class);
    }

    @Test
    void keysAreStoredExactlyAsSent() {
        String[] keys = {"a/./b", "a//b", "a/../b", "caf\u00e9", "cafe\u0301", "sp ace", "plus+sign", "pct%20", "emoji-\uD83D\uDE00",
                "q?mark", "hash#tag", "amp&er", "tilde~", "back\\slash", "  leading", "trailing  "};
        for (String k : keys) {
            s3.putObject(r -> r.bucket(bucket).key("exact/" + k), RequestBody.fromString(k));
        }
        for (String k : keys) {
            assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("exact/" + k)).asUtf8String()).as(k).isEqualTo(k);
        }
        var listed = s3.listObjectsV2(r -> r.bucket(bucket).prefix("exact/")).contents().stream().map(o -> o.key()).toList();
        assertThat(listed).hasSize(keys.length);
    }

    @Test
    void keyLengthLimit() {
        String ok = "k".repeat(1024);
        s3.putObject(r -> r.bucket(bucket).key(ok), RequestBody.fromString("x"));
        assertThat(s3.headObject(r -> r.bucket(bucket).key(ok)).contentLength()).isEqualTo(1);
        String tooLong = "k".repeat(1025);
        assertThatThrownBy(() -> s3.putObject(r -> r.bucket(bucket).key(tooLong), RequestBody.fromString("x")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("KeyTooLongError"));
    }

    @Test
    void userMetadataLimit() {
        assertThatThrownBy(() -> s3.putObject(r -> r.bucket(bucket).key("bigmeta").metadata(Map.of("m", "v".repeat(2100))),
                RequestBody.fromString("x")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("MetadataTooLarge"));
    }

    @Test
    void wrongSecretIsSignatureDoesNotMatch() {
        try (var bad = client(ACCESS_KEY, "wrong-secret-0000000000000000000000000000")) {
            assertThatThrownBy(() -> bad.listBuckets()).isInstanceOfSatisfying(S3Exception.class, e -> {
                assertThat(e.statusCode()).isEqualTo(403);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
            });
        }
        try (var unknown = client("UNKNOWNKEY000000", SECRET_KEY)) {
            assertThatThrownBy(() -> unknown.listBuckets()).isInstanceOfSatisfying(S3Exception.class,
                    e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidAccessKeyId"));
        }
    }

    @Test
    void unsupportedFeaturesAreRefusedNotIgnored() {
        assertThatThrownBy(() -> s3.putObject(r -> r.bucket(bucket).key("sse").serverSideEncryption("aws:kms"),
                RequestBody.fromString("x")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(501));
        assertThatThrownBy(() -> s3.putObject(r -> r.bucket(bucket).key("lock").objectLockLegalHoldStatus("ON"),
                RequestBody.fromString("x")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        assertThatThrownBy(() -> s3.putBucketPolicy(r -> r.bucket(bucket).policy("{}")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("MalformedPolicy"));
    }

    @Test
    void conditionalPutIfNoneMatch() {
        s3.putObject(r -> r.bucket(bucket).key("once").ifNoneMatch("*"), RequestBody.fromString("first"));
        assertStatus(() -> s3.putObject(r -> r.bucket(bucket).key("once").ifNoneMatch("*"), RequestBody.fromString("second")), 412);
        assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("once")).asUtf8String()).isEqualTo("first");
    }
}
