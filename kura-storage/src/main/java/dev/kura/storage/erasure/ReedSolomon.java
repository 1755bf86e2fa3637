package dev.kura.storage.erasure;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Reed-Solomon erasure coding over GF(2^8) ({@link GaloisField}), in pure Java.
 *
 * <p><b>The matrix.</b> Shard {@code r} of a stripe is row {@code r} of a {@code (k + m) x k}
 * encoding matrix times the column of data shards. Rows {@code 0..k-1} are the identity, so the
 * code is <em>systematic</em>: data shards are the data itself, a healthy read never decodes, and
 * only parity costs arithmetic. Parity row {@code i} (0-based), column {@code j} is
 * {@code 1 / ((k + i) XOR j)} — a Cauchy matrix over the disjoint point sets {@code {k..k+m-1}}
 * and {@code {0..k-1}}, exactly Intel ISA-L's {@code gf_gen_cauchy1_matrix} (whose loop runs its
 * row index from {@code k} and takes {@code gf_inv(i ^ j)}), so an ISA-L backend writes the same
 * parity bytes. Every square submatrix of a Cauchy matrix is invertible, hence any {@code k} rows
 * of identity-plus-Cauchy are too: any {@code k} shards rebuild the stripe (the code is MDS). The
 * Vandermonde-based alternative ({@code gf_gen_rs_matrix}) lacks that guarantee for some
 * {@code (k, m)}.
 *
 * <p><b>Reconstruction.</b> Take the first {@code k} present shards, invert the {@code k x k}
 * submatrix of their rows: row {@code j} of the inverse rebuilds data shard {@code j}; a missing
 * parity row times the inverse rebuilds that parity shard straight from the same inputs. Those
 * coefficient rows depend only on which shards are present, so they are cached per erasure
 * pattern (a bounded LRU: a drive failure makes the same pattern recur for every stripe).
 */
public final class ReedSolomon implements ErasureCodec {
    public static final int MAX_DATA_SHARDS = 16;
    public static final int MAX_PARITY_SHARDS = 8;
    private static final int RECOVERY_CACHE_SIZE = 64;

    private final int k;
    private final int m;
    private final byte[][] matrix;
    private final byte[][] parityRows;
    /** Guarded by itself. */
    private final Map<Integer, Recovery> recoveries = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Recovery> eldest) {
            return size() > RECOVERY_CACHE_SIZE;
        }
    };

    /** Which shards to read ({@code inputs}), which to write ({@code outputs}), and how. */
    private record Recovery(int[] inputs, int[] outputs, byte[][] rows) {
    }

    /**
     * What turns coefficient rows into bytes: {@code outputs[r] = XOR over c of rows[r][c] *
     * inputs[c]} over {@code [offset, offset + length)}. {@code pattern} is the bit mask of present
     * shards the rows belong to ({@code (1 << k) - 1} for encoding: data present, parity not), so a
     * backend can cache whatever it derives from the rows per pattern. The pure-Java kernel is
     * {@link GfMatrix#apply}; {@link IsalErasureCodec} plugs in ISA-L and reuses the checks,
     * erasure bookkeeping and decode matrices here, so both backends agree on every byte.
     */
    @FunctionalInterface
    interface Kernel {
        void apply(int pattern, byte[][] rows, byte[][] inputs, byte[][] outputs, int offset, int length);
    }

    private static final Kernel JAVA = (pattern, rows, inputs, outputs, offset, length) ->
            GfMatrix.apply(rows, inputs, outputs, offset, length);

    public ReedSolomon(int dataShards, int parityShards) {
        if (dataShards < 1 || dataShards > MAX_DATA_SHARDS) {
            throw new IllegalArgumentException("data shards must be 1.." + MAX_DATA_SHARDS + ": " + dataShards);
        }
        if (parityShards < 0 || parityShards > MAX_PARITY_SHARDS) {
            throw new IllegalArgumentException("parity shards must be 0.." + MAX_PARITY_SHARDS + ": " + parityShards);
        }
        this.k = dataShards;
        this.m = parityShards;
        this.matrix = encodingMatrix(dataShards, parityShards);
        this.parityRows = new byte[m][];
        System.arraycopy(matrix, k, parityRows, 0, m);
    }

    /**
     * The {@code (k + m) x k} encoding matrix (identity over Cauchy) as {@code [row][column]}, the
     * same bytes ISA-L's {@code gf_gen_cauchy1_matrix(a, k + m, k)} lays out row by row.
     */
    public static byte[][] encodingMatrix(int dataShards, int parityShards) {
        byte[][] a = new byte[dataShards + parityShards][dataShards];
        for (int j = 0; j < dataShards; j++) {
            a[j][j] = 1;
        }
        for (int row = dataShards; row < dataShards + parityShards; row++) {
            for (int j = 0; j < dataShards; j++) {
                a[row][j] = (byte) GaloisField.inv(row ^ j); // row >= k > j, so never 0
            }
        }
        return a;
    }

    /** The parity rows of {@link #encodingMatrix} (shared: not to be modified). */
    byte[][] parityRows() {
        return parityRows;
    }

    @Override
    public int dataShards() {
        return k;
    }

    @Override
    public int parityShards() {
        return m;
    }

    @Override
    public void encode(byte[][] data, byte[][] parity, int offset, int length) {
        encode(data, parity, offset, length, JAVA);
    }

    void encode(byte[][] data, byte[][] parity, int offset, int length, Kernel kernel) {
        checkCount("data", data, k);
        checkCount("parity", parity, m);
        checkShards(data, offset, length);
        checkShards(parity, offset, length);
        if (m > 0 && length > 0) {
            kernel.apply((1 << k) - 1, parityRows, data, parity, offset, length);
        }
    }

    @Override
    public void reconstruct(byte[][] shards, boolean[] present, int offset, int length) {
        reconstruct(shards, present, offset, length, JAVA);
    }

    void reconstruct(byte[][] shards, boolean[] present, int offset, int length, Kernel kernel) {
        checkCount("shards", shards, k + m);
        if (present.length != k + m) {
            throw new IllegalArgumentException("expected " + (k + m) + " present flags, got " + present.length);
        }
        Objects.checkFromIndexSize(offset, length, Integer.MAX_VALUE);
        int mask = 0;
        for (int i = 0; i < k + m; i++) {
            if (present[i]) {
                mask |= 1 << i;
                checkShard(shards[i], i, offset, length);
            } else if (shards[i] != null) {
                checkShard(shards[i], i, offset, length);
            }
        }
        int count = Integer.bitCount(mask);
        if (count == k + m) {
            return;
        }
        if (count < k) {
            throw new TooManyErasuresException(count, k);
        }
        Recovery recovery = recovery(mask);
        byte[][] inputs = new byte[k][];
        for (int c = 0; c < k; c++) {
            inputs[c] = shards[recovery.inputs[c]];
        }
        byte[][] outputs = new byte[recovery.outputs.length][];
        for (int r = 0; r < outputs.length; r++) {
            int shard = recovery.outputs[r];
            if (shards[shard] == null) {
                shards[shard] = new byte[offset + length];
            }
            outputs[r] = shards[shard];
        }
        if (length > 0) {
            kernel.apply(mask, recovery.rows, inputs, outputs, offset, length);
        }
    }

    private Recovery recovery(int presentMask) {
        synchronized (recoveries) {
            Recovery cached = recoveries.get(presentMask);
            if (cached != null) {
                return cached;
            }
        }
        // Computed outside the lock: a race costs a duplicate inversion, never a wrong answer.
        Recovery computed = computeRecovery(presentMask);
        synchronized (recoveries) {
            recoveries.put(presentMask, computed);
        }
        return computed;
    }

    private Recovery computeRecovery(int presentMask) {
        int[] inputs = new int[k];
        int[] outputs = new int[k + m - Integer.bitCount(presentMask)];
        int in = 0;
        int out = 0;
        for (int i = 0; i < k + m; i++) {
            if ((presentMask & (1 << i)) == 0) {
                outputs[out++] = i;
            } else if (in < k) {
                inputs[in++] = i;
            }
        }
        byte[][] sub = new byte[k][];
        for (int c = 0; c < k; c++) {
            sub[c] = matrix[inputs[c]];
        }
        byte[][] decode = GfMatrix.invert(sub);
        byte[][] rows = new byte[outputs.length][];
        for (int r = 0; r < outputs.length; r++) {
            int shard = outputs[r];
            // A data shard's row of the inverse; a parity shard's encoding row times the inverse.
            rows[r] = shard < k ? decode[shard] : GfMatrix.multiply(new byte[][] {matrix[shard]}, decode)[0];
        }
        return new Recovery(inputs, outputs, rows);
    }

    private static void checkCount(String what, byte[][] shards, int expected) {
        if (shards.length != expected) {
            throw new IllegalArgumentException("expected " + expected + " " + what + " shards, got " + shards.length);
        }
    }

    private static void checkShards(byte[][] shards, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, Integer.MAX_VALUE);
        for (int i = 0; i < shards.length; i++) {
            checkShard(shards[i], i, offset, length);
        }
    }

    private static void checkShard(byte[] shard, int index, int offset, int length) {
        if (shard == null) {
            throw new NullPointerException("shard " + index + " is null");
        }
        if (shard.length - offset < length) {
            throw new IllegalArgumentException("shard " + index + " has " + shard.length
                    + " bytes, needs " + (offset + length));
        }
    }
}
