package dev.kura.storage.erasure;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * Arithmetic in GF(2^8) built on the polynomial x^8 + x^4 + x^3 + x^2 + 1 ({@code 0x11D}) with
 * generator 2: the field of Intel ISA-L, Jerasure and most storage Reed-Solomon codes, so the same
 * matrix yields byte-identical parity in all of them.
 *
 * <p>Addition is XOR. Multiplication goes through log/exp tables when the tables are built, and
 * afterwards through a 256 x 256 product table kept as one 256-byte row per coefficient: the bulk
 * loops ({@link #mul(int, byte[], int, byte[], int, int)}, {@link #mulAdd}) multiply a whole
 * buffer by one coefficient, so each byte costs one lookup in a row that stays in L1. (Multiplying
 * eight bytes at once with long arithmetic is not possible: GF multiplication is not carry-free
 * integer multiplication; only the XOR of a coefficient-1 row is done a long at a time.)
 */
public final class GaloisField {
    /** The reducing polynomial, bit 8 included. */
    public static final int POLYNOMIAL = 0x11D;

    /** EXP[i] = 2^i, stored twice over so EXP[log a + log b] needs no reduction modulo 255. */
    private static final byte[] EXP = new byte[2 * 255];
    /** LOG[a] = i such that 2^i = a, for a != 0 (LOG[0] is unused). */
    private static final int[] LOG = new int[256];
    /** PRODUCTS[c][x] = c * x: one row per coefficient, for the bulk loops. */
    private static final byte[][] PRODUCTS = new byte[256][256];

    private static final VarHandle LONGS =
            MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = (byte) x;
            EXP[i + 255] = (byte) x;
            LOG[x] = i;
            x <<= 1;
            if (x >= 256) {
                x ^= POLYNOMIAL;
            }
        }
        for (int a = 1; a < 256; a++) {
            for (int b = 1; b < 256; b++) {
                PRODUCTS[a][b] = EXP[LOG[a] + LOG[b]];
            }
        }
    }

    private GaloisField() {
    }

    /** {@code a * b}; both in 0..255. */
    public static int mul(int a, int b) {
        return PRODUCTS[a][b] & 0xFF;
    }

    /** {@code a / b}; {@link ArithmeticException} when {@code b} is 0. */
    public static int div(int a, int b) {
        if (b == 0) {
            throw new ArithmeticException("division by zero in GF(2^8)");
        }
        if (a == 0) {
            return 0;
        }
        return EXP[LOG[a] + 255 - LOG[b]] & 0xFF;
    }

    /** The multiplicative inverse of {@code a}; {@link ArithmeticException} when {@code a} is 0. */
    public static int inv(int a) {
        return div(1, a);
    }

    /** {@code 2^power}, for any power >= 0. */
    public static int exp(int power) {
        return EXP[power % 255] & 0xFF;
    }

    /** The discrete logarithm base 2 of {@code a}; {@link ArithmeticException} when {@code a} is 0. */
    public static int log(int a) {
        if (a == 0) {
            throw new ArithmeticException("log of zero in GF(2^8)");
        }
        return LOG[a];
    }

    /** {@code dst[dstOff..+len) = coef * src[srcOff..+len)}. */
    public static void mul(int coef, byte[] src, int srcOff, byte[] dst, int dstOff, int len) {
        checkRanges(src, srcOff, dst, dstOff, len);
        switch (coef) {
            case 0 -> Arrays.fill(dst, dstOff, dstOff + len, (byte) 0);
            case 1 -> System.arraycopy(src, srcOff, dst, dstOff, len);
            default -> mulLoop(PRODUCTS[coef], src, srcOff, dst, dstOff, len);
        }
    }

    /** {@code dst[dstOff..+len) ^= coef * src[srcOff..+len)}: the multiply-accumulate of every codec row. */
    public static void mulAdd(int coef, byte[] src, int srcOff, byte[] dst, int dstOff, int len) {
        checkRanges(src, srcOff, dst, dstOff, len);
        switch (coef) {
            case 0 -> { }
            case 1 -> xorLoop(src, srcOff, dst, dstOff, len);
            default -> mulAddLoop(PRODUCTS[coef], src, srcOff, dst, dstOff, len);
        }
    }

    /**
     * {@code dst ^= c1 * s1 ^ c2 * s2}: two sources per pass over {@code dst} halve its loads and
     * stores, which is what bounds the single-source loop once the rows sit in L1.
     */
    static void mulAdd2(int c1, byte[] s1, int c2, byte[] s2, int srcOff, byte[] dst, int dstOff, int len) {
        checkRanges(s1, srcOff, dst, dstOff, len);
        checkRanges(s2, srcOff, dst, dstOff, len);
        byte[] t1 = PRODUCTS[c1];
        byte[] t2 = PRODUCTS[c2];
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] ^= (byte) (t1[s1[srcOff + i] & 0xFF] ^ t2[s2[srcOff + i] & 0xFF]);
        }
    }

    /** {@code dst = c1 * s1 ^ c2 * s2}, the first pass of a row (no need to clear {@code dst}). */
    static void mul2(int c1, byte[] s1, int c2, byte[] s2, int srcOff, byte[] dst, int dstOff, int len) {
        checkRanges(s1, srcOff, dst, dstOff, len);
        checkRanges(s2, srcOff, dst, dstOff, len);
        byte[] t1 = PRODUCTS[c1];
        byte[] t2 = PRODUCTS[c2];
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = (byte) (t1[s1[srcOff + i] & 0xFF] ^ t2[s2[srcOff + i] & 0xFF]);
        }
    }

    private static void mulLoop(byte[] t, byte[] src, int srcOff, byte[] dst, int dstOff, int len) {
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] = t[src[srcOff + i] & 0xFF];
        }
    }

    private static void mulAddLoop(byte[] t, byte[] src, int srcOff, byte[] dst, int dstOff, int len) {
        for (int i = 0; i < len; i++) {
            dst[dstOff + i] ^= t[src[srcOff + i] & 0xFF];
        }
    }

    private static void xorLoop(byte[] src, int srcOff, byte[] dst, int dstOff, int len) {
        int i = 0;
        for (; i + 8 <= len; i += 8) {
            long d = (long) LONGS.get(dst, dstOff + i);
            LONGS.set(dst, dstOff + i, d ^ (long) LONGS.get(src, srcOff + i));
        }
        for (; i < len; i++) {
            dst[dstOff + i] ^= src[srcOff + i];
        }
    }

    private static void checkRanges(byte[] src, int srcOff, byte[] dst, int dstOff, int len) {
        Objects.checkFromIndexSize(srcOff, len, src.length);
        Objects.checkFromIndexSize(dstOff, len, dst.length);
    }
}
