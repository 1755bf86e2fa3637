package dev.kura.cluster.shards;

import static dev.kura.cluster.shards.ShardProtocol.COMMITTED;
import static dev.kura.cluster.shards.ShardProtocol.DATA;
import static dev.kura.cluster.shards.ShardProtocol.END;
import static dev.kura.cluster.shards.ShardProtocol.ERROR;
import static dev.kura.cluster.shards.ShardProtocol.FOUND;
import static dev.kura.cluster.shards.ShardProtocol.NOT_FOUND;
import static dev.kura.cluster.shards.ShardProtocol.OK;
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
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import javax.net.SocketFactory;

/**
 * One drive of another node, reached over the shard protocol ({@link ShardProtocol}, served by that
 * node's {@link ShardServer}): the same operations, answers and exception types as a
 * {@link LocalBlobStore} on this node — a shard writer whose {@code commit(barrier, annotation)} runs the
 * barrier after the remote drive has synced the data and before it becomes visible there; a verified,
 * streamed ranged read; delete; inspect; status.
 *
 * <p>Connections are authenticated once (the handshake) and reused one request at a time; one that
 * ends in the middle of anything is closed, never reused. The drive's state (zone, writable, present)
 * is asked at most once a second ({@link #STATUS_MILLIS}); a peer that cannot be reached is neither
 * present nor writable until it answers again, and while it is down it is asked again at most every
 * second, so placement, which asks every drive, does not wait on it each time. Thread-safe.
 */
public final class RemoteDrive implements dev.kura.storage.ShardDrive, AutoCloseable {
    static final int CONNECT_MILLIS = 3_000;
    /** Waiting for a shard's data to stream in (a block read and verified on the other side), per read. */
    static final int READ_MILLIS = 10_000;
    /** Waiting for SYNCED after COMMIT: the other side fsyncs the whole shard. */
    static final int SYNC_MILLIS = 60_000;
    /** Waiting for the answer to a request that needs no real disk work: status, open, delete, space. */
    static final int ANSWER_MILLIS = 3_000;
    static final int LIST_MILLIS = 5_000;
    /** Waiting for the first block of a read (the other side opens the shard and verifies a block). */
    static final int FIRST_DATA_MILLIS = 5_000;
    /**
     * A send that makes no progress for this long closes its connection: a peer cut off by the network
     * (packets dropped, no reset) would otherwise block the writer until TCP gives up, many minutes later.
     */
    static final long SEND_STALL_MILLIS = 10_000;
    private static final int POOLED = 16;
    static final long STATUS_MILLIS = 1_000;

    private final String node;
    private final byte[] secret;
    private final InetSocketAddress peer;
    private final String driveId;
    private final SocketFactory sockets;
    private final ConcurrentLinkedDeque<Peer> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;
    /** The last status asked, and when (nanoTime); null before the first. */
    private volatile Status cached;
    private volatile long cachedAt;
    private final java.util.concurrent.locks.ReentrantLock statusLock = new java.util.concurrent.locks.ReentrantLock();
    /** How long a read on a connection may wait: long for shards, short for a listing ({@link #drivesOf}). */
    private int readMillis = READ_MILLIS;

    /**
     * {@code node}: this node's name, told to the peer; {@code secret}: the cluster secret; {@code peer}:
     * the other node's shard address; {@code driveId}: the drive there.
     */
    public RemoteDrive(String node, byte[] secret, InetSocketAddress peer, String driveId, SocketFactory sockets) {
        this(node, secret, peer, driveId, "unknown", sockets);
    }

    /** As above, knowing the drive's zone already (from {@link #drivesOf}), so it is right while the peer is down. */
    public RemoteDrive(String node, byte[] secret, InetSocketAddress peer, String driveId, String zone,
                       SocketFactory sockets) {
        if (secret.length < ShardProtocol.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("the cluster secret must be at least " + ShardProtocol.MIN_SECRET_BYTES
                    + " bytes");
        }
        this.node = node;
        this.secret = secret.clone();
        this.peer = peer;
        this.driveId = driveId;
        this.sockets = sockets;
        this.zoneKnown = zone;
    }

    /** A drive a peer serves, as it described it. */
    public record Listed(String driveId, String zone, boolean writable, boolean present) {
    }

    /**
     * What a peer says of itself: its name, zone, S3 endpoints, drives and write layout ({@code K+M}, or
     * empty), and the zones of the cluster's members as far as it knows them (by member id).
     */
    public record Listing(String node, String zone, java.util.List<String> s3Endpoints, java.util.List<Listed> drives,
                          String layout, java.util.Map<String, String> memberZones) {
    }

    /** Asks the node at {@code peer} which drives it serves (and what it is). */
    public static Listing drivesOf(String node, byte[] secret, InetSocketAddress peer, SocketFactory sockets)
            throws IOException {
        RemoteDrive any = new RemoteDrive(node, secret, peer, "*", sockets);
        any.readMillis = LIST_MILLIS; // a frozen peer must not hold a start or a discovery round for a minute
        try {
            byte[] answer = any.call(ShardProtocol.DRIVES, new byte[0], OK);
            DataInputStream p = new DataInputStream(new ByteArrayInputStream(answer));
            String name = p.readUTF();
            String zone = p.readUTF();
            int e = p.readInt();
            if (e < 0 || e > 64) {
                throw new IOException("node at " + peer + " lists " + e + " endpoints");
            }
            java.util.List<String> endpoints = new java.util.ArrayList<>(e);
            for (int i = 0; i < e; i++) {
                endpoints.add(p.readUTF());
            }
            int n = p.readInt();
            if (n < 0 || n > 10_000) {
                throw new IOException("node at " + peer + " lists " + n + " drives");
            }
            java.util.List<Listed> out = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(new Listed(p.readUTF(), p.readUTF(), p.readBoolean(), p.readBoolean()));
            }
            String layout = p.available() > 0 ? p.readUTF() : ""; // a node before layouts says none
            java.util.Map<String, String> zones = new java.util.TreeMap<>();
            int z = p.available() > 0 ? p.readInt() : 0;
            if (z < 0 || z > 10_000) {
                throw new IOException("node at " + peer + " lists " + z + " member zones");
            }
            for (int i = 0; i < z; i++) {
                zones.put(p.readUTF(), p.readUTF());
            }
            return new Listing(name, zone, endpoints, out, layout, java.util.Map.copyOf(zones));
        } finally {
            any.close();
        }
    }

    @Override
    public String driveId() {
        return driveId;
    }

    /** The zone the remote drive was formatted in; "unknown" until the peer has answered once. */
    @Override
    public String zone() {
        Status s = cached; // never waits: a drive's zone is set when it is formatted
        return s != null ? s.zone() : zoneKnown;
    }

    /** Placement asks this on every write: a peer known to be down is asked again in the background only. */
    @Override
    public boolean isWritable() {
        return recentStatus(true).writable();
    }

    /** Repairs ask this: a stale status is refreshed first, so a node just back is seen back. */
    @Override
    public boolean isPresent() {
        return recentStatus(false).present();
    }

    /**
     * The status at most {@link #STATUS_MILLIS} old; an unreachable peer's is "not present, not writable".
     * {@code downInBackground}: a peer whose last status says it is down is asked again in the background,
     * and the caller goes on with that status at once.
     */
    private Status recentStatus(boolean downInBackground) {
        Status s = cached;
        if (s != null && System.nanoTime() - cachedAt < STATUS_MILLIS * 1_000_000) {
            return s;
        }
        // Known before: one caller refreshes, the others go on with the last status meanwhile (placement asks
        // every drive on every write, and a peer cut off by the network takes seconds to time out).
        if (s != null && !s.present() && downInBackground) {
            refreshInBackground();
            return s;
        }
        if (s != null && !statusLock.tryLock()) {
            return s;
        }
        try {
            return refreshStatus(); // takes the lock (again): the first status is waited for by every caller
        } finally {
            if (s != null) {
                statusLock.unlock();
            }
        }
    }

    private final java.util.concurrent.atomic.AtomicBoolean refreshing = new java.util.concurrent.atomic.AtomicBoolean();

    /** Answers from the last status at once; a stale one is refreshed in the background. */
    @Override
    public boolean isKnownUnreachable() {
        Status s = cached;
        if (s != null && System.nanoTime() - cachedAt >= STATUS_MILLIS * 1_000_000) {
            refreshInBackground();
        }
        return s != null && !s.present();
    }

    /** Asks the peer for its status on a thread of its own, unless one already does. */
    private void refreshInBackground() {
        if (refreshing.compareAndSet(false, true)) {
            Thread.ofVirtual().name("kura-drive-status").start(() -> {
                try {
                    refreshStatus();
                } finally {
                    refreshing.set(false);
                }
            });
        }
    }

    /** Asks the peer now (one caller at a time) unless another caller just did. */
    private Status refreshStatus() {
        statusLock.lock();
        Status s;
        try {
            s = cached;
            if (s != null && System.nanoTime() - cachedAt < STATUS_MILLIS * 1_000_000) {
                return s;
            }
            String zone = s == null ? zoneKnown : s.zone();
            try {
                s = status();
                zoneKnown = s.zone();
            } catch (IOException | RuntimeException e) {
                s = new Status(zone, false, false);
            }
            cached = s;
            cachedAt = System.nanoTime();
            return s;
        } finally {
            statusLock.unlock();
        }
    }

    private volatile String zoneKnown = "unknown";

    @Override
    public void checkSpace(long bytes) throws IOException {
        call(ShardProtocol.CHECK_SPACE, request(o -> {
            o.writeUTF(driveId);
            o.writeLong(bytes);
        }), OK, ANSWER_MILLIS);
    }

    /** Has the remote drive read the whole data verifying every block (see {@link LocalBlobStore#repair}). */
    @Override
    public dev.kura.storage.RepairResult repair(DataLocation location) throws IOException {
        byte[] answer = call(ShardProtocol.VERIFY, request(o -> {
            o.writeUTF(driveId);
            location.writeTo(o);
        }), OK, Math.max(readMillis, SYNC_MILLIS)); // the other side reads the whole shard before it answers
        ByteBuffer b = ByteBuffer.wrap(answer);
        return new dev.kura.storage.RepairResult(b.getInt(), b.getInt(), b.getInt());
    }

    /** What the remote drive says of itself. */
    public record Status(String zone, boolean writable, boolean present) {
    }

    public Status status() throws IOException {
        byte[] answer = call(ShardProtocol.STATUS, request(o -> o.writeUTF(driveId)), OK, Math.min(readMillis, ANSWER_MILLIS));
        DataInputStream p = new DataInputStream(new ByteArrayInputStream(answer));
        return new Status(p.readUTF(), p.readBoolean(), p.readBoolean());
    }

    /** A writer of one piece of data on the remote drive (see {@link LocalBlobStore#create}). */
    @Override
    public BlobWriter create(DataLocation planned, String label, boolean mayJournal) throws IOException {
        return exchange(p -> {
            p.socket.setSoTimeout(ANSWER_MILLIS);
            p.send(ShardProtocol.OPEN_WRITE, request(o -> {
                o.writeUTF(driveId);
                planned.writeTo(o);
                o.writeUTF(label);
                o.writeBoolean(mayJournal);
            }));
            p.expect(OK);
            return new RemoteWriter(p); // the writer owns the connection from here
        });
    }

    /** The bytes {@code [offset, offset + length)} of the data, verified by the remote drive as it reads them. */
    @Override
    public InputStream open(DataLocation location, long offset, long length) throws IOException {
        return exchange(p -> {
            p.socket.setSoTimeout(Math.min(readMillis, FIRST_DATA_MILLIS));
            p.send(ShardProtocol.READ, request(o -> {
                o.writeUTF(driveId);
                location.writeTo(o);
                o.writeLong(offset);
                o.writeLong(length);
            }));
            ShardProtocol.Message first = p.receive(); // here, so a stale connection is found and replaced
            if (first.type() == ERROR) {
                throw p.failure(first.payload());
            }
            p.socket.setSoTimeout(readMillis);
            return new RemoteInput(p, first, length); // the stream owns the connection from here
        });
    }

    @Override
    public void delete(DataLocation location) throws IOException {
        call(ShardProtocol.DELETE, request(o -> {
            o.writeUTF(driveId);
            location.writeTo(o);
        }), OK);
    }

    @Override
    public boolean deleteCommitted(DataId id) throws IOException {
        byte[] answer = call(ShardProtocol.DELETE_COMMITTED, request(o -> {
            o.writeUTF(driveId);
            o.writeUTF(id.value());
        }), OK);
        return answer.length == 1 && answer[0] == 1;
    }

    @Override
    public Optional<dev.kura.storage.StoredData> inspect(DataId id) throws IOException {
        return exchange(p -> {
            p.send(ShardProtocol.INSPECT, request(o -> {
                o.writeUTF(driveId);
                o.writeUTF(id.value());
            }));
            ShardProtocol.Message m = p.receive();
            if (m.type() == NOT_FOUND) {
                p.finish(null);
                return Optional.empty();
            }
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(p.payloadOf(m, FOUND)));
            DataId dataId = new DataId(in.readUTF());
            String label = in.readUTF();
            int blockSize = in.readInt();
            long length = in.readLong();
            byte[] annotation = new byte[in.readInt()];
            in.readFully(annotation);
            p.finish(null);
            return Optional.of(new dev.kura.storage.StoredData(dataId, label, blockSize, length, annotation));
        });
    }

    private byte[] call(byte type, byte[] payload, byte expected) throws IOException {
        return call(type, payload, expected, readMillis);
    }

    /** A request and its answer, waiting at most {@code millis} for the answer. */
    private byte[] call(byte type, byte[] payload, byte expected, int millis) throws IOException {
        return exchange(p -> {
            p.socket.setSoTimeout(millis);
            p.send(type, payload);
            byte[] answer = p.expect(expected);
            p.finish(null);
            return answer;
        });
    }

    /** One request's start on a connection; it finishes the connection itself when it succeeds. */
    private interface Exchange<T> {
        T run(Peer p) throws IOException;
    }

    /**
     * Runs {@code x} on a connection. A pooled connection that turns out dead before the peer answered
     * (the peer restarted, or closed it idle) is not an answer: every idle connection to that peer is
     * dropped and the request is sent once more on a fresh one. Every request is safe to resend until its
     * first answer: nothing has happened on the other side before it answers.
     */
    private <T> T exchange(Exchange<T> x) throws IOException {
        Peer p = take();
        try {
            p.socket.setSoTimeout(readMillis); // the default; requests that need another set their own
            return x.run(p);
        } catch (IOException | RuntimeException e) {
            boolean answered = e == p.answered;
            p.finish(e);
            if (!answered && e instanceof java.net.SocketTimeoutException) {
                markUnreachable(); // no answer in time: not "a pooled connection gone stale", so no second try
                dropIdle(); // and the other pooled connections to it would only time out in turn
                throw e;
            }
            if (answered || !p.pooled) {
                throw e;
            }
        }
        dropIdle();
        Peer fresh = connect();
        try {
            fresh.socket.setSoTimeout(readMillis);
            return x.run(fresh);
        } catch (IOException | RuntimeException e) {
            boolean answered = e == fresh.answered;
            fresh.finish(e);
            if (!answered && e instanceof java.net.SocketTimeoutException) {
                markUnreachable(); // connected, then silent: a cut is as good as down for placement
                dropIdle();
            }
            throw e;
        }
    }

    private void dropIdle() {
        Peer q;
        while ((q = idle.pollFirst()) != null) {
            q.close();
        }
    }

    private interface Fields {
        void write(DataOutputStream o) throws IOException;
    }

    private static byte[] request(Fields f) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        f.write(new DataOutputStream(b));
        return b.toByteArray();
    }

    private Peer take() throws IOException {
        if (closed) {
            throw new IOException("remote drive " + driveId + " is closed");
        }
        Peer p = idle.pollFirst();
        if (p != null) {
            p.pooled = true;
            return p;
        }
        return connect();
    }

    private Peer connect() throws IOException {
        Socket s = sockets.createSocket();
        try {
            s.setTcpNoDelay(true);
            s.connect(peer, CONNECT_MILLIS);
            s.setSoTimeout(Math.min(readMillis, ANSWER_MILLIS)); // a silent peer fails the handshake soon
            Peer p = new Peer(s);
            p.handshake();
            s.setSoTimeout(readMillis);
            return p;
        } catch (IOException | RuntimeException e) {
            s.close();
            markUnreachable();
            throw e;
        }
    }

    /**
     * The peer did not take a connection: until the next status refresh (at most {@link #STATUS_MILLIS}
     * later) the drive counts as neither present nor writable, so placement leaves it out at once rather
     * than after the cached "writable" expires (a retried PUT does not land on the stopped node again).
     */
    private void markUnreachable() {
        Status s = cached;
        cached = new Status(s == null ? zoneKnown : s.zone(), false, false);
        cachedAt = System.nanoTime();
    }

    @Override
    public void close() {
        closed = true;
        dropIdle();
    }

    /** One authenticated connection to the peer. */
    private final class Peer {
        final Socket socket;
        /** Taken from the pool (it may have died since), not freshly connected. */
        boolean pooled;
        final DataInputStream in;
        final DataOutputStream out;

        Peer(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(new BufferedInputStream(ShardTraffic.counting(socket.getInputStream()), 64 * 1024));
            this.out = new DataOutputStream(new BufferedOutputStream(
                    SendGuard.guard(ShardTraffic.counting(socket.getOutputStream()), socket, SEND_STALL_MILLIS), 64 * 1024));
        }

        void handshake() throws IOException {
            byte[] mine = ShardProtocol.nonce();
            out.write(ShardProtocol.MAGIC);
            out.writeByte(ShardProtocol.VERSION);
            ShardProtocol.writeName(out, node);
            out.write(mine);
            out.flush();
            ShardProtocol.expectMagic(in);
            String server = ShardProtocol.readName(in);
            byte[] theirs = ShardProtocol.readNonce(in);
            byte[] proof = ShardProtocol.readProof(in);
            if (!ShardProtocol.sameProof(ShardProtocol.proof(secret, "kura-shards server", mine, theirs, node, server),
                    proof)) {
                throw new IOException("shard peer " + peer + " did not prove the cluster secret");
            }
            out.write(ShardProtocol.proof(secret, "kura-shards client", theirs, mine, node, server));
            out.flush();
            int ack = in.read();
            if (ack != OK) {
                throw new IOException("shard peer " + peer + " refused this node (cluster secret?)");
            }
        }

        void send(byte type, byte[] payload) throws IOException {
            ShardProtocol.write(out, type, payload);
            out.flush();
        }

        ShardProtocol.Message receive() throws IOException {
            return ShardProtocol.read(in);
        }

        byte[] expect(byte type) throws IOException {
            return payloadOf(receive(), type);
        }

        byte[] payloadOf(ShardProtocol.Message m, byte type) throws IOException {
            if (m.type() == ERROR) {
                throw failure(m.payload());
            }
            if (m.type() != type) {
                throw new IOException("shard protocol: got message type " + m.type() + ", expected " + type);
            }
            return m.payload();
        }

        /** The peer's own answer of failure (after it the connection is still in step); see {@link #finish}. */
        private IOException answered;

        /** The drive's exception the peer answered with, of the type a local drive would have thrown. */
        IOException failure(byte[] payload) throws IOException {
            DataInputStream p = new DataInputStream(new ByteArrayInputStream(payload));
            byte kind = p.readByte();
            String message = "drive " + driveId + " at " + peer + ": " + p.readUTF();
            answered = switch (kind) {
                case ShardProtocol.E_CORRUPT -> new CorruptDataException(message);
                case ShardProtocol.E_FULL -> new StorageFullException(message);
                case ShardProtocol.E_NOT_FOUND -> new NoSuchFileException(message);
                default -> new IOException(message);
            };
            return answered;
        }

        /**
         * Ends an exchange: back to the pool when it ended cleanly ({@code failure} null, or the peer's own
         * answered failure), else closed. Called once per exchange.
         */
        void finish(Throwable failure) {
            boolean clean = failure == null || failure == answered;
            answered = null;
            if (clean && !closed && idle.size() < POOLED) {
                idle.addFirst(this);
            } else {
                close();
            }
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    /** Streams DATA to the peer; commit is the two-step SYNCED / PUBLISH exchange around the barrier. */
    private final class RemoteWriter implements BlobWriter {
        private final Peer p;
        private final byte[] chunk = new byte[ShardProtocol.MAX_DATA];
        private int fill;
        private boolean done;
        private boolean finished;

        RemoteWriter(Peer p) {
            this.p = p;
        }

        private void end(Throwable failure) {
            if (!finished) {
                finished = true;
                p.finish(failure);
            }
        }

        @Override
        public void write(ByteBuffer data) throws IOException {
            if (done) {
                throw new IOException("writer is closed");
            }
            try {
                while (data.hasRemaining()) {
                    int n = Math.min(data.remaining(), chunk.length - fill);
                    data.get(chunk, fill, n);
                    fill += n;
                    if (fill == chunk.length) {
                        flushChunk();
                    }
                }
            } catch (IOException | RuntimeException e) {
                fail(e);
                throw e;
            }
        }

        private void flushChunk() throws IOException {
            if (fill > 0) {
                ShardProtocol.writeData(p.out, chunk, 0, fill);
                fill = 0;
            }
        }

        @Override
        public DataLocation commit(Barrier beforeVisible, byte[] annotation) throws IOException {
            if (done) {
                throw new IOException("writer is closed");
            }
            done = true;
            try {
                flushChunk();
                p.socket.setSoTimeout(SYNC_MILLIS);
                p.send(ShardProtocol.COMMIT, request(o -> {
                    if (annotation == null || annotation.length == 0) {
                        o.writeInt(-1);
                    } else {
                        o.writeInt(annotation.length);
                        o.write(annotation);
                    }
                }));
                p.expect(SYNCED); // the remote drive has the data synced; nothing of it is findable yet
                try {
                    beforeVisible.await();
                } catch (IOException | RuntimeException e) {
                    p.send(ShardProtocol.ABORT, new byte[0]);
                    ShardProtocol.Message answer = p.receive(); // its refusal of the commit
                    if (answer.type() != ERROR) {
                        throw new IOException("shard protocol: the peer did not withdraw the write");
                    }
                    end(null);
                    throw e;
                }
                p.send(ShardProtocol.PUBLISH, new byte[0]);
                byte[] location = p.expect(COMMITTED);
                end(null);
                return DataLocation.readFrom(new DataInputStream(new ByteArrayInputStream(location)));
            } catch (IOException | RuntimeException e) {
                end(e);
                throw e;
            }
        }

        @Override
        public void abort() {
            if (done) {
                return;
            }
            done = true;
            try {
                p.socket.setSoTimeout(ANSWER_MILLIS);
                p.send(ShardProtocol.ABORT, new byte[0]);
                p.expect(OK);
                end(null);
            } catch (IOException | RuntimeException e) {
                end(e); // closing the connection aborts the write on the other side too
            }
        }

        private void fail(Exception e) {
            done = true;
            end(e);
        }
    }

    /** The DATA of a read, message by message, until END; ERROR becomes the drive's own exception. */
    private final class RemoteInput extends InputStream {
        private final Peer p;
        private byte[] current = new byte[0];
        private int pos;
        private int limit;
        private boolean ended;
        /** Bytes of the range asked for that have not been handed to the reader yet. */
        private long unread;

        RemoteInput(Peer p, ShardProtocol.Message first, long length) throws IOException {
            this.p = p;
            this.unread = length;
            take(first);
        }

        /** Takes one message of the read: data, the end, or the drive's failure. */
        private void take(ShardProtocol.Message m) throws IOException {
            if (m.type() == DATA) {
                current = m.payload();
                pos = 0;
                limit = ShardProtocol.dataLength(m);
            } else if (m.type() == END) {
                ended = true;
                p.finish(null);
            } else {
                ended = true;
                IOException e = m.type() == ERROR ? p.failure(m.payload())
                        : new IOException("shard protocol: unexpected message type " + m.type() + " in a read");
                p.finish(e);
                throw e;
            }
        }

        private boolean fill() throws IOException {
            while (pos == limit) {
                if (ended) {
                    return false;
                }
                ShardProtocol.Message m;
                try {
                    m = p.receive();
                } catch (IOException | RuntimeException e) {
                    ended = true;
                    p.finish(e);
                    throw e;
                }
                take(m);
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            if (!fill()) {
                return -1;
            }
            unread--;
            return current[pos++] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            unread -= n;
            return n;
        }

        /**
         * A reader that took every byte it asked for and closes without reading on (the usual way: it knows the
         * length) leaves only the END in flight: it is taken, and the connection goes back to the pool — a new
         * connection per read would cost a TLS handshake each. Stopped earlier, the rest is still coming and
         * the connection is done.
         */
        @Override
        public void close() {
            if (ended) {
                return;
            }
            if (unread <= 0 && pos == limit) {
                try {
                    fill(); // the END (or the drive's failure, which finishes the connection as it should)
                } catch (IOException | RuntimeException e) {
                    // finished by fill
                }
                if (ended) {
                    return;
                }
            }
            ended = true;
            p.finish(new IOException("read abandoned"));
        }
    }
}
