package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/** Requests no SDK sends: anonymous, unsigned headers, stalls, oversize heads, Expect: 100-continue. */
class HttpEdgeTest extends KuraTestBase {
    static String bucket;

    @BeforeAll
    static void bucket() {
        bucket = newBucket();
        s3.putObject(r -> r.bucket(bucket).key("k"), RequestBody.fromString("value"));
    }

    @Test
    void anonymousRequestsAreDenied() throws Exception {
        for (String req : new String[] {"GET / HTTP/1.1", "GET /" + bucket + " HTTP/1.1", "GET /" + bucket + "/k HTTP/1.1",
                "HEAD /" + bucket + "/k HTTP/1.1", "DELETE /" + bucket + "/k HTTP/1.1", "PUT /anon-bucket HTTP/1.1"}) {
            var r = RawHttp.send(req + "\r\nHost: x\r\nContent-Length: 0\r\n\r\n", new byte[0]);
            assertThat(r.status()).as(req).isEqualTo(403);
            assertThat(r.headers()).containsKey("x-amz-request-id");
        }
        assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("k")).asUtf8String()).isEqualTo("value");
    }

    @Test
    void aMalformedQueryEscapeIsInvalidUriSignedOrNot() throws Exception {
        for (String target : new String[] {"/" + bucket + "?%ZZ", "/" + bucket + "/k?X-Amz-Credential=%G1", "/?a=%"}) {
            var r = RawHttp.send("GET " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n", new byte[0]);
            assertThat(r.status()).as(target).isEqualTo(400);
            assertThat(r.body()).as(target).contains("<Code>InvalidURI</Code>");
        }
    }

    @Test
    void errorBodyIsS3XmlWithRequestId() throws Exception {
        var r = RawHttp.signedGet("/" + bucket + "/missing-key");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body()).contains("<Code>NoSuchKey</Code>").contains("<RequestId>" + r.headers().get("x-amz-request-id"))
                .doesNotContain("Exception").doesNotContain("at dev.kura");
    }

    @Test
    void unknownAmzHeaderIsIgnoredWhenSigned() throws Exception {
        var r = RawHttp.send(RawHttp.signed("GET", "/" + bucket + "/k", Map.of("x-amz-future-feature", "1"), new byte[0]), new byte[0]);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("value");
    }

    @Test
    void unsignedAmzHeaderIsRefused() throws Exception {
        String head = RawHttp.signed("GET", "/" + bucket + "/k", Map.of(), new byte[0]);
        head = head.replace("\r\n\r\n", "\r\nx-amz-meta-sneaky: 1\r\n\r\n");
        var r = RawHttp.send(head, new byte[0]);
        assertThat(r.status()).isEqualTo(403);
    }

    @Test
    void putWithoutContentLengthIs411() throws Exception {
        var r = RawHttp.send(RawHttp.signed("PUT", "/" + bucket + "/nolen", Map.of(), new byte[0]), new byte[0]);
        assertThat(r.status()).isEqualTo(411);
        assertThat(r.body()).contains("MissingContentLength");
    }

    @Test
    void httpChunkedPutWithoutContentLengthIsStored() throws Exception {
        String head = RawHttp.signed("PUT", "/" + bucket + "/te-chunked", Map.of("Transfer-Encoding", "chunked"), new byte[0]);
        var r = RawHttp.send(head, "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(r.status()).isEqualTo(200);
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key("te-chunked")).asUtf8String()).isEqualTo("hello world");
    }

    @Test
    void tooLargeHeaderSectionIsRefused() throws Exception {
        String big = "x".repeat(40_000);
        var r = RawHttp.send("GET /" + bucket + "/k HTTP/1.1\r\nHost: x\r\nX-Big: " + big + "\r\n\r\n", new byte[0]);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("RequestHeaderSectionTooLarge");
    }

    @Test
    void stalledBodyGetsRequestTimeoutOrClose() throws Exception {
        // A client that declares 100 bytes and sends 10 is cut off (S3: RequestTimeout) — the server
        // must not hang on it forever. The stall timeout is 20 s by default; we only check the
        // object never becomes visible and the server keeps serving others meanwhile.
        String head = RawHttp.signed("PUT", "/" + bucket + "/stalled", Map.of("Content-Length", "100"), new byte[0]);
        try (Socket s = new Socket("127.0.0.1", s3Port())) {
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.UTF_8));
            out.write(new byte[10]);
            out.flush();
            assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("k")).asUtf8String()).isEqualTo("value");
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(s3.listObjectsV2(r -> r.bucket(bucket).prefix("stalled")).contents()).isEmpty());
    }

    @Test
    void expectContinueIsAnsweredOnlyAfterAuthentication() throws Exception {
        // Unauthenticated: the final 403 comes without a 100 Continue, and no body was invited.
        try (Socket s = new Socket("127.0.0.1", s3Port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("PUT /" + bucket + "/exp HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            var r = RawHttp.read(s.getInputStream());
            assertThat(r.status()).isEqualTo(403);
        }
        // Authenticated: 100 Continue first, then the body, then 200.
        String head = RawHttp.signed("PUT", "/" + bucket + "/exp", Map.of("Content-Length", "5", "Expect", "100-continue"), new byte[0]);
        try (Socket s = new Socket("127.0.0.1", s3Port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write(head.getBytes(StandardCharsets.UTF_8));
            out.flush();
            var interim = RawHttp.read(in);
            assertThat(interim.status()).isEqualTo(100);
            out.write("hello".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(RawHttp.read(in).status()).isEqualTo(200);
        }
        assertThat(s3.getObjectAsBytes(r -> r.bucket(bucket).key("exp")).asUtf8String()).isEqualTo("hello");
    }

    @Test
    void keepAliveCarriesSeveralRequests() throws Exception {
        try (Socket s = new Socket("127.0.0.1", s3Port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < 3; i++) {
                out.write(RawHttp.signed("GET", "/" + bucket + "/k", Map.of(), new byte[0]).getBytes(StandardCharsets.UTF_8));
                out.flush();
                var r = RawHttp.read(in);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.body()).isEqualTo("value");
            }
        }
    }

    @Test
    void healthEndpoints() throws Exception {
        var client = java.net.http.HttpClient.newHttpClient();
        var live = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort() + "/health/live")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(live.statusCode()).isEqualTo(200);
        var ready = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + adminPort() + "/health/ready")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(200);
    }

    /**
     * A PUT refused before its body is read (no such bucket), whose client sends the whole body
     * anyway without waiting: it still reads the error, and the connection is not reset under it
     * (the server half-closes and reads the rest of the body before closing).
     */
    @Test
    void aRefusedPutWhoseBodyIsSentAnywayStillGetsItsAnswer() throws Exception {
        byte[] body = new byte[4 * 1024 * 1024];
        for (int i = 0; i < 3; i++) {
            var r = RawHttp.send(RawHttp.signed("PUT", "/no-such-bucket-" + i + "/k", Map.of(), body), body);
            org.assertj.core.api.Assertions.assertThat(r.status()).isEqualTo(404);
            org.assertj.core.api.Assertions.assertThat(r.body()).contains("<Code>NoSuchBucket</Code>");
        }
    }
}
