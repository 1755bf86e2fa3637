package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A few hundred hostile clients beside a normal AWS SDK workload, against a server process with
 * the production JVM flags (512 MiB heap) and a 5 s head deadline (so it bites within the test): slowloris heads (a header byte every 2 s), slow body
 * senders (a signed PUT whose body trickles in), and GET readers that never read a 32 MiB response.
 * Each hostile client reconnects whenever the server cuts it off, so the pressure lasts the whole
 * phase. They come from many loopback addresses (127.0.2.x), ten per address, as a botnet would.
 *
 * <p>The normal workload (4 threads, PUT then GET of 16 KiB) runs alone, then under attack; it must
 * keep most of its throughput (asserted at half, to stay clear of a busy 2-core machine's noise;
 * the measured ratio is printed), see no error at all, and the server's peak RSS stays under the
 * 768 MiB memory target, its Netty buffers (read from the admin port's /metrics) near the outbound
 * budget, with /health/ready answering under attack.
 */
class HostileClientsTest {
    static final int SLOWLORIS = 150;
    static final int SLOW_BODIES = 50;
    static final int NON_READERS = 100;
    static final long PHASE_MILLIS = 8_000;

    @Test
    void normalClientsKeepTheirThroughputWhileHostileClientsAttack() throws Exception {
        Path data = Files.createTempDirectory("kura-hostile");
        try (ServerProcess server = ServerProcess.start(data, ServerProcess.freePort(), ServerProcess.freePort(),
                List.of("--request-head-timeout", "5s"), "-XX:+UseZGC", "-Xmx512m", "-XX:MaxDirectMemorySize=192m", "-XX:+ExitOnOutOfMemoryError");
             S3Client s3 = server.client()) {
            s3.createBucket(b -> b.bucket("hostile"));
            s3.putObject(r -> r.bucket("hostile").key("big"), RequestBody.fromBytes(new byte[32 << 20]));
            Workload.run(s3, 3_000); // warm-up: JIT and connection pool, so the two phases compare fairly
            Workload alone = Workload.run(s3, PHASE_MILLIS);
            long rssAlone = server.peakRssBytes();

            AtomicBoolean stop = new AtomicBoolean();
            Hostiles hostiles = new Hostiles(server.port, stop);
            List<Thread> attackers = hostiles.start();
            Thread.sleep(3_000); // let every attacker connect and settle in
            Workload attacked = Workload.run(s3, PHASE_MILLIS);
            int health = health(server.adminPort);
            Scrape metrics = Scrape.of(server.adminPort, null);
            double nettyBytes = metrics.value("kura_netty_direct_memory_used_bytes")
                    + metrics.value("kura_netty_heap_memory_used_bytes");
            double heapCommitted = metrics.value("jvm_memory_committed_bytes", "area", "heap");
            double outbound = metrics.value("kura_http_outbound_bytes");
            double evictions = metrics.value("kura_http_outbound_evictions_total");
            stop.set(true);
            attackers.forEach(Thread::interrupt);
            hostiles.closeAll();

            double ratio = attacked.ops() / (double) alone.ops();
            long rss = server.peakRssBytes();
            System.out.printf("hostile clients: normal workload %d ops alone, %d under attack (%.0f%%); attackers "
                            + "connected %d times (%d cut off by the server); errors alone %s, attacked %s; peak RSS %d MiB "
                            + "(%d MiB before the attack); Netty buffers under attack %.0f MiB, heap committed %.0f MiB, outbound budget in use %.0f MiB, %.0f evictions%n",
                    alone.ops(), attacked.ops(), ratio * 100, hostiles.connects.get(), hostiles.cutOff.get(),
                    alone.errors(), attacked.errors(), rss >> 20, rssAlone >> 20, nettyBytes / (1 << 20),
                    heapCommitted / (1 << 20), outbound / (1 << 20), evictions);
            assertThat(server.process.isAlive()).as("the server is up").isTrue();
            assertThat(alone.errors()).isEmpty();
            assertThat(attacked.errors()).as("no 500s, no refusals for the normal workload").isEmpty();
            assertThat(ratio).as("throughput kept under attack").isGreaterThan(0.5);
            assertThat(health).isEqualTo(200);
            assertThat(hostiles.cutOff.get()).as("the server cut attackers off").isGreaterThan(0);
            assertThat(rss).as("server peak RSS").isLessThan(768L << 20);
            assertThat(outbound).as("the outbound budget holds").isLessThanOrEqualTo(64.0 * (1 << 20));
            assertThat(nettyBytes).as("Netty's buffers: the 64 MiB outbound budget, a few request buffers")
                    .isLessThan(160.0 * (1 << 20));
        } finally {
            TestFiles.deleteTree(data);
            Files.deleteIfExists(data.resolveSibling(data.getFileName() + ".master-key"));
        }
    }

    private static int health(int adminPort) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + "/health/ready")).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** The normal workload: 4 threads, each a PUT then a GET of 16 KiB, for a fixed time. */
    record Workload(long ops, Map<String, Long> errors) {
        static Workload run(S3Client s3, long millis) throws InterruptedException {
            AtomicLong ops = new AtomicLong();
            Map<String, Long> errors = new ConcurrentHashMap<>();
            byte[] body = new byte[16 << 10];
            long end = System.nanoTime() + millis * 1_000_000;
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int id = t;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; System.nanoTime() < end; i++) {
                        String key = "normal/" + id + "/" + (i % 50);
                        try {
                            s3.putObject(r -> r.bucket("hostile").key(key), RequestBody.fromBytes(body));
                            s3.getObjectAsBytes(r -> r.bucket("hostile").key(key));
                            ops.addAndGet(2);
                        } catch (S3Exception e) {
                            errors.merge(e.statusCode() + " " + e.awsErrorDetails().errorCode(), 1L, Long::sum);
                        } catch (RuntimeException e) {
                            errors.merge(e.getClass().getSimpleName(), 1L, Long::sum);
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            return new Workload(ops.get(), errors);
        }
    }

    /** The attackers: raw sockets on virtual threads, each reconnecting when cut off. */
    static final class Hostiles {
        final int port;
        final AtomicBoolean stop;
        final AtomicLong connects = new AtomicLong();
        final AtomicLong cutOff = new AtomicLong();
        final List<Socket> open = java.util.Collections.synchronizedList(new ArrayList<>());

        Hostiles(int port, AtomicBoolean stop) {
            this.port = port;
            this.stop = stop;
        }

        List<Thread> start() {
            List<Thread> threads = new ArrayList<>();
            int n = 0;
            for (int i = 0; i < SLOWLORIS; i++, n++) {
                threads.add(attacker(n, this::slowloris));
            }
            for (int i = 0; i < SLOW_BODIES; i++, n++) {
                threads.add(attacker(n, this::slowBody));
            }
            for (int i = 0; i < NON_READERS; i++, n++) {
                threads.add(attacker(n, this::nonReader));
            }
            return threads;
        }

        interface Attack {
            void run(Socket s) throws Exception;
        }

        private Thread attacker(int n, Attack attack) {
            String from = "127.0.2." + (1 + n / 10);
            return Thread.ofVirtual().start(() -> {
                while (!stop.get()) {
                    try (Socket s = new Socket()) {
                        s.setReceiveBufferSize(4096);
                        s.bind(new InetSocketAddress(from, 0));
                        s.connect(new InetSocketAddress("127.0.0.1", port));
                        open.add(s);
                        connects.incrementAndGet();
                        attack.run(s);
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        if (!stop.get()) {
                            cutOff.incrementAndGet();
                        }
                    }
                    if (stop.get()) {
                        return;
                    }
                }
            });
        }

        void closeAll() {
            synchronized (open) {
                for (Socket s : open) {
                    try {
                        s.close();
                    } catch (IOException e) {
                        // closing anyway
                    }
                }
            }
        }

        /** A request head that never ends: one header byte every 2 s. */
        private void slowloris(Socket s) throws Exception {
            OutputStream out = s.getOutputStream();
            out.write(("GET /hostile/big HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n").getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(2_000);
            while (!stop.get()) {
                out.write('X');
                out.flush();
                try {
                    if (s.getInputStream().read() < 0) {
                        throw new IOException("closed by the server"); // the head deadline
                    }
                } catch (java.net.SocketTimeoutException e) {
                    // two seconds passed: the next byte
                }
            }
        }

        /** A signed PUT of 1 MiB whose body trickles in at 1 KiB every 3 s. */
        private void slowBody(Socket s) throws Exception {
            OutputStream out = s.getOutputStream();
            out.write(RawHttp.signed(port, ServerProcess.AK, ServerProcess.SK, "PUT", "/hostile/slow-" + s.getLocalPort(),
                    Map.of("Content-Length", Integer.toString(1 << 20)), new byte[0]).getBytes(StandardCharsets.UTF_8));
            while (!stop.get()) {
                out.write(new byte[1024]);
                out.flush();
                Thread.sleep(3_000);
            }
        }

        /** A signed GET of 32 MiB whose response is never read; closing is noticed by a failed write. */
        private void nonReader(Socket s) throws Exception {
            OutputStream out = s.getOutputStream();
            String head = RawHttp.signed(port, ServerProcess.AK, ServerProcess.SK, "GET", "/hostile/big", Map.of(), new byte[0]);
            out.write(head.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            while (!stop.get()) {
                Thread.sleep(1_000);
                out.write("X".getBytes(StandardCharsets.US_ASCII)); // fails once the server closed its side
                out.flush();
                if (in.available() < 0) {
                    return;
                }
            }
        }
    }
}
