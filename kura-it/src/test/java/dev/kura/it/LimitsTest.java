package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.frontend.http.HttpServer;
import dev.kura.server.KuraServer;
import dev.kura.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server with tight limits: one request in flight and a 1-second body stall. Checks that a
 * stalled client gets RequestTimeout, that the request beyond the in-flight bound gets 503
 * SlowDown (not a hang or a collapse), and that a client that gives up mid-body leaves nothing.
 */
class LimitsTest extends KuraTestBase {
    static KuraServer tight;
    static Path tightData;

    @BeforeAll
    static void startTight() throws Exception {
        tightData = Files.createTempDirectory("kura-limits");
        tight = KuraServer.start(new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
                List.of(new InetSocketAddress("127.0.0.1", 0)), tightData, "us-east-1", ACCESS_KEY, SECRET_KEY,
                new HttpServer.Limits(16 * 1024, 16 * 1024, 1, 5_000, 1_000, 5_000)), new PrintStream(new ByteArrayOutputStream()));
    }

    @AfterAll
    static void stopTight() throws Exception {
        tight.close();
        TestFiles.deleteTree(tightData);
    }

    private static int port() {
        return tight.s3Addresses().getFirst().getPort();
    }

    private static String signedFor(String method, String target, Map<String, String> headers) throws Exception {
        return RawHttp.signed(port(), method, target, headers, new byte[0]);
    }

    @Test
    void stalledBodyGetsRequestTimeoutAndBusyServerSaysSlowDown() throws Exception {
        sendWhenFree("PUT", "/limits-bucket");
        try (Socket stalled = new Socket("127.0.0.1", port())) {
            stalled.setSoTimeout(10_000);
            OutputStream out = stalled.getOutputStream();
            out.write(signedFor("PUT", "/limits-bucket/slow", Map.of("Content-Length", "100")).getBytes(StandardCharsets.UTF_8));
            out.write(new byte[10]);
            out.flush();
            Thread.sleep(200); // the stalled PUT now holds the only in-flight slot
            var busy = send("GET", "/limits-bucket/slow", "");
            assertThat(busy.status()).isEqualTo(503);
            assertThat(busy.body()).contains("<Code>SlowDown</Code>");
            assertThat(busy.headers()).containsKey("retry-after");
            var timeout = RawHttp.read(stalled.getInputStream());
            assertThat(timeout.status()).isEqualTo(400);
            assertThat(timeout.body()).contains("<Code>RequestTimeout</Code>");
        }
        // the slot frees once the timed-out request has been answered and its connection closed
        assertThat(sendWhenFree("GET", "/limits-bucket/slow").status()).isEqualTo(404);
    }

    @Test
    void clientGivingUpMidBodyLeavesNothing() throws Exception {
        sendWhenFree("PUT", "/limits-bucket2");
        try (Socket s = new Socket("127.0.0.1", port())) {
            OutputStream out = s.getOutputStream();
            out.write(signedFor("PUT", "/limits-bucket2/partial", Map.of("Content-Length", "100000")).getBytes(StandardCharsets.UTF_8));
            out.write(new byte[5000]);
            out.flush();
        }
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(sendWhenFree("GET", "/limits-bucket2/partial").status()).isEqualTo(404));
    }

    @Test
    void connectionsBeyondTheLimitAreRefused() throws Exception {
        Path data = Files.createTempDirectory("kura-conns");
        try (KuraServer small = KuraServer.start(new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
                List.of(new InetSocketAddress("127.0.0.1", 0)), data, "us-east-1", ACCESS_KEY, SECRET_KEY,
                new HttpServer.Limits(16 * 1024, 16 * 1024, 16, 30_000, 5_000, 5_000, 2)), new PrintStream(new ByteArrayOutputStream()))) {
            int port = small.s3Addresses().getFirst().getPort();
            try (Socket a = new Socket("127.0.0.1", port); Socket b = new Socket("127.0.0.1", port)) {
                // the two allowed connections serve requests
                a.setSoTimeout(5_000);
                a.getOutputStream().write(RawHttp.signed(port, "GET", "/", Map.of(), new byte[0]).getBytes(StandardCharsets.UTF_8));
                assertThat(RawHttp.read(a.getInputStream()).status()).isEqualTo(200);
                try (Socket c = new Socket("127.0.0.1", port)) {
                    c.setSoTimeout(5_000);
                    assertThat(c.getInputStream().read()).as("the third connection is closed").isEqualTo(-1);
                }
                assertThat(b.isConnected()).isTrue();
            }
        } finally {
            TestFiles.deleteTree(data);
        }
    }

    /** Sends, retrying while the single in-flight slot is still held by another test's request. */
    private static RawHttp.Response sendWhenFree(String method, String target) throws Exception {
        long deadline = System.nanoTime() + 5_000_000_000L;
        RawHttp.Response r = send(method, target, "");
        while (r.status() == 503 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            r = send(method, target, "");
        }
        return r;
    }

    private static RawHttp.Response send(String method, String target, String body) throws Exception {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(signedFor(method, target, Map.of("Content-Length", Integer.toString(b.length)))
                    .getBytes(StandardCharsets.UTF_8));
            s.getOutputStream().write(b);
            s.getOutputStream().flush();
            return RawHttp.read(s.getInputStream());
        }
    }
}
