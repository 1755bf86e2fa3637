package dev.kura.storage.erasure;

/**
 * An erasure code over a stripe of {@code k} data shards and {@code m} parity shards of equal
 * length: any {@code k} of the {@code k + m} shards rebuild the others.
 *
 * <p>Shards are heap {@code byte[]}s addressed by one {@code offset} and {@code length} shared by
 * every shard of the call, so a caller can encode a sub-range of the buffers it reads and writes
 * blocks with. Heap arrays rather than {@code ByteBuffer}s: the pure-Java codec's per-byte table
 * lookups compile to tight bounds-check-free loops over arrays, while {@code ByteBuffer.get/put}
 * per byte does not; a native backend can still take heap arrays through critical downcalls.
 *
 * <p>Implementations are thread-safe. Shards passed to one call must be distinct arrays.
 */
public interface ErasureCodec {
    /** {@code k}: how many shards carry the data itself, and how many are needed to rebuild. */
    int dataShards();

    /** {@code m}: how many shards may be lost. */
    int parityShards();

    /** {@code k + m}. */
    default int totalShards() {
        return dataShards() + parityShards();
    }

    /**
     * Computes the parity of bytes {@code [offset, offset + length)} of the data shards into the
     * same range of the parity shards (overwritten).
     *
     * @param data {@code k} arrays, each at least {@code offset + length} long
     * @param parity {@code m} arrays, each at least {@code offset + length} long; written
     */
    void encode(byte[][] data, byte[][] parity, int offset, int length);

    /**
     * Rebuilds bytes {@code [offset, offset + length)} of every shard (data and parity) not marked
     * present, from any {@code k} that are. Shards are ordered data first, then parity. A missing
     * shard's array is overwritten in that range, or, when it is {@code null}, replaced by a new
     * array of {@code offset + length} bytes. {@code present} is not modified; nothing happens when
     * every shard is present.
     *
     * @param shards {@code k + m} arrays; present ones at least {@code offset + length} long
     * @param present {@code k + m} flags: whether that shard holds valid bytes
     * @throws TooManyErasuresException when fewer than {@code k} shards are present (nothing is
     *     written then)
     */
    void reconstruct(byte[][] shards, boolean[] present, int offset, int length);
}
