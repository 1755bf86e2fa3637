package dev.kura.object;

import java.time.Instant;
import java.util.function.Supplier;

/**
 * A write's version sequence and commit time, chosen once, when first asked for: just before the
 * storage commit (for the annotation stored with the data) or, for inline data, when the record is
 * built. So the record stored with the data and the record committed to the index agree. Not
 * thread-safe (one write).
 */
final class Stamp {
    private final VersionClock versions;
    private final Supplier<Instant> clock;
    private long sequence;
    private Instant at;

    Stamp(VersionClock versions, Supplier<Instant> clock) {
        this.versions = versions;
        this.clock = clock;
    }

    long sequence() {
        choose();
        return sequence;
    }

    Instant at() {
        choose();
        return at;
    }

    private void choose() {
        if (at == null) {
            sequence = versions.next();
            at = clock.get();
        }
    }
}
