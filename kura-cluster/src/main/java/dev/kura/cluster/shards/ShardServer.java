package dev.kura.cluster.shards;

import static dev.kura.cluster.shards.ShardProtocol.ABORT;
import static dev.kura.cluster.shards.ShardProtocol.COMMIT;
import static dev.kura.cluster.shards.ShardProtocol.COMMITTED;
import static dev.kura.cluster.shards.ShardProtocol.DATA;
import static dev.kura.cluster.shards.ShardProtocol.END;
import static dev.kura.cluster.shards.ShardProtocol.ERROR;
import static dev.kura.cluster.shards.ShardProtocol.FOUND;
import static dev.kura.cluster.shards.ShardProtocol.NOT_FOUND;
import static dev.kura.cluster.shards.ShardProtocol.OK;
import static dev.kura.cluster.shards.ShardProtocol.PUBLISH;
import static dev.kura.cluster.shards.ShardProtocol.SYNCED;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.CorruptDataException;
import dev.kura.storage.StorageFullException;
import dev.kura.storage.local.LocalBlobStore;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ServerSocketFactory;

/**
 * Serves this node's drives to its peers over the shard protocol ({@link ShardProtocol}): shard
 * writes (streamed, then committed in two steps so the writer's barrier runs between the remote sync
 * and the remote publish, as for a local drive), ranged reads (streamed, every block verified by the
 * drive as it is read), deletes and inspection. One virtual thread per connection, plain blocking
 * I/O; TLS when the socket factory given is an {@code SSLServerSocketFactory}.
 *
 * <p>Limits: {@value #MAX_CONNECTIONS} connections (more are closed at accept), a handshake must be
 * done within {@value #HANDSHAKE_MILLIS} ms, an idle connection closes after {@value #IDLE_MILLIS} ms,
 * and a peer that sends anything unexpected is cut off.
 */
public final class ShardServer implements AutoCloseable {
    static final int MAX_CONNECTIONS = 1024;
    static final int HANDSHAKE_MILLIS = 5_000;
    static final int IDLE_MILLIS = 300_000;
    private static final System.Logger LOG = System.getLogger(ShardServer.class.getName());

    private final String node;
    private final byte[] secret;
    private final java.util.function.Supplier<Map<String, LocalBlobStore>> drives;
    private final ServerSocket listener;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refusedPeers = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;
    /** What this node says of itself in a DRIVES answer: its zone and S3 endpoints (set once they are bound). */
    private volatile String zone = "";
    private volatile String layout = "";
    private volatile List<String> s3Endpoints = List.of();
    private volatile Map<String, String> memberZones = Map.of();

    private ShardServer(String node, byte[] secret, java.util.function.Supplier<Map<String, LocalBlobStore>> drives,
                        ServerSocket listener) {
        this.node = node;
        this.secret = secret.clone();
        this.drives = drives;
        this.listener = listener;
    }

    /** Serves {@code drives} (by drive id) at {@code address} (port 0: any) to peers holding {@code secret}. */
    public static ShardServer start(String node, byte[] secret, Map<String, LocalBlobStore> drives,
                                    InetSocketAddress address, ServerSocketFactory sockets) throws IOException {
        Map<String, LocalBlobStore> fixed = Map.copyOf(drives);
        return start(node, secret, () -> fixed, address, sockets);
    }

    /**
     * As above, serving the drives {@code drives} names at each request (by drive id): a drive formatted
     * while the node runs is served from then on.
     */
    public static ShardServer start(String node, byte[] secret, java.util.function.Supplier<Map<String, LocalBlobStore>> drives,
                                    InetSocketAddress address, ServerSocketFactory sockets) throws IOException {
        if (secret.length < ShardProtocol.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the cluster secret must be at least " + ShardProtocol.MIN_SECRET_BYTES
                    + " bytes");
        }
        ServerSocket listener = sockets.createServerSocket();
        listener.bind(address, 128);
        ShardServer s = new ShardServer(node, secret, drives, listener);
        Thread.ofVirtual().name("kura-shards-accept").start(s::acceptLoop);
        return s;
    }

    /** What this node tells peers of itself with its drives: its zone and the S3 endpoints it serves. */
    public void describe(String nodeZone, List<String> endpoints) {
        describe(nodeZone, endpoints, layout);
    }

    /** As above, and the erasure-coding layout it writes with ({@code K+M}; a joining node takes it up). */
    public void describe(String nodeZone, List<String> endpoints, String writeLayout) {
        this.zone = nodeZone;
        this.s3Endpoints = List.copyOf(endpoints);
        this.layout = writeLayout == null ? "" : writeLayout;
    }

    /** The zones of the cluster's members as this node knows them (by member id), told to peers with its drives. */
    public void memberZones(Map<String, String> zones) {
        this.memberZones = Map.copyOf(zones);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** Connections accepted since start (authenticated or not). */
    public int connectionsAccepted() {
        return accepted.get();
    }

    /** Connections refused because the peer did not prove the cluster secret (or spoke something else). */
    public int refusedPeers() {
        return refusedPeers.get();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "shard server: accept failed: " + e.getMessage());
                }
                continue;
            }
            if (open.size() >= MAX_CONNECTIONS) {
                closeQuietly(s);
                continue;
            }
            open.add(s);
            accepted.incrementAndGet();
            Thread.ofVirtual().name("kura-shards-peer").start(() -> serve(s));
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(HANDSHAKE_MILLIS);
            DataInputStream in = new DataInputStream(new BufferedInputStream(ShardTraffic.counting(s.getInputStream()),
                    64 * 1024));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(ShardTraffic.counting(s.getOutputStream()),
                    64 * 1024)); // no send guard here: a reader may pause as long as its S3 client does
            if (!handshake(in, out)) {
                refusedPeers.incrementAndGet();
                return;
            }
            s.setSoTimeout(IDLE_MILLIS);
            while (!closed) {
                ShardProtocol.Message m;
                try {
                    m = ShardProtocol.read(in);
                } catch (EOFException e) {
                    return; // the peer is done with this connection
                }
                if (!serveOne(m, in, out)) {
                    return;
                }
            }
        } catch (SocketException | EOFException e) {
            // the peer went away mid-request: whatever it was writing is aborted below it
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "shard server: connection failed: " + e);
        } finally {
            open.remove(s);
        }
    }

    private boolean handshake(DataInputStream in, DataOutputStream out) throws IOException {
        try {
            ShardProtocol.expectMagic(in);
        } catch (IOException e) {
            return false;
        }
        String client = ShardProtocol.readName(in);
        byte[] clientNonce = ShardProtocol.readNonce(in);
        byte[] serverNonce = ShardProtocol.nonce();
        out.write(ShardProtocol.MAGIC);
        out.writeByte(ShardProtocol.VERSION);
        ShardProtocol.writeName(out, node);
        out.write(serverNonce);
        out.write(ShardProtocol.proof(secret, "kura-shards server", clientNonce, serverNonce, client, node));
        out.flush();
        byte[] theirs = ShardProtocol.readProof(in);
        byte[] expected = ShardProtocol.proof(secret, "kura-shards client", serverNonce, clientNonce, client, node);
        if (!ShardProtocol.sameProof(expected, theirs)) {
            return false; // told nothing: the connection just ends
        }
        out.writeByte(OK);
        out.flush();
        return true;
    }

    /** Serves one request; false when the connection cannot carry another. */
    private boolean serveOne(ShardProtocol.Message m, DataInputStream in, DataOutputStream out) throws IOException {
        DataInputStream p = new DataInputStream(new ByteArrayInputStream(m.payload()));
        switch (m.type()) {
            case ShardProtocol.OPEN_WRITE -> {
                return serveWrite(p, in, out);
            }
            case ShardProtocol.READ -> {
                return serveRead(p, out);
            }
            case ShardProtocol.DELETE -> {
                LocalBlobStore d = drive(p.readUTF(), out);
                if (d != null) {
                    DataLocation location = DataLocation.readFrom(p);
                    answer(out, () -> {
                        d.delete(location);
                        return new byte[0];
                    });
                }
            }
            case ShardProtocol.DELETE_COMMITTED -> {
                LocalBlobStore d = drive(p.readUTF(), out);
                if (d != null) {
                    DataId id = new DataId(p.readUTF());
                    answer(out, () -> new byte[] {(byte) (d.deleteCommitted(id) ? 1 : 0)});
                }
            }
            case ShardProtocol.INSPECT -> {
                LocalBlobStore d = drive(p.readUTF(), out);
                if (d != null) {
                    inspect(d, new DataId(p.readUTF()), out);
                }
            }
            case ShardProtocol.CHECK_SPACE -> {
                LocalBlobStore d = drive(p.readUTF(), out);
                if (d != null) {
                    long bytes = p.readLong();
                    answer(out, () -> {
                        d.checkSpace(bytes);
                        return new byte[0];
                    });
                }
            }
            case ShardProtocol.VERIFY -> {
                LocalBlobStore d = drive(p.readUTF(), out);
                if (d != null) {
                    DataLocation location = DataLocation.readFrom(p);
                    answer(out, () -> {
                        dev.kura.storage.RepairResult r = d.repair(location);
                        return java.nio.ByteBuffer.allocate(12).putInt(r.shardsChecked()).putInt(r.shardsRebuilt())
                                .putInt(r.shardsUnrepairable()).array();
                    });
                }
            }
            case ShardProtocol.DRIVES -> {
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                DataOutputStream o = new DataOutputStream(b);
                Map<String, LocalBlobStore> now = drives.get();
                o.writeUTF(node);
                o.writeUTF(zone);
                List<String> endpoints = s3Endpoints;
                o.writeInt(endpoints.size());
                for (String e : endpoints) {
                    o.writeUTF(e);
                }
                o.writeInt(now.size());
                for (var e : now.entrySet()) {
                    o.writeUTF(e.getKey());
                    o.writeUTF(e.getValue().zone());
                    o.writeBoolean(e.getValue().isWritable());
                    o.writeBoolean(e.getValue().isPresent());
                }
                o.writeUTF(layout);
                Map<String, String> zones = memberZones;
                o.writeInt(zones.size());
                for (var z : zones.entrySet()) {
                    o.writeUTF(z.getKey());
                    o.writeUTF(z.getValue());
                }
                reply(out, OK, b.toByteArray());
            }
            case ShardProtocol.STATUS -> {
                LocalBlobStore d = drive(p.readUTF(), out);
                if (d != null) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    DataOutputStream o = new DataOutputStream(b);
                    o.writeUTF(d.zone());
                    o.writeBoolean(d.isWritable());
                    o.writeBoolean(d.isPresent());
                    reply(out, OK, b.toByteArray());
                }
            }
            default -> {
                error(out, ShardProtocol.E_BAD_REQUEST, "unexpected message type " + m.type());
                return false;
            }
        }
        return true;
    }

    private LocalBlobStore drive(String driveId, DataOutputStream out) throws IOException {
        LocalBlobStore d = drives.get().get(driveId);
        if (d == null) {
            error(out, ShardProtocol.E_NO_SUCH_DRIVE, "node " + node + " has no drive " + driveId);
        }
        return d;
    }

    /**
     * A shard write: OK once the drive's writer is open; then DATA until COMMIT (or ABORT). A write that
     * fails on the drive meanwhile is reported at COMMIT. COMMIT syncs the data, answers SYNCED and waits
     * for PUBLISH (the writer's barrier has run on the other side) before the data becomes visible here.
     */
    private boolean serveWrite(DataInputStream p, DataInputStream in, DataOutputStream out) throws IOException {
        LocalBlobStore d = drive(p.readUTF(), out);
        if (d == null) {
            return true;
        }
        DataLocation planned = DataLocation.readFrom(p);
        String label = p.readUTF();
        boolean mayJournal = p.readBoolean();
        BlobWriter w;
        try {
            w = d.create(planned, label, mayJournal);
        } catch (IOException | RuntimeException e) {
            error(out, e);
            return true;
        }
        try {
            reply(out, OK, new byte[0]);
            Exception failure = null;
            while (true) {
                ShardProtocol.Message m = ShardProtocol.read(in);
                switch (m.type()) {
                    case DATA -> {
                        if (failure == null) {
                            try {
                                w.write(ByteBuffer.wrap(m.payload(), 0, ShardProtocol.dataLength(m)));
                            } catch (IOException | RuntimeException e) {
                                failure = e;
                                w.abort();
                            }
                        }
                    }
                    case ABORT -> {
                        w.abort();
                        reply(out, OK, new byte[0]);
                        return true;
                    }
                    case COMMIT -> {
                        if (failure != null) {
                            error(out, failure);
                            return true;
                        }
                        byte[] annotation = annotation(m.payload());
                        DataLocation committed;
                        try {
                            committed = w.commit(() -> {
                                reply(out, SYNCED, new byte[0]);
                                ShardProtocol.Message go = ShardProtocol.read(in);
                                if (go.type() != PUBLISH) {
                                    throw new IOException("the writer withdrew before publishing");
                                }
                            }, annotation);
                        } catch (IOException | RuntimeException e) {
                            w.abort();
                            error(out, e);
                            return true;
                        }
                        ByteArrayOutputStream b = new ByteArrayOutputStream();
                        committed.writeTo(new DataOutputStream(b));
                        reply(out, COMMITTED, b.toByteArray());
                        return true;
                    }
                    default -> {
                        w.abort();
                        error(out, ShardProtocol.E_BAD_REQUEST, "unexpected message type " + m.type() + " in a write");
                        return false;
                    }
                }
            }
        } finally {
            w.abort(); // no-op once committed; a peer gone mid-write leaves nothing behind
        }
    }

    private static byte[] annotation(byte[] payload) throws IOException {
        DataInputStream p = new DataInputStream(new ByteArrayInputStream(payload));
        int n = p.readInt();
        if (n < 0) {
            return null;
        }
        byte[] a = new byte[n];
        p.readFully(a);
        return a;
    }

    /** A ranged read: DATA messages, then END; an ERROR instead when opening or a later block fails. */
    private boolean serveRead(DataInputStream p, DataOutputStream out) throws IOException {
        LocalBlobStore d = drive(p.readUTF(), out);
        if (d == null) {
            return true;
        }
        DataLocation location = DataLocation.readFrom(p);
        long offset = p.readLong();
        long length = p.readLong();
        byte[] buf = new byte[ShardProtocol.MAX_DATA];
        try (InputStream data = d.open(location, offset, length)) {
            int n;
            while ((n = data.readNBytes(buf, 0, buf.length)) > 0) {
                ShardProtocol.writeData(out, buf, 0, n);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof SocketException) {
                throw (SocketException) e;
            }
            error(out, e);
            return true;
        }
        reply(out, END, new byte[0]);
        return true;
    }

    private void inspect(LocalBlobStore d, DataId id, DataOutputStream out) throws IOException {
        Optional<dev.kura.storage.StoredData> found;
        try {
            found = d.inspect(id);
        } catch (IOException | RuntimeException e) {
            error(out, e);
            return;
        }
        if (found.isEmpty()) {
            reply(out, NOT_FOUND, new byte[0]);
            return;
        }
        dev.kura.storage.StoredData s = found.get();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(b);
        o.writeUTF(s.dataId().value());
        o.writeUTF(s.label());
        o.writeInt(s.blockSize());
        o.writeLong(s.length());
        o.writeInt(s.annotation().length);
        o.write(s.annotation());
        reply(out, FOUND, b.toByteArray());
    }

    private interface Action {
        byte[] run() throws IOException;
    }

    private static void answer(DataOutputStream out, Action a) throws IOException {
        byte[] result;
        try {
            result = a.run();
        } catch (IOException | RuntimeException e) {
            error(out, e);
            return;
        }
        reply(out, OK, result);
    }

    private static void reply(DataOutputStream out, byte type, byte[] payload) throws IOException {
        ShardProtocol.write(out, type, payload);
        out.flush();
    }

    private static void error(DataOutputStream out, Exception e) throws IOException {
        byte kind = e instanceof CorruptDataException ? ShardProtocol.E_CORRUPT
                : StorageFullException.isFull(e) ? ShardProtocol.E_FULL
                : e instanceof NoSuchFileException ? ShardProtocol.E_NOT_FOUND
                : e instanceof IllegalArgumentException ? ShardProtocol.E_BAD_REQUEST
                : ShardProtocol.E_IO;
        error(out, kind, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    private static void error(DataOutputStream out, byte kind, String message) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(b);
        o.writeByte(kind);
        o.writeUTF(message.length() > 1000 ? message.substring(0, 1000) : message);
        reply(out, ERROR, b.toByteArray());
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            // closing
        }
        open.forEach(ShardServer::closeQuietly);
    }
}
