package dev.kura.frontend.http;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Response bytes held in memory for all connections together. A chunk is charged before it is
 * written and given back once the socket took it, so N slow readers pin at most the budget,
 * whatever N is. Per connection, the channel's write-buffer high mark bounds what one reader holds.
 *
 * <p>Who waits when the budget is spent matters more than the bound: if writers simply queued for
 * it, a few hundred clients that stopped reading would hold it all and every fast reader's GET would
 * wait behind them. So the budget goes to those who read: a writer that finds it spent evicts the
 * connection that has been stalled (unwritable) longest, once that stall is over
 * {@link #EVICTABLE_STALL_MILLIS} — closing it frees its queued bytes — and waits only for that. A
 * connection is never evicted while its client keeps reading, however slowly.
 */
final class OutboundBudget {
    /** A stall shorter than this is a hiccup, not a reader that stopped: never evicted. */
    static final long EVICTABLE_STALL_MILLIS = 1_000;
    private static final int UNIT = 1024; // permits are KiB, so a budget may exceed 2 GiB

    private final Semaphore kib;
    private final int total;
    /** Connections waiting for writability now, with when their stall began (nanoTime). */
    private final java.util.concurrent.ConcurrentHashMap<io.netty.channel.Channel, Long> stalled =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong evictions = new java.util.concurrent.atomic.AtomicLong();

    /** Told of each evicted connection (the server keeps its client out for a while). */
    private final java.util.function.Consumer<io.netty.channel.Channel> onEvict;

    OutboundBudget(long bytes) {
        this(bytes, ch -> { });
    }

    OutboundBudget(long bytes, java.util.function.Consumer<io.netty.channel.Channel> onEvict) {
        this.onEvict = onEvict;
        this.total = (int) Math.min(Integer.MAX_VALUE, Math.max(1, bytes / UNIT));
        this.kib = new Semaphore(total);
    }

    private static int units(int bytes) {
        return Math.max(1, (bytes + UNIT - 1) / UNIT);
    }

    /**
     * Charges {@code bytes} for {@code ch}, evicting stalled readers as needed and waiting at most
     * {@code timeoutMillis}; false when the budget stayed spent or {@code ch} closed. While it waits
     * with bytes of its own still queued that do not drain, {@code ch} counts as stalled too: two
     * readers that stopped reading must not wait for each other, neither of them evictable.
     */
    boolean acquire(io.netty.channel.Channel ch, int bytes, long timeoutMillis) {
        int n = Math.min(units(bytes), total);
        if (kib.tryAcquire(n)) {
            return true;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        try {
            while (ch == null || ch.isActive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                if (ch != null) {
                    long pending = ch.config().getWriteBufferHighWaterMark() - ch.bytesBeforeUnwritable();
                    if (pending > 0) {
                        stalled.putIfAbsent(ch, System.nanoTime());
                    } else {
                        stalled.remove(ch); // what it queued drained: its client reads
                    }
                }
                evictLongestStalled(ch);
                if (kib.tryAcquire(n, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS)) {
                    return true;
                }
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (ch != null) {
                stalled.remove(ch);
            }
        }
    }

    boolean acquire(int bytes, long timeoutMillis) {
        return acquire(null, bytes, timeoutMillis);
    }

    private void evictLongestStalled(io.netty.channel.Channel except) {
        long now = System.nanoTime();
        io.netty.channel.Channel oldest = null;
        long since = now - TimeUnit.MILLISECONDS.toNanos(EVICTABLE_STALL_MILLIS);
        for (var e : stalled.entrySet()) {
            if (e.getKey() != except && e.getValue() - since <= 0) {
                since = e.getValue();
                oldest = e.getKey();
            }
        }
        if (oldest != null && stalled.remove(oldest) != null) {
            evictions.incrementAndGet();
            onEvict.accept(oldest);
            oldest.close(); // its queued writes fail and give their bytes back
        }
    }

    void release(int bytes) {
        kib.release(Math.min(units(bytes), total));
    }

    /** A connection starts waiting for writability. */
    void stallBegins(io.netty.channel.Channel ch) {
        stalled.put(ch, System.nanoTime());
    }

    void stallEnds(io.netty.channel.Channel ch) {
        stalled.remove(ch);
    }

    /** Bytes charged right now. */
    long inUseBytes() {
        return (long) (total - kib.availablePermits()) * UNIT;
    }

    /** Stalled connections closed to free the budget, since start. */
    long evictions() {
        return evictions.get();
    }
}
