package dev.kura.cluster.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.CorruptDataException;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.storage.local.LocalBlobStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shard protocol on real sockets and real drives: one node's drive served by a {@link ShardServer},
 * reached from "another node" through a {@link RemoteDrive} — byte-exact streaming both ways, the
 * writer's barrier between the remote sync and the remote publish, nothing left behind by a failed
 * barrier or a writer that goes away, the drive's own exception types across the wire, and peers
 * without the cluster secret refused in both directions.
 */
class ShardProtocolTest {
    static final byte[] SECRET = "0123456789abcdef0123456789abcdef-cluster".getBytes(StandardCharsets.UTF_8);
    static final byte[] OTHER = "another cluster's secret, 32+ bytes long!".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    LocalBlobStore drive;
    ShardServer server;
    RemoteDrive remote;

    @BeforeEach
    void start() throws IOException {
        drive = LocalBlobStore.open(dir.resolve("drive"), new RealFileIo(), true);
        server = ShardServer.start("node-b", SECRET, Map.of(drive.driveId(), drive),
                new InetSocketAddress("127.0.0.1", 0), ServerSocketFactory.getDefault());
        remote = new RemoteDrive("node-a", SECRET, server.address(), drive.driveId(), SocketFactory.getDefault());
    }

    @AfterEach
    void stop() {
        remote.close();
        server.close();
        drive.close();
    }

    private DataLocation planned(DataId id) {
        return new DataLocation(id, LocalBlobStore.LAYOUT_EPOCH, LocalBlobStore.SCHEME, List.of(drive.driveId()),
                64 * 1024, 0);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir.resolve("drive").resolve("tmp"))) {
            return s.toList();
        }
    }

    @Test
    void aPeerListsTheDrivesItServesWithTheirZonesAndOnlyToHoldersOfTheSecret() throws Exception {
        assertThat(RemoteDrive.drivesOf("node-a", SECRET, server.address(), SocketFactory.getDefault()).layout())
                .as("not said yet").isEmpty();
        server.describe("zone-b", List.of("10.0.0.2:9000"), "2+1");
        RemoteDrive.Listing listing = RemoteDrive.drivesOf("node-a", SECRET, server.address(), SocketFactory.getDefault());
        assertThat(listing.layout()).isEqualTo("2+1");
        assertThat(listing.node()).isEqualTo("node-b");
        assertThat(listing.zone()).isEqualTo("zone-b");
        assertThat(listing.s3Endpoints()).containsExactly("10.0.0.2:9000");
        assertThat(listing.drives()).containsExactly(new RemoteDrive.Listed(drive.driveId(), drive.zone(), true, true));
        assertThat(listing.memberZones()).as("none heard of yet").isEmpty();
        // The zones of the members it heard from itself, told on (a member down since another node started is
        // placed by what its peers heard of it).
        server.memberZones(java.util.Map.of("127.0.0.2_9100", "zone-a", "127.0.0.3_9100", "zone-b"));
        assertThat(RemoteDrive.drivesOf("node-a", SECRET, server.address(), SocketFactory.getDefault()).memberZones())
                .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("127.0.0.2_9100", "zone-a", "127.0.0.3_9100", "zone-b"));
        assertThatThrownBy(() -> RemoteDrive.drivesOf("node-a", OTHER, server.address(), SocketFactory.getDefault()))
                .isInstanceOf(IOException.class);
        RemoteDrive known = new RemoteDrive("node-a", SECRET, server.address(), drive.driveId(), drive.zone(),
                SocketFactory.getDefault());
        server.close(); // the peer goes away: the drive keeps the zone it was listed with
        assertThat(known.zone()).isEqualTo(drive.zone());
        assertThat(known.isPresent()).isFalse();
        known.close();
    }

    @Test
    void aShardIsWrittenAndReadBackByteExactAndTheBarrierRunsBetweenSyncAndPublish() throws Exception {
        byte[] data = random(5 * 1024 * 1024 + 123, 1);
        DataId id = DataId.random(new Random(2));
        AtomicBoolean barrierRan = new AtomicBoolean();
        BlobWriter w = remote.create(planned(id), "shard 0 of test", false);
        for (int off = 0; off < data.length; off += 77_777) {
            w.write(data, off, Math.min(77_777, data.length - off));
        }
        DataLocation committed = w.commit(() -> {
            // the remote drive has the data synced but nothing of it is findable yet (nor after a while)
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            assertThat(drive.inspect(id)).isEmpty();
            barrierRan.set(true);
        }, "annotation".getBytes(StandardCharsets.UTF_8));
        assertThat(barrierRan).isTrue();
        assertThat(committed.length()).isEqualTo(data.length);
        assertThat(committed.drives()).containsExactly(drive.driveId());

        // visible on the drive itself, with its annotation; and through the wire
        assertThat(drive.inspect(id)).get().satisfies(s -> assertThat(s.annotation()).asString(StandardCharsets.UTF_8)
                .isEqualTo("annotation"));
        assertThat(remote.inspect(id)).get().satisfies(s -> {
            assertThat(s.length()).isEqualTo(data.length);
            assertThat(s.label()).isEqualTo("shard 0 of test");
            assertThat(new String(s.annotation(), StandardCharsets.UTF_8)).isEqualTo("annotation");
        });
        try (InputStream in = remote.open(committed, 0, data.length)) {
            assertThat(in.readAllBytes()).isEqualTo(data);
        }
        try (InputStream in = remote.open(committed, 1_000_000, 300_000)) {
            assertThat(in.readAllBytes()).isEqualTo(java.util.Arrays.copyOfRange(data, 1_000_000, 1_300_000));
        }
        // A reader that takes exactly the bytes it asked for and closes (it knows the length; the END is still in
        // flight) gives the connection back: no new connection, and so no new TLS handshake, per read.
        for (int n = 0; n < 5; n++) {
            try (InputStream in = remote.open(committed, 4096L * n, 4096)) {
                assertThat(in.readNBytes(4096)).isEqualTo(java.util.Arrays.copyOfRange(data, 4096 * n, 4096 * (n + 1)));
            }
        }
        assertThat(remote.status()).isEqualTo(new RemoteDrive.Status(drive.zone(), true, true));
        // one authenticated connection carried all of it
        assertThat(server.connectionsAccepted()).isEqualTo(1);
        assertThat(tempFiles()).isEmpty();

        assertThat(remote.deleteCommitted(id)).isTrue();
        assertThat(drive.inspect(id)).isEmpty();
        assertThat(remote.inspect(id)).isEmpty();
    }

    @Test
    void aBarrierThatFailsLeavesNothingOnTheRemoteDrive() throws Exception {
        DataId id = DataId.random(new Random(3));
        BlobWriter w = remote.create(planned(id), "shard", false);
        w.write(random(300_000, 4), 0, 300_000);
        IOException refused = new IOException("the intent could not be made durable");
        assertThatThrownBy(() -> w.commit(() -> {
            throw refused;
        }, null)).isSameAs(refused);
        assertThat(drive.inspect(id)).isEmpty();
        assertThat(tempFiles()).isEmpty();
        // the connection is still good for the next request
        assertThat(remote.status().writable()).isTrue();
        assertThat(server.connectionsAccepted()).isEqualTo(1);
    }

    @Test
    void aWriterThatAbortsOrGoesAwayLeavesNothing() throws Exception {
        BlobWriter aborted = remote.create(planned(DataId.random(new Random(5))), "shard", false);
        aborted.write(random(600_000, 6), 0, 600_000);
        aborted.abort();
        assertThat(tempFiles()).isEmpty();

        // a node that dies mid-write: its connection just ends
        RemoteDrive dying = new RemoteDrive("node-c", SECRET, server.address(), drive.driveId(), SocketFactory.getDefault());
        BlobWriter w = dying.create(planned(DataId.random(new Random(7))), "shard", false);
        w.write(random(600_000, 8), 0, 600_000);
        closeAllSockets(dying, w);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!tempFiles().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(tempFiles()).as("the half-written shard is removed when its writer goes away").isEmpty();
    }

    /** Cuts the writer's connection without a word (as a crashed node would). */
    private static void closeAllSockets(RemoteDrive d, BlobWriter w) throws Exception {
        java.lang.reflect.Field peerField = w.getClass().getDeclaredField("p");
        peerField.setAccessible(true);
        Object peer = peerField.get(w);
        java.lang.reflect.Field socketField = peer.getClass().getDeclaredField("socket");
        socketField.setAccessible(true);
        ((Socket) socketField.get(peer)).close();
        d.close();
    }

    @Test
    void theDrivesOwnFailuresArriveAsTheSameExceptionTypes() throws Exception {
        DataId id = DataId.random(new Random(9));
        BlobWriter w = remote.create(planned(id), "shard", false);
        byte[] data = random(200_000, 10);
        w.write(data, 0, data.length);
        DataLocation committed = w.commit(() -> { }, null);
        // bitrot on the remote drive: the drive's block check fails there, and the reader here is told so
        Path file = drive.dataFile(id);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(100_000);
            int b = f.read();
            f.seek(100_000);
            f.write(b ^ 0xff);
        }
        assertThatThrownBy(() -> {
            try (InputStream in = remote.open(committed, 0, data.length)) {
                in.readAllBytes();
            }
        }).isInstanceOf(CorruptDataException.class).hasMessageContaining(drive.driveId());
        // data that is not there
        DataLocation missing = new DataLocation(DataId.random(new Random(11)), LocalBlobStore.LAYOUT_EPOCH,
                LocalBlobStore.SCHEME, List.of(drive.driveId()), 64 * 1024, 10);
        assertThatThrownBy(() -> remote.open(missing, 0, 10).readAllBytes()).isInstanceOf(NoSuchFileException.class);
        // a drive the node does not have
        try (RemoteDrive nowhere = new RemoteDrive("node-a", SECRET, server.address(), "no-such-drive",
                SocketFactory.getDefault())) {
            assertThatThrownBy(nowhere::status).isInstanceOf(IOException.class).hasMessageContaining("has no drive");
        }
        // after all that, the pooled connections still answer
        assertThat(remote.status().present()).isTrue();
    }

    @Test
    void aServerWithoutTheSecretIsRefusedByTheClient() throws Exception {
        try (ShardServer impostor = ShardServer.start("impostor", OTHER, Map.of(drive.driveId(), drive),
                new InetSocketAddress("127.0.0.1", 0), ServerSocketFactory.getDefault());
             RemoteDrive r = new RemoteDrive("node-a", SECRET, impostor.address(), drive.driveId(),
                     SocketFactory.getDefault())) {
            assertThatThrownBy(r::status).isInstanceOf(IOException.class).hasMessageContaining("did not prove");
        }
    }

    @Test
    void aClientWithoutTheSecretIsRefusedByTheServer() throws Exception {
        try (RemoteDrive r = new RemoteDrive("node-x", OTHER, server.address(), drive.driveId(),
                SocketFactory.getDefault())) {
            // it cannot even check the server's proof, so it stops there; the server learns nothing either
            assertThatThrownBy(r::status).isInstanceOf(IOException.class);
        }
        // a client that skips the check and answers with a made-up proof is cut off
        try (Socket s = new Socket()) {
            s.connect(server.address());
            s.setSoTimeout(5_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            out.write(ShardProtocol.MAGIC);
            out.writeByte(ShardProtocol.VERSION);
            ShardProtocol.writeName(out, "rogue");
            out.write(ShardProtocol.nonce());
            out.flush();
            ShardProtocol.expectMagic(in);
            ShardProtocol.readName(in);
            ShardProtocol.readNonce(in);
            ShardProtocol.readProof(in);
            out.write(new byte[32]); // not the proof
            out.flush();
            assertThat(in.read()).as("no acknowledgement: the connection ends").isEqualTo(-1);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.refusedPeers() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.refusedPeers()).isEqualTo(1);
        // and something that is not a Kura peer at all
        try (Socket s = new Socket()) {
            s.connect(server.address());
            s.setSoTimeout(5_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(s.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void dataCorruptedInTransitFailsTheWriteAndLeavesNothing() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(server.address());
            s.setSoTimeout(5_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] mine = ShardProtocol.nonce();
            out.write(ShardProtocol.MAGIC);
            out.writeByte(ShardProtocol.VERSION);
            ShardProtocol.writeName(out, "node-a");
            out.write(mine);
            out.flush();
            ShardProtocol.expectMagic(in);
            String name = ShardProtocol.readName(in);
            byte[] theirs = ShardProtocol.readNonce(in);
            ShardProtocol.readProof(in);
            out.write(ShardProtocol.proof(SECRET, "kura-shards client", theirs, mine, "node-a", name));
            out.flush();
            assertThat(in.read()).isEqualTo(ShardProtocol.OK);
            java.io.ByteArrayOutputStream open = new java.io.ByteArrayOutputStream();
            DataOutputStream o = new DataOutputStream(open);
            o.writeUTF(drive.driveId());
            planned(DataId.random(new Random(12))).writeTo(o);
            o.writeUTF("shard");
            o.writeBoolean(false);
            ShardProtocol.write(out, ShardProtocol.OPEN_WRITE, open.toByteArray());
            out.flush();
            assertThat(ShardProtocol.read(in).type()).isEqualTo(ShardProtocol.OK);
            byte[] chunk = random(100_000, 13);
            java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
            ShardProtocol.writeData(new DataOutputStream(frame), chunk, 0, chunk.length);
            byte[] bytes = frame.toByteArray();
            bytes[5 + 50_000] ^= 1; // one bit flipped on the way
            out.write(bytes);
            out.flush();
            assertThat(in.read()).as("the server drops the connection").isEqualTo(-1);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!tempFiles().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void aSecretShorterThanThirtyTwoBytesIsRefused() {
        assertThatThrownBy(() -> new RemoteDrive("a", new byte[16], server.address(), "d", SocketFactory.getDefault()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
