package dev.kura.object;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads that open data lazily while they stream — a multipart object opens its parts one after
 * another — registered from start to close. The sweeper frees no data whose free was recorded after
 * the oldest such read began, since that read may still open it. (A data file already open is safe
 * anyway: an unlinked file stays readable through its open handle.)
 */
public final class ActiveReads {
    /** One registered read; ordered by start, then by a tie-breaking sequence. */
    record Ticket(Instant start, long seq) implements Comparable<Ticket> {
        @Override
        public int compareTo(Ticket o) {
            int c = start.compareTo(o.start);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    private final InstantSource clock;
    private final ConcurrentSkipListSet<Ticket> active = new ConcurrentSkipListSet<>();
    private final AtomicLong seq = new AtomicLong();

    public ActiveReads(InstantSource clock) {
        this.clock = clock;
    }

    Ticket begin() {
        Ticket t = new Ticket(clock.instant(), seq.incrementAndGet());
        active.add(t);
        return t;
    }

    void end(Ticket t) {
        active.remove(t);
    }

    /** When the oldest read still streaming began, if any. */
    public Optional<Instant> oldestStart() {
        try {
            return Optional.of(active.first().start());
        } catch (java.util.NoSuchElementException e) {
            return Optional.empty(); // none, or the last one ended meanwhile
        }
    }

    public int count() {
        return active.size();
    }
}
