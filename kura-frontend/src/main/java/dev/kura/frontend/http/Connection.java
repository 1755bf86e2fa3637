package dev.kura.frontend.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One client connection. The event loop only moves decoded HTTP messages into a queue; a virtual
 * thread per connection takes them off in order and runs requests one at a time with plain
 * blocking code. Auto-read is off: the loop asks for one socket read whenever it finds the queue
 * empty, which is the whole of inbound flow control. Outbound flow control waits on channel
 * writability.
 */
final class Connection extends ChannelInboundHandlerAdapter {
    static final Object CLOSED = new Object();

    private final LinkedBlockingDeque<Object> inbound = new LinkedBlockingDeque<>();
    private final RequestLoop loop;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Condition writable = writeLock.newCondition();
    private volatile Channel channel;
    private final long headTimeoutMillis;
    /** Event-loop state: whether the next bytes start a request head, and that head's deadline. */
    private boolean awaitingHead = true;
    private io.netty.util.concurrent.ScheduledFuture<?> headDeadline;
    private long headsDecoded;
    /** Requests the loop has finished (its thread only). */
    private long served;

    /** Told when a head missed its deadline (the server counts it against the client's address). */
    private final java.util.function.Consumer<Channel> headDeadlineMissed;

    Connection(RequestLoop loop, long headTimeoutMillis, java.util.function.Consumer<Channel> headDeadlineMissed) {
        this.loop = loop;
        this.headTimeoutMillis = headTimeoutMillis;
        this.headDeadlineMissed = headDeadlineMissed;
    }

    Channel channel() {
        return channel;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        Thread.ofVirtual().name("kura-conn-" + ctx.channel().id().asShortText()).start(() -> loop.run(this));
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest) {
            headArrived();
        }
        inbound.add(msg);
    }

    /**
     * The head deadline (slowloris defence): the idle timeout alone would let a client keep a
     * connection by sending one header byte every few seconds. The first byte of a head starts a
     * timer; the decoded head stops it; if it fires first, the connection is closed. (S3 may answer
     * 400 RequestTimeout here; a client this slow is not waiting for an answer.)
     */
    private void headBytes(ChannelHandlerContext ctx) {
        if (awaitingHead && headDeadline == null && headTimeoutMillis > 0) {
            headDeadline = ctx.executor().schedule(() -> {
                if (awaitingHead) {
                    headDeadlineMissed.accept(ctx.channel());
                    ctx.channel().close();
                }
            }, headTimeoutMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void headArrived() {
        headsDecoded++;
        awaitingHead = false;
        if (headDeadline != null) {
            headDeadline.cancel(false);
            headDeadline = null;
        }
    }

    /** Called by the request loop once a request is done: the next bytes are the next request's head. */
    void awaitNextHead() {
        long done = ++served;
        // a pipelined next head may already be decoded: then the bytes that follow are its body
        channel.eventLoop().execute(() -> awaitingHead = headsDecoded == done);
    }

    /** Sits before the HTTP decoder and tells the connection when bytes arrive (they may start a head). */
    static final class HeadWatch extends ChannelInboundHandlerAdapter {
        private Connection connection;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (connection == null) {
                connection = ctx.pipeline().get(Connection.class);
            }
            if (connection != null && msg instanceof io.netty.buffer.ByteBuf b && b.isReadable()) {
                connection.headBytes(ctx);
            }
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        inbound.add(CLOSED);
        signalWritable();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // I/O errors (reset by peer…) end the connection; the loop sees CLOSED.
        ctx.close();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        signalWritable();
        ctx.fireChannelWritabilityChanged();
    }

    private void signalWritable() {
        writeLock.lock();
        try {
            writable.signalAll();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * The next inbound message ({@link HttpRequest}, content, or {@link #CLOSED}), asking the
     * channel for one more read when none is queued; null when none arrived within the timeout.
     */
    Object take(long timeoutMillis) {
        Object msg = inbound.poll();
        if (msg == null) {
            channel.read();
            try {
                msg = inbound.poll(timeoutMillis, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return CLOSED;
            }
        }
        if (msg == CLOSED) {
            inbound.addFirst(CLOSED); // stays closed for every later take
        }
        return msg;
    }

    /** Set when the connection ends with a response sent but its request body not read (see HttpServer). */
    volatile boolean lingerOnClose;

    void pushBack(Object msg) {
        inbound.addFirst(msg);
    }

    /**
     * Waits until the channel can take more output; false when it closed or the timeout passed.
     * While it waits, the connection is a candidate for eviction by the outbound budget.
     */
    boolean awaitWritable(long timeoutMillis, OutboundBudget budget) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        budget.stallBegins(channel);
        writeLock.lock();
        try {
            while (channel.isActive() && !channel.isWritable()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                writable.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
            return channel.isActive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            writeLock.unlock();
            budget.stallEnds(channel);
        }
    }

    /** Releases whatever is still queued (the connection is done). */
    void drainQueue() {
        Object msg;
        while ((msg = inbound.poll()) != null) {
            if (msg != CLOSED) {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    /** Runs a connection's requests, one after another. */
    interface RequestLoop {
        void run(Connection connection);
    }
}
