package dev.kura.storage.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

class GaloisFieldTest {
    @Test
    void multiplicationMatchesTheDefinitionForEveryPair() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                if (GaloisField.mul(a, b) != GfReference.mul(a, b)) {
                    throw new AssertionError(a + " * " + b);
                }
            }
        }
    }

    @Test
    void fieldAxiomsHoldExhaustively() {
        for (int a = 0; a < 256; a++) {
            assertThat(GaloisField.mul(a, 1)).isEqualTo(a);
            assertThat(GaloisField.mul(a, 0)).isZero();
            for (int b = 0; b < 256; b++) {
                int ab = GaloisField.mul(a, b);
                if (ab != GaloisField.mul(b, a)) {
                    throw new AssertionError("commutativity " + a + ", " + b);
                }
                if ((ab == 0) != (a == 0 || b == 0)) {
                    throw new AssertionError("zero divisor " + a + ", " + b);
                }
                for (int c = 0; c < 256; c++) {
                    if (GaloisField.mul(ab, c) != GaloisField.mul(a, GaloisField.mul(b, c))) {
                        throw new AssertionError("associativity " + a + ", " + b + ", " + c);
                    }
                    if (GaloisField.mul(a, b ^ c) != (ab ^ GaloisField.mul(a, c))) {
                        throw new AssertionError("distributivity " + a + ", " + b + ", " + c);
                    }
                }
            }
        }
    }

    @Test
    void divisionAndInverseUndoMultiplication() {
        for (int a = 1; a < 256; a++) {
            int inverse = GaloisField.inv(a);
            assertThat(GaloisField.mul(a, inverse)).isEqualTo(1);
            assertThat(inverse).isEqualTo(GfReference.inv(a));
            assertThat(GaloisField.div(0, a)).isZero();
            for (int b = 0; b < 256; b++) {
                if (GaloisField.div(GaloisField.mul(b, a), a) != b
                        || GaloisField.div(b, a) != GaloisField.mul(b, inverse)) {
                    throw new AssertionError(b + " / " + a);
                }
            }
        }
        assertThatThrownBy(() -> GaloisField.inv(0)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> GaloisField.div(5, 0)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> GaloisField.log(0)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void twoGeneratesTheMultiplicativeGroup() {
        boolean[] seen = new boolean[256];
        for (int i = 0; i < 255; i++) {
            int x = GaloisField.exp(i);
            assertThat(seen[x]).as("2^%d repeats", i).isFalse();
            seen[x] = true;
            assertThat(GaloisField.log(x)).isEqualTo(i);
        }
        assertThat(seen[0]).isFalse();
        assertThat(GaloisField.exp(255)).isEqualTo(1);
        assertThat(GaloisField.exp(8)).isEqualTo(0x11D & 0xFF); // x^8 reduces to x^4 + x^3 + x^2 + 1
    }

    @Test
    void bulkLoopsAgreeWithScalarMultiplication() {
        Random random = new Random(11);
        for (int coef : new int[] {0, 1, 2, 0x8E, 0xFF}) {
            for (int len : new int[] {0, 1, 7, 8, 9, 100, 1031}) {
                byte[] src = bytes(random, len + 5);
                byte[] src2 = bytes(random, len + 5);
                byte[] dst = bytes(random, len + 3);
                byte[] expected = dst.clone();
                for (int i = 0; i < len; i++) {
                    expected[3 + i] = (byte) GfReference.mul(coef, src[5 + i] & 0xFF);
                }
                byte[] actual = dst.clone();
                GaloisField.mul(coef, src, 5, actual, 3, len);
                assertThat(actual).isEqualTo(expected);

                for (int i = 0; i < len; i++) {
                    expected[3 + i] = (byte) (dst[3 + i] ^ GfReference.mul(coef, src[5 + i] & 0xFF));
                }
                actual = dst.clone();
                GaloisField.mulAdd(coef, src, 5, actual, 3, len);
                assertThat(actual).isEqualTo(expected);

                int coef2 = (coef * 7 + 3) & 0xFF;
                byte[] pair = dst.clone();
                for (int i = 0; i < len; i++) {
                    pair[3 + i] = (byte) (GfReference.mul(coef, src[5 + i] & 0xFF)
                            ^ GfReference.mul(coef2, src2[5 + i] & 0xFF));
                }
                actual = dst.clone();
                GaloisField.mul2(coef, src, coef2, src2, 5, actual, 3, len);
                assertThat(actual).isEqualTo(pair);
                actual = dst.clone();
                GaloisField.mulAdd2(coef, src, coef2, src2, 5, actual, 3, len);
                for (int i = 0; i < len; i++) {
                    pair[3 + i] ^= dst[3 + i];
                }
                assertThat(actual).isEqualTo(pair);
            }
        }
    }

    @Test
    void bulkLoopsRefuseRangesOutsideTheArrays() {
        byte[] small = new byte[4];
        assertThatThrownBy(() -> GaloisField.mulAdd(3, small, 1, new byte[8], 0, 4))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> GaloisField.mul(3, new byte[8], 0, small, 2, 3))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(small).isEqualTo(new byte[4]);
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
