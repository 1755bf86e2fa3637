package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kura.server.KuraServer;
import dev.kura.server.ServerConfig;
import dev.kura.server.TelemetryConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Health that follows the drive, /health/detail, open metrics, and the access log written to its
 * rotating file under the data directory.
 */
class HealthAndAccessLogFileTest extends KuraTestBase {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Hides KuraTestBase's: this class's server writes its access log to a file. */
    @BeforeAll
    static void startServer() throws Exception {
        dataDir = Files.createTempDirectory("kura-health");
        TelemetryConfig telemetry = TelemetryConfig.defaults().withAccessLog(TelemetryConfig.AccessLogTarget.FILE, false);
        server = KuraServer.start(new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
                List.of(new InetSocketAddress("127.0.0.1", 0)), dataDir, "us-east-1", ACCESS_KEY, SECRET_KEY,
                dev.kura.frontend.http.HttpServer.Limits.defaults(), telemetry),
                new PrintStream(new ByteArrayOutputStream()));
        endpoint = URI.create("http://127.0.0.1:" + server.s3Addresses().getFirst().getPort());
        s3 = client(ACCESS_KEY, SECRET_KEY);
    }

    static HttpResponse<String> admin(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void readyTurnsNotReadyWhenTheStorageIsUnwritable() throws Exception {
        assertThat(admin("/health/ready").statusCode()).isEqualTo(200);
        HttpResponse<String> detail = admin("/health/detail");
        assertThat(detail.statusCode()).isEqualTo(200);
        assertThat(detail.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(detail.body()).contains("\"status\":\"ready\"", "\"writable\":true", "\"healthy\":true",
                "\"version\":", "\"uptime_seconds\":", "\"total_bytes\":", "\"free_bytes\":", "\"keys_estimated\":");

        // Root ignores permissions, so take away what writes need instead: the drive's tmp directory.
        Path tmp = dataDir.resolve("drive0").resolve("tmp");
        Files.delete(tmp);
        try {
            HttpResponse<String> ready = admin("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("storage not writable");
            assertThat(admin("/health/live").statusCode()).isEqualTo(200);
            assertThat(admin("/health/detail").body()).contains("\"status\":\"not_ready\"", "\"writable\":false",
                    "\"status\":\"down\"");
            assertThat(Scrape.of(adminPort(), null).value("kura_storage_drive_writable")).isZero();
        } finally {
            Files.createDirectory(tmp);
        }
        assertThat(admin("/health/ready").statusCode()).isEqualTo(200);
    }

    @Test
    void metricsAreOpenWithoutAToken() throws Exception {
        assertThat(admin("/metrics").statusCode()).isEqualTo(200);
        assertThat(admin("/metrics").headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
    }

    @Test
    void theAccessLogGoesToItsFileUnderTheDataDirectory() throws Exception {
        String bucket = newBucket();
        PutObjectResponse put = s3.putObject(r -> r.bucket(bucket).key("in-the-file"), RequestBody.fromString("x"));
        Path log = dataDir.resolve("logs").resolve("access.log");
        String id = put.responseMetadata().requestId();
        await().atMost(Duration.ofSeconds(10)).until(
                () -> Files.exists(log) && Files.readString(log).contains("\"request_id\":\"" + id + "\""));
        String line = Files.readAllLines(log).stream().filter(l -> l.contains(id)).findFirst().orElseThrow();
        assertThat(line).startsWith("{").endsWith("}").contains("\"operation\":\"PutObject\"", "\"key\":\"in-the-file\"")
                .doesNotContain("timings").doesNotContain(SECRET_KEY);
    }
}
