package dev.kura.index;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The reads of one client request, bound to the thread serving it ({@link #run}): a replicated index
 * confirms its read index once per group per request rather than before every read.
 *
 * <p>Why that is still linearizable: a read index confirmed after the request began covers every write
 * acknowledged before it began, and a replica's applied state only moves forward, so every later read of
 * the request, served from that replica, sees at least those writes — the request as a whole is ordered
 * after every write that completed before it was sent, which is what a client can observe. A write made
 * by the request itself ({@link #wrote}, as it begins and as it ends) voids every confirmation taken
 * before it: the next read confirms again and so sees the write, which the local replica may not have
 * applied yet when the leader answered it. A confirmation counts only if no write of the request began or
 * ended while it was being taken (the request may use several threads). Outside a request (background work) nothing is bound and every read confirms.
 */
public final class ReadSession {
    private static final ScopedValue<ReadSession> CURRENT = ScopedValue.newInstance();

    /** Writes the request has made (through any group), counted as they start and as they end. */
    private final AtomicLong writes = new AtomicLong();
    /** For each group (compared by identity) whose read index the request confirmed: the write count then. */
    private final Map<Object, Long> confirmed = new ConcurrentHashMap<>();

    private ReadSession() {
    }

    /** A body run inside a session. */
    public interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} as one request's reads; exceptions pass through as they are. */
    public static void run(Body body) throws Exception {
        ScopedValue.where(CURRENT, new ReadSession()).call(() -> {
            body.run();
            return null;
        });
    }

    /**
     * True when the request being served confirmed {@code group}'s read index with no write of its own
     * begun or ended since that confirmation began.
     */
    public static boolean confirmed(Object group) {
        if (!CURRENT.isBound()) {
            return false;
        }
        ReadSession s = CURRENT.get();
        Long at = s.confirmed.get(group);
        return at != null && at == s.writes.get();
    }

    /** Call before confirming a read index: the token to give {@link #confirm} once it is confirmed. */
    public static long begin() {
        return CURRENT.isBound() ? CURRENT.get().writes.get() : -1;
    }

    /** Records that the request being served (if any) confirmed {@code group}'s read index, begun at {@code begun}. */
    public static void confirm(Object group, long begun) {
        if (CURRENT.isBound()) {
            CURRENT.get().confirmed.put(group, begun);
        }
    }

    /**
     * The request being served (if any) begins or ends a write: every confirmation from before stops counting
     * (called on the request's own thread, also for writes it hands to other threads).
     */
    public static void wrote() {
        if (CURRENT.isBound()) {
            CURRENT.get().writes.incrementAndGet();
        }
    }
}
