package dev.kura.storage.erasure;

/**
 * Fewer than {@code k} shards of a stripe survive, so it cannot be rebuilt: the data is lost
 * unless another copy of a shard turns up.
 */
public class TooManyErasuresException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int present;
    private final int needed;

    public TooManyErasuresException(int present, int needed) {
        super("only " + present + " shards present, " + needed + " needed to reconstruct");
        this.present = present;
        this.needed = needed;
    }

    /** How many shards were present. */
    public int present() {
        return present;
    }

    /** How many are needed ({@code k}). */
    public int needed() {
        return needed;
    }
}
