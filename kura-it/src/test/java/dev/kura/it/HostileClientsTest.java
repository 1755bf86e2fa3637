package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.bench.load.Endpoint;
import dev.kura.bench.load.Hostiles;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
    static final int HOSTILE = 300;
    static final long PHASE_MILLIS = 8_000;

    @Test
    void normalClientsKeepTheirThroughputWhileHostileClientsAttack() throws Exception {
        Path data = Files.createTempDirectory("kura-hostile");
        try (ServerProcess server = ServerProcess.start(data, ServerProcess.freePort(), ServerProcess.freePort(),
                List.of("--request-head-timeout", "5s"), launcherJvmFlags());
             S3Client s3 = server.client()) {
            s3.createBucket(b -> b.bucket("hostile"));
            Workload.run(s3, 3_000); // warm-up: JIT and connection pool, so the two phases compare fairly
            Workload alone = Workload.run(s3, PHASE_MILLIS);
            long rssAlone = server.peakRssBytes();

            // the load generator's attackers (kura bench --hostile), 300 of them: 150 slowloris heads,
            // 50 slow bodies, 100 non-reading GETs of 32 MiB, ten per loopback address
            Hostiles hostiles = Hostiles.start(new Endpoint("127.0.0.1", server.port), "hostile", "test",
                    ServerProcess.AK, ServerProcess.SK, "us-east-1", HOSTILE, System.out);
            Thread.sleep(3_000); // let every attacker connect and settle in
            Workload attacked = Workload.run(s3, PHASE_MILLIS);
            int health = health(server.adminPort);
            Scrape metrics = Scrape.of(server.adminPort, null);
            double nettyBytes = metrics.value("kura_netty_direct_memory_used_bytes")
                    + metrics.value("kura_netty_heap_memory_used_bytes");
            double heapCommitted = metrics.value("jvm_memory_committed_bytes", "area", "heap");
            double outbound = metrics.value("kura_http_outbound_bytes");
            double evictions = metrics.value("kura_http_outbound_evictions_total");
            hostiles.close();

            double ratio = attacked.ops() / (double) alone.ops();
            long rss = server.peakRssBytes();
            System.out.printf("hostile clients: normal workload %d ops alone, %d under attack (%.0f%%); attackers "
                            + "connected %d times (%d cut off by the server); errors alone %s, attacked %s; peak RSS %d MiB "
                            + "(%d MiB before the attack); Netty buffers under attack %.0f MiB, heap committed %.0f MiB, outbound budget in use %.0f MiB, %.0f evictions%n",
                    alone.ops(), attacked.ops(), ratio * 100, hostiles.connects(), hostiles.cutOff(),
                    alone.errors(), attacked.errors(), rss >> 20, rssAlone >> 20, nettyBytes / (1 << 20),
                    heapCommitted / (1 << 20), outbound / (1 << 20), evictions);
            assertThat(server.process.isAlive()).as("the server is up").isTrue();
            assertThat(alone.errors()).isEmpty();
            assertThat(attacked.errors()).as("no 500s, no refusals for the normal workload").isEmpty();
            assertThat(ratio).as("throughput kept under attack").isGreaterThan(0.5);
            assertThat(health).isEqualTo(200);
            assertThat(hostiles.cutOff()).as("the server cut attackers off").isGreaterThan(0);
            assertThat(rss).as("server peak RSS").isLessThan(768L << 20);
            assertThat(outbound).as("the outbound budget holds").isLessThanOrEqualTo(64.0 * (1 << 20));
            assertThat(nettyBytes).as("Netty's buffers: the 64 MiB outbound budget, a few request buffers")
                    .isLessThan(160.0 * (1 << 20));
        } finally {
            TestFiles.deleteTree(data);
            Files.deleteIfExists(data.resolveSibling(data.getFileName() + ".master-key"));
        }
    }

    /** The JVM flags `./kura server` runs with (scripts/server-jvm-flags), so the memory measured is the launcher's. */
    static String[] launcherJvmFlags() throws java.io.IOException {
        Path file = Path.of("..", "scripts", "server-jvm-flags");
        return Files.readAllLines(file).stream().filter(l -> !l.isBlank() && !l.startsWith("#"))
                .flatMap(l -> java.util.Arrays.stream(l.trim().split("\\s+"))).toArray(String[]::new);
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
}
