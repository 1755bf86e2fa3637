package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.frontend.http.HttpServer;
import dev.kura.server.KuraServer;
import dev.kura.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Admission control against hostile clients, on a server with small limits: a 1 s head deadline,
 * 3 connections per client address, 64 in all, one request in flight with a 2 s waiting room.
 * Each test uses its own loopback source addresses (127.0.0.N), so the per-address counts of one
 * test never meet another's.
 */
class AdmissionTest extends KuraTestBase {
    static KuraServer server;
    static Path data;

    @BeforeAll
    static void startServer() throws Exception {
        data = Files.createTempDirectory("kura-admission");
        HttpServer.Limits limits = new HttpServer.Limits(16 * 1024, 16 * 1024, 1, 30_000, 10_000, 10_000,
                64, 3, 1_000, 2_000, 4, 8, 64L << 20);
        server = KuraServer.start(new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
                List.of(new InetSocketAddress("127.0.0.1", 0)), data, "us-east-1", ACCESS_KEY, SECRET_KEY, limits),
                new PrintStream(new ByteArrayOutputStream()));
        try (Socket s = connect("127.0.0.2")) {
            send(s, "PUT", "/admission", new byte[0]);
            assertThat(RawHttp.read(s.getInputStream()).status()).isEqualTo(200);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        TestFiles.deleteTree(data);
    }

    @Test
    void aHeadSentOneByteAtATimeIsCutAtTheHeadDeadline() throws Exception {
        try (Socket slow = connect("127.0.0.5"); Socket silent = connect("127.0.0.5")) {
            OutputStream out = slow.getOutputStream();
            out.write("GET /admission HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            slow.setSoTimeout(200);
            boolean closed = false;
            while (!closed && System.nanoTime() - start < 5_000_000_000L) {
                try {
                    out.write('X'); // a slowloris keeps the head coming, one byte at a time
                    out.flush();
                    closed = slow.getInputStream().read() == -1;
                } catch (SocketTimeoutException e) {
                    // still open
                } catch (IOException e) {
                    closed = true; // reset
                }
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(closed).as("closed by the head deadline").isTrue();
            assertThat(ms).as("after about 1 s, not the 30 s idle timeout").isBetween(800L, 4_000L);
            // a connection that sends nothing is idle, not slow: still open past the head deadline
            silent.setSoTimeout(1_500);
            assertThatThrownBy(() -> silent.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            send(silent, "GET", "/admission", new byte[0]);
            assertThat(RawHttp.read(silent.getInputStream()).status()).isEqualTo(200);
        }
    }

    @Test
    void anAddressWhoseHeadsKeepMissingTheDeadlineIsKeptOutForAWhile() throws Exception {
        // three slow heads are tolerated (a poor network), the fourth keeps the address out
        for (int round = 0; round < 2; round++) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < (round == 0 ? 3 : 1); i++) {
                    Socket s = connect("127.0.0.10");
                    s.getOutputStream().write("GET /admission HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
                    slow.add(s);
                }
                for (Socket s : slow) {
                    assertThat(s.getInputStream().read()).as("cut at the head deadline").isEqualTo(-1);
                }
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
        }
        try (Socket again = connect("127.0.0.10")) {
            // held without an answer (until the head deadline, 1 s here), then closed
            send(again, "GET", "/admission", new byte[0]);
            assertThat(closedWithoutAnswerAfterMillis(again)).as("the address is refused").isGreaterThan(500L);
        }
        try (Socket other = connect("127.0.0.11")) {
            send(other, "GET", "/admission", new byte[0]);
            assertThat(RawHttp.read(other.getInputStream()).status()).as("another address").isEqualTo(200);
        }
        Scrape m = Scrape.of(server.adminAddresses().getFirst().getPort(), null);
        assertThat(m.value("kura_http_penalties_total")).isGreaterThanOrEqualTo(1);
        assertThat(m.value("kura_http_penalty_refusals_total")).isGreaterThanOrEqualTo(1);
    }

    @Test
    void connectionsBeyondThePerClientCapAreClosedAtAccept() throws Exception {
        List<Socket> mine = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                mine.add(connect("127.0.0.3"));
            }
            for (Socket s : mine) {
                send(s, "GET", "/admission", new byte[0]);
                assertThat(RawHttp.read(s.getInputStream()).status()).isEqualTo(200);
            }
            try (Socket fourth = connect("127.0.0.3")) {
                assertThat(fourth.getInputStream().read()).as("a 4th connection from one address").isEqualTo(-1);
            }
            try (Socket other = connect("127.0.0.4")) {
                send(other, "GET", "/admission", new byte[0]);
                assertThat(RawHttp.read(other.getInputStream()).status()).as("another address").isEqualTo(200);
            }
        } finally {
            for (Socket s : mine) {
                s.close();
            }
        }
    }

    @Test
    void theAdminPortAnswersWhileTheS3PortIsFull() throws Exception {
        List<Socket> flood = new ArrayList<>();
        try {
            for (int i = 0; flood.size() < 80; i++) {
                Socket s = new Socket();
                s.bind(new InetSocketAddress("127.0.1." + (1 + i / 3), 0));
                s.connect(new InetSocketAddress("127.0.0.1", s3Port(server)));
                flood.add(s);
            }
            long refused = 0;
            for (Socket s : flood) {
                s.setSoTimeout(30); // a refused one is closed already; a held one stays silent
                try {
                    refused += s.getInputStream().read() == -1 ? 1 : 0;
                } catch (SocketTimeoutException e) {
                    // held open: one of the 64
                }
            }
            assertThat(refused).as("connections beyond the global cap of 64").isGreaterThanOrEqualTo(80 - 64);
            int admin = server.adminAddresses().getFirst().getPort();
            var health = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + admin + "/health/ready")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
        } finally {
            for (Socket s : flood) {
                s.close();
            }
            awaitConnectionsReleased();
        }
    }

    /**
     * The server releases a closed connection's place under the caps when it sees the close, a moment
     * after the client's: the next test must not find the global cap still full.
     */
    private static void awaitConnectionsReleased() throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Socket probe = connect("127.0.2.1")) {
                send(probe, "GET", "/admission", new byte[0]);
                if (RawHttp.read(probe.getInputStream()).status() == 200) {
                    return;
                }
            } catch (IOException e) {
                // refused while the cap is still full
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the server still refuses connections 10 s after the flood ended");
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aRequestBeyondTheLimitWaitsForASlotThenIsTurnedAwayWithSlowDown() throws Exception {
        try (Socket holder = connect("127.0.0.6"); Socket waiter = connect("127.0.0.6")) {
            // the holder takes the one slot: a PUT whose body is still coming
            send(holder, "PUT", "/admission/held", Map.of("Content-Length", "10"), new byte[5]);
            holder.setSoTimeout(200);
            assertThatThrownBy(() -> holder.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            send(waiter, "GET", "/admission/held", new byte[0]);
            waiter.setSoTimeout(700);
            assertThatThrownBy(() -> waiter.getInputStream().read()).as("waiting, not refused")
                    .isInstanceOf(SocketTimeoutException.class);
            holder.getOutputStream().write(new byte[5]); // the holder finishes: its slot goes to the waiter
            holder.setSoTimeout(5_000);
            waiter.setSoTimeout(5_000);
            assertThat(RawHttp.read(holder.getInputStream()).status()).isEqualTo(200);
            assertThat(RawHttp.read(waiter.getInputStream()).status()).isEqualTo(200);
        }
        try (Socket holder = connect("127.0.0.7"); Socket waiter = connect("127.0.0.7")) {
            send(holder, "PUT", "/admission/held2", Map.of("Content-Length", "10"), new byte[5]);
            holder.setSoTimeout(200);
            assertThatThrownBy(() -> holder.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            long start = System.nanoTime();
            send(waiter, "GET", "/admission/held", new byte[0]);
            waiter.setSoTimeout(10_000);
            RawHttp.Response busy = RawHttp.read(waiter.getInputStream());
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(busy.status()).isEqualTo(503);
            assertThat(busy.body()).contains("<Code>SlowDown</Code>");
            assertThat(busy.headers()).containsKey("retry-after");
            assertThat(ms).as("turned away after the 2 s wait").isBetween(1_800L, 8_000L);
            holder.getOutputStream().write(new byte[5]);
            holder.setSoTimeout(5_000);
            assertThat(RawHttp.read(holder.getInputStream()).status()).isEqualTo(200);
        }
    }

    @Test
    void readersThatStopReadingAreEvictedWhenTheBudgetIsSpentAndKeptOutForAWhile() throws Exception {
        Path small = Files.createTempDirectory("kura-budget");
        HttpServer.Limits limits = HttpServer.Limits.defaults().withOutboundBudget(1L << 20);
        try (KuraServer s = KuraServer.start(new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
                List.of(new InetSocketAddress("127.0.0.1", 0)), small, "us-east-1", ACCESS_KEY, SECRET_KEY, limits),
                new PrintStream(new ByteArrayOutputStream()))) {
            int port = s.s3Addresses().getFirst().getPort();
            try (Socket c = new Socket("127.0.0.1", port)) {
                byte[] big = new byte[48 << 20];
                c.getOutputStream().write(RawHttp.signed(port, "PUT", "/budget", Map.of("Content-Length", "0"),
                        new byte[0]).getBytes(StandardCharsets.UTF_8));
                assertThat(RawHttp.read(c.getInputStream()).status()).isEqualTo(200);
                c.getOutputStream().write(RawHttp.signed(port, "PUT", "/budget/big",
                        Map.of("Content-Length", Integer.toString(big.length)), big).getBytes(StandardCharsets.UTF_8));
                c.getOutputStream().write(big);
                assertThat(RawHttp.read(c.getInputStream()).status()).isEqualTo(200);
            }
            // two GETs of 48 MiB that are never read: together they want more than the 1 MiB budget
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Socket r = new Socket();
                    r.setReceiveBufferSize(4096);
                    r.bind(new InetSocketAddress("127.0.0.8", 0));
                    r.connect(new InetSocketAddress("127.0.0.1", port));
                    r.getOutputStream().write(RawHttp.signed(port, "GET", "/budget/big", Map.of(), new byte[0])
                            .getBytes(StandardCharsets.UTF_8));
                    stalled.add(r);
                }
                // both now sit on a full write buffer, holding the whole budget; a reader from elsewhere
                // needs some of it: it evicts one of them once stalled over a second, and is served
                Thread.sleep(300); // let both fill their buffers
                try (Socket other = new Socket()) {
                    other.bind(new InetSocketAddress("127.0.0.9", 0));
                    other.connect(new InetSocketAddress("127.0.0.1", port));
                    other.setSoTimeout(10_000);
                    other.getOutputStream().write(RawHttp.signed(port, "GET", "/budget", Map.of(), new byte[0])
                            .getBytes(StandardCharsets.UTF_8));
                    assertThat(RawHttp.read(other.getInputStream()).status()).as("a reader is served").isEqualTo(200);
                }
                Scrape m = Scrape.of(s.adminAddresses().getFirst().getPort(), null);
                assertThat(m.value("kura_http_outbound_evictions_total")).isGreaterThanOrEqualTo(1);
                // and the evicted reader's address is refused at accept for a while
                try (Socket again = new Socket()) {
                    again.bind(new InetSocketAddress("127.0.0.8", 0));
                    again.connect(new InetSocketAddress("127.0.0.1", port));
                    again.setSoTimeout(15_000);
                    again.getOutputStream().write(RawHttp.signed(port, "GET", "/budget", Map.of(), new byte[0])
                            .getBytes(StandardCharsets.UTF_8));
                    assertThat(closedWithoutAnswerAfterMillis(again)).as("the evicted reader's address is kept "
                            + "out: held without an answer, then closed").isGreaterThan(1_000L);
                }
            } finally {
                for (Socket r : stalled) {
                    r.close();
                }
            }
        } finally {
            TestFiles.deleteTree(small);
        }
    }

    /** Waits for the server to close {@code s} without a byte of answer; how long that took. */
    private static long closedWithoutAnswerAfterMillis(Socket s) throws IOException {
        long start = System.nanoTime();
        try {
            assertThat(s.getInputStream().read()).as("no answer").isEqualTo(-1);
        } catch (java.net.SocketException e) {
            // a reset: closed with our request unread, as a refused connection is (a timeout is no SocketException)
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static int s3Port(KuraServer s) {
        return s.s3Addresses().getFirst().getPort();
    }

    private static Socket connect(String from) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(from, 0));
        s.connect(new InetSocketAddress("127.0.0.1", s3Port(server)));
        s.setSoTimeout(10_000);
        return s;
    }

    private static void send(Socket s, String method, String target, byte[] body) throws Exception {
        send(s, method, target, Map.of("Content-Length", Integer.toString(body.length)), body);
    }

    private static void send(Socket s, String method, String target, Map<String, String> headers, byte[] body)
            throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(RawHttp.signed(s3Port(server), method, target, headers, body).getBytes(StandardCharsets.UTF_8));
        out.write(body);
        out.flush();
    }
}
