package dev.kura.frontend.http;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Response bytes held in memory for all connections together. A chunk is charged before it is
 * written and given back once the socket took it, so N slow readers pin at most the budget,
 * whatever N is; a writer that finds the budget spent waits (bounded by the write timeout).
 * Per connection, the channel's write-buffer high mark already bounds what one reader can hold.
 *
 * <p>Under pressure (less than a quarter of the budget left) a connection that has not been
 * writable for {@link #PRESSURED_WRITE_TIMEOUT_MILLIS} is given up, so readers that stopped
 * reading are shed long before the ordinary write timeout and free the budget for those that read.
 */
final class OutboundBudget {
    static final long PRESSURED_WRITE_TIMEOUT_MILLIS = 5_000;
    private static final int UNIT = 1024; // permits are KiB, so a budget may exceed 2 GiB

    private final Semaphore kib;
    private final int total;

    OutboundBudget(long bytes) {
        this.total = (int) Math.min(Integer.MAX_VALUE, Math.max(1, bytes / UNIT));
        this.kib = new Semaphore(total);
    }

    private static int units(int bytes) {
        return Math.max(1, (bytes + UNIT - 1) / UNIT);
    }

    /** Charges {@code bytes}, waiting at most {@code timeoutMillis}; false when the budget stayed spent. */
    boolean acquire(int bytes, long timeoutMillis) {
        int n = Math.min(units(bytes), total);
        if (kib.tryAcquire(n)) {
            return true;
        }
        try {
            return kib.tryAcquire(n, timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    void release(int bytes) {
        kib.release(Math.min(units(bytes), total));
    }

    /** True when less than a quarter of the budget is left. */
    boolean pressured() {
        return kib.availablePermits() < total / 4;
    }

    /** Bytes charged right now. */
    long inUseBytes() {
        return (long) (total - kib.availablePermits()) * UNIT;
    }
}
