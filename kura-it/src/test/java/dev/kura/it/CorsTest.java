package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CORSRule;

/** CORS: the configuration through the SDK, preflights and Origin headers over raw HTTP. */
class CorsTest extends KuraTestBase {
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static String bucket;

    /** The rules of ceph/s3-tests' test_cors_origin_response. */
    @BeforeAll
    static void bucket() {
        bucket = newBucket();
        s3.putBucketCors(b -> b.bucket(bucket).corsConfiguration(c -> c.corsRules(
                CORSRule.builder().allowedMethods("GET").allowedOrigins("*suffix").build(),
                CORSRule.builder().allowedMethods("GET").allowedOrigins("start*end").build(),
                CORSRule.builder().allowedMethods("GET").allowedOrigins("prefix*").build(),
                CORSRule.builder().allowedMethods("PUT").allowedOrigins("*.put").build())));
        s3.putObject(b -> b.bucket(bucket).key("obj"), RequestBody.fromString("cors body"));
    }

    @Test
    void putGetDeleteThroughTheSdk() {
        String b2 = newBucket();
        CopyAndTaggingTest.assertError(() -> s3.getBucketCors(b -> b.bucket(b2)), 404, "NoSuchCORSConfiguration");
        s3.putBucketCors(b -> b.bucket(b2).corsConfiguration(c -> c.corsRules(CORSRule.builder().id("web")
                .allowedMethods("GET", "PUT").allowedOrigins("https://*.example.com").allowedHeaders("*")
                .exposeHeaders("ETag", "x-amz-meta-a").maxAgeSeconds(600).build())));
        var got = s3.getBucketCors(b -> b.bucket(b2)).corsRules();
        assertThat(got).hasSize(1);
        assertThat(got.getFirst().id()).isEqualTo("web");
        assertThat(got.getFirst().allowedMethods()).containsExactly("GET", "PUT");
        assertThat(got.getFirst().allowedOrigins()).containsExactly("https://*.example.com");
        assertThat(got.getFirst().allowedHeaders()).containsExactly("*");
        assertThat(got.getFirst().exposeHeaders()).containsExactly("ETag", "x-amz-meta-a");
        assertThat(got.getFirst().maxAgeSeconds()).isEqualTo(600);
        CopyAndTaggingTest.assertError(() -> s3.putBucketCors(b -> b.bucket(b2).corsConfiguration(c -> c.corsRules(
                CORSRule.builder().allowedMethods("PATCH").allowedOrigins("*").build()))), 400, "InvalidRequest");
        CopyAndTaggingTest.assertError(() -> s3.putBucketCors(b -> b.bucket(b2).corsConfiguration(c -> c.corsRules(
                CORSRule.builder().allowedMethods("GET").allowedOrigins("*a*").build()))), 400, "InvalidRequest");
        s3.deleteBucketCors(b -> b.bucket(b2));
        CopyAndTaggingTest.assertError(() -> s3.getBucketCors(b -> b.bucket(b2)), 404, "NoSuchCORSConfiguration");
        CopyAndTaggingTest.assertError(() -> s3.getBucketCors(b -> b.bucket("no-such-bucket-cors")), 404, "NoSuchBucket");
    }

    @ParameterizedTest(name = "OPTIONS {0} Origin={1} method={2} -> {3}")
    @CsvSource({
            "obj, foo.suffix, GET, 200, foo.suffix",
            "'', foo.bar, GET, 403, ''",
            "'', foo.suffix.get, GET, 403, ''",
            "'', startend, GET, 200, startend",
            "'', start12end, GET, 200, start12end",
            "'', 0start12end, GET, 403, ''",
            "'', prefix.suffix, GET, 200, prefix.suffix",
            "'', bla.prefix, GET, 403, ''",
            "'', foo.put, GET, 403, ''",
            "'', foo.put, PUT, 200, foo.put",
            "'', foo.suffix, '', 400, ''",
            "'', '', GET, 400, ''"})
    void preflightAsS3Tests(String key, String origin, String method, int status, String allowOrigin) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(endpoint + "/" + bucket + (key.isEmpty() ? "" : "/" + key)))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody());
        if (!origin.isEmpty()) {
            b.header("Origin", origin);
        }
        if (!method.isEmpty()) {
            b.header("Access-Control-Request-Method", method);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin").orElse("")).isEqualTo(allowOrigin);
        if (status == 200) {
            assertThat(r.headers().firstValue("Access-Control-Allow-Methods")).hasValue(method);
            assertThat(r.headers().firstValue("Vary").orElse("")).contains("Origin");
        }
        if (status == 403) {
            assertThat(r.body()).contains("<Code>AccessForbidden</Code>", "CORSResponse");
        }
    }

    @Test
    void preflightChecksRequestedHeadersAndIgnoresPresignedQuery() throws Exception {
        String b2 = newBucket();
        s3.putBucketCors(b -> b.bucket(b2).corsConfiguration(c -> c.corsRules(CORSRule.builder().allowedMethods("GET", "PUT")
                .allowedOrigins("*").allowedHeaders("x-amz-meta-*", "content-type").exposeHeaders("x-amz-meta-header1")
                .maxAgeSeconds(30).build())));
        URI presigned;
        try (var presigner = presigner()) {
            presigned = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket(b2).key("foo"))).url().toURI();
        }
        HttpResponse<String> noOrigin = HTTP.send(HttpRequest.newBuilder(presigned).method("OPTIONS",
                HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noOrigin.statusCode()).isEqualTo(400);
        HttpResponse<String> ok = options(presigned, Map.of("Origin", "example", "Access-Control-Request-Method", "PUT",
                "Access-Control-Request-Headers", "Content-Type, x-amz-meta-a"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().map()).containsEntry("access-control-allow-origin", java.util.List.of("*"))
                .containsEntry("access-control-allow-methods", java.util.List.of("GET, PUT"))
                .containsEntry("access-control-allow-headers", java.util.List.of("content-type, x-amz-meta-a"))
                .containsEntry("access-control-expose-headers", java.util.List.of("x-amz-meta-header1"))
                .containsEntry("access-control-max-age", java.util.List.of("30"));
        HttpResponse<String> badHeader = options(presigned, Map.of("Origin", "example", "Access-Control-Request-Method", "GET",
                "Access-Control-Request-Headers", "x-amz-date"));
        assertThat(badHeader.statusCode()).isEqualTo(403);
        // a refused preflight carries no CORS headers, though an actual GET from that origin would
        assertThat(badHeader.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
        String b3 = newBucket();
        HttpResponse<String> noConfig = options(URI.create(endpoint + "/" + b3 + "/k"),
                Map.of("Origin", "example", "Access-Control-Request-Method", "GET"));
        assertThat(noConfig.statusCode()).isEqualTo(403);
        assertThat(noConfig.body()).contains("AccessForbidden", "<ResourceType>OBJECT</ResourceType>");
    }

    @Test
    void actualRequestsAndTheirErrorsCarryTheRulesHeaders() throws Exception {
        try (var presigner = presigner()) {
            URI get = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket(bucket).key("obj"))).url().toURI();
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(get).header("Origin", "foo.suffix").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("cors body");
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("foo.suffix");
            assertThat(r.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET");
            assertThat(r.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
            r = HTTP.send(HttpRequest.newBuilder(get).header("Origin", "foo.bar").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
            URI missing = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket(bucket).key("missing"))).url().toURI();
            r = HTTP.send(HttpRequest.newBuilder(missing).header("Origin", "foo.suffix").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).hasValue("foo.suffix");
        }
        // An anonymous PUT is denied, and the denial still carries the CORS headers (as s3-tests checks).
        URI obj = URI.create(endpoint + "/" + bucket + "/bar");
        HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(obj).header("Origin", "foo.put")
                .PUT(HttpRequest.BodyPublishers.ofString("")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(403);
        assertThat(put.headers().firstValue("Access-Control-Allow-Origin")).hasValue("foo.put");
        assertThat(put.headers().firstValue("Access-Control-Allow-Methods")).hasValue("PUT");
        put = HTTP.send(HttpRequest.newBuilder(obj).header("Origin", "foo.suffix").header("Access-Control-Request-Method", "GET")
                .PUT(HttpRequest.BodyPublishers.ofString("")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.headers().firstValue("Access-Control-Allow-Origin")).hasValue("foo.suffix");
        put = HTTP.send(HttpRequest.newBuilder(obj).header("Origin", "foo.suffix")
                .PUT(HttpRequest.BodyPublishers.ofString("")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    private static HttpResponse<String> options(URI uri, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method("OPTIONS", HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
