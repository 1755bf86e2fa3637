package dev.kura.frontend.http;

import dev.kura.s3.http.RequestHead;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 server: Netty event loops (epoll when available) decode requests; each connection
 * runs its requests one by one on a virtual thread ({@link Connection}). Limits: request line and
 * header sizes, a bound on requests in flight (beyond it the handler's {@code overloaded} answer),
 * idle, stall and write timeouts.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    /** Server limits; the defaults are what {@code kura server} uses. */
    public record Limits(int maxInitialLine, int maxHeaderSize, int maxInFlight, long idleTimeoutMillis,
                         long stallTimeoutMillis, long writeTimeoutMillis, int maxConnections) {
        public Limits(int maxInitialLine, int maxHeaderSize, int maxInFlight, long idleTimeoutMillis,
                      long stallTimeoutMillis, long writeTimeoutMillis) {
            this(maxInitialLine, maxHeaderSize, maxInFlight, idleTimeoutMillis, stallTimeoutMillis, writeTimeoutMillis,
                    DEFAULT_MAX_CONNECTIONS);
        }

        public static Limits defaults() {
            return new Limits(16 * 1024, 16 * 1024, 1024, 60_000, 20_000, 60_000, DEFAULT_MAX_CONNECTIONS);
        }
    }

    /** Open connections beyond this are closed at once: each costs a socket and a (virtual) thread. */
    static final int DEFAULT_MAX_CONNECTIONS = 8192;
    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

    private final HttpHandler handler;
    private final Limits limits;
    private final Semaphore inFlight;
    private final AtomicLong requestCounter = new AtomicLong();
    private final String idPrefix = Long.toHexString(System.nanoTime() & 0xffffffL).toUpperCase();
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final List<Channel> listeners = new ArrayList<>();

    public HttpServer(HttpHandler handler, Limits limits) {
        this.handler = handler;
        this.limits = limits;
        this.inFlight = new Semaphore(limits.maxInFlight());
        IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.boss = new MultiThreadIoEventLoopGroup(1, io);
        this.workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(), io);
    }

    /** Binds one listening socket per address; returns the bound addresses (port 0 resolved). */
    public List<InetSocketAddress> bind(List<InetSocketAddress> addresses) throws InterruptedException {
        Class<? extends ServerChannel> type = Epoll.isAvailable() ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(type)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 * 1024, 2 * 1024 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (connections.incrementAndGet() > limits.maxConnections()) {
                            connections.decrementAndGet();
                            ch.close(); // over the connection limit: refuse rather than collapse
                            return;
                        }
                        ch.closeFuture().addListener(f -> connections.decrementAndGet());
                        ch.pipeline().addLast(new HttpServerCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(limits.maxInitialLine())
                                .setMaxHeaderSize(limits.maxHeaderSize())
                                .setMaxChunkSize(256 * 1024)));
                        ch.pipeline().addLast(new Connection(HttpServer.this::serve));
                    }
                });
        List<InetSocketAddress> bound = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            Channel ch = b.bind(a).sync().channel();
            listeners.add(ch);
            bound.add((InetSocketAddress) ch.localAddress());
        }
        return bound;
    }

    private void serve(Connection c) {
        try {
            while (true) {
                Object msg = c.take(limits.idleTimeoutMillis());
                if (msg == null || msg == Connection.CLOSED) {
                    return;
                }
                if (!(msg instanceof HttpRequest req)) {
                    ReferenceCountUtil.release(msg); // stray content after an abandoned body
                    continue;
                }
                if (!serveOne(c, req)) {
                    return;
                }
            }
        } catch (RuntimeException | Error e) {
            LOG.error("connection loop failed", e);
        } finally {
            if (c.lingerOnClose) {
                lingeringClose(c);
            }
            c.channel().close();
            c.drainQueue();
        }
    }

    /** How long, and how much, a closing connection still reads from a client that is sending a refused body. */
    private static final long LINGER_MILLIS = 2_000;
    private static final long LINGER_BYTES = 8L << 20;

    /**
     * Ends a connection whose client may still be sending a body we answered without reading (an
     * error found before the body was needed, or a body too long to drain): closing with unread input
     * makes the kernel send a reset, and a client still writing its body then loses the response. So
     * our side is half-closed first (the client reads the response to its end), and what arrives
     * meanwhile is read and discarded, for a bounded time and size, until the client closes too.
     */
    private static void lingeringClose(Connection c) {
        if (!(c.channel() instanceof io.netty.channel.socket.DuplexChannel d) || !d.isActive()) {
            return;
        }
        try {
            d.shutdownOutput().await(LINGER_MILLIS);
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS);
            long bytes = 0;
            while (bytes < LINGER_BYTES && System.nanoTime() < deadline) {
                Object msg = c.take(100);
                if (msg == Connection.CLOSED) {
                    return;
                }
                if (msg instanceof io.netty.buffer.ByteBufHolder h) {
                    bytes += h.content().readableBytes();
                }
                ReferenceCountUtil.release(msg);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Serves one request; true when the connection can carry another. */
    private boolean serveOne(Connection c, HttpRequest req) {
        ReferenceCountUtil.release(req);
        String id = idPrefix + String.format("%010X", requestCounter.incrementAndGet());
        RequestHead head = toHead(req);
        boolean expect = HttpUtil.is100ContinueExpected(req);
        NettyExchange ex = new NettyExchange(c, head, id, expect, limits.stallTimeoutMillis(), limits.writeTimeoutMillis());
        try {
            if (!handle(ex, req)) {
                return false;
            }
            if (!ex.responded() || ex.closeRequested() || !HttpUtil.isKeepAlive(req)) {
                c.lingerOnClose = ex.responded() && !ex.bodyConsumed();
                return false;
            }
            // The next request starts after this body: read what is left of it, or give up the connection.
            boolean reusable = ex.bodyConsumed() || (ex.bodyInvited() && ex.bodyStream().drain(1024 * 1024));
            c.lingerOnClose = !reusable;
            return reusable;
        } finally {
            ex.bodyStream().close(); // never keep a request's buffer past the request
        }
    }

    /** Runs the handler (or its overloaded / malformed answer); false when the connection must end. */
    private boolean handle(NettyExchange ex, HttpRequest req) {
        try {
            if (req.decoderResult().isFailure()) {
                ex.closeAfterResponse();
                handler.malformed(ex, req.decoderResult().cause());
                return false;
            }
            if (!inFlight.tryAcquire()) {
                ex.closeAfterResponse();
                handler.overloaded(ex);
                return false;
            }
            try {
                handler.handle(ex);
            } finally {
                inFlight.release();
            }
            return true;
        } catch (Exception e) {
            LOG.debug("request {} ended the connection: {}", ex.requestId(), e.toString());
            return false;
        }
    }

    private static RequestHead toHead(HttpRequest req) {
        String uri = req.uri();
        if (uri.startsWith("http://") || uri.startsWith("https://")) {
            int slash = uri.indexOf('/', uri.indexOf("//") + 2);
            uri = slash < 0 ? "/" : uri.substring(slash);
        }
        RequestHead.Builder b = RequestHead.builder(req.method().name(), uri);
        for (Map.Entry<String, String> h : req.headers()) {
            b.header(h.getKey(), h.getValue()); // wire bytes, one char each (see RequestHead.utf8View)
        }
        return b.build();
    }

    /** Connections open right now. */
    public int connections() {
        return connections.get();
    }

    /** Requests being served right now. */
    public int inFlight() {
        return limits.maxInFlight() - inFlight.availablePermits();
    }

    @Override
    public void close() {
        for (Channel ch : listeners) {
            ch.close().syncUninterruptibly();
        }
        boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
}
