package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kura.object.ObjectService;
import dev.kura.server.KuraServer;
import dev.kura.server.ServerConfig;
import dev.kura.server.TelemetryConfig;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.HttpStatusCode;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Telemetry end to end on a real server driven by the AWS SDK: the metrics a request moves, the
 * token on /metrics, the access log line (every field, never a secret or signature), the span.
 */
class TelemetryTest extends KuraTestBase {
    static final String TOKEN = "metrics-token-0123456789";
    static final ConcurrentLinkedQueue<String> LINES = new ConcurrentLinkedQueue<>();
    static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static OpenTelemetrySdk otel;
    static String bucket;

    /** Hides KuraTestBase's: this class's server has a metrics token, a captured access log and tracing. */
    @BeforeAll
    static void startServer() throws Exception {
        otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build())
                .build();
        dataDir = Files.createTempDirectory("kura-telemetry");
        TelemetryConfig telemetry = TelemetryConfig.defaults()
                .withMetricsToken(TOKEN)
                .withAccessLogSink(LINES::add, true)
                .withBuckets(List.of("opted-in"), 0)
                .withOpenTelemetry(otel);
        server = KuraServer.start(new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
                List.of(new InetSocketAddress("127.0.0.1", 0)), dataDir, "us-east-1", ACCESS_KEY, SECRET_KEY,
                dev.kura.frontend.http.HttpServer.Limits.defaults(), telemetry),
                new PrintStream(new ByteArrayOutputStream()));
        endpoint = URI.create("http://127.0.0.1:" + server.s3Addresses().getFirst().getPort());
        s3 = client(ACCESS_KEY, SECRET_KEY);
        bucket = newBucket();
    }

    @AfterAll
    static void closeTracing() {
        if (otel != null) {
            otel.close();
        }
    }

    static Scrape scrape() throws Exception {
        return Scrape.of(adminPort(), TOKEN);
    }

    /** The access log line of a request; the observers run just after the response goes out. */
    static String lineOf(String requestId) {
        return await().atMost(Duration.ofSeconds(10)).until(
                () -> LINES.stream().filter(l -> l.contains("\"request_id\":\"" + requestId + "\"")).findFirst(),
                Optional::isPresent).orElseThrow();
    }

    @Test
    void aPutMovesItsCounterHistogramAndBytes() throws Exception {
        Scrape before = scrape();
        PutObjectResponse put = s3.putObject(r -> r.bucket(bucket).key("counted"), RequestBody.fromString("0123456789"));
        lineOf(put.responseMetadata().requestId()); // observers done
        Scrape after = scrape();
        String[] op = {"operation", "PutObject"};
        assertThat(after.value("kura_s3_requests_total", "operation", "PutObject", "status_class", "2xx")
                - before.value("kura_s3_requests_total", "operation", "PutObject", "status_class", "2xx")).isEqualTo(1);
        assertThat(after.value("kura_s3_request_duration_seconds_count", op)
                - before.value("kura_s3_request_duration_seconds_count", op)).isEqualTo(1);
        assertThat(after.value("kura_s3_request_duration_seconds_bucket", "operation", "PutObject", "le", "+Inf")
                - before.value("kura_s3_request_duration_seconds_bucket", "operation", "PutObject", "le", "+Inf")).isEqualTo(1);
        assertThat(after.value("kura_s3_bytes_received_total", op) - before.value("kura_s3_bytes_received_total", op))
                .isGreaterThanOrEqualTo(10);
        assertThat(after.value("kura_s3_time_to_first_byte_seconds_count", op)).isPositive();
    }

    @Test
    void anErrorMovesItsErrorCodeCounter() throws Exception {
        Scrape before = scrape();
        try {
            s3.getObject(r -> r.bucket(bucket).key("never-written")).close();
        } catch (NoSuchKeyException expected) {
            lineOf(expected.requestId());
        }
        Scrape after = scrape();
        assertThat(after.value("kura_s3_errors_total", "code", "NoSuchKey")
                - before.value("kura_s3_errors_total", "code", "NoSuchKey")).isEqualTo(1);
        assertThat(after.value("kura_s3_requests_total", "operation", "GetObject", "status_class", "4xx")
                - before.value("kura_s3_requests_total", "operation", "GetObject", "status_class", "4xx")).isEqualTo(1);
    }

    @Test
    void theTokenProtectsMetricsButNotHealth() throws Exception {
        String base = "http://127.0.0.1:" + adminPort();
        assertThat(status(HttpRequest.newBuilder(URI.create(base + "/metrics")).build())).isEqualTo(401);
        assertThat(status(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .header("Authorization", "Bearer wrong-token").build())).isEqualTo(401);
        assertThat(status(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .header("Authorization", "Basic " + TOKEN).build())).isEqualTo(401);
        assertThat(status(HttpRequest.newBuilder(URI.create(base + "/metrics"))
                .header("Authorization", "Bearer " + TOKEN).build())).isEqualTo(200);
        for (String health : List.of("/health/live", "/health/ready", "/health/detail")) {
            assertThat(status(HttpRequest.newBuilder(URI.create(base + health)).build())).as(health).isEqualTo(200);
        }
    }

    @Test
    void theScrapeHasStorageIndexAndJvmSeries() throws Exception {
        s3.putObject(r -> r.bucket(bucket).key("for-stats"), RequestBody.fromString("x"));
        System.gc(); // gauges whose state Micrometer holds weakly would read NaN after a collection
        Scrape m = scrape();
        assertThat(m.value("kura_storage_drive_writable")).isEqualTo(1);
        assertThat(m.value("kura_storage_drive_capacity_bytes")).isPositive();
        assertThat(m.value("kura_storage_drive_free_bytes")).isPositive();
        assertThat(m.has("kura_storage_io_errors_total")).isTrue();
        assertThat(m.value("kura_index_healthy")).isEqualTo(1);
        assertThat(m.value("kura_index_keys_estimated")).isPositive();
        assertThat(m.value("kura_index_batches_total")).isPositive();
        assertThat(m.has("kura_index_write_stopped")).isTrue();
        assertThat(m.has("kura_index_write_stops_total")).isTrue();
        assertThat(m.value("jvm_memory_used_bytes", "area", "heap")).isPositive();
        assertThat(m.has("jvm_buffer_memory_used_bytes")).isTrue();
        assertThat(m.has("jvm_gc_pause_seconds_count") || m.has("jvm_gc_memory_allocated_bytes_total")).isTrue();
        assertThat(m.has("kura_s3_requests_in_flight")).isTrue();
        assertThat(m.has("kura_s3_requests_rejected_total")).isTrue();
    }

    @Test
    void bucketSeriesOnlyForTheBoundedSet() throws Exception {
        s3.createBucket(r -> r.bucket("opted-in"));
        s3.putObject(r -> r.bucket("opted-in").key("k"), RequestBody.fromString("abc"));
        PutObjectResponse last = s3.putObject(r -> r.bucket(bucket).key("k"), RequestBody.fromString("abc"));
        lineOf(last.responseMetadata().requestId());
        Scrape m = scrape();
        assertThat(m.value("kura_s3_bucket_requests_total", "bucket", "opted-in")).isGreaterThanOrEqualTo(2);
        assertThat(m.value("kura_s3_bucket_requests_total", "bucket", "_other")).isPositive();
        assertThat(m.text()).doesNotContain("bucket=\"" + bucket + "\"");
    }

    @Test
    void theAccessLogLineHasEveryFieldAndNoSecret() throws Exception {
        // Larger than the inline threshold, so the bytes go to the drive (small objects live in the index).
        PutObjectResponse put = s3.putObject(r -> r.bucket(bucket).key("logged/key.txt"),
                RequestBody.fromBytes(new byte[ObjectService.DEFAULT_INLINE_THRESHOLD + 1]));
        String line = lineOf(put.responseMetadata().requestId());
        for (String field : List.of("time", "request_id", "operation", "method", "bucket", "key", "status", "error_code",
                "bytes_in", "bytes_out", "duration_ms", "ttfb_ms", "client_ip", "client_port", "access_key_id",
                "principal", "decision", "user_agent", "timings")) {
            assertThat(line).contains("\"" + field + "\":");
        }
        assertThat(line).contains("\"operation\":\"PutObject\"", "\"bucket\":\"" + bucket + "\"",
                "\"key\":\"logged/key.txt\"", "\"status\":200", "\"access_key_id\":\"" + ACCESS_KEY + "\"",
                "\"decision\":\"allow: bucket owner\"");
        assertNoSecret(line);
        // the timings say where the time went: a PUT writes data and commits to the index
        assertThat(millis(line, "storage_ms")).isPositive();
        assertThat(millis(line, "index_ms")).isPositive();
    }

    @Test
    void aPresignedRequestLogsNoSignature() throws Exception {
        s3.putObject(r -> r.bucket(bucket).key("presigned-log"), RequestBody.fromString("shh"));
        try (var presigner = presigner()) {
            URI url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(r -> r.bucket(bucket).key("presigned-log"))).url().toURI();
            Matcher sig = Pattern.compile("X-Amz-Signature=([0-9a-f]+)").matcher(url.getRawQuery());
            assertThat(sig.find()).isTrue();
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(HttpStatusCode.OK);
            String line = lineOf(r.headers().firstValue("x-amz-request-id").orElseThrow());
            assertThat(line).contains("\"operation\":\"GetObject\"", "\"access_key_id\":\"" + ACCESS_KEY + "\"")
                    .doesNotContain(sig.group(1));
            assertNoSecret(line);
        }
    }

    @Test
    void eachRequestIsOneSpan() throws Exception {
        PutObjectResponse put = s3.putObject(r -> r.bucket(bucket).key("traced"),
                RequestBody.fromBytes(new byte[ObjectService.DEFAULT_INLINE_THRESHOLD + 1]));
        String id = put.responseMetadata().requestId();
        SpanData span = await().atMost(Duration.ofSeconds(10)).until(() -> SPANS.getFinishedSpanItems().stream()
                .filter(s -> id.equals(s.getAttributes().get(AttributeKey.stringKey("aws.request_id")))).findFirst(),
                Optional::isPresent).orElseThrow();
        assertThat(span.getName()).isEqualTo("PutObject");
        assertThat(span.getAttributes().get(AttributeKey.stringKey("aws.s3.bucket"))).isEqualTo(bucket);
        assertThat(span.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200);
        assertThat(span.getAttributes().get(AttributeKey.doubleKey("kura.phase.storage_ms"))).isPositive();
        assertThat(span.getAttributes().asMap().toString()).doesNotContain(SECRET_KEY).doesNotContain("Signature");
    }

    private static void assertNoSecret(String line) {
        assertThat(line).doesNotContain(SECRET_KEY)
                .doesNotContainIgnoringCase("signature")
                .doesNotContainIgnoringCase("credential")
                .doesNotContain("AWS4-HMAC-SHA256")
                .doesNotContainIgnoringCase("authorization")
                .doesNotContain("X-Amz-");
    }

    private static double millis(String line, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":([0-9.]+)").matcher(line);
        assertThat(m.find()).as(field + " in " + line).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static int status(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
