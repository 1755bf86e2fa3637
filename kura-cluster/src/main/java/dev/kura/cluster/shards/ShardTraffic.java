package dev.kura.cluster.shards;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.atomic.LongAdder;

/**
 * The bytes this process's shard protocol moved between nodes, both ways and in both roles (as the node
 * asking, {@link RemoteDrive}, and as the node serving, {@link ShardServer}): the inter-node traffic of
 * shard writes, reads, repairs and listings, counted on the sockets (under the buffers), protocol
 * framing included. Process-wide, as the sockets are; read by the server's metrics.
 */
public final class ShardTraffic {
    private static final LongAdder SENT = new LongAdder();
    private static final LongAdder RECEIVED = new LongAdder();

    private ShardTraffic() {
    }

    /** Bytes written to other nodes' sockets so far. */
    public static long sent() {
        return SENT.sum();
    }

    /** Bytes read from other nodes' sockets so far. */
    public static long received() {
        return RECEIVED.sum();
    }

    static InputStream counting(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    RECEIVED.increment();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    RECEIVED.add(n);
                }
                return n;
            }
        };
    }

    static OutputStream counting(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                out.write(b);
                SENT.increment();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len); // not FilterOutputStream's byte-by-byte loop
                SENT.add(len);
            }
        };
    }
}
