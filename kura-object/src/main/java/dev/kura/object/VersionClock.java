package dev.kura.object;

import java.time.InstantSource;

/**
 * Hands out strictly increasing sequence numbers for object versions: microseconds of the clock,
 * bumped past the last one handed out, so versions sort by commit order even when the wall
 * clock stalls or steps back.
 */
final class VersionClock {
    private final InstantSource clock;
    private long last;

    VersionClock(InstantSource clock) {
        this.clock = clock;
    }

    synchronized long next() {
        var now = clock.instant();
        long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
        last = Math.max(last + 1, micros);
        return last;
    }
}
