package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.server.admin.AdminCommand;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The storage promise, against a running {@code kura server} process with six drives in three zones
 * and 4+2 erasure coding, driven by the AWS SDK and {@code kura admin}: write objects of mixed sizes
 * → one zone's drives vanish → every object reads back byte-exact and new writes succeed → empty
 * replacement drives are formatted and healed → bytes flipped in 5% of the data's shards are found
 * and repaired by a scrub → a different zone vanishes → every object still reads back.
 */
class ZoneFailureTest {
    static final int OBJECTS = Integer.getInteger("kura.zones.objects", 2000);
    /** With --drive, small objects are whole copies on 3 drives; larger ones 4+2 (or narrower while a zone is down). */
    static final int[] SIZES = {700, 20_000, 90_000, 200_000, 400_003};

    @TempDir
    Path dir;
    final Map<String, Integer> written = new TreeMap<>();

    static byte[] content(String key, int size) {
        byte[] b = new byte[size];
        new Random(key.hashCode()).nextBytes(b);
        return b;
    }

    Path drive(int i) {
        return dir.resolve("d" + i);
    }

    @Test
    void losesAZoneHealsScrubsAndLosesAnotherWithoutLosingAByte() throws Exception {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            args.addAll(List.of("--drive", drive(i) + ",zone=z" + (i / 2)));
        }
        args.addAll(List.of("--ec", "4+2", "--scrub-interval", "0", "--access-log", "off"));
        int adminPort = ServerProcess.freePort();
        try (ServerProcess server = ServerProcess.start(dir.resolve("home"), ServerProcess.freePort(), adminPort, args);
             S3Client s3 = server.client();
             ExecutorService pool = Executors.newFixedThreadPool(8)) {
            try {
                scenario(server, s3, pool, "http://127.0.0.1:" + adminPort);
            } catch (Throwable t) {
                throw new AssertionError("failed; the server said:\n" + String.join("\n", Files.readAllLines(server.log).stream()
                        .filter(l -> !l.startsWith("{")).limit(200).toList()), t);
            }
        }
    }

    void scenario(ServerProcess server, S3Client s3, ExecutorService pool, String endpoint) throws Exception {
        {
            s3.createBucket(b -> b.bucket("zones"));
            putAll(s3, pool, "before/", OBJECTS);
            putMultipart(s3, "before/multipart");
            assertThat(admin(endpoint, "drives")).contains("online").doesNotContain("offline");
            // Small objects' copies went through the drives' journals, concurrent ones sharing fsyncs.
            double entries = sumOf(endpoint, "kura_storage_journal_entries_total");
            double batches = sumOf(endpoint, "kura_storage_journal_batches_total");
            assertThat(entries).as("journal entries").isGreaterThan(OBJECTS / 4.0);
            assertThat(batches).as("journal batches (fsyncs) for %s entries", entries).isPositive().isLessThan(entries);

            vanish(2, 3); // zone z1
            assertThat(admin(endpoint, "drives")).contains("offline");
            readAll(s3, pool);
            // Reads that rebuilt from parity queued repairs of what they read (left unrepairable while
            // the zone is gone, and counted as done).
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
            while (metric(endpoint, "kura_repair_queue_done_total") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(metric(endpoint, "kura_repair_queue_done_total")).as("repairs queued by degraded reads").isPositive();
            putAll(s3, pool, "during/", 50);
            readAll(s3, pool);

            Files.createDirectories(drive(2));
            Files.createDirectories(drive(3));
            admin(endpoint, "drives", "format", drive(2).toString());
            admin(endpoint, "drives", "format", drive(3).toString());
            // Formatting starts a heal by itself; a heal asked for meanwhile runs after it, and waits.
            String heal = admin(endpoint, "heal", "--wait", "--json");
            assertThat(number(heal, "failed")).isZero();
            // Every item written before the loss had a shard in each zone (copies and 4+2 alike): all rebuilt.
            assertThat(dataFiles(2).size() + dataFiles(3).size()).isGreaterThanOrEqualTo(OBJECTS + 2);
            assertThat(number(admin(endpoint, "heal", "--wait", "--json"), "repaired")).as("a second heal finds nothing").isZero();

            int flipped = flipOneShardOfEveryTwentiethDataItem();
            assertThat(flipped).isPositive();
            String scrub = admin(endpoint, "scrub", "--wait", "--json");
            assertThat(number(scrub, "repaired")).isGreaterThanOrEqualTo(flipped);
            assertThat(number(scrub, "failed")).isZero();
            assertThat(metric(endpoint, "kura_repair_repaired{kind=\"scrub\"}")).as("scrub progress in /metrics")
                    .isGreaterThanOrEqualTo(flipped);

            vanish(4, 5); // zone z2
            readAll(s3, pool);
        }
    }

    void putAll(S3Client s3, ExecutorService pool, String prefix, int n) throws Exception {
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = prefix + i;
            int size = SIZES[i % SIZES.length];
            synchronized (written) {
                written.put(key, size);
            }
            done.add(pool.submit(() -> s3.putObject(r -> r.bucket("zones").key(key), RequestBody.fromBytes(content(key, size)))));
        }
        for (Future<?> f : done) {
            f.get();
        }
    }

    void putMultipart(S3Client s3, String key) {
        byte[] all = content(key, 6 * 1024 * 1024 + 3);
        String id = s3.createMultipartUpload(r -> r.bucket("zones").key(key)).uploadId();
        int cut = 5 * 1024 * 1024;
        String e1 = s3.uploadPart(r -> r.bucket("zones").key(key).uploadId(id).partNumber(1),
                RequestBody.fromBytes(java.util.Arrays.copyOfRange(all, 0, cut))).eTag();
        String e2 = s3.uploadPart(r -> r.bucket("zones").key(key).uploadId(id).partNumber(2),
                RequestBody.fromBytes(java.util.Arrays.copyOfRange(all, cut, all.length))).eTag();
        s3.completeMultipartUpload(r -> r.bucket("zones").key(key).uploadId(id).multipartUpload(m -> m.parts(
                CompletedPart.builder().partNumber(1).eTag(e1).build(), CompletedPart.builder().partNumber(2).eTag(e2).build())));
        written.put(key, all.length);
    }

    void readAll(S3Client s3, ExecutorService pool) throws Exception {
        List<Future<?>> done = new ArrayList<>();
        for (var e : written.entrySet()) {
            done.add(pool.submit(() -> {
                byte[] got = s3.getObjectAsBytes(r -> r.bucket("zones").key(e.getKey())).asByteArray();
                assertThat(got).as(e.getKey()).isEqualTo(content(e.getKey(), e.getValue()));
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
    }

    /** The drives of a zone are gone: unmounted, pulled, burnt. */
    void vanish(int... drives) throws IOException {
        for (int i : drives) {
            Files.move(drive(i), dir.resolve("d" + i + ".gone-" + System.nanoTime()));
        }
    }

    List<Path> dataFiles(int i) throws IOException {
        Path data = drive(i).resolve("data");
        if (!Files.exists(data)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(data)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    /** Flips one byte in one shard of every twentieth data id (5%), never two shards of one id. */
    int flipOneShardOfEveryTwentiethDataItem() throws IOException {
        Map<String, List<Path>> byId = new TreeMap<>();
        for (int i = 0; i < 6; i++) {
            for (Path p : dataFiles(i)) {
                byId.computeIfAbsent(p.getFileName().toString(), k -> new ArrayList<>()).add(p);
            }
        }
        Random rnd = new Random(5);
        int flipped = 0;
        int n = 0;
        for (List<Path> shards : byId.values()) {
            if (n++ % 20 != 0) {
                continue;
            }
            shards.sort(Comparator.naturalOrder());
            Path victim = shards.get(rnd.nextInt(shards.size()));
            try (RandomAccessFile f = new RandomAccessFile(victim.toFile(), "rw")) {
                long at = f.length() / 2;
                f.seek(at);
                int b = f.read();
                f.seek(at);
                f.write(b ^ 0x5a);
            }
            flipped++;
        }
        return flipped;
    }

    static String admin(String endpoint, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new AdminCommand(Map.of("KURA_ACCESS_KEY", ServerProcess.AK,
                "KURA_SECRET_KEY", ServerProcess.SK), InstantSource.system()));
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        List<String> all = new ArrayList<>(List.of("--endpoint", endpoint));
        all.addAll(List.of(args));
        int code = cli.execute(all.toArray(String[]::new));
        String text = out.toString(StandardCharsets.UTF_8);
        assertThat(code).as("kura admin %s: %s%s", String.join(" ", args), text, err.toString(StandardCharsets.UTF_8)).isZero();
        return text;
    }

    /** A metric's value from the admin port's /metrics, 0 when absent. */
    static double metric(String endpoint, String series) throws Exception {
        String text = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(endpoint + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        for (String line : text.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        return 0;
    }

    /** The sum of a metric over all its label sets (e.g. every drive). */
    static double sumOf(String endpoint, String name) throws Exception {
        String text = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(endpoint + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1).trim());
            }
        }
        return sum;
    }

    static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\"\\s*:\\s*(\\d+)").matcher(json);
        assertThat(m.find()).as("%s in %s", field, json).isTrue();
        return Long.parseLong(m.group(1));
    }
}
