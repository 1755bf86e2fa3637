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
 * A socket's output that closes the socket when one send makes no progress for too long. Java sockets
 * have a timeout for reads only: to a peer cut off by the network (packets dropped, no reset) a send
 * blocks once the buffers are full, until TCP gives up many minutes later. One daemon thread looks at
 * every guarded send in progress once a second; closing the socket makes the blocked send fail, and the
 * writer treats it as the failed drive it is.
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

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        begin();
        try {
            out.write(b, off, len);
        } finally {
            end();
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
                try {
                    g.socket.close();
                } catch (IOException e) {
                    // closing
                }
            }
        }
    }
}
