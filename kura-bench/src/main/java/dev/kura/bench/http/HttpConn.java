package dev.kura.bench.http;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One keep-alive HTTP/1.1 connection, used by one worker at a time: a lean client so that the load
 * generator is not what limits the numbers. It writes the request head and a small body in one
 * segment, streams large bodies straight from the caller's buffer, and reads responses into one
 * reused buffer, discarding bodies unless asked to keep them. No {@code Expect: 100-continue}: the
 * body follows the head at once, as most S3 clients send small objects.
 *
 * <p>Errors: an {@link IOException} leaves the connection closed; the next request reconnects.
 */
public final class HttpConn implements AutoCloseable {
    /** Counts body bytes as they move, so throughput is exact even while large transfers are in flight. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = n -> { };

        void add(long bytes);
    }

    /** A request body written straight to the socket. */
    public interface Body {
        long length();

        void writeTo(OutputStream out, Progress progress) throws IOException;
    }

    /**
     * A response; {@code body} is null unless kept.
     *
     * @param bodyBytes bytes of body received (kept or not)
     */
    public record Response(int status, String etag, long bodyBytes, byte[] body, String retryAfter) {
        public String bodyText() {
            return body == null ? "" : new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final int MAX_KEPT_BODY = 64 << 20;
    private static final int MAX_KEPT_ERROR = 64 << 10;

    private final InetSocketAddress address;
    private final int timeoutMillis;
    private final byte[] in = new byte[256 * 1024]; // large reads: fewer syscalls per GiB discarded
    private int pos;
    private int lim;
    private Socket socket;
    private InputStream input;
    private OutputStream output;
    private volatile boolean closed;
    private long lastUsedNanos;
    private static final long STALE_AFTER_NANOS = 1_000_000_000L;

    public HttpConn(InetSocketAddress address, int timeoutMillis) {
        this.address = address;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Sends one request and reads its whole response.
     *
     * @param headers    header lines without CRLF, e.g. {@code "x-amz-date: ..."}; Host and
     *                   Content-Length are added here
     * @param keepBody   keep a successful response's body (error bodies are always kept)
     */
    public Response send(String method, String target, String host, List<String> headers, Body body,
                         boolean keepBody, Progress progress) throws IOException {
        // a connection idle for a while may have been closed by the server (idle timeout): if it fails
        // before any answer, try once more on a new connection, as HTTP clients do
        boolean stale = socket != null && System.nanoTime() - lastUsedNanos > STALE_AFTER_NANOS;
        try {
            return attempt(method, target, host, headers, body, keepBody, progress);
        } catch (EOFException | java.net.SocketException e) {
            if (!stale || closed) {
                throw e;
            }
            return attempt(method, target, host, headers, body, keepBody, progress);
        }
    }

    private Response attempt(String method, String target, String host, List<String> headers, Body body,
                             boolean keepBody, Progress progress) throws IOException {
        try {
            connect();
            StringBuilder head = new StringBuilder(512).append(method).append(' ').append(target)
                    .append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n");
            for (String h : headers) {
                head.append(h).append("\r\n");
            }
            long length = body == null ? 0 : body.length();
            if (body != null || method.equals("PUT") || method.equals("POST")) {
                head.append("Content-Length: ").append(length).append("\r\n");
            }
            head.append("\r\n");
            output.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            IOException writeFailure = null;
            try {
                if (body != null) {
                    body.writeTo(output, progress);
                }
                output.flush();
            } catch (IOException e) {
                writeFailure = e; // the server may have answered early (403, 503) and closed: read that answer
            }
            Response r;
            try {
                r = readResponse(method.equals("HEAD"), keepBody, progress);
            } catch (IOException e) {
                if (writeFailure != null) {
                    writeFailure.addSuppressed(e);
                    throw writeFailure;
                }
                throw e;
            }
            if (writeFailure != null) {
                close(); // the request was cut short: this connection's state is unknown
            }
            lastUsedNanos = System.nanoTime();
            return r;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void connect() throws IOException {
        if (socket != null) {
            return;
        }
        if (closed) {
            throw new IOException("connection closed");
        }
        Socket s = new Socket();
        s.setTcpNoDelay(true);
        s.setSoTimeout(timeoutMillis);
        s.connect(address, timeoutMillis);
        socket = s;
        input = s.getInputStream();
        output = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
        pos = 0;
        lim = 0;
    }

    private Response readResponse(boolean head, boolean keepBody, Progress progress) throws IOException {
        int status;
        String line;
        do {
            line = readLine();
            if (line.length() < 12 || !line.startsWith("HTTP/1.")) {
                throw new IOException("bad status line: " + line);
            }
            status = Integer.parseInt(line.substring(9, 12));
            if (status == 100) {
                while (!readLine().isEmpty()) {
                    // skip an interim response's headers
                }
            }
        } while (status == 100);
        boolean close = line.startsWith("HTTP/1.0");
        long contentLength = -1;
        boolean chunked = false;
        String etag = null;
        String retryAfter = null;
        for (String h = readLine(); !h.isEmpty(); h = readLine()) {
            int colon = h.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> contentLength = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> close = value.equalsIgnoreCase("close");
                case "etag" -> etag = value;
                case "retry-after" -> retryAfter = value;
                default -> { }
            }
        }
        boolean keep = keepBody || status >= 300;
        int keepLimit = status >= 300 ? MAX_KEPT_ERROR : MAX_KEPT_BODY;
        BodySink sink = new BodySink(keep, keepLimit, progress);
        if (!head && status != 204 && status != 304) {
            if (chunked) {
                readChunked(sink);
            } else if (contentLength >= 0) {
                readFixed(contentLength, sink);
            } else {
                readToEof(sink);
                close = true;
            }
        }
        if (close) {
            close(); // the server closes: the next request reconnects
        }
        return new Response(status, etag, sink.total, sink.bytes(), retryAfter);
    }

    private void readFixed(long n, BodySink sink) throws IOException {
        long left = n;
        while (left > 0) {
            if (pos == lim) {
                fill();
            }
            int take = (int) Math.min(left, lim - pos);
            sink.accept(in, pos, take);
            pos += take;
            left -= take;
        }
    }

    private void readChunked(BodySink sink) throws IOException {
        while (true) {
            String sizeLine = readLine();
            int semi = sizeLine.indexOf(';');
            long size = Long.parseLong((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailers
                }
                return;
            }
            readFixed(size, sink);
            readLine();
        }
    }

    private void readToEof(BodySink sink) throws IOException {
        while (true) {
            if (pos == lim) {
                int n = input.read(in, 0, in.length);
                if (n < 0) {
                    return;
                }
                pos = 0;
                lim = n;
            }
            sink.accept(in, pos, lim - pos);
            pos = lim;
        }
    }

    private String readLine() throws IOException {
        StringBuilder sb = null;
        while (true) {
            if (pos == lim) {
                fill();
            }
            for (int i = pos; i < lim; i++) {
                if (in[i] == '\n') {
                    int end = i > pos && in[i - 1] == '\r' ? i - 1 : i;
                    String part = new String(in, pos, end - pos, StandardCharsets.ISO_8859_1);
                    pos = i + 1;
                    if (sb == null) {
                        return part;
                    }
                    sb.append(part);
                    int n = sb.length();
                    return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
                }
            }
            if (sb == null) {
                sb = new StringBuilder();
            }
            if (sb.length() > 64 * 1024) {
                throw new IOException("response line too long");
            }
            sb.append(new String(in, pos, lim - pos, StandardCharsets.ISO_8859_1));
            pos = lim;
        }
    }

    private void fill() throws IOException {
        int n = input.read(in, 0, in.length);
        if (n < 0) {
            throw new EOFException("server closed the connection");
        }
        pos = 0;
        lim = n;
    }

    /** Closes the socket; safe from another thread (to abort a stuck request at the hard deadline). */
    @Override
    public void close() {
        Socket s = socket;
        socket = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        }
    }

    /** Closes for good: later requests fail instead of reconnecting. */
    public void shutdown() {
        closed = true;
        close();
    }

    private static final class BodySink {
        private final boolean keep;
        private final int limit;
        private final Progress progress;
        private byte[] buf;
        private int size;
        private long total;

        BodySink(boolean keep, int limit, Progress progress) {
            this.keep = keep;
            this.limit = limit;
            this.progress = progress;
        }

        void accept(byte[] b, int off, int len) {
            total += len;
            progress.add(len);
            if (!keep || size >= limit) {
                return;
            }
            int take = Math.min(len, limit - size);
            if (buf == null) {
                buf = new byte[Math.max(1024, take)];
            } else if (size + take > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(size + take, Math.min(limit, buf.length * 2)));
            }
            System.arraycopy(b, off, buf, size, take);
            size += take;
        }

        byte[] bytes() {
            return keep ? (buf == null ? new byte[0] : Arrays.copyOf(buf, size)) : null;
        }
    }
}
