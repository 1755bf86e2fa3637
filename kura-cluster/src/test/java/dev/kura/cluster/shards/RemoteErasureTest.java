package dev.kura.cluster.shards;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.RepairResult;
import dev.kura.storage.ShardDrive;
import dev.kura.storage.erasure.ErasureBlobStore;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.storage.local.LocalBlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The erasure-coded store of one node over six drives of three nodes in three zones — two drives of
 * its own, two of node B and two of node C reached through the shard protocol (4+2, real sockets on
 * 127.0.0.2 and 127.0.0.3): data is spread over the three zones and read back byte-exact; with node C
 * stopped, reads rebuild from the other four shards and new data is written on the drives left; when C
 * is back, a shard it lost is rebuilt onto it.
 */
class RemoteErasureTest {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef-cluster".getBytes();
    static final int UNIT = 64 * 1024;

    @TempDir
    Path dir;
    final Map<String, LocalBlobStore> nodeB = new HashMap<>();
    final Map<String, LocalBlobStore> nodeC = new HashMap<>();
    final List<AutoCloseable> open = new ArrayList<>();
    ShardServer serverB;
    ShardServer serverC;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** A drive formatted in {@code zone} (the documented header format), opened like the server opens it. */
    private LocalBlobStore drive(String name, String zone) throws IOException {
        Path root = dir.resolve(name);
        Files.createDirectories(root);
        Files.writeString(root.resolve("kura-drive.properties"),
                "format=1\ndrive.id=" + UUID.randomUUID() + "\nzone=" + zone + "\n");
        LocalBlobStore d = LocalBlobStore.open(root, new RealFileIo(), false);
        open.add(d);
        return d;
    }

    private ShardServer serve(String node, Map<String, LocalBlobStore> drives, InetSocketAddress at) throws IOException {
        ShardServer s = ShardServer.start(node, SECRET, drives, at, ServerSocketFactory.getDefault());
        open.add(s);
        return s;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static DataLocation write(ErasureBlobStore store, byte[] data, long seed) throws IOException {
        DataLocation planned = store.place(DataId.random(new Random(seed)), data.length);
        try (BlobWriter w = store.create(planned, "test object")) {
            for (int off = 0; off < data.length; off += 100_000) {
                w.write(data, off, Math.min(100_000, data.length - off));
            }
            return w.commit(() -> { }, null);
        }
    }

    private static byte[] read(ErasureBlobStore store, DataLocation location) throws IOException {
        try (InputStream in = store.open(location, 0, location.length())) {
            return in.readAllBytes();
        }
    }

    @Test
    void shardsOnThreeNodesSurviveALostNodeAndAreRebuiltWhenItReturns() throws Exception {
        List<ShardDrive> drives = new ArrayList<>();
        drives.add(drive("a1", "zone-a"));
        drives.add(drive("a2", "zone-a"));
        for (String n : List.of("b1", "b2")) {
            LocalBlobStore d = drive(n, "zone-b");
            nodeB.put(d.driveId(), d);
        }
        for (String n : List.of("c1", "c2")) {
            LocalBlobStore d = drive(n, "zone-c");
            nodeC.put(d.driveId(), d);
        }
        serverB = serve("node-b", nodeB, new InetSocketAddress("127.0.0.2", 0));
        serverC = serve("node-c", nodeC, new InetSocketAddress("127.0.0.3", 0));
        InetSocketAddress addressC = serverC.address();
        for (String id : nodeB.keySet()) {
            drives.add(new RemoteDrive("node-a", SECRET, serverB.address(), id, SocketFactory.getDefault()));
        }
        for (String id : nodeC.keySet()) {
            drives.add(new RemoteDrive("node-a", SECRET, addressC, id, SocketFactory.getDefault()));
        }
        ErasureBlobStore store = ErasureBlobStore.open(drives, 4, 2, UNIT);
        open.add(store);

        byte[] first = random(10 * 1024 * 1024 + 17, 1);
        DataLocation one = write(store, first, 2);
        assertThat(one.drives()).hasSize(6).doesNotContain(ErasureBlobStore.MISSING);
        assertThat(one.drives()).filteredOn(nodeB::containsKey).hasSize(2);
        assertThat(one.drives()).filteredOn(nodeC::containsKey).hasSize(2);
        assertThat(read(store, one)).isEqualTo(first);
        for (String id : one.drives()) {
            LocalBlobStore remote = nodeB.getOrDefault(id, nodeC.get(id));
            if (remote != null) { // the shard is an ordinary data file on that node's drive
                assertThat(remote.inspect(one.dataId())).isPresent();
            }
        }

        // node C stops: its two shards are gone for now
        serverC.close();
        assertThat(read(store, one)).as("rebuilt from the four shards left").isEqualTo(first);
        Thread.sleep(RemoteDrive.STATUS_MILLIS + 100); // its drives are seen as not writable
        byte[] second = random(3 * 1024 * 1024, 3);
        DataLocation two = write(store, second, 4);
        assertThat(two.drives()).noneMatch(nodeC::containsKey);
        assertThat(read(store, two)).isEqualTo(second);

        // node C comes back, having lost one shard of the first object meanwhile
        String lostOn = one.drives().stream().filter(nodeC::containsKey).findFirst().orElseThrow();
        assertThat(nodeC.get(lostOn).deleteCommitted(one.dataId())).isTrue();
        serverC = serve("node-c", nodeC, addressC);
        // A peer known to be down is asked again in the background, about once a second: seen back soon.
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (drives.stream().anyMatch(d -> !d.isPresent()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        RepairResult r = store.repair(one);
        assertThat(r.shardsRebuilt()).isEqualTo(1);
        assertThat(r.shardsUnrepairable()).isZero();
        assertThat(nodeC.get(lostOn).inspect(one.dataId())).as("rebuilt onto node C's drive").isPresent();
        assertThat(store.repair(one).shardsRebuilt()).as("healthy now").isZero();
        assertThat(read(store, one)).isEqualTo(first);
        assertThat(serverB.refusedPeers() + serverC.refusedPeers()).isZero();
    }
}
