package dev.kura.storage.erasure;

/**
 * GF(2^8) arithmetic written from the definition, sharing nothing with {@link GaloisField}'s
 * tables: shift-and-add multiplication reduced by 0x11D, inverse by search. Slow, and the yardstick
 * the tables are checked against.
 */
final class GfReference {
    private GfReference() {
    }

    static int mul(int a, int b) {
        int product = 0;
        while (b != 0) {
            if ((b & 1) != 0) {
                product ^= a;
            }
            a <<= 1;
            if ((a & 0x100) != 0) {
                a ^= 0x11D;
            }
            b >>= 1;
        }
        return product;
    }

    static int inv(int a) {
        for (int x = 1; x < 256; x++) {
            if (mul(a, x) == 1) {
                return x;
            }
        }
        throw new ArithmeticException("no inverse of " + a);
    }

    /** Parity by the matrix definition: parity[i][t] = XOR over j of inv((k + i) ^ j) * data[j][t]. */
    static byte[][] parity(byte[][] data, int m, int offset, int length) {
        int k = data.length;
        byte[][] parity = new byte[m][offset + length];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                int coef = inv((k + i) ^ j);
                for (int t = offset; t < offset + length; t++) {
                    parity[i][t] ^= (byte) mul(coef, data[j][t] & 0xFF);
                }
            }
        }
        return parity;
    }
}
