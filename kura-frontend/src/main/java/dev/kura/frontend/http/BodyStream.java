package dev.kura.frontend.http;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InputStream;

/**
 * The request body as a blocking stream over the connection's inbound queue: each read that finds
 * no buffered bytes asks the channel for exactly one more socket read, so a slow consumer (the
 * disk) pushes back on the client through TCP. A client that stalls longer than the timeout gets
 * {@code RequestTimeout}; one that closes early gets {@code IncompleteBody}.
 */
final class BodyStream extends InputStream {
    private final Connection connection;
    private final Runnable beforeFirstRead;
    private final long stallTimeoutMillis;
    private final RequestInfo info;
    private ByteBuf current;
    private boolean end;
    private boolean started;

    BodyStream(Connection connection, Runnable beforeFirstRead, long stallTimeoutMillis, RequestInfo info) {
        this.connection = connection;
        this.beforeFirstRead = beforeFirstRead;
        this.stallTimeoutMillis = stallTimeoutMillis;
        this.info = info;
    }

    boolean atEnd() {
        return end && (current == null || !current.isReadable());
    }


    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (current == null || !current.isReadable()) {
            if (end) {
                return -1;
            }
            fill();
        }
        int n = Math.min(len, current.readableBytes());
        current.readBytes(b, off, n);
        info.addBytesIn(n);
        if (!current.isReadable()) {
            release(); // give the (pooled) buffer back as soon as it is drained, the last one too
        }
        return n;
    }

    private void fill() throws IOException {
        if (!started) {
            started = true;
            beforeFirstRead.run();
        }
        release();
        Object msg = connection.take(stallTimeoutMillis);
        switch (msg) {
            case null -> throw new S3Exception(S3ErrorCode.RequestTimeout);
            case HttpContent content -> {
                current = content.content();
                if (content instanceof LastHttpContent) {
                    end = true;
                }
                if (content.decoderResult().isFailure()) {
                    release();
                    throw new S3Exception(S3ErrorCode.IncompleteBody);
                }
                if (!current.isReadable()) {
                    release();
                }
            }
            default -> {
                connection.pushBack(msg);
                throw new S3Exception(S3ErrorCode.IncompleteBody);
            }
        }
    }

    /** Reads and discards up to {@code limit} remaining bytes; true when the body ended within it. */
    boolean drain(long limit) {
        byte[] buf = new byte[8192];
        long total = 0;
        try {
            while (total <= limit) {
                int n = read(buf, 0, buf.length);
                if (n < 0) {
                    return true;
                }
                total += n;
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    private void release() {
        if (current != null) {
            current.release();
            current = null;
        }
    }

    @Override
    public void close() {
        release();
    }
}
