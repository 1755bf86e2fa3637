package dev.kura.index;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reads of one client request, bound to the thread serving it ({@link #run}): a replicated index
 * confirms its read index once per group per request rather than before every read.
 *
 * <p>Why that is still linearizable: a read index confirmed after the request began covers every write
 * acknowledged before it began, and a replica's applied state only moves forward, so every later read of
 * the request, served from that replica, sees at least those writes — the request as a whole is ordered
 * after every write that completed before it was sent, which is what a client can observe. A write made
 * by the request itself ({@link #wrote}) drops the group's confirmation: the next read of that group
 * confirms again and so sees the write, which the local replica may not have applied yet when the
 * leader answered it. Outside a request (background work) nothing is bound and every read confirms.
 */
public final class ReadSession {
    private static final ScopedValue<ReadSession> CURRENT = ScopedValue.newInstance();

    /** The groups whose read index this request has confirmed (compared by identity). */
    private final Set<Object> confirmed = ConcurrentHashMap.newKeySet();

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

    /** True when the request being served has confirmed {@code group}'s read index already. */
    public static boolean confirmed(Object group) {
        return CURRENT.isBound() && CURRENT.get().confirmed.contains(group);
    }

    /** Records that the request being served (if any) has confirmed {@code group}'s read index. */
    public static void confirm(Object group) {
        if (CURRENT.isBound()) {
            CURRENT.get().confirmed.add(group);
        }
    }

    /** The request being served (if any) wrote through {@code group}: its next read confirms again. */
    public static void wrote(Object group) {
        if (CURRENT.isBound()) {
            CURRENT.get().confirmed.remove(group);
        }
    }
}
