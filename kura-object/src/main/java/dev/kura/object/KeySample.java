package dev.kura.object;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The most recent keys a partition was asked for (a fixed ring, overwritten without locks), from
 * which a split point is chosen: the traffic decides where a partition is cut, not the middle of
 * its range.
 */
final class KeySample {
    private final AtomicReferenceArray<String> ring;
    private final AtomicLong next = new AtomicLong();

    KeySample(int size) {
        this.ring = new AtomicReferenceArray<>(size);
    }

    void add(String key) {
        ring.set((int) (next.getAndIncrement() % ring.length()), key);
    }

    /** The sampled keys, oldest first (approximately, under concurrent adds). */
    List<String> keys() {
        List<String> out = new ArrayList<>(ring.length());
        long end = next.get();
        for (long n = Math.max(0, end - ring.length()); n < end; n++) {
            String k = ring.get((int) (n % ring.length()));
            if (k != null) {
                out.add(k);
            }
        }
        return out;
    }
}
