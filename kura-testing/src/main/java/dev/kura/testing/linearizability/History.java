package dev.kura.testing.linearizability;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A concurrent history being recorded: clients call {@link #invoke} just before sending a request and
 * complete the returned {@link Pending} with what came back (or {@link Pending#unknown} when nothing
 * says). Thread-safe; the clock is {@link System#nanoTime()}, shared by all clients of one JVM.
 */
public final class History {
    private final ConcurrentLinkedQueue<Op> ops = new ConcurrentLinkedQueue<>();
    private final AtomicLong writes = new AtomicLong();

    /** A value never written before in this history (values name their writes). */
    public String uniqueValue(int client) {
        return "c" + client + "-w" + writes.incrementAndGet();
    }

    public Pending invoke(int client, Op.Kind kind, String key, String value, String expected) {
        return new Pending(client, kind, key, value, expected, System.nanoTime());
    }

    /** The operations recorded so far. */
    public List<Op> ops() {
        return new ArrayList<>(ops);
    }

    public LinearizabilityChecker.Result check() {
        return LinearizabilityChecker.check(ops());
    }

    /** An invoked operation waiting for its answer; completed exactly once. */
    public final class Pending {
        private final int client;
        private final Op.Kind kind;
        private final String key;
        private final String value;
        private final String expected;
        private final long invoked;

        private Pending(int client, Op.Kind kind, String key, String value, String expected, long invoked) {
            this.client = client;
            this.kind = kind;
            this.key = key;
            this.value = value;
            this.expected = expected;
            this.invoked = invoked;
        }

        /** A 2xx; for a GET, {@code read} is the value returned ({@code null}: 404). */
        public void ok(String read) {
            add(kind == Op.Kind.GET ? read : value, Op.Outcome.OK);
        }

        public void ok() {
            add(value, Op.Outcome.OK);
        }

        public void preconditionFailed() {
            add(value, Op.Outcome.PRECONDITION_FAILED);
        }

        public void unknown() {
            add(value, Op.Outcome.UNKNOWN);
        }

        private void add(String v, Op.Outcome outcome) {
            ops.add(new Op(client, kind, key, v, expected, invoked, System.nanoTime(), outcome));
        }
    }
}
