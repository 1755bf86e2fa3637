package dev.kura.frontend.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.frontend.http.Exchange;
import dev.kura.frontend.http.HttpHandler;
import dev.kura.frontend.http.HttpServer;
import dev.kura.frontend.http.RequestInfo.Phase;
import dev.kura.index.ObjectIndex;
import dev.kura.storage.BlobStore;
import dev.kura.storage.BlobWriter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The observers over a real {@link HttpServer} with a stand-in S3 handler: what a request moves in
 * the metrics, what its access log line and span say, and that the index and storage decorators
 * charge their time to it.
 */
class ObservedHandlerTest {
    private static final Map<String, String> XML = Map.of("Content-Type", "application/xml");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ConcurrentLinkedQueue<String> lines = new ConcurrentLinkedQueue<>();
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch blocked = new CountDownLatch(1);
    private HttpServer server;
    private OpenTelemetrySdk otel;
    private ObjectIndex index;
    private BlobStore store;
    private int port;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        otel = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
                .build();
        index = TimedIndex.wrap(slowIndex(), registry);
        store = new MeteredBlobStore(failingStore(), "drive-1", registry);
        List<RequestObserver> observers = List.of(
                new S3Metrics(registry, List.of("bkt"), 0),
                new AccessLog(lines::add, InstantSource.system(), true),
                new RequestTracing(otel, InstantSource.system()));
        server = new HttpServer(new ObservedHandler(new StandIn(), observers),
                new HttpServer.Limits(16 * 1024, 16 * 1024, 1, 10_000, 10_000, 10_000));
        port = server.bind(List.of(new InetSocketAddress("127.0.0.1", 0))).getFirst().getPort();
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.close();
        otel.close();
        http.close();
    }

    @Test
    void aRequestMovesItsCounterHistogramAndBytes() throws Exception {
        HttpResponse<String> r = get("/ok");
        assertThat(r.statusCode()).isEqualTo(200);
        observed(1);
        assertThat(registry.get("kura.s3.requests").tags("operation", "GetObject", "status_class", "2xx").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("kura.s3.request.duration").tag("operation", "GetObject").timer().count()).isEqualTo(1);
        assertThat(registry.get("kura.s3.time.to.first.byte").tag("operation", "GetObject").timer().count()).isEqualTo(1);
        assertThat(registry.get("kura.s3.bytes.sent").tag("operation", "GetObject").counter().count()).isEqualTo(5);
        assertThat(registry.get("kura.s3.bucket.requests").tag("bucket", "bkt").counter().count()).isEqualTo(1);
        assertThat(registry.get("kura.s3.requests.in.flight").gauge().value()).isZero();
        assertThat(registry.find("kura.s3.errors").counters()).isEmpty();
    }

    @Test
    void anErrorMovesItsErrorCodeCounter() throws Exception {
        assertThat(get("/missing").statusCode()).isEqualTo(404);
        observed(1);
        assertThat(registry.get("kura.s3.errors").tag("code", "NoSuchKey").counter().count()).isEqualTo(1);
        assertThat(registry.get("kura.s3.requests").tags("operation", "GetObject", "status_class", "4xx").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("kura.s3.bucket.requests").tag("bucket", "_other").counter().count()).isEqualTo(1);
    }

    @Test
    void aRejectedRequestIsCountedAsRejectedAndSlowDown() throws Exception {
        Thread busy = Thread.ofVirtual().start(() -> {
            try {
                get("/block");
            } catch (Exception e) {
                // the test fails on the counts below
            }
        });
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(registry.get("kura.s3.requests.in.flight").gauge().value()).isEqualTo(1);
        assertThat(get("/ok").statusCode()).isEqualTo(503);
        release.countDown();
        busy.join();
        observed(2);
        assertThat(registry.get("kura.s3.requests.rejected").counter().count()).isEqualTo(1);
        assertThat(registry.get("kura.s3.errors").tag("code", "SlowDown").counter().count()).isEqualTo(1);
        assertThat(registry.get("kura.s3.requests.in.flight").gauge().value()).isZero();
    }

    @Test
    void theAccessLogLineHasEveryFieldAndTheTimings() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ok"))
                .header("User-Agent", "test-agent/1.0").build(), HttpResponse.BodyHandlers.ofString());
        String id = r.headers().firstValue("x-amz-request-id").orElseThrow();
        String line = lineOf(id);
        for (String field : List.of("time", "request_id", "operation", "method", "bucket", "key", "status", "error_code",
                "bytes_in", "bytes_out", "duration_ms", "ttfb_ms", "client_ip", "client_port", "access_key_id",
                "user_agent", "timings", "auth_ms", "parse_ms", "index_ms", "storage_ms", "response_ms")) {
            assertThat(line).contains("\"" + field + "\":");
        }
        assertThat(line).matches("\\{\"time\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\".*\\}")
                .contains("\"operation\":\"GetObject\"", "\"method\":\"GET\"", "\"bucket\":\"bkt\"", "\"key\":\"a/b\\\"c\"",
                        "\"status\":200", "\"error_code\":null", "\"bytes_out\":5", "\"client_ip\":\"127.0.0.1\"",
                        "\"access_key_id\":\"AKID\"", "\"user_agent\":\"test-agent/1.0\"")
                .doesNotContain("\n");
    }

    @Test
    void indexAndStorageTimeIsChargedToTheRequest() throws Exception {
        HttpResponse<String> r = get("/phases");
        assertThat(r.statusCode()).isEqualTo(200);
        String line = lineOf(r.headers().firstValue("x-amz-request-id").orElseThrow());
        assertThat(millis(line, "index_ms")).isGreaterThanOrEqualTo(5.0);
        assertThat(millis(line, "storage_ms")).isGreaterThanOrEqualTo(5.0);
        assertThat(millis(line, "auth_ms")).isGreaterThanOrEqualTo(2.0);
        // the failing delete was counted as an I/O error of the drive
        assertThat(registry.get("kura.storage.io.errors").tags("drive", "drive-1", "op", "delete").counter().count())
                .isEqualTo(1);
        // outside a request nothing is charged and nothing breaks
        index.buckets();
    }

    @Test
    void eachRequestBecomesOneSpanWithItsAttributes() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/missing"))
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01").build(),
                HttpResponse.BodyHandlers.ofString());
        String id = r.headers().firstValue("x-amz-request-id").orElseThrow();
        observed(1);
        List<SpanData> finished = spans.getFinishedSpanItems();
        assertThat(finished).hasSize(1);
        SpanData span = finished.getFirst();
        assertThat(span.getName()).isEqualTo("GetObject");
        assertThat(span.getAttributes().get(AttributeKey.stringKey("aws.request_id"))).isEqualTo(id);
        assertThat(span.getAttributes().get(AttributeKey.stringKey("aws.s3.bucket"))).isEqualTo("nope");
        assertThat(span.getAttributes().get(AttributeKey.stringKey("error.type"))).isEqualTo("NoSuchKey");
        assertThat(span.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(404);
        assertThat(span.getEndEpochNanos()).isGreaterThanOrEqualTo(span.getStartEpochNanos());
    }

    /**
     * Waits until the observers have seen {@code n} requests: they run after the response went out,
     * so the client may see it first. Tracing is the last observer, so its spans say when all are done.
     */
    private void observed(int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> spans.getFinishedSpanItems().size() >= n);
    }

    private String lineOf(String requestId) {
        observed(1);
        return lines.stream().filter(l -> l.contains("\"request_id\":\"" + requestId + "\"")).findFirst().orElseThrow();
    }

    private static double millis(String line, String field) {
        int at = line.indexOf("\"" + field + "\":") + field.length() + 3;
        int end = at;
        while (end < line.length() && (Character.isDigit(line.charAt(end)) || line.charAt(end) == '.')) {
            end++;
        }
        return Double.parseDouble(line.substring(at, end));
    }

    /** At least {@code ms} milliseconds pass (parkNanos alone may return early). */
    private static void pause(long ms) {
        long end = System.nanoTime() + ms * 1_000_000;
        for (long left = ms * 1_000_000; left > 0; left = end - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Stands in for the S3 handler: names the operation and target as S3Handler does, then answers. */
    private final class StandIn implements HttpHandler {
        @Override
        public void handle(Exchange ex) throws Exception {
            ex.info().accessKeyId("AKID");
            ex.info().operation("GetObject");
            switch (ex.head().rawPath()) {
                case "/ok" -> {
                    ex.info().target("bkt", "a/b\"c");
                    ex.respond(200, XML, "hello".getBytes(StandardCharsets.UTF_8));
                }
                case "/missing" -> {
                    ex.info().target("nope", "k");
                    ex.info().errorCode("NoSuchKey");
                    ex.respond(404, XML, "<Error/>".getBytes(StandardCharsets.UTF_8));
                }
                case "/block" -> {
                    blocked.countDown();
                    release.await(10, TimeUnit.SECONDS);
                    ex.respond(200, XML, new byte[0]);
                }
                case "/phases" -> {
                    pause(2);
                    ex.info().mark(Phase.AUTH);
                    index.buckets();
                    try {
                        store.delete(new DataLocation(DataId.random(new Random(1)), 1, "single",
                                List.of("drive-1"), 65536, 0));
                    } catch (IOException expected) {
                        // counted by the decorator
                    }
                    ex.respond(200, XML, new byte[0]);
                }
                default -> ex.respond(404, XML, new byte[0]);
            }
        }

        @Override
        public void overloaded(Exchange ex) throws Exception {
            ex.info().errorCode("SlowDown");
            ex.respond(503, XML, new byte[0]);
        }

        @Override
        public void malformed(Exchange ex, Throwable cause) throws Exception {
            ex.respond(400, XML, new byte[0]);
        }
    }

    /** An index whose every call takes 5 ms and answers empty. */
    private static ObjectIndex slowIndex() {
        return (ObjectIndex) Proxy.newProxyInstance(ObjectIndex.class.getClassLoader(), new Class<?>[] {ObjectIndex.class},
                (proxy, method, args) -> {
                    pause(5);
                    return method.getReturnType() == List.class ? List.of() : null;
                });
    }

    /** A store whose delete takes 5 ms and fails. */
    private static BlobStore failingStore() {
        return new BlobStore() {
            @Override
            public DataLocation place(DataId id) {
                throw new UnsupportedOperationException();
            }

            @Override
            public BlobWriter create(DataLocation planned, String label) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void checkSpace(long bytes) {
                throw new UnsupportedOperationException();
            }

            @Override
            public dev.kura.storage.RepairResult repair(DataLocation location) {
                throw new UnsupportedOperationException();
            }

            @Override
            public InputStream open(DataLocation location, long offset, long length) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void delete(DataLocation location) throws IOException {
                pause(5);
                throw new IOException("disk on fire");
            }

            @Override
            public boolean isWritable() {
                return true;
            }

            @Override
            public void close() {
            }
        };
    }
}
