package dev.kura.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.bench.cli.BenchMain;
import dev.kura.common.JsonReader;
import dev.kura.server.KuraServer;
import dev.kura.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kura bench} against an in-process Kura: that the tool works (requests signed and accepted,
 * bodies sent and read, JSON printed), not how fast. Each run is about a second.
 */
class BenchSmokeTest {
    private static final String ACCESS = "KURABENCHSMOKE000001";
    private static final String SECRET = "bench/smoke/secret/0123456789abcdefghij";

    static Path dataDir;
    static KuraServer server;
    static String endpoint;

    @BeforeAll
    static void start() throws Exception {
        dataDir = Files.createTempDirectory("kura-bench-smoke");
        server = KuraServer.start(new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
                List.of(new InetSocketAddress("127.0.0.1", 0)), dataDir, "us-east-1", ACCESS, SECRET),
                new PrintStream(new ByteArrayOutputStream()));
        endpoint = "http://127.0.0.1:" + server.s3Addresses().getFirst().getPort();
    }

    @AfterAll
    static void stop() throws IOException {
        if (server != null) {
            server.close();
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static Map<String, Object> bench(String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(extra));
        args.addAll(List.of("--endpoint", endpoint, "--access-key", ACCESS, "--secret-key", SECRET,
                "--bucket", "smoke", "--warmup", "0", "--json"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchMain.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as("exit code; stdout:%n%s%nstderr:%n%s", text, err).isZero();
        String[] lines = text.strip().split("\n");
        Map<String, Object> json = JsonReader.object(lines[lines.length - 1]);
        assertThat(json).containsKeys("ops_per_s", "mib_per_s", "p50_ms", "p99_ms", "errors", "slowdowns");
        return json;
    }

    private static void assertWorked(Map<String, Object> json) {
        assertThat(((Number) json.get("ops")).doubleValue()).as("%s", json).isPositive();
        assertThat(((Number) json.get("errors")).doubleValue()).as("%s", json).isZero();
        assertThat(((Number) json.get("ops_per_s")).doubleValue()).isPositive();
    }

    @Test
    void putGetMixedList() throws Exception {
        Map<String, Object> put = bench("put", "--size", "1KiB", "--concurrency", "4", "--duration", "1");
        assertWorked(put);
        assertThat(((Number) put.get("mib_per_s")).doubleValue()).isPositive();
        assertWorked(bench("get", "--size", "1KiB", "--concurrency", "4", "--duration", "1", "--objects", "20"));
        assertWorked(bench("mixed", "--size", "512-4KiB", "--concurrency", "4", "--duration", "1", "--objects", "20",
                "--prefixes", "4"));
        Map<String, Object> list = bench("list", "--size", "0", "--concurrency", "2", "--duration", "1",
                "--objects", "30", "--max-keys", "7");
        assertWorked(list);
        assertThat(((Number) list.get("keys")).doubleValue()).isPositive();
    }

    @Test
    void signedAndStreamingPayloads(@TempDir Path tmp) throws Exception {
        Path series = tmp.resolve("series.jsonl");
        assertWorked(bench("put", "--size", "70KiB", "--concurrency", "2", "--ops", "10", "--payload", "signed",
                "--timeseries", series.toString()));
        assertThat(Files.readAllLines(series)).isNotEmpty().allSatisfy(l -> JsonReader.object(l));
        assertWorked(bench("put", "--size", "70KiB", "--concurrency", "2", "--ops", "10", "--payload", "streaming",
                "--chunk-size", "16KiB"));
    }

    @Test
    void multipartRunsAndReportsWhatTheServerSays() throws Exception {
        Map<String, Object> mpu = bench("multipart", "--size", "6MiB", "--part-size", "5MiB", "--concurrency", "1",
                "--ops", "1", "--duration", "5");
        @SuppressWarnings("unchecked")
        Map<String, Object> codes = (Map<String, Object>) mpu.get("errors_by_code");
        // until Kura implements multipart uploads it answers 501 NotImplemented; after that, it must work
        if (codes.isEmpty()) {
            assertWorked(mpu);
        } else {
            assertThat(codes.keySet()).containsOnly("NotImplemented");
        }
    }
}
