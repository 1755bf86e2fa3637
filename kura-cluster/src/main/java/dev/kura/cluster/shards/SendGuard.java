package dev.kura.cluster.shards;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A socket's output that closes the socket when a send makes no progress for too long. Java sockets
 * have a timeout for reads only: to a peer cut off by the network (packets dropped, no reset) a send
 * blocks once the buffers are full, until TCP gives up many minutes later. Sends go out in slices of
 * {@link #SLICE} bytes, each timed on its own (progress, not the length of one large write); one daemon
 * thread looks at every slice in flight once a second and has a stalled one's socket closed — with
 * linger 0 and on a thread of its own, since closing a TLS socket whose writer is blocked would
 * otherwise wait for that writer's lock. The blocked send then fails, and the writer treats it as the
 * failed drive it is. Used by the side that streams shard data to a drive (its peer drains at disk
 * speed); not by the side that serves reads, whose reader may pause as long as its S3 client does.
 */
final class SendGuard extends FilterOutputStream {
    private static final Set<SendGuard> SENDING = ConcurrentHashMap.newKeySet();
    private static final ScheduledExecutorService WATCH = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kura-shard-send-guard");
        t.setDaemon(true);
        return t;
    });

    static {
        WATCH.scheduleWithFixedDelay(SendGuard::closeStalled, 1, 1, TimeUnit.SECONDS);
    }

    private final Socket socket;
    private final long stallNanos;
    /** When the send in progress began (nanoTime), or 0. */
    private volatile long since;

    private SendGuard(OutputStream out, Socket socket, long stallMillis) {
        super(out);
        this.socket = socket;
        this.stallNanos = TimeUnit.MILLISECONDS.toNanos(stallMillis);
    }

    static OutputStream guard(OutputStream out, Socket socket, long stallMillis) {
        return new SendGuard(out, socket, stallMillis);
    }

    @Override
    public void write(int b) throws IOException {
        begin();
        try {
            out.write(b);
        } finally {
            end();
        }
    }

    /** Bytes sent and timed at a time. */
    static final int SLICE = 16 * 1024;

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        for (int at = off, end = off + len; at < end; at += SLICE) {
            begin();
            try {
                out.write(b, at, Math.min(SLICE, end - at));
            } finally {
                end();
            }
        }
    }

    @Override
    public void flush() throws IOException {
        begin();
        try {
            out.flush();
        } finally {
            end();
        }
    }

    private void begin() {
        since = System.nanoTime();
        SENDING.add(this);
    }

    private void end() {
        SENDING.remove(this);
        since = 0;
    }

    private static void closeStalled() {
        long now = System.nanoTime();
        for (SendGuard g : SENDING) {
            long began = g.since;
            if (began != 0 && now - began > g.stallNanos) {
                SENDING.remove(g);
                Thread.ofVirtual().name("kura-shard-send-close").start(() -> {
                    try {
                        g.socket.setSoLinger(true, 0); // reset, no goodbye: TLS's close_notify would wait
                    } catch (IOException e) {
                        // closing anyway
                    }
                    try {
                        g.socket.close();
                    } catch (IOException e) {
                        // closing
                    }
                });
            }
        }
    }
}
