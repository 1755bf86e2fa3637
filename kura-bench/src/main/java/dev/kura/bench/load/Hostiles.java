package dev.kura.bench.load;

import dev.kura.bench.http.SigV4Signer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code --hostile N}: N misbehaving clients on raw sockets beside the measured workload, to see what
 * they cost it. Half are slowloris heads (a header byte every 2 s), a sixth slow body senders (a
 * signed PUT of 1 MiB trickling in at 1 KiB every 3 s), a third GET readers that never read a
 * 32 MiB response. Each reconnects whenever the server cuts it off. Against a loopback endpoint they
 * come from 127.0.3.x, ten per address (a botnet, not one client); otherwise from this machine.
 */
public final class Hostiles implements AutoCloseable {
    private static final int BIG = 32 << 20;

    private final Endpoint endpoint;
    private final String bucket;
    private final String bigKey;
    private final SigV4Signer signer;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong cutOff = new AtomicLong();
    private final List<Socket> open = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();

    private Hostiles(Endpoint endpoint, String bucket, String runId, SigV4Signer signer) {
        this.endpoint = endpoint;
        this.bucket = bucket;
        this.bigKey = runId + "/hostile-big";
        this.signer = signer;
    }

    /** Uploads the object the non-readers ask for, then starts {@code n} hostile clients. */
    public static Hostiles start(BenchConfig config, int n, PrintStream log) throws IOException, InterruptedException {
        return start(config.endpoint(), config.bucket(), config.runId(), config.accessKey(), config.secretKey(),
                config.region(), n, log);
    }

    /**
     * As above, outside a bench run (the test suite's short version): half the clients slowloris heads,
     * a sixth slow bodies, the rest non-reading GETs of a 32 MiB object put under {@code runId}.
     */
    public static Hostiles start(Endpoint endpoint, String bucket, String runId, String accessKey, String secretKey,
                                 String region, int n, PrintStream log) throws IOException, InterruptedException {
        Hostiles h = new Hostiles(endpoint, bucket, runId, new SigV4Signer(accessKey, secretKey, region));
        h.simple("PUT", "/" + SigV4Signer.encode(bucket, false), new byte[0]); // the bucket, if it is not there yet
        int status = h.simple("PUT", path(bucket, h.bigKey), new byte[BIG]);
        if (status != 200) {
            throw new IOException("could not upload the hostile clients' object: HTTP " + status);
        }
        int lorises = n / 2;
        int bodies = n / 6;
        for (int i = 0; i < n; i++) {
            Attack a = i < lorises ? h::slowloris : i < lorises + bodies ? h::slowBody : h::nonReader;
            h.threads.add(h.attacker(i, a));
        }
        log.printf("hostile: %d clients (%d slowloris heads, %d slow bodies, %d non-reading GETs of 32 MiB)%n",
                n, lorises, bodies, n - lorises - bodies);
        return h;
    }

    private static String path(String bucket, String key) {
        return SigV4Signer.encodePath(bucket, key);
    }

    /** Connections the attackers made. */
    public long connects() {
        return connects.get();
    }

    /** Attacker connections the server cut off (closed, refused, reset). */
    public long cutOff() {
        return cutOff.get();
    }

    /** Connections made, and how many of them the server cut off. */
    public String summary() {
        return "hostile: " + connects.get() + " connections made, " + cutOff.get() + " cut off by the server";
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        synchronized (open) {
            for (Socket s : open) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
        for (Thread t : threads) {
            t.interrupt();
            t.join(5_000);
        }
        try {
            simple("DELETE", path(bucket, bigKey), new byte[0]);
        } catch (IOException e) {
            // best effort: the object stays under the run's prefix
        }
    }

    private interface Attack {
        void run(Socket s) throws Exception;
    }

    private Thread attacker(int n, Attack attack) {
        boolean loopback = endpoint.address().getAddress() != null && endpoint.address().getAddress().isLoopbackAddress();
        String from = "127.0.3." + (1 + n / 10 % 250);
        return Thread.ofVirtual().name("hostile-" + n).start(() -> {
            while (!stop.get()) {
                try (Socket s = new Socket()) {
                    s.setReceiveBufferSize(4096);
                    if (loopback) {
                        s.bind(new InetSocketAddress(from, 0));
                    }
                    s.connect(endpoint.address());
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
            }
        });
    }

    private String head(String method, String rawPath, long length) {
        Map<String, String> headers = Map.of("content-length", Long.toString(length));
        SigV4Signer.Signed s = signer.sign(method, endpoint.hostHeader(), rawPath, Map.of(), headers,
                SigV4Signer.UNSIGNED_PAYLOAD, Instant.now());
        return method + " " + rawPath + " HTTP/1.1\r\nHost: " + endpoint.hostHeader() + "\r\nx-amz-date: " + s.amzDate()
                + "\r\nx-amz-content-sha256: " + SigV4Signer.UNSIGNED_PAYLOAD + "\r\ncontent-length: " + length
                + "\r\nAuthorization: " + s.authorization() + "\r\n\r\n";
    }

    /** One request on its own connection; its status. */
    private int simple(String method, String rawPath, byte[] body) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(endpoint.address());
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            out.write(head(method, rawPath, body.length).getBytes(StandardCharsets.UTF_8));
            out.write(body);
            out.flush();
            String status = readLine(s.getInputStream());
            String[] parts = status.split(" ");
            return parts.length > 1 ? Integer.parseInt(parts[1]) : -1;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            b.append((char) c);
        }
        return b.toString().trim();
    }

    private void slowloris(Socket s) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(("GET " + path(bucket, bigKey) + " HTTP/1.1\r\nHost: " + endpoint.hostHeader() + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        while (!stop.get()) {
            out.write('X');
            out.flush();
            Thread.sleep(2_000);
        }
    }

    private void slowBody(Socket s) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(head("PUT", path(bucket, bigKey + "-slow-" + s.getLocalPort()), 1 << 20).getBytes(StandardCharsets.UTF_8));
        while (!stop.get()) {
            out.write(new byte[1024]);
            out.flush();
            Thread.sleep(3_000);
        }
    }

    private void nonReader(Socket s) throws Exception {
        OutputStream out = s.getOutputStream();
        out.write(head("GET", path(bucket, bigKey), 0).getBytes(StandardCharsets.UTF_8));
        out.flush();
        while (!stop.get()) {
            Thread.sleep(1_000);
            out.write('X'); // fails once the server has closed its side
            out.flush();
        }
    }
}
