package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.object.PartitionBudgets;
import dev.kura.server.KuraServer;
import dev.kura.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A server whose partitions admit 20 writes a second and split after 2 s over budget: a hot prefix
 * gets S3's 503 SlowDown (exact body and headers, before the body is read), the AWS SDK's standard
 * retry turns it into success, the hot partition splits so the accepted rate climbs well above one
 * partition's budget, listings stay exact across splits, partitions survive a restart, and a short
 * spike is throttled while the normal rate after it is not.
 */
class PartitionTest {
    static final int WRITE_RATE = 20;
    static final Pattern PARTITION_START = Pattern.compile("\"start\":\"([^\"]*)\"");

    static Path data;
    static ServerConfig config;
    static KuraServer server;

    @BeforeAll
    static void start() throws Exception {
        data = Files.createTempDirectory("kura-partitions");
        config = new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
                List.of(new InetSocketAddress("127.0.0.1", 0)), data, "us-east-1", KuraTestBase.ACCESS_KEY,
                KuraTestBase.SECRET_KEY).withPartitions(new PartitionBudgets.Settings(WRITE_RATE, 400, Duration.ofSeconds(2)));
        server = KuraServer.start(config, new PrintStream(new ByteArrayOutputStream()));
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        TestFiles.deleteTree(data);
        Files.deleteIfExists(dev.kura.server.MasterKey.defaultFile(data));
    }

    static int port() {
        return server.s3Addresses().getFirst().getPort();
    }

    /** An SDK client in the standard retry mode ({@code maxAttempts} attempts), or one that never retries (1). */
    static S3Client client(int maxAttempts) {
        return S3Client.builder()
                .endpointOverride(URI.create("http://127.0.0.1:" + port()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(KuraTestBase.ACCESS_KEY, KuraTestBase.SECRET_KEY)))
                .forcePathStyle(true)
                .overrideConfiguration(o -> o.retryStrategy(maxAttempts == 1 ? AwsRetryStrategy.doNotRetry()
                        : AwsRetryStrategy.standardRetryStrategy().toBuilder().maxAttempts(maxAttempts).build()))
                .build();
    }

    static RawHttp.Response send(int port, String head, byte[] body) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
            return RawHttp.read(s.getInputStream());
        }
    }

    static String adminPartitions(String bucket) throws Exception {
        int admin = server.adminAddresses().getFirst().getPort();
        RawHttp.Response r = send(admin, RawHttp.signed(admin, "GET", "/admin/v1/partitions?bucket=" + bucket, Map.of(),
                new byte[0]), new byte[0]);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    static List<String> starts(String json) {
        List<String> out = new ArrayList<>();
        Matcher m = PARTITION_START.matcher(json);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    static String hotKey() {
        return "hot/2026-12-07/" + String.format("%08d", ThreadLocalRandom.current().nextInt(100_000_000));
    }

    @Test
    void aHotPrefixGetsS3sSlowDownBeforeTheBodyIsRead() throws Exception {
        try (S3Client s3 = client(1)) {
            s3.createBucket(b -> b.bucket("raw-hot"));
        }
        byte[] body = "x".getBytes(StandardCharsets.UTF_8);
        RawHttp.Response refused = null;
        String refusedKey = null;
        int ok = 0;
        for (int i = 0; i < 3 * WRITE_RATE && refused == null; i++) {
            String key = "2026-12-07/" + i;
            RawHttp.Response r = send(port(), RawHttp.signed(port(), "PUT", "/raw-hot/" + key, Map.of(), body), body);
            if (r.status() == 503) {
                refused = r;
                refusedKey = key;
            } else {
                assertThat(r.status()).isEqualTo(200);
                ok++;
            }
        }
        assertThat(ok).isGreaterThanOrEqualTo(WRITE_RATE - 1); // one second's burst first
        assertThat(refused).as("a 503 within three bursts").isNotNull();
        assertThat(refused.headers()).containsEntry("retry-after", "1").containsEntry("content-type", "application/xml");
        assertThat(refused.body()).startsWith("<?xml").contains("<Error><Code>SlowDown</Code>"
                + "<Message>Please reduce your request rate.</Message>").contains("<RequestId>")
                .contains("<Resource>/raw-hot/" + refusedKey + "</Resource>");
        // Refused before the body is invited: a PUT announcing a megabyte and waiting for 100 Continue
        // gets its 503 without sending a byte (a server that read the body would time out here).
        RawHttp.Response early = null;
        for (int i = 0; i < 3 * WRITE_RATE && early == null; i++) {
            RawHttp.Response r = send(port(), RawHttp.signed(port(), "PUT", "/raw-hot/2026-12-07/big",
                    Map.of("Content-Length", "1048576", "Expect", "100-continue"), new byte[0]), new byte[0]);
            if (r.status() == 503) {
                early = r;
            }
        }
        assertThat(early).isNotNull();
        // Counted per bucket and partition in /metrics.
        Scrape metrics = Scrape.of(server.adminAddresses().getFirst().getPort(), null);
        assertThat(metrics.value("kura_partition_throttled_requests", "bucket", "raw-hot", "partition", "0", "kind",
                "write")).isGreaterThanOrEqualTo(2);
        // What was refused was never stored.
        try (S3Client s3 = client(5)) {
            String k = refusedKey;
            assertThat(s3.listObjectsV2(b -> b.bucket("raw-hot")).contents()).noneMatch(o -> o.key().equals(k))
                    .noneMatch(o -> o.key().equals("2026-12-07/big"));
        }
    }

    @Test
    void theSdksStandardRetryTurnsSlowDownIntoSuccess() throws Exception {
        try (S3Client s3 = client(10)) {
            s3.createBucket(b -> b.bucket("retried"));
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            ConcurrentSkipListSet<String> written = new ConcurrentSkipListSet<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    for (int i = 0; i < 25; i++) {
                        String key = hotKey();
                        try {
                            s3.putObject(b -> b.bucket("retried").key(key), RequestBody.fromString(key));
                            written.add(key);
                        } catch (RuntimeException e) {
                            failures.add(e);
                        }
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            assertThat(failures).isEmpty();
            assertThat(written).hasSize(100);
            String report = adminPartitions("retried");
            Matcher throttled = Pattern.compile("\"throttledWrites\":(\\d+)").matcher(report);
            long total = 0;
            while (throttled.find()) {
                total += Long.parseLong(throttled.group(1));
            }
            assertThat(total).as("the burst was throttled, and retried: %s", report).isPositive();
        }
    }

    /**
     * Six writers keep a hot prefix over budget for 14 s: the partition splits (again and again), the
     * accepted rate climbs well above one partition's 20/s, listings made during the splits are in
     * order with every acknowledged key once, and the partitions are still there after a restart.
     */
    @Test
    void aHotPartitionSplitsAndTheAcceptedRateClimbsWhileListingsStayExact() throws Exception {
        String bucket = "hot";
        int seconds = 14;
        AtomicLongArray accepted = new AtomicLongArray(seconds + 2);
        AtomicInteger otherErrors = new AtomicInteger();
        ConcurrentSkipListSet<String> written = new ConcurrentSkipListSet<>();
        ConcurrentLinkedQueue<String> listingProblems = new ConcurrentLinkedQueue<>();
        try (S3Client writer = client(1); S3Client reader = client(10)) {
            writer.createBucket(b -> b.bucket(bucket));
            long start = System.nanoTime();
            long end = start + Duration.ofSeconds(seconds).toNanos();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                threads.add(Thread.ofPlatform().start(() -> {
                    while (System.nanoTime() < end) {
                        String key = hotKey();
                        try {
                            writer.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key));
                            written.add(key);
                            accepted.incrementAndGet((int) ((System.nanoTime() - start) / 1_000_000_000L));
                        } catch (S3Exception e) {
                            if (e.statusCode() != 503 || !"SlowDown".equals(e.awsErrorDetails().errorCode())) {
                                otherErrors.incrementAndGet();
                            }
                        } catch (RuntimeException e) {
                            otherErrors.incrementAndGet();
                        }
                    }
                }));
            }
            threads.add(Thread.ofPlatform().start(() -> {
                while (System.nanoTime() < end) {
                    Set<String> before = Set.copyOf(written);
                    List<String> listed = listAll(reader, bucket);
                    if (!listed.containsAll(before)) {
                        listingProblems.add("a listing missed acknowledged keys");
                    }
                    for (int i = 1; i < listed.size(); i++) {
                        if (listed.get(i - 1).compareTo(listed.get(i)) >= 0) {
                            listingProblems.add("out of order or repeated: " + listed.get(i));
                        }
                    }
                    sleep(500);
                }
            }));
            for (Thread t : threads) {
                t.join();
            }
            StringBuilder perSecond = new StringBuilder();
            for (int s = 0; s < seconds; s++) {
                perSecond.append(accepted.get(s)).append(' ');
            }
            double firstSeconds = (accepted.get(0) + accepted.get(1)) / 2.0;
            double lastSeconds = (accepted.get(seconds - 1) + accepted.get(seconds - 2) + accepted.get(seconds - 3)) / 3.0;
            System.out.println("accepted PUTs per second through the splits: " + perSecond);
            assertThat(otherErrors.get()).isZero();
            assertThat(listingProblems).isEmpty();
            assertThat(firstSeconds).as("one partition: its burst, then its budget (%s)", perSecond)
                    .isLessThanOrEqualTo(2.5 * WRITE_RATE);
            assertThat(lastSeconds).as("after splits, well above one partition's budget (%s)", perSecond)
                    .isGreaterThanOrEqualTo(2.0 * WRITE_RATE);
            assertThat(listAll(reader, bucket)).containsExactlyElementsOf(written); // every key once, in order
        }
        String report = adminPartitions(bucket);
        List<String> starts = starts(report);
        assertThat(starts).as(report).hasSizeGreaterThanOrEqualTo(3).first().isEqualTo("");
        assertThat(starts.subList(1, starts.size())).allMatch(s -> s.startsWith("hot/2026-12-07/")); // cut inside the hot prefix
        assertThat(report).contains("keys starting with hot/2026-12-07/");

        // Partitions are index rows: a restart keeps them (and the keys).
        server.close();
        server = KuraServer.start(config, new PrintStream(new ByteArrayOutputStream()));
        assertThat(starts(adminPartitions(bucket))).isEqualTo(starts);
        try (S3Client reader = client(10)) {
            assertThat(listAll(reader, bucket)).containsExactlyElementsOf(written);
        }
    }

    /** Ten times the budget for three seconds, then half the budget: 503s during the spike, none after. */
    @Test
    void aSpikeIsThrottledAndTheNormalRateAfterItIsNot() throws Exception {
        String bucket = "spike";
        try (S3Client s3 = client(1)) {
            s3.createBucket(b -> b.bucket(bucket));
            int[] spike = run(s3, bucket, 10 * WRITE_RATE, 3, 4);
            sleep(1500); // a second's budget comes back
            int[] after = run(s3, bucket, WRITE_RATE / 2, 4, 1);
            System.out.println("spike: " + spike[0] + " ok, " + spike[1] + " SlowDown, " + spike[2] + " other; after: "
                    + after[0] + " ok, " + after[1] + " SlowDown, " + after[2] + " other");
            assertThat(spike[1]).isPositive();
            assertThat(spike[2]).isZero();
            assertThat(after[1]).isZero();
            assertThat(after[2]).isZero();
            assertThat(after[0]).isGreaterThanOrEqualTo(WRITE_RATE / 2 * 4 - 2);
        }
    }

    /** PUTs at {@code rate} a second for {@code seconds}, paced over {@code threads}; {ok, SlowDown, other}. */
    private static int[] run(S3Client s3, String bucket, int rate, int seconds, int threads) throws Exception {
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger slow = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        long start = System.nanoTime();
        long interval = 1_000_000_000L * threads / rate;
        List<Thread> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            long offset = interval * t / threads;
            all.add(Thread.ofPlatform().start(() -> {
                for (long next = start + offset; next < start + seconds * 1_000_000_000L; next += interval) {
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        sleep(wait / 1_000_000);
                    }
                    String key = "logs/" + String.format("%08d", ThreadLocalRandom.current().nextInt(100_000_000));
                    try {
                        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(key));
                        ok.incrementAndGet();
                    } catch (S3Exception e) {
                        (e.statusCode() == 503 && "SlowDown".equals(e.awsErrorDetails().errorCode()) ? slow : other)
                                .incrementAndGet();
                    } catch (RuntimeException e) {
                        other.incrementAndGet();
                    }
                }
            }));
        }
        for (Thread t : all) {
            t.join();
        }
        return new int[] {ok.get(), slow.get(), other.get()};
    }

    static List<String> listAll(S3Client s3, String bucket) {
        List<String> keys = new ArrayList<>();
        s3.listObjectsV2Paginator(b -> b.bucket(bucket).maxKeys(100)).contents().forEach(o -> keys.add(o.key()));
        return keys;
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
