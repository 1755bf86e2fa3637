package dev.kura.index.rocks;

/**
 * A logged command that repeats a call already applied (the same call key, {@link RocksObjectIndex#applyLogged}):
 * nothing was applied. Its caller got, or gets, the first copy's outcome.
 */
public final class DuplicateLogCall extends RuntimeException {
    private final long index;

    DuplicateLogCall(String message, long at) {
        super(message, null, false, false);
        this.index = at;
    }

    /** The log index of the repeated copy. */
    public long index() {
        return index;
    }
}
