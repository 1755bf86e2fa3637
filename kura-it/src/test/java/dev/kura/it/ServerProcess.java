package dev.kura.it;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** A Kura server in its own JVM (what {@code kura server} runs), for kill -9 and memory tests. */
final class ServerProcess implements AutoCloseable {
    static final String AK = "PROCESSACCESSKEY001";
    static final String SK = "process/secret/0123456789abcdefghijklmnop";

    final Process process;
    final int port;
    final int adminPort;
    final Path log;

    private ServerProcess(Process process, int port, int adminPort, Path log) {
        this.process = process;
        this.port = port;
        this.adminPort = adminPort;
        this.log = log;
    }

    static ServerProcess start(Path data, int port, int adminPort, String... jvmArgs) throws Exception {
        return start(data, port, adminPort, List.of(), jvmArgs);
    }

    /** As above with more {@code kura server} flags (drives, layout…). */
    static ServerProcess start(Path data, int port, int adminPort, List<String> serverArgs, String... jvmArgs)
            throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(List.of(jvmArgs));
        cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "dev.kura.server.Main", "server", "--address", "127.0.0.1:" + port,
                "--admin-address", "127.0.0.1:" + adminPort, "--data", data.toString()));
        cmd.addAll(serverArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("KURA_ACCESS_KEY", AK);
        pb.environment().put("KURA_SECRET_KEY", SK);
        pb.redirectErrorStream(true);
        Path log = data.resolveSibling(data.getFileName() + "-" + System.nanoTime() + ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("server exited: " + Files.readString(log));
            }
            try {
                var r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/health/ready")).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return new ServerProcess(p, port, adminPort, log);
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(100);
        }
        p.destroyForcibly();
        throw new IllegalStateException("server did not become ready: " + Files.readString(log));
    }

    S3Client client() {
        return S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + port)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(AK, SK)))
                .forcePathStyle(true)
                .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(1)))
                .build();
    }

    /** Peak resident memory of the server process so far (VmHWM), in bytes. */
    long peakRssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmHWM");
    }

    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(log);
    }

    static int freePort() throws IOException {
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
