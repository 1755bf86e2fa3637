package dev.kura.index;

import java.util.OptionalLong;

/**
 * Version ids of versioned buckets: the version's sequence — assigned by the index when it applies
 * the write, so every replica applying the same commands derives the same ids — written as 13
 * base32hex digits ({@code 0-9a-v}, URL-safe, fixed width). Fixed width and an order-preserving
 * alphabet make ids sort like their sequences: a later version of a key has a greater id. Clients
 * treat them as opaque; only {@link #sequenceOf} reads one back, which turns a lookup by version id
 * into a point read of one row.
 */
public final class VersionIds {
    public static final int LENGTH = 13;
    private static final String DIGITS = "0123456789abcdefghijklmnopqrstuv";

    private VersionIds() {
    }

    /** The version id of a (non-negative) sequence. */
    public static String of(long sequence) {
        if (sequence < 0) {
            throw new IllegalArgumentException("negative sequence " + sequence);
        }
        char[] c = new char[LENGTH];
        long v = sequence;
        for (int i = LENGTH - 1; i >= 0; i--) {
            c[i] = DIGITS.charAt((int) (v & 31));
            v >>>= 5;
        }
        return new String(c);
    }

    /**
     * The sequence a version id names; empty for anything that is not one ("null", a malformed or
     * foreign id), which then names no version of a versioned bucket.
     */
    public static OptionalLong sequenceOf(String versionId) {
        if (versionId == null || versionId.length() != LENGTH) {
            return OptionalLong.empty();
        }
        long v = 0;
        for (int i = 0; i < LENGTH; i++) {
            int d = DIGITS.indexOf(versionId.charAt(i));
            if (d < 0 || (i == 0 && d > 7)) { // 13 digits hold 65 bits; the top one must not overflow a long's sign
                return OptionalLong.empty();
            }
            v = (v << 5) | d;
        }
        return OptionalLong.of(v);
    }
}
