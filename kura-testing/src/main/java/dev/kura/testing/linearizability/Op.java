package dev.kura.testing.linearizability;

/**
 * One client operation on one key, as a client saw it: when it was invoked and when its answer came
 * (monotonic nanoseconds), what it asked and what it got.
 *
 * <p>Values stand for whole object contents and are unique per write, so a read's value names the
 * write it saw; {@code null} is "no object" (a 404, or a delete).
 *
 * @param kind     what was asked
 * @param key      the object key (the register)
 * @param value    the value written (PUT kinds), or the value read (GET; {@code null}: 404)
 * @param expected for {@link Kind#PUT_IF_MATCH}: the value whose ETag the request carried
 * @param outcome  what came back; {@link Outcome#UNKNOWN} for a timeout, a lost connection or a 5xx —
 *                 the operation may or may not have taken effect, at any time after it was invoked
 */
public record Op(int client, Kind kind, String key, String value, String expected, long invokedNanos,
                 long completedNanos, Outcome outcome) {

    public enum Kind {
        /** PutObject. */
        PUT,
        /** PutObject with {@code If-None-Match: *}: creates only. */
        PUT_IF_ABSENT,
        /** PutObject with {@code If-Match: <ETag of expected>}: replaces only that value. */
        PUT_IF_MATCH,
        /** GetObject: {@code value} is what it returned. */
        GET,
        /** DeleteObject (unversioned bucket). */
        DELETE
    }

    public enum Outcome {
        /** 2xx: done. */
        OK,
        /** 412 Precondition Failed (conditional kinds only): done, with no effect. */
        PRECONDITION_FAILED,
        /** No answer that says what happened. */
        UNKNOWN
    }

    public Op {
        if (completedNanos < invokedNanos && outcome != Outcome.UNKNOWN) {
            throw new IllegalArgumentException("completed before invoked");
        }
        if (outcome == Outcome.PRECONDITION_FAILED && kind != Kind.PUT_IF_ABSENT && kind != Kind.PUT_IF_MATCH) {
            throw new IllegalArgumentException(kind + " cannot fail a precondition");
        }
    }

    @Override
    public String toString() {
        String what = switch (kind) {
            case PUT, PUT_IF_ABSENT -> kind + "(" + value + ")";
            case PUT_IF_MATCH -> kind + "(" + expected + " -> " + value + ")";
            case GET -> "GET = " + value;
            case DELETE -> "DELETE";
        };
        return "client " + client + " " + key + " " + what + " " + outcome + " [" + invokedNanos + ", "
                + (outcome == Outcome.UNKNOWN ? "?" : Long.toString(completedNanos)) + "]";
    }
}
