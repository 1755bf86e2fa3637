package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Delete;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The six-drive, three-zone, 4+2 layout the drive fault tests run a {@code kura server} process on,
 * and what they do to its drives from outside: drive {@code i} is {@code <dir>/d<i>} in zone
 * {@code z<i/2>}, Kura's home is {@code <dir>/home}.
 */
final class DriveRig {
    static final int DRIVES = 6;

    final Path dir;
    final Path home;
    final int port;
    final int adminPort;

    DriveRig(Path dir) throws IOException {
        this.dir = dir;
        this.home = dir.resolve("home");
        this.port = ServerProcess.freePort();
        this.adminPort = ServerProcess.freePort();
    }

    Path drive(int i) {
        return dir.resolve("d" + i);
    }

    String endpoint() {
        return "http://127.0.0.1:" + adminPort;
    }

    /** {@code --drive d<i>,zone=z<i/2>} for all six, {@code --ec 4+2}, no periodic scrub, no access log, then {@code more}. */
    List<String> args(String... more) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < DRIVES; i++) {
            args.addAll(List.of("--drive", drive(i) + ",zone=z" + (i / 2)));
        }
        args.addAll(List.of("--ec", "4+2", "--scrub-interval", "0", "--access-log", "off"));
        args.addAll(List.of(more));
        return args;
    }

    ServerProcess start(List<String> args) throws Exception {
        return ServerProcess.start(home, port, adminPort, args, "-Xmx512m");
    }

    /** The drive is gone: unmounted, pulled, burnt. */
    void vanish(int... drives) throws IOException {
        for (int i : drives) {
            Files.move(drive(i), dir.resolve("d" + i + ".gone-" + System.nanoTime()));
        }
    }

    /** Regular files under {@code <drive>/<sub>} (empty when the directory is not there). */
    static List<Path> files(Path drive, String sub) throws IOException {
        Path d = drive.resolve(sub);
        if (!Files.isDirectory(d)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(d)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    List<Path> dataFiles(int i) throws IOException {
        return files(drive(i), "data");
    }

    List<Path> tmpFiles(int i) throws IOException {
        return files(drive(i), "tmp");
    }

    static byte[] content(String key, int size) {
        byte[] b = new byte[size];
        new Random(key.hashCode() * 31L + size).nextBytes(b);
        return b;
    }

    /** PUTs {@code sizes} under {@code prefix + i} in parallel, each its {@link #content}; adds them to {@code written}. */
    static void putAll(S3Client s3, ExecutorService pool, String bucket, String prefix, int[] sizes, int n,
                       Map<String, Integer> written) throws Exception {
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String key = prefix + i;
            int size = sizes[i % sizes.length];
            done.add(pool.submit(() -> {
                s3.putObject(r -> r.bucket(bucket).key(key),
                        software.amazon.awssdk.core.sync.RequestBody.fromBytes(content(key, size)));
                synchronized (written) {
                    written.put(key, size);
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
    }

    /** GETs every object of {@code written} in parallel and compares every byte. */
    static void readAll(S3Client s3, ExecutorService pool, String bucket, Map<String, Integer> written) throws Exception {
        List<Future<?>> done = new ArrayList<>();
        for (var e : written.entrySet()) {
            done.add(pool.submit(() -> {
                byte[] got = s3.getObjectAsBytes(r -> r.bucket(bucket).key(e.getKey())).asByteArray();
                assertThat(got).as("%s (%d bytes) reads back byte-exact", e.getKey(), e.getValue())
                        .isEqualTo(content(e.getKey(), e.getValue()));
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
    }

    /** Deletes every object of the bucket with DeleteObjects; returns how many. */
    static int deleteAll(S3Client s3, String bucket) {
        List<ObjectIdentifier> ids = s3.listObjectsV2Paginator(r -> r.bucket(bucket)).contents().stream()
                .map(S3Object::key).map(k -> ObjectIdentifier.builder().key(k).build()).toList();
        for (int from = 0; from < ids.size(); from += 1000) {
            List<ObjectIdentifier> batch = ids.subList(from, Math.min(ids.size(), from + 1000));
            var out = s3.deleteObjects(r -> r.bucket(bucket).delete(Delete.builder().objects(batch).quiet(true).build()));
            assertThat(out.errors()).as("DeleteObjects errors").isEmpty();
        }
        return ids.size();
    }

    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(java.time.Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
    }

    /** The server's own lines (not the JSON log records), for a failure message. */
    static String serverSaid(ServerProcess server) {
        try {
            return String.join("\n", Files.readAllLines(server.log).stream().filter(l -> !l.startsWith("{")).limit(200).toList());
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Runs {@code body}; if it fails, the failure carries what the server logged. */
    static void explained(ServerProcess server, Body body) throws Exception {
        try {
            body.run();
        } catch (Throwable t) {
            throw new AssertionError("failed; the server said:\n" + serverSaid(server), t);
        }
    }

    interface Body {
        void run() throws Exception;
    }

    /** True when this JVM runs as root (uid 0). */
    static boolean root() {
        try {
            Process p = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && out.equals("0");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Runs a command; returns its exit code (-1 when it could not run), output in {@code out} if given. */
    static int run(StringBuilder out, String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (out != null) {
                out.append(text);
            }
            return p.waitFor(30, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    /** Mounts a tmpfs of {@code megabytes} MiB at {@code at}; false when that is not possible here. */
    static boolean mountTmpfs(Path at, int megabytes) throws IOException {
        Files.createDirectories(at);
        return root() && run(null, "mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", at.toString()) == 0;
    }

    static void unmount(Path at) {
        if (run(null, "umount", at.toString()) != 0) {
            run(null, "umount", "-l", at.toString());
        }
    }
}
