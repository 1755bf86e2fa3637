package dev.kura.storage.erasure;

/**
 * Matrices over GF(2^8) as {@code byte[row][column]}: inversion for decoding, and applying a
 * coefficient matrix to whole shards, the loop both encoding and reconstruction spend their time in.
 */
final class GfMatrix {
    /**
     * Shards are processed in slices of this many bytes, every output row of a slice before the
     * next, so the slice of each input stays in L1/L2 while it is read once per output row instead
     * of streaming the whole shard from memory again for each row.
     */
    static final int SLICE = 8 * 1024;

    private GfMatrix() {
    }

    /** The inverse of square {@code a} by Gauss-Jordan elimination; {@code a} is not modified. */
    static byte[][] invert(byte[][] a) {
        int n = a.length;
        byte[][] work = new byte[n][];
        byte[][] inverse = new byte[n][n];
        for (int i = 0; i < n; i++) {
            work[i] = a[i].clone();
            inverse[i][i] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            while (pivot < n && work[pivot][col] == 0) {
                pivot++;
            }
            if (pivot == n) {
                // Cannot happen for rows of a Cauchy-extended identity; a failure here is a bug.
                throw new IllegalArgumentException("singular matrix");
            }
            swap(work, col, pivot);
            swap(inverse, col, pivot);
            int scale = GaloisField.inv(work[col][col] & 0xFF);
            scaleRow(work[col], scale);
            scaleRow(inverse[col], scale);
            for (int row = 0; row < n; row++) {
                int factor = work[row][col] & 0xFF;
                if (row != col && factor != 0) {
                    addScaledRow(work[row], work[col], factor);
                    addScaledRow(inverse[row], inverse[col], factor);
                }
            }
        }
        return inverse;
    }

    /** The product {@code a x b}. */
    static byte[][] multiply(byte[][] a, byte[][] b) {
        byte[][] product = new byte[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[i].length; j++) {
                addScaledRow(product[i], b[j], a[i][j] & 0xFF);
            }
        }
        return product;
    }

    /**
     * {@code outputs[r] = XOR over c of rows[r][c] * inputs[c]}, over bytes
     * {@code [offset, offset + length)} of every shard. Inputs are taken two at a time
     * ({@link GaloisField#mul2}, {@link GaloisField#mulAdd2}) so each output byte is loaded and
     * stored once per two inputs; the first pass writes rather than accumulates, so outputs need no
     * clearing.
     */
    static void apply(byte[][] rows, byte[][] inputs, byte[][] outputs, int offset, int length) {
        int k = inputs.length;
        int end = offset + length;
        for (int start = offset; start < end; start += SLICE) {
            int n = Math.min(SLICE, end - start);
            for (int r = 0; r < rows.length; r++) {
                byte[] row = rows[r];
                byte[] out = outputs[r];
                int c;
                if (k >= 2) {
                    GaloisField.mul2(row[0] & 0xFF, inputs[0], row[1] & 0xFF, inputs[1], start, out, start, n);
                    c = 2;
                } else {
                    GaloisField.mul(row[0] & 0xFF, inputs[0], start, out, start, n);
                    c = 1;
                }
                for (; c + 1 < k; c += 2) {
                    GaloisField.mulAdd2(row[c] & 0xFF, inputs[c], row[c + 1] & 0xFF, inputs[c + 1], start, out, start, n);
                }
                if (c < k) {
                    GaloisField.mulAdd(row[c] & 0xFF, inputs[c], start, out, start, n);
                }
            }
        }
    }

    private static void swap(byte[][] m, int i, int j) {
        byte[] t = m[i];
        m[i] = m[j];
        m[j] = t;
    }

    private static void scaleRow(byte[] row, int scale) {
        for (int i = 0; i < row.length; i++) {
            row[i] = (byte) GaloisField.mul(scale, row[i] & 0xFF);
        }
    }

    /** {@code target ^= factor * source}. */
    private static void addScaledRow(byte[] target, byte[] source, int factor) {
        for (int i = 0; i < target.length; i++) {
            target[i] ^= (byte) GaloisField.mul(factor, source[i] & 0xFF);
        }
    }
}
