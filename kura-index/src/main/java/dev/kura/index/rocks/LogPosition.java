package dev.kura.index.rocks;

import java.nio.ByteBuffer;

/**
 * A position in a replicated command log (a Raft term and index). The index records the position
 * of the last logged command it applied in the same atomic batch as that command's effects
 * ({@link RocksObjectIndex#applyLogged}), so after a crash or restart the state and the position
 * always agree, and a log replayed from an earlier point skips what is already applied.
 */
public record LogPosition(long term, long index) {
    static final int ENCODED_LENGTH = 1 + 8 + 8;
    private static final byte FORMAT = 1;

    public LogPosition {
        if (term < 0 || index < 0) {
            throw new IllegalArgumentException("negative log position: " + term + ":" + index);
        }
    }

    /** Format byte, term, index (big-endian): the value of the index's {@code m|log-applied} row. */
    byte[] encode() {
        return ByteBuffer.allocate(ENCODED_LENGTH).put(FORMAT).putLong(term).putLong(index).array();
    }

    static LogPosition decode(byte[] bytes) {
        if (bytes.length != ENCODED_LENGTH || bytes[0] != FORMAT) {
            throw new IllegalStateException("unreadable log position row (" + bytes.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, 1, ENCODED_LENGTH - 1);
        return new LogPosition(b.getLong(), b.getLong());
    }
}
