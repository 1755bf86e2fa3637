package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A rolling restart of a three-process cluster under load: each node in turn is taken out of the
 * clients' rotation (as a load balancer or DNS would), stopped (SIGTERM), started again and put back
 * once ready — the index leader among them. Writers and readers using the AWS SDK with its standard
 * retries see no failed request, and every object written reads back byte-exact through every node.
 */
class ClusterRollingRestartTest {
    @TempDir
    Path dir;

    static byte[] content(String key, int size) {
        return ZoneFailureTest.content(key, size);
    }

    @Test
    void noRequestFailsWhileEveryNodeIsRestartedInTurn() throws Exception {
        ClusterNodes.run(dir, 3, this::scenario);
    }

    void scenario(ClusterNodes cluster) throws Exception {
        List<S3Client> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            clients.add(cluster.client(i));
        }
        clients.get(0).createBucket(b -> b.bucket("rolling"));
        List<Integer> rotation = new CopyOnWriteArrayList<>(List.of(0, 1, 2));
        Map<String, Integer> written = new ConcurrentHashMap<>();
        List<String> failures = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger done = new AtomicInteger();
        List<Thread> load = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            int worker = w;
            load.add(Thread.ofPlatform().name("rolling-" + w).start(() -> {
                Random rnd = new Random(worker);
                int n = 0;
                while (!stop.get()) {
                    int node = rotation.get(rnd.nextInt(rotation.size()));
                    S3Client s3 = clients.get(node);
                    try {
                        if (worker % 2 == 0 || written.isEmpty()) {
                            String key = "w" + worker + "/" + n++;
                            int size = rnd.nextBoolean() ? 3_000 : 200_000;
                            s3.putObject(r -> r.bucket("rolling").key(key), RequestBody.fromBytes(content(key, size)));
                            written.put(key, size);
                        } else {
                            List<String> keys = new ArrayList<>(written.keySet());
                            String key = keys.get(rnd.nextInt(keys.size()));
                            byte[] got = s3.getObjectAsBytes(r -> r.bucket("rolling").key(key)).asByteArray();
                            if (!java.util.Arrays.equals(got, content(key, written.get(key)))) {
                                failures.add("node" + (node + 1) + ": " + key + " read back different bytes");
                            }
                        }
                        done.incrementAndGet();
                    } catch (RuntimeException e) {
                        failures.add("node" + (node + 1) + ": " + e);
                    }
                }
            }));
        }
        Thread.sleep(1_000);
        for (int i = 0; i < 3; i++) {
            rotation.remove(Integer.valueOf(i)); // out of the load balancer first
            Thread.sleep(500);
            cluster.processes[i].destroy(); // SIGTERM: an orderly stop
            assertThat(cluster.processes[i].waitFor(30, TimeUnit.SECONDS)).as("node%d stopped", i + 1).isTrue();
            cluster.launch(i);
            cluster.awaitReady(i, 90);
            rotation.add(i);
            Thread.sleep(1_000);
        }
        stop.set(true);
        for (Thread t : load) {
            t.join(60_000);
        }
        assertThat(failures).as("failed requests during the rolling restart").isEmpty();
        assertThat(done.get()).as("requests served").isGreaterThan(100);
        for (int i = 0; i < 3; i++) {
            for (var e : written.entrySet()) {
                byte[] got = clients.get(i).getObjectAsBytes(r -> r.bucket("rolling").key(e.getKey())).asByteArray();
                assertThat(got).as("%s through node%d", e.getKey(), i + 1).isEqualTo(content(e.getKey(), e.getValue()));
            }
        }
        clients.forEach(S3Client::close);
    }
}
