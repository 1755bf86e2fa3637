package dev.kura.frontend.http;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * Client addresses kept out at accept for a while after attacking the server's resources, so an
 * attack costs the attacker a wait instead of costing the server a fresh connection, a thread and,
 * for a reader that stops reading, the response bytes that fill its socket buffers.
 *
 * <p>Two offences count. A connection closed for not reading its response (evicted by the
 * outbound budget) keeps its address out at once. A request head that misses its deadline (a
 * slowloris) is tolerated {@value #HEAD_TIMEOUTS_TOLERATED} times — a client on a poor network may
 * miss one — and the next keeps the address out. The time out starts at 5 s and doubles with each
 * penalty that follows another within a minute of its end, up to 60 s: a client that comes straight
 * back to do it again waits longer each time; one that behaves for a minute starts over. Offences
 * by connections still open while their address is out add no penalty (one per time out).
 *
 * <p>Bounded: at most {@value #MAX_TRACKED} addresses are tracked; past that, entries no longer
 * relevant are forgotten, and if all still are, all are (the server then forgives rather than
 * grows). Thread-safe.
 */
final class Penalties {
    static final long BASE_MILLIS = 5_000;
    static final long MAX_MILLIS = 60_000;
    /** Offences further apart than this start over: the address has behaved meanwhile. */
    static final long MEMORY_MILLIS = 60_000;
    static final int HEAD_TIMEOUTS_TOLERATED = 3;
    static final int MAX_TRACKED = 65_536;

    enum Offence { STOPPED_READING, MISSED_HEAD_DEADLINE }

    /** One address's offences; replaced, never mutated, so the map's compute functions stay simple. */
    private record Record(long outUntil, int penalties, int headTimeouts, long lastOffence) {
    }

    private final ConcurrentHashMap<InetAddress, Record> records = new ConcurrentHashMap<>();
    private final LongSupplier nanoClock;
    private final LongAdder imposed = new LongAdder();
    private final LongAdder refused = new LongAdder();

    Penalties(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
    }

    Penalties() {
        this(System::nanoTime);
    }

    /** Records an offence by {@code client}; returns how long it is now kept out (0: not yet). */
    long offence(InetAddress client, Offence offence) {
        long now = nanoClock.getAsLong();
        if (records.size() >= MAX_TRACKED && !records.containsKey(client)) {
            forgetStale(now);
        }
        Record r = records.compute(client, (a, old) -> next(old, offence, now));
        long outMillis = TimeUnit.NANOSECONDS.toMillis(r.outUntil() - now);
        return Math.max(0, outMillis);
    }

    private Record next(Record old, Offence offence, long now) {
        boolean recent = old != null && !forgotten(old, now);
        int penalties = recent ? old.penalties() : 0;
        int headTimeouts = (recent ? old.headTimeouts() : 0) + (offence == Offence.MISSED_HEAD_DEADLINE ? 1 : 0);
        long outUntil = recent ? old.outUntil() : now;
        boolean penalize = offence == Offence.STOPPED_READING || headTimeouts > HEAD_TIMEOUTS_TOLERATED;
        if (penalize && outUntil - now <= 0) { // already out: the offence was in flight when it was put out
            long millis = Math.min(MAX_MILLIS, BASE_MILLIS << Math.min(penalties, 16));
            outUntil = now + TimeUnit.MILLISECONDS.toNanos(millis);
            penalties++;
            headTimeouts = 0;
            imposed.increment();
        }
        return new Record(outUntil, penalties, headTimeouts, now);
    }

    /** Whether a new connection from {@code client} is to be refused now (counted when so). */
    boolean refuses(InetAddress client) {
        return refusalMillis(client) > 0;
    }

    /** How long {@code client} is still kept out, in milliseconds (a refusal counted when above 0). */
    long refusalMillis(InetAddress client) {
        Record r = records.get(client);
        long left = r == null ? 0 : TimeUnit.NANOSECONDS.toMillis(r.outUntil() - nanoClock.getAsLong());
        if (left <= 0) {
            return 0;
        }
        refused.increment();
        return left;
    }

    /** A minute has passed since the address's last offence and since its last time out ended. */
    private static boolean forgotten(Record r, long now) {
        long memory = TimeUnit.MILLISECONDS.toNanos(MEMORY_MILLIS);
        return now - r.lastOffence() >= memory && now - r.outUntil() >= memory;
    }

    private void forgetStale(long now) {
        records.values().removeIf(r -> forgotten(r, now));
        if (records.size() >= MAX_TRACKED) {
            records.clear();
        }
    }

    /** Penalties imposed since start. */
    long imposed() {
        return imposed.sum();
    }

    /** Connections refused at accept because their address was kept out. */
    long refused() {
        return refused.sum();
    }

    int tracked() {
        return records.size();
    }
}
