package dev.kura.common;

import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A never-reused identifier for one immutable piece of stored data (an object's bytes, a part's
 * bytes). Fresh for every write, so a half-written file can never be mistaken for a live one.
 * 128 random bits as 32 lowercase hex characters.
 */
public record DataId(String value) {
    public DataId {
        Objects.requireNonNull(value);
        if (!value.matches("[0-9a-f]{32}")) {
            throw new IllegalArgumentException("bad data id: " + value);
        }
    }

    public static DataId random(RandomGenerator rnd) {
        return new DataId(String.format("%016x%016x", rnd.nextLong(), rnd.nextLong()));
    }

    @Override
    public String toString() {
        return value;
    }
}
