package dev.kura.frontend.http;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Admission control: at most {@code permits} requests run at once; a request beyond that waits a
 * short, bounded time for a slot, in its tenant's queue, and is turned away when none frees up.
 *
 * <p>Fairness: freed slots go round-robin over the tenants that have someone waiting (one waiter
 * per tenant per turn, oldest first within a tenant), so one tenant with a thousand queued requests
 * delays another tenant's single request by at most one slot per busy tenant, not a thousand.
 *
 * <p>Bounds: a tenant queues at most {@code maxPerTenant} requests and all tenants together at most
 * {@code maxQueued}; beyond either the request is refused at once. Waiters are the connections'
 * own (virtual) threads parked on a condition: waiting creates no thread and holds no buffer.
 */
final class WaitingRoom {
    private final int permits;
    private final long maxWaitNanos;
    private final int maxPerTenant;
    private final int maxQueued;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, ArrayDeque<Waiter>> queues = new HashMap<>(); // guarded by lock
    private final ArrayDeque<String> turns = new ArrayDeque<>(); // tenants with waiters, next first; guarded by lock
    private int free; // guarded by lock
    private int queued; // guarded by lock

    private final class Waiter {
        final Condition granted = lock.newCondition();
        boolean admitted;
    }

    WaitingRoom(int permits, long maxWaitMillis, int maxPerTenant, int maxQueued) {
        if (permits < 1 || maxPerTenant < 0 || maxQueued < 0 || maxWaitMillis < 0) {
            throw new IllegalArgumentException("bad waiting room bounds");
        }
        this.permits = permits;
        this.free = permits;
        this.maxWaitNanos = TimeUnit.MILLISECONDS.toNanos(maxWaitMillis);
        this.maxPerTenant = maxPerTenant;
        this.maxQueued = maxQueued;
    }

    /**
     * Takes a slot for {@code tenant}, waiting at most the configured time; true when admitted (the
     * caller then must {@link #release}), false when turned away.
     */
    boolean enter(String tenant) throws InterruptedException {
        lock.lock();
        try {
            if (free > 0 && queued == 0) {
                free--;
                return true;
            }
            ArrayDeque<Waiter> queue = queues.get(tenant);
            if (maxWaitNanos == 0 || queued >= maxQueued || (queue != null && queue.size() >= maxPerTenant)) {
                return false;
            }
            if (queue == null) {
                queue = new ArrayDeque<>();
                queues.put(tenant, queue);
                turns.addLast(tenant);
            }
            Waiter w = new Waiter();
            queue.addLast(w);
            queued++;
            long left = maxWaitNanos;
            try {
                while (!w.admitted && left > 0) {
                    left = w.granted.awaitNanos(left);
                }
            } finally {
                if (!w.admitted) {
                    leave(tenant, queue, w);
                }
            }
            return w.admitted;
        } finally {
            lock.unlock();
        }
    }

    /** Gives a slot back: to the next tenant in turn when someone waits, else to the pool. */
    void release() {
        lock.lock();
        try {
            String tenant = turns.pollFirst();
            if (tenant == null) {
                free++;
                return;
            }
            ArrayDeque<Waiter> queue = queues.get(tenant);
            Waiter next = queue.pollFirst();
            queued--;
            if (queue.isEmpty()) {
                queues.remove(tenant);
            } else {
                turns.addLast(tenant); // its next waiter comes after every other tenant's
            }
            next.admitted = true;
            next.granted.signal();
        } finally {
            lock.unlock();
        }
    }

    /** A waiter that gave up (timed out, interrupted) leaves its queue. */
    private void leave(String tenant, ArrayDeque<Waiter> queue, Waiter w) {
        if (queue.remove(w)) {
            queued--;
            if (queue.isEmpty()) {
                queues.remove(tenant);
                turns.remove(tenant);
            }
        }
    }

    /** Requests admitted and not yet released. */
    int inUse() {
        lock.lock();
        try {
            return permits - free;
        } finally {
            lock.unlock();
        }
    }

    /** Requests waiting right now. */
    int waiting() {
        lock.lock();
        try {
            return queued;
        } finally {
            lock.unlock();
        }
    }
}
