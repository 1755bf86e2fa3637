package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.sync.RequestBody;

class PresignAndAsyncTest extends KuraTestBase {
    static String bucket;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void bucket() {
        bucket = newBucket();
    }

    @Test
    void presignedGetAndPut() throws Exception {
        try (var presigner = presigner()) {
            var put = presigner.presignPutObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .putObjectRequest(r -> r.bucket(bucket).key("presigned")));
            var putResp = HTTP.send(HttpRequest.newBuilder(put.url().toURI()).PUT(HttpRequest.BodyPublishers.ofString("via url")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(putResp.statusCode()).isEqualTo(200);
            var get = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(r -> r.bucket(bucket).key("presigned")));
            var getResp = HTTP.send(HttpRequest.newBuilder(get.url().toURI()).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(getResp.statusCode()).isEqualTo(200);
            assertThat(getResp.body()).isEqualTo("via url");
            // Tampering with the URL breaks the signature.
            URI tampered = URI.create(get.url().toString().replace("presigned", "presigneX"));
            var bad = HTTP.send(HttpRequest.newBuilder(tampered).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(403);
            assertThat(bad.body()).contains("SignatureDoesNotMatch");
        }
    }

    @Test
    void presignedUrlOverAWeekIsRefused() throws Exception {
        s3.putObject(r -> r.bucket(bucket).key("week"), RequestBody.fromString("x"));
        try (var presigner = presigner()) {
            var get = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(r -> r.bucket(bucket).key("week")));
            URI longer = URI.create(get.url().toString().replace("X-Amz-Expires=300", "X-Amz-Expires=604801"));
            var r = HTTP.send(HttpRequest.newBuilder(longer).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isIn(400, 403);
            assertThat(r.body()).contains("AuthorizationQueryParametersError");
        }
    }

    @Test
    void asyncClientStreamsLargeObjects() throws Exception {
        byte[] data = new byte[24 * 1024 * 1024 + 123];
        new Random(7).nextBytes(data);
        try (var async = asyncClient()) {
            var put = async.putObject(r -> r.bucket(bucket).key("async-big"), AsyncRequestBody.fromBytes(data)).join();
            String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
            assertThat(put.eTag()).isEqualTo("\"" + md5 + "\"");
            var got = async.getObject(r -> r.bucket(bucket).key("async-big"), AsyncResponseTransformer.toBytes()).join();
            assertThat(got.asByteArray()).isEqualTo(data);
        }
        byte[] viaSync = s3.getObjectAsBytes(r -> r.bucket(bucket).key("async-big")).asByteArray();
        assertThat(viaSync).isEqualTo(data);
    }

    @Test
    void concurrentConditionalCreatesHaveOneWinner() throws Exception {
        int n = 16;
        var results = new java.util.concurrent.ConcurrentLinkedQueue<Integer>();
        try (var async = asyncClient()) {
            var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<?>>();
            for (int i = 0; i < n; i++) {
                String body = "writer-" + i;
                futures.add(async.putObject(r -> r.bucket(bucket).key("race").ifNoneMatch("*"), AsyncRequestBody.fromString(body))
                        .handle((ok, err) -> {
                            results.add(err == null ? 200 : ((software.amazon.awssdk.services.s3.model.S3Exception) err.getCause()).statusCode());
                            return null;
                        }));
            }
            futures.forEach(java.util.concurrent.CompletableFuture::join);
        }
        assertThat(results).hasSize(n);
        assertThat(results.stream().filter(s -> s == 200)).hasSize(1);
        assertThat(results.stream().filter(s -> s != 200)).allMatch(s -> s == 412 || s == 409);
    }
}
