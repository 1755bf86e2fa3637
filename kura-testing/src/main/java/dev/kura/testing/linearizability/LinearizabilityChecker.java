package dev.kura.testing.linearizability;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides whether a recorded concurrent history of object operations is linearizable: whether every
 * operation can be given one instant between its invocation and its answer such that, in the order of
 * those instants, each key behaves as a single register (a GET returns the last value written or
 * nothing after a DELETE; {@code If-None-Match: *} succeeds exactly when there is no object;
 * {@code If-Match} exactly when the object is the expected one).
 *
 * <p>Keys are independent (linearizability is compositional), so each key's history is checked on its
 * own. The search is Wing and Gong's, with Lowe's memoization of (operations linearized, register
 * value) and Horn and Kroening's P-compositionality by key. An operation whose outcome is unknown (a
 * timeout, a crash) may take effect at any instant after its invocation, or never; an unknown GET says
 * nothing and is dropped.
 */
public final class LinearizabilityChecker {
    /** A search that grows past this many distinct states gives up (reported as not shown linearizable). */
    static final int MAX_STATES = 2_000_000;

    private LinearizabilityChecker() {
    }

    /**
     * The verdict for a whole history: linearizable, or the first key (in key order) whose history is
     * not, with that key's operations.
     */
    public record Result(boolean linearizable, String key, List<Op> keyHistory, String explanation) {
        @Override
        public String toString() {
            if (linearizable) {
                return "linearizable";
            }
            StringBuilder b = new StringBuilder("not linearizable: key ").append(key).append(": ").append(explanation);
            keyHistory.stream().sorted(Comparator.comparingLong(Op::invokedNanos)).limit(200)
                    .forEach(op -> b.append("\n  ").append(op));
            return b.toString();
        }
    }

    public static Result check(Collection<Op> history) {
        Map<String, List<Op>> byKey = new TreeMap<>();
        for (Op op : history) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
            String why = checkKey(e.getValue());
            if (why != null) {
                return new Result(false, e.getKey(), e.getValue(), why);
            }
        }
        return new Result(true, null, List.of(), "");
    }

    /** One event of the history: an invocation or an answer, in a doubly linked list in time order. */
    private static final class Entry {
        final Op op;
        final int id;
        final boolean call;
        final long time;
        Entry match;
        Entry prev;
        Entry next;

        Entry(Op op, int id, boolean call, long time) {
            this.op = op;
            this.id = id;
            this.call = call;
            this.time = time;
        }
    }

    /** One point of the search: its candidates, how many were tried, and the choice being explored. */
    private static final class Frame {
        final List<Entry> candidates;
        int tried;
        Entry chosen;
        String valueBefore;
        BitSet linearizedBefore;

        Frame(List<Entry> candidates) {
            this.candidates = candidates;
        }
    }

    private record State(BitSet linearized, String value) {
    }

    /** Null when the key's history is linearizable, else why not. */
    private static String checkKey(List<Op> ops) {
        List<Entry> events = new ArrayList<>();
        int id = 0;
        int returns = 0;
        for (Op op : ops) {
            boolean unknown = op.outcome() == Op.Outcome.UNKNOWN;
            if (unknown && op.kind() == Op.Kind.GET) {
                continue; // says nothing about the register
            }
            Entry call = new Entry(op, id++, true, op.invokedNanos());
            events.add(call);
            if (!unknown) { // an unknown operation has no answer: it may be linearized late, or never
                Entry ret = new Entry(op, call.id, false, op.completedNanos());
                call.match = ret;
                events.add(ret);
                returns++;
            }
        }
        // at equal times, invocations first: the operations then count as concurrent (never a false alarm)
        events.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> e.call ? 0 : 1));
        Entry head = new Entry(null, -1, true, Long.MIN_VALUE);
        Entry last = head;
        for (Entry e : events) {
            last.next = e;
            e.prev = last;
            last = e;
        }

        // Depth-first over the choices of which operation takes effect next. The candidates at each point
        // are the invocations before the first answer still in the list (the operation of that answer must
        // be placed before anything invoked after it); answered ones are tried before unknown ones, so an
        // unknown operation is placed only where nothing else explains what was seen.
        String value = null; // no object yet
        BitSet linearized = new BitSet(id);
        Set<State> seen = new HashSet<>();
        Deque<Frame> stack = new ArrayDeque<>();
        stack.push(new Frame(candidates(head)));
        int deepest = 0;
        while (returns > 0) {
            Frame top = stack.peek();
            if (top.chosen != null) { // back here after that choice led nowhere: undo it
                unlift(top.chosen);
                if (top.chosen.match != null) {
                    returns++;
                }
                value = top.valueBefore;
                linearized = top.linearizedBefore;
                top.chosen = null;
            }
            Entry next = null;
            Step step = null;
            BitSet after = null;
            while (next == null && top.tried < top.candidates.size()) {
                Entry c = top.candidates.get(top.tried++);
                Step s = step(value, c.op);
                if (!s.allowed()) {
                    continue;
                }
                BitSet b = (BitSet) linearized.clone();
                b.set(c.id);
                if (seen.add(new State(b, s.value()))) {
                    next = c;
                    step = s;
                    after = b;
                }
            }
            if (next == null) {
                stack.pop();
                if (stack.isEmpty()) {
                    return "no order of the operations explains what the clients saw (at most " + deepest
                            + " of " + id + " operations could be ordered)";
                }
                continue;
            }
            if (seen.size() > MAX_STATES) {
                return "the search passed " + MAX_STATES + " states without an answer";
            }
            top.chosen = next;
            top.valueBefore = value;
            top.linearizedBefore = linearized;
            value = step.value();
            linearized = after;
            lift(next);
            if (next.match != null) {
                returns--;
            }
            deepest = Math.max(deepest, stack.size());
            stack.push(new Frame(candidates(head)));
        }
        return null;
    }

    /** The invocations before the first answer in the list, answered operations first. */
    private static List<Entry> candidates(Entry head) {
        List<Entry> known = new ArrayList<>();
        List<Entry> unknown = new ArrayList<>();
        for (Entry e = head.next; e != null && e.call; e = e.next) {
            (e.match != null ? known : unknown).add(e);
        }
        known.addAll(unknown);
        return known;
    }

    private record Step(boolean allowed, String value) {
        static final Step NO = new Step(false, null);
    }

    /** The register's value after {@code op} takes effect on {@code value}, if it can have. */
    private static Step step(String value, Op op) {
        boolean failed = op.outcome() == Op.Outcome.PRECONDITION_FAILED;
        return switch (op.kind()) {
            case PUT -> new Step(true, op.value());
            case DELETE -> new Step(true, null);
            case GET -> Objects.equals(value, op.value()) ? new Step(true, value) : Step.NO;
            case PUT_IF_ABSENT -> {
                boolean absent = value == null;
                if (failed) {
                    yield absent ? Step.NO : new Step(true, value);
                }
                // done or unknown: where it took effect, there was no object (an unknown one may also have failed,
                // which is the same as never taking effect)
                yield absent ? new Step(true, op.value()) : Step.NO;
            }
            case PUT_IF_MATCH -> {
                boolean matches = value != null && value.equals(op.expected());
                if (failed) {
                    yield matches ? Step.NO : new Step(true, value);
                }
                yield matches ? new Step(true, op.value()) : Step.NO; // an unknown one that failed: never took effect
            }
        };
    }

    private static void lift(Entry call) {
        unlink(call);
        if (call.match != null) {
            unlink(call.match);
        }
    }

    private static void unlink(Entry e) {
        e.prev.next = e.next;
        if (e.next != null) {
            e.next.prev = e.prev;
        }
    }

    /** Undoes {@link #lift}; lifts are undone in the reverse order of their making, so the links still hold. */
    private static void unlift(Entry call) {
        if (call.match != null) {
            relink(call.match);
        }
        relink(call);
    }

    private static void relink(Entry e) {
        e.prev.next = e;
        if (e.next != null) {
            e.next.prev = e;
        }
    }
}
