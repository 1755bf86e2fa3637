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
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/1.1 server: Netty event loops (epoll when available) decode requests; each connection
 * runs its requests one by one on a virtual thread ({@link Connection}). Limits: request line and
 * header sizes; requests in flight, beyond which requests wait briefly and fairly in a
 * {@link WaitingRoom} before the handler's {@code overloaded} answer; open connections in all and per
 * client address (closed at accept); a head deadline, idle, stall and write timeouts; and a global
 * {@link OutboundBudget} for response bytes held for slow readers.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);

    /**
     * Server limits; the defaults are what {@code kura server} uses.
     *
     * @param idleTimeoutMillis      a kept-alive connection with no request for this long is closed
     * @param stallTimeoutMillis     a request body that sends nothing for this long gets RequestTimeout
     * @param writeTimeoutMillis     a client that reads nothing of its response for this long is cut off
     * @param maxConnections         open connections in all; beyond, new ones are closed at accept
     * @param maxConnectionsPerClient open connections from one client address; beyond, closed at accept
     * @param headTimeoutMillis      a request line and headers must arrive this soon after their first byte
     * @param queueWaitMillis        how long a request beyond {@code maxInFlight} may wait for a slot
     * @param maxQueuedPerTenant     requests one tenant (access key) may have waiting
     * @param maxQueued              requests waiting in all
     * @param outboundBudgetBytes    response bytes queued in memory for slow readers, all connections together
     */
    public record Limits(int maxInitialLine, int maxHeaderSize, int maxInFlight, long idleTimeoutMillis,
                         long stallTimeoutMillis, long writeTimeoutMillis, int maxConnections,
                         int maxConnectionsPerClient, long headTimeoutMillis, long queueWaitMillis,
                         int maxQueuedPerTenant, int maxQueued, long outboundBudgetBytes) {
        public Limits(int maxInitialLine, int maxHeaderSize, int maxInFlight, long idleTimeoutMillis,
                      long stallTimeoutMillis, long writeTimeoutMillis) {
            this(maxInitialLine, maxHeaderSize, maxInFlight, idleTimeoutMillis, stallTimeoutMillis, writeTimeoutMillis,
                    DEFAULT_MAX_CONNECTIONS);
        }

        public Limits(int maxInitialLine, int maxHeaderSize, int maxInFlight, long idleTimeoutMillis,
                      long stallTimeoutMillis, long writeTimeoutMillis, int maxConnections) {
            this(maxInitialLine, maxHeaderSize, maxInFlight, idleTimeoutMillis, stallTimeoutMillis, writeTimeoutMillis,
                    maxConnections, DEFAULT_MAX_CONNECTIONS_PER_CLIENT, DEFAULT_HEAD_TIMEOUT_MILLIS, 0, 0, 0,
                    DEFAULT_OUTBOUND_BUDGET);
        }

        public static Limits defaults() {
            return new Limits(16 * 1024, 16 * 1024, 1024, 60_000, 20_000, 60_000, DEFAULT_MAX_CONNECTIONS,
                    DEFAULT_MAX_CONNECTIONS_PER_CLIENT, DEFAULT_HEAD_TIMEOUT_MILLIS, 1_000, 512, 2048,
                    DEFAULT_OUTBOUND_BUDGET);
        }

        public Limits withConnections(int total, int perClient) {
            return new Limits(maxInitialLine, maxHeaderSize, maxInFlight, idleTimeoutMillis, stallTimeoutMillis,
                    writeTimeoutMillis, total, perClient, headTimeoutMillis, queueWaitMillis, maxQueuedPerTenant,
                    maxQueued, outboundBudgetBytes);
        }

        public Limits withTimeouts(long headMillis, long idleMillis) {
            return new Limits(maxInitialLine, maxHeaderSize, maxInFlight, idleMillis, stallTimeoutMillis,
                    writeTimeoutMillis, maxConnections, maxConnectionsPerClient, headMillis, queueWaitMillis,
                    maxQueuedPerTenant, maxQueued, outboundBudgetBytes);
        }

        /** Requests beyond {@code inFlight} wait up to {@code waitMillis} (0: refused at once). */
        public Limits withAdmission(int inFlight, long waitMillis, int queuedPerTenant, int queuedTotal) {
            return new Limits(maxInitialLine, maxHeaderSize, inFlight, idleTimeoutMillis, stallTimeoutMillis,
                    writeTimeoutMillis, maxConnections, maxConnectionsPerClient, headTimeoutMillis, waitMillis,
                    queuedPerTenant, queuedTotal, outboundBudgetBytes);
        }

        public Limits withOutboundBudget(long bytes) {
            return new Limits(maxInitialLine, maxHeaderSize, maxInFlight, idleTimeoutMillis, stallTimeoutMillis,
                    writeTimeoutMillis, maxConnections, maxConnectionsPerClient, headTimeoutMillis, queueWaitMillis,
                    maxQueuedPerTenant, maxQueued, bytes);
        }
    }

    /** Open connections beyond this are closed at once: each costs a socket and a (virtual) thread. */
    static final int DEFAULT_MAX_CONNECTIONS = 8192;
    /** One client address may hold this many: enough for any sane pool, far from the global cap. */
    static final int DEFAULT_MAX_CONNECTIONS_PER_CLIENT = 256;
    static final long DEFAULT_HEAD_TIMEOUT_MILLIS = 10_000;
    static final long DEFAULT_OUTBOUND_BUDGET = 64L << 20;
    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.ConcurrentHashMap<java.net.InetAddress, Integer> perClient =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final HttpHandler handler;
    private final Limits limits;
    private final WaitingRoom admission;
    private final OutboundBudget outbound;
    private final AtomicLong requestCounter = new AtomicLong();
    private final String idPrefix = Long.toHexString(System.nanoTime() & 0xffffffL).toUpperCase();
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final List<Channel> listeners = new ArrayList<>();

    public HttpServer(HttpHandler handler, Limits limits) {
        this.handler = handler;
        this.limits = limits;
        this.outbound = new OutboundBudget(limits.outboundBudgetBytes(),
                ch -> penalize(ch, Penalties.Offence.STOPPED_READING));
        this.admission = new WaitingRoom(limits.maxInFlight(), limits.queueWaitMillis(), limits.maxQueuedPerTenant(),
                limits.maxQueued());
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
                // what one reader that stops reading can pin: the high mark plus the chunk that crossed it
                // (~768 KiB; it was 2 MiB + 256 KiB); the kernel's socket buffers do the real queueing
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(128 * 1024, 512 * 1024))
                // Connections are counted on the acceptor's thread, in accept order, before a worker loop
                // takes them: a connection over a cap is the one accepted last, never an earlier one
                // whose registration happened to run later on another loop.
                .handler(new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof SocketChannel child && !admitConnection(child)) {
                            return;
                        }
                        ctx.fireChannelRead(msg);
                    }
                })
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new Connection.HeadWatch());
                        ch.pipeline().addLast(new HttpServerCodec(new HttpDecoderConfig()
                                .setMaxInitialLineLength(limits.maxInitialLine())
                                .setMaxHeaderSize(limits.maxHeaderSize())
                                .setMaxChunkSize(256 * 1024)));
                        ch.pipeline().addLast(new Connection(HttpServer.this::serve, limits.headTimeoutMillis(),
                                slow -> penalize(slow, Penalties.Offence.MISSED_HEAD_DEADLINE)));
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

    /**
     * Addresses kept out at accept for a while: a reader evicted for not reading, or a client whose
     * heads keep missing their deadline, cannot come straight back for another connection (the attack
     * then costs it a wait, not the server a connection per attempt). See {@link Penalties}.
     */
    private final Penalties penalties = new Penalties();

    private void penalize(Channel ch, Penalties.Offence offence) {
        if (ch.remoteAddress() instanceof InetSocketAddress a) {
            penalties.offence(a.getAddress(), offence);
        }
    }

    /**
     * Counts a new connection against the global and its client's caps. False when it is not to be
     * served: over a cap (closed at once, nothing counted — refuse rather than collapse), or from an
     * address kept out for a penalty (held: see {@link #holdRefused}).
     */
    private boolean admitConnection(SocketChannel ch) {
        if (connections.incrementAndGet() > limits.maxConnections()) {
            connections.decrementAndGet();
            ch.unsafe().closeForcibly();
            return false;
        }
        InetSocketAddress remote = ch.remoteAddress();
        if (remote == null) { // closed before it was set up
            connections.decrementAndGet();
            ch.unsafe().closeForcibly();
            return false;
        }
        java.net.InetAddress client = remote.getAddress();
        int count = perClient.merge(client, 1, Integer::sum);
        if (count > limits.maxConnectionsPerClient()) {
            releaseConnection(client);
            ch.unsafe().closeForcibly();
            return false;
        }
        long outMillis = penalties.refusalMillis(client);
        if (outMillis > 0) {
            holdRefused(ch, client, outMillis);
            return false;
        }
        ch.closeFuture().addListener(f -> releaseConnection(client));
        return true;
    }

    /**
     * A connection from an address that is kept out is held open, unread and without a thread, until
     * the time out ends (at most the head deadline), then closed. Closing it at once would invite the
     * attacker straight back — a refused slowloris or non-reader reconnects within a second or two,
     * and every accept and close costs the server more than a connection that just sits. It still
     * counts against the connection caps, so holding cannot exhaust them beyond what they allow.
     */
    private void holdRefused(SocketChannel ch, java.net.InetAddress client, long outMillis) {
        long holdMillis = limits.headTimeoutMillis() > 0 ? Math.min(outMillis, limits.headTimeoutMillis()) : outMillis;
        ch.config().setAutoRead(false);
        workers.register(ch).addListener(f -> {
            if (!f.isSuccess()) {
                releaseConnection(client);
                ch.unsafe().closeForcibly();
                return;
            }
            ch.closeFuture().addListener(c -> releaseConnection(client));
            ch.eventLoop().schedule(() -> ch.close(), holdMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        });
    }

    private void releaseConnection(java.net.InetAddress client) {
        perClient.computeIfPresent(client, (k, n) -> n <= 1 ? null : n - 1);
        connections.decrementAndGet();
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
                c.awaitNextHead();
            }
        } catch (RuntimeException | Error e) {
            LOG.error("connection loop failed", e);
            if (e instanceof VirtualMachineError) {
                throw e; // out of memory: up to the thread's uncaught-exception handler (the server stops)
            }
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
        NettyExchange ex = new NettyExchange(c, head, id, expect, limits.stallTimeoutMillis(), limits.writeTimeoutMillis(),
                outbound);
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
            if (!admission.enter(handler.tenant(ex.head()))) {
                ex.closeAfterResponse();
                handler.overloaded(ex);
                return false;
            }
            try {
                handler.handle(ex);
            } finally {
                admission.release();
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
        return admission.inUse();
    }

    /** Response bytes held in memory for slow readers right now (charged to the outbound budget). */
    public long outboundBytes() {
        return outbound.inUseBytes();
    }

    /** Connections that stopped reading, closed to free the outbound budget for those that read. */
    /** Penalties imposed on client addresses (evicted non-readers, repeated slow heads). */
    public long penaltiesImposed() {
        return penalties.imposed();
    }

    /** Connections refused at accept because their address was kept out for a penalty. */
    public long penalizedRefusals() {
        return penalties.refused();
    }

    public long outboundEvictions() {
        return outbound.evictions();
    }

    /** Requests waiting for a slot right now. */
    public int waiting() {
        return admission.waiting();
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
