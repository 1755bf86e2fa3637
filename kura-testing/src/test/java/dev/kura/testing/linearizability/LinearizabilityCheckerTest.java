package dev.kura.testing.linearizability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.testing.linearizability.Op.Kind;
import dev.kura.testing.linearizability.Op.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The checker on hand-made histories whose verdict is known — each anomaly a broken store could show
 * (a stale read, a lost acknowledged write, two creators, a read from the future) is refused, and the
 * orders a correct store may show under concurrency and crashes are accepted — and on random histories
 * of a correct register, which are linearizable by construction.
 */
class LinearizabilityCheckerTest {
    private static Op op(int client, Kind kind, String value, String expected, long from, long to, Outcome outcome) {
        return new Op(client, kind, "k", value, expected, from, to, outcome);
    }

    private static Op put(int c, String v, long from, long to) {
        return op(c, Kind.PUT, v, null, from, to, Outcome.OK);
    }

    private static Op get(int c, String v, long from, long to) {
        return op(c, Kind.GET, v, null, from, to, Outcome.OK);
    }

    private static boolean ok(Op... ops) {
        return LinearizabilityChecker.check(List.of(ops)).linearizable();
    }

    @Test
    void sequentialReadsOfTheLastWriteAreLinearizable() {
        assertThat(ok(put(1, "a", 0, 10), get(2, "a", 20, 30), put(1, "b", 40, 50), get(2, "b", 60, 70))).isTrue();
        assertThat(ok(get(1, null, 0, 5), put(1, "a", 10, 20), op(1, Kind.DELETE, null, null, 30, 40, Outcome.OK),
                get(2, null, 50, 60))).isTrue();
    }

    @Test
    void aStaleReadAfterAnAcknowledgedWriteIsNot() {
        assertThat(ok(put(1, "a", 0, 10), put(1, "b", 20, 30), get(2, "a", 40, 50))).isFalse();
        // deleted, then read back
        assertThat(ok(put(1, "a", 0, 10), op(1, Kind.DELETE, null, null, 20, 30, Outcome.OK), get(2, "a", 40, 50)))
                .isFalse();
    }

    @Test
    void aReadOverlappingAWriteMaySeeEitherValue() {
        assertThat(ok(put(1, "a", 0, 10), put(1, "b", 20, 60), get(2, "a", 30, 40))).isTrue();
        assertThat(ok(put(1, "a", 0, 10), put(1, "b", 20, 60), get(2, "b", 30, 40))).isTrue();
    }

    @Test
    void readsMayNotGoBackInTime() {
        // while b is being written, one reader sees b and a later reader sees a again: no single instant for b
        assertThat(ok(put(1, "a", 0, 10), put(1, "b", 20, 100), get(2, "b", 30, 40), get(3, "a", 50, 60)))
                .isFalse();
    }

    @Test
    void aReadOfAValueNeverWrittenIsNot() {
        assertThat(ok(put(1, "a", 0, 10), get(2, "x", 20, 30))).isFalse();
    }

    @Test
    void onlyOneConcurrentCreatorMaySucceed() {
        Op first = op(1, Kind.PUT_IF_ABSENT, "a", null, 0, 50, Outcome.OK);
        Op second = op(2, Kind.PUT_IF_ABSENT, "b", null, 10, 40, Outcome.OK);
        assertThat(ok(first, second)).as("both created").isFalse();
        assertThat(ok(first, op(2, Kind.PUT_IF_ABSENT, "b", null, 10, 40, Outcome.PRECONDITION_FAILED))).isTrue();
        assertThat(ok(op(1, Kind.PUT_IF_ABSENT, "a", null, 0, 50, Outcome.PRECONDITION_FAILED),
                op(2, Kind.PUT_IF_ABSENT, "b", null, 10, 40, Outcome.PRECONDITION_FAILED)))
                .as("both refused, with no object there").isFalse();
    }

    @Test
    void ifMatchReplacesOnlyTheExpectedValue() {
        assertThat(ok(put(1, "a", 0, 10), op(2, Kind.PUT_IF_MATCH, "b", "a", 20, 30, Outcome.OK), get(1, "b", 40, 50)))
                .isTrue();
        assertThat(ok(put(1, "a", 0, 10), put(1, "c", 20, 30), op(2, Kind.PUT_IF_MATCH, "b", "a", 40, 50, Outcome.OK)))
                .as("replaced a value no longer there").isFalse();
        assertThat(ok(put(1, "a", 0, 10), op(2, Kind.PUT_IF_MATCH, "b", "a", 20, 30, Outcome.PRECONDITION_FAILED)))
                .as("refused although it matched").isFalse();
    }

    @Test
    void anUnknownWriteMayTakeEffectLateOrNever() {
        Op lost = op(1, Kind.PUT, "b", null, 20, 0, Outcome.UNKNOWN);
        assertThat(ok(put(1, "a", 0, 10), lost, get(2, "a", 30, 40))).as("never (yet)").isTrue();
        assertThat(ok(put(1, "a", 0, 10), lost, get(2, "b", 30, 40))).as("took effect").isTrue();
        assertThat(ok(put(1, "a", 0, 10), lost, get(2, "b", 30, 40), get(2, "a", 50, 60)))
                .as("took effect, then undone").isFalse();
        assertThat(ok(put(1, "a", 0, 10), op(1, Kind.PUT, "b", null, 20, 0, Outcome.UNKNOWN), get(2, "b", 5, 9)))
                .as("seen before it was sent").isFalse();
    }

    @Test
    void anAcknowledgedWriteLostAtACrashIsNot() {
        // acknowledged, then the server restarts and a read finds the older value
        assertThat(ok(put(1, "a", 0, 10), put(1, "b", 20, 30), op(2, Kind.PUT, "c", null, 35, 0, Outcome.UNKNOWN),
                get(1, "a", 100, 110))).isFalse();
    }

    @Test
    void keysAreIndependentAndTheFailingKeyIsNamed() {
        Op x = new Op(1, Kind.PUT, "x", "1", null, 0, 10, Outcome.OK);
        Op xr = new Op(2, Kind.GET, "x", "1", null, 20, 30, Outcome.OK);
        Op y = new Op(1, Kind.PUT, "y", "2", null, 0, 10, Outcome.OK);
        Op yr = new Op(2, Kind.GET, "y", null, null, 20, 30, Outcome.OK);
        LinearizabilityChecker.Result r = LinearizabilityChecker.check(List.of(x, xr, y, yr));
        assertThat(r.linearizable()).isFalse();
        assertThat(r.key()).isEqualTo("y");
        assertThat(r.toString()).contains("not linearizable: key y");
    }

    /**
     * A correct register under random concurrency: each operation takes effect at an instant drawn
     * inside its interval, in instant order; the history the clients see is then linearizable by
     * construction, and the checker must say so — with overlaps, unknown outcomes and conditional writes.
     */
    @Test
    void randomHistoriesOfACorrectRegisterAreLinearizable() {
        Random random = new Random(42);
        for (int round = 0; round < 200; round++) {
            List<Op> ops = simulate(random, 60, 4);
            LinearizabilityChecker.Result r = LinearizabilityChecker.check(ops);
            assertThat(r.linearizable()).as("round %d: %s", round, r).isTrue();
        }
    }

    /** And the same histories with one read's answer changed to a value never written are not. */
    @Test
    void randomHistoriesWithOneReadOfAValueNeverWrittenAreCaught() {
        Random random = new Random(7);
        int caught = 0;
        int corrupted = 0;
        for (int round = 0; round < 200; round++) {
            List<Op> ops = simulate(random, 60, 4);
            List<Integer> reads = new ArrayList<>();
            for (int i = 0; i < ops.size(); i++) {
                if (ops.get(i).kind() == Kind.GET && ops.get(i).outcome() == Outcome.OK) {
                    reads.add(i);
                }
            }
            if (reads.isEmpty()) {
                continue;
            }
            int i = reads.get(random.nextInt(reads.size()));
            Op r = ops.get(i);
            ops.set(i, new Op(r.client(), r.kind(), r.key(), "never-written", null, r.invokedNanos(),
                    r.completedNanos(), r.outcome()));
            corrupted++;
            if (!LinearizabilityChecker.check(ops).linearizable()) {
                caught++;
            }
        }
        assertThat(caught).as("a value never written is always caught").isEqualTo(corrupted);
    }

    private static List<Op> simulate(Random random, int n, int clients) {
        record Planned(int client, Kind kind, long from, long at, long to, boolean unknown) {
        }
        List<Planned> plan = new ArrayList<>();
        long[] clock = new long[clients];
        for (int i = 0; i < n; i++) {
            int c = random.nextInt(clients);
            long from = clock[c] + random.nextInt(20);
            long at = from + 1 + random.nextInt(30);
            long to = at + 1 + random.nextInt(30);
            clock[c] = to;
            Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
            plan.add(new Planned(c, kind, from, at, to, random.nextInt(10) == 0));
        }
        plan.sort((a, b) -> Long.compare(a.at(), b.at()));
        String value = null;
        String previous = null;
        List<Op> ops = new ArrayList<>();
        int w = 0;
        for (Planned p : plan) {
            String written = "v" + (++w);
            Op op;
            switch (p.kind()) {
                case PUT -> {
                    op = new Op(p.client(), Kind.PUT, "k", written, null, p.from(), p.to(), Outcome.OK);
                    previous = value;
                    value = written;
                }
                case DELETE -> {
                    op = new Op(p.client(), Kind.DELETE, "k", null, null, p.from(), p.to(), Outcome.OK);
                    value = null;
                }
                case GET -> op = new Op(p.client(), Kind.GET, "k", value, null, p.from(), p.to(), Outcome.OK);
                case PUT_IF_ABSENT -> {
                    boolean done = value == null;
                    op = new Op(p.client(), Kind.PUT_IF_ABSENT, "k", written, null, p.from(), p.to(),
                            done ? Outcome.OK : Outcome.PRECONDITION_FAILED);
                    if (done) {
                        value = written;
                    }
                }
                case PUT_IF_MATCH -> {
                    String expected = random.nextBoolean() ? value : previous; // sometimes stale
                    boolean done = value != null && value.equals(expected);
                    op = new Op(p.client(), Kind.PUT_IF_MATCH, "k", written, expected, p.from(), p.to(),
                            done ? Outcome.OK : Outcome.PRECONDITION_FAILED);
                    if (done) {
                        previous = value;
                        value = written;
                    }
                }
                default -> throw new AssertionError();
            }
            // an unknown outcome: the client never learnt it (it did take effect here, at its instant)
            if (p.unknown() && op.kind() != Kind.GET && op.outcome() == Outcome.OK) {
                op = new Op(op.client(), op.kind(), op.key(), op.value(), op.expected(), op.invokedNanos(), 0,
                        Outcome.UNKNOWN);
            }
            ops.add(op);
        }
        return ops;
    }
}
