package dev.kura.frontend.http;

import dev.kura.s3.http.RequestHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketAddress;
import java.util.Map;

/** An {@link Exchange} over a Netty channel, driven from the connection's virtual thread. */
final class NettyExchange implements Exchange {
    private static final int CHUNK = 256 * 1024;

    private final Connection connection;
    private final RequestHead head;
    private final String requestId;
    private final boolean expectContinue;
    private final long writeTimeoutMillis;
    private final OutboundBudget budget;
    private final BodyStream body;
    private final RequestInfo info = new RequestInfo();
    private boolean continueSent;
    private boolean responded;
    private boolean closeAfter;

    NettyExchange(Connection connection, RequestHead head, String requestId, boolean expectContinue,
                  long stallTimeoutMillis, long writeTimeoutMillis, OutboundBudget budget) {
        this.connection = connection;
        this.head = head;
        this.requestId = requestId;
        this.expectContinue = expectContinue;
        this.writeTimeoutMillis = writeTimeoutMillis;
        this.budget = budget;
        this.body = new BodyStream(connection, this::sendContinue, stallTimeoutMillis, info);
    }

    private void sendContinue() {
        if (expectContinue && !continueSent && !responded) {
            continueSent = true;
            connection.channel().writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
                    Unpooled.EMPTY_BUFFER));
        }
    }

    @Override
    public RequestHead head() {
        return head;
    }

    @Override
    public String requestId() {
        return requestId;
    }

    @Override
    public RequestInfo info() {
        return info;
    }

    @Override
    public SocketAddress remoteAddress() {
        return connection.channel().remoteAddress();
    }

    @Override
    public InputStream body() {
        return body;
    }

    @Override
    public boolean bodyConsumed() {
        return body.atEnd();
    }

    BodyStream bodyStream() {
        return body;
    }

    /** Whether the client was told to send its body (or did not ask to be told). */
    boolean bodyInvited() {
        return !expectContinue || continueSent;
    }

    boolean closeRequested() {
        return closeAfter;
    }

    @Override
    public void closeAfterResponse() {
        closeAfter = true;
    }

    @Override
    public boolean responded() {
        return responded;
    }

    @Override
    public void respond(int status, Map<String, String> headers, byte[] content) throws IOException {
        HttpResponse response = start(status, headers, content.length);
        write(response);
        boolean noBody = head.method().equals("HEAD") || status == 304 || status == 204;
        if (!noBody) {
            info.addBytesOut(content.length);
        }
        write(noBody ? LastHttpContent.EMPTY_LAST_CONTENT
                : new io.netty.handler.codec.http.DefaultLastHttpContent(Unpooled.wrappedBuffer(content)));
    }

    @Override
    public void respondStream(int status, Map<String, String> headers, long length, InputStream source) throws IOException {
        write(start(status, headers, length));
        if (!head.method().equals("HEAD") && source instanceof java.nio.channels.ReadableByteChannel channel) {
            streamDirect(channel, length);
        } else if (!head.method().equals("HEAD")) {
            Channel ch = connection.channel();
            long left = length;
            while (left > 0) {
                int want = (int) Math.min(CHUNK, left);
                // heap: the stream reads straight into its array (a direct buffer would add a copy)
                ByteBuf buf = ch.alloc().heapBuffer(want);
                try {
                    int got = buf.writeBytes(source, want);
                    if (got < 0) {
                        throw new IOException("data ended " + left + " bytes early");
                    }
                    left -= got;
                    info.addBytesOut(got);
                } catch (IOException | RuntimeException e) {
                    buf.release();
                    throw e;
                }
                write(new DefaultHttpContent(buf));
            }
        }
        write(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /**
     * The body from a source that fills buffers itself (verified data read from a drive): each chunk
     * is a direct buffer from Netty's pool, filled by the source and written to the socket as it is —
     * no heap copy on either side.
     */
    private void streamDirect(java.nio.channels.ReadableByteChannel source, long length) throws IOException {
        Channel ch = connection.channel();
        long left = length;
        while (left > 0) {
            int want = (int) Math.min(CHUNK, left);
            ByteBuf buf = ch.alloc().directBuffer(want);
            try {
                java.nio.ByteBuffer into = buf.nioBuffer(0, want);
                while (into.hasRemaining()) {
                    if (source.read(into) < 0) {
                        throw new IOException("data ended " + (left - into.position()) + " bytes early");
                    }
                }
                buf.writerIndex(want);
            } catch (IOException | RuntimeException e) {
                buf.release();
                throw e;
            }
            left -= want;
            info.addBytesOut(want);
            write(new DefaultHttpContent(buf));
        }
    }

    @Override
    public java.io.OutputStream respondChunked(int status, Map<String, String> headers) throws IOException {
        HttpResponse r = start(status, headers, -1);
        r.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        r.headers().set(HttpHeaderNames.TRANSFER_ENCODING, io.netty.handler.codec.http.HttpHeaderValues.CHUNKED);
        write(r);
        return new java.io.OutputStream() {
            private boolean closed;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (len > 0) {
                    info.addBytesOut(len);
                    NettyExchange.this.write(new DefaultHttpContent(Unpooled.copiedBuffer(b, off, len)));
                }
            }

            @Override
            public void close() throws IOException {
                if (!closed) {
                    closed = true;
                    NettyExchange.this.write(LastHttpContent.EMPTY_LAST_CONTENT);
                }
            }
        };
    }

    private HttpResponse start(int status, Map<String, String> headers, long length) {
        if (responded) {
            throw new IllegalStateException("response already started");
        }
        responded = true;
        info.status(status);
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
        var h = r.headers();
        h.set("x-amz-request-id", requestId);
        h.set("x-amz-id-2", requestId);
        h.set(HttpHeaderNames.DATE, dev.kura.common.HttpDate.format(java.time.Instant.now()));
        h.set(HttpHeaderNames.SERVER, "Kura");
        headers.forEach((name, value) -> h.set(name, ascii(value)));
        if (status != 204 && status != 304 && length >= 0) {
            h.set(HttpHeaderNames.CONTENT_LENGTH, length);
        }
        if (closeAfter) {
            h.set(HttpHeaderNames.CONNECTION, "close");
        }
        return r;
    }

    /**
     * Netty writes each char of a header value as one byte. Header values are wire strings (one
     * char per byte, as request headers arrive), so stored metadata goes back byte for byte as it
     * was sent; a char above U+00FF cannot be a wire byte and is sent as UTF-8. A value with control
     * characters — which would split the header — goes out RFC 2047-encoded ({@code =?UTF-8?B?...?=}).
     */
    static String ascii(String value) {
        boolean wide = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                return "=?UTF-8?B?" + java.util.Base64.getEncoder().encodeToString(
                        RequestHeadBytes.utf8(value)) + "?=";
            }
            wide |= c > 0xff;
        }
        return wide ? new String(RequestHeadBytes.utf8(value), java.nio.charset.StandardCharsets.ISO_8859_1) : value;
    }

    /** UTF-8 of a value that may be a wire (one char per byte) string: its bytes as sent, else its UTF-8. */
    private static final class RequestHeadBytes {
        static byte[] utf8(String value) {
            for (int i = 0; i < value.length(); i++) {
                if (value.charAt(i) > 0xff) {
                    return value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                }
            }
            return value.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Writes with back-pressure: a body chunk is first charged to the global outbound budget (given
     * back when the socket took it); then the writer waits while the channel's outbound buffer is
     * over its high mark.
     */
    private void write(Object msg) throws IOException {
        Channel ch = connection.channel();
        if (!ch.isActive()) {
            io.netty.util.ReferenceCountUtil.release(msg);
            throw new IOException("connection closed");
        }
        int bytes = msg instanceof io.netty.buffer.ByteBufHolder h ? h.content().readableBytes() : 0;
        if (bytes > 0 && !budget.acquire(ch, bytes, writeTimeoutMillis)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            ch.close();
            throw new IOException("no outbound budget within the write timeout");
        }
        var written = ch.writeAndFlush(msg);
        if (bytes > 0) {
            written.addListener(f -> budget.release(bytes));
        }
        if (!ch.isWritable() && !connection.awaitWritable(writeTimeoutMillis, budget)) {
            ch.close();
            throw new IOException("client stopped reading the response");
        }
    }
}
