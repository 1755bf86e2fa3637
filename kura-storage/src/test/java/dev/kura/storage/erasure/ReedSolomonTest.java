package dev.kura.storage.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReedSolomonTest {
    private static final HexFormat HEX = HexFormat.of();

    /** ISA-L's gf_gen_cauchy1_matrix(a, 6, 4), rows 4 and 5: inv(4^j), inv(5^j); worked out by hand. */
    @Test
    void theFourPlusTwoMatrixIsIsaLsCauchyMatrix() {
        byte[][] a = ReedSolomon.encodingMatrix(4, 2);
        assertThat(a).hasDimensions(6, 4);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                assertThat(a[i][j]).isEqualTo((byte) (i == j ? 1 : 0));
            }
        }
        assertThat(a[4]).isEqualTo(HEX.parseHex("47a77aba"));
        assertThat(a[5]).isEqualTo(HEX.parseHex("a747ba7a"));
        assertThat(ReedSolomon.encodingMatrix(6, 3)[8]).isEqualTo(HEX.parseHex("ad9ddd983daa"));
    }

    @Test
    void everyMatrixFollowsTheCauchyDefinition() {
        for (int k = 1; k <= ReedSolomon.MAX_DATA_SHARDS; k++) {
            for (int m = 0; m <= ReedSolomon.MAX_PARITY_SHARDS; m++) {
                byte[][] a = ReedSolomon.encodingMatrix(k, m);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < k; j++) {
                        assertThat(a[k + i][j] & 0xFF).isEqualTo(GfReference.inv((k + i) ^ j));
                    }
                }
            }
        }
    }

    /** Parity bytes of a fixed 4+2 stripe, computed independently (and what an ISA-L backend must match). */
    @Test
    void knownAnswerForFourPlusTwo() {
        byte[][] data = new byte[4][8];
        for (int j = 0; j < 4; j++) {
            for (int t = 0; t < 8; t++) {
                data[j][t] = (byte) (j * 16 + t * 7 + 1);
            }
        }
        byte[][] parity = new byte[2][8];
        new ReedSolomon(4, 2).encode(data, parity, 0, 8);
        assertThat(HEX.formatHex(parity[0])).isEqualTo("c8f515344956ab99");
        assertThat(HEX.formatHex(parity[1])).isEqualTo("f2cf2f304d6c9175");
    }

    @Test
    void smallCodesByHand() {
        byte[] d0 = {0, 1, 2, (byte) 0x80, (byte) 0xFF};
        byte[] d1 = {9, 0, 1, 3, (byte) 0xFF};
        // 1+1: the only parity coefficient is inv(1 ^ 0) = 1, a mirror.
        byte[][] mirror = new byte[1][5];
        new ReedSolomon(1, 1).encode(new byte[][] {d0}, mirror, 0, 5);
        assertThat(mirror[0]).isEqualTo(d0);
        // 2+1: p = inv(2) * d0 + inv(3) * d1 = 0x8E * d0 ^ 0xF4 * d1.
        byte[][] p = new byte[1][5];
        new ReedSolomon(2, 1).encode(new byte[][] {d0, d1}, p, 0, 5);
        for (int t = 0; t < 5; t++) {
            assertThat(p[0][t] & 0xFF).isEqualTo(
                    GfReference.mul(0x8E, d0[t] & 0xFF) ^ GfReference.mul(0xF4, d1[t] & 0xFF));
        }
    }

    @ParameterizedTest
    @CsvSource({"4,2", "2,2", "6,3", "1,1", "8,4", "3,0", "16,1"})
    void everyErasurePatternUpToMIsRebuilt(int k, int m) {
        ReedSolomon rs = new ReedSolomon(k, m);
        byte[][] stripe = stripe(rs, new Random(k * 31L + m), 3, 41);
        List<Integer> patterns = new ArrayList<>();
        for (int mask = 0; mask < 1 << (k + m); mask++) {
            if (Integer.bitCount(mask) <= m) {
                patterns.add(mask);
            }
        }
        for (int erased : patterns) {
            assertRebuilds(rs, stripe, erased, 3, 41);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 63, 64, 65, 4096, 65535, 65536, 65537})
    void shardSizesAroundBoundaries(int length) {
        ReedSolomon rs = new ReedSolomon(4, 2);
        Random random = new Random(length);
        for (int offset : new int[] {0, 13}) {
            byte[][] stripe = stripe(rs, random, offset, length);
            byte[][] parity = {stripe[4], stripe[5]};
            assertThat(parity).isDeepEqualTo(GfReference.parity(slice(stripe, 0, 4), 2, offset, length));
            for (int erased : new int[] {0b000001, 0b100000, 0b000011, 0b010100, 0b110000}) {
                assertRebuilds(rs, stripe, erased, offset, length);
            }
        }
    }

    @Test
    void tooManyErasuresIsRefusedAndWritesNothing() {
        ReedSolomon rs = new ReedSolomon(4, 2);
        byte[][] stripe = stripe(rs, new Random(5), 0, 100);
        byte[][] damaged = copy(stripe);
        boolean[] present = {true, false, true, false, true, false};
        byte[] untouched = damaged[1].clone();
        assertThatThrownBy(() -> rs.reconstruct(damaged, present, 0, 100))
                .isInstanceOfSatisfying(TooManyErasuresException.class, e -> {
                    assertThat(e.present()).isEqualTo(3);
                    assertThat(e.needed()).isEqualTo(4);
                })
                .hasMessageContaining("only 3 shards present, 4 needed");
        assertThat(damaged[1]).isEqualTo(untouched);
        ReedSolomon noParity = new ReedSolomon(2, 0);
        assertThatThrownBy(() -> noParity.reconstruct(new byte[2][4], new boolean[] {true, false}, 0, 4))
                .isInstanceOf(TooManyErasuresException.class);
    }

    @Test
    void withoutParityEncodeAndFullReconstructDoNothing() {
        ReedSolomon rs = new ReedSolomon(3, 0);
        byte[][] data = {{1, 2}, {3, 4}, {5, 6}};
        rs.encode(data, new byte[0][], 0, 2);
        rs.reconstruct(data, new boolean[] {true, true, true}, 0, 2);
        assertThat(data).isDeepEqualTo(new byte[][] {{1, 2}, {3, 4}, {5, 6}});
    }

    @Test
    void missingShardsGivenAsNullAreAllocated() {
        ReedSolomon rs = new ReedSolomon(4, 2);
        byte[][] stripe = stripe(rs, new Random(9), 7, 50);
        byte[][] damaged = copy(stripe);
        damaged[2] = null;
        damaged[5] = null;
        rs.reconstruct(damaged, new boolean[] {true, true, false, true, true, false}, 7, 50);
        // only [offset, offset + length) is rebuilt; the fresh arrays are zero before it
        assertThat(damaged[2]).hasSize(57);
        assertThat(Arrays.copyOfRange(damaged[2], 7, 57)).isEqualTo(Arrays.copyOfRange(stripe[2], 7, 57));
        assertThat(Arrays.copyOfRange(damaged[5], 7, 57)).isEqualTo(Arrays.copyOfRange(stripe[5], 7, 57));
    }

    /** Random shapes, lengths, offsets and erasures, checked against the reference encoder. */
    @Test
    void randomStripesSurviveRandomErasures() {
        Random random = new Random(20240601);
        for (int trial = 0; trial < 300; trial++) {
            int k = 1 + random.nextInt(ReedSolomon.MAX_DATA_SHARDS);
            int m = random.nextInt(ReedSolomon.MAX_PARITY_SHARDS + 1);
            int offset = random.nextInt(20);
            int length = random.nextInt(3000);
            ReedSolomon rs = new ReedSolomon(k, m);
            byte[][] stripe = stripe(rs, random, offset, length);
            assertThat(slice(stripe, k, m)).isDeepEqualTo(GfReference.parity(slice(stripe, 0, k), m, offset, length));
            int erased = 0;
            int count = random.nextInt(m + 1);
            while (Integer.bitCount(erased) < count) {
                erased |= 1 << random.nextInt(k + m);
            }
            assertRebuilds(rs, stripe, erased, offset, length);
        }
    }

    @Test
    void refusesBadShapesAndShortShards() {
        assertThatThrownBy(() -> new ReedSolomon(0, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReedSolomon(17, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReedSolomon(4, 9)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReedSolomon(4, -1)).isInstanceOf(IllegalArgumentException.class);
        ReedSolomon rs = new ReedSolomon(2, 1);
        assertThatThrownBy(() -> rs.encode(new byte[3][8], new byte[1][8], 0, 8))
                .hasMessageContaining("expected 2 data shards");
        assertThatThrownBy(() -> rs.encode(new byte[][] {new byte[8], new byte[7]}, new byte[1][8], 0, 8))
                .hasMessageContaining("shard 1 has 7 bytes, needs 8");
        assertThatThrownBy(() -> rs.encode(new byte[2][8], new byte[1][8], -1, 8))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> rs.reconstruct(new byte[3][8], new boolean[2], 0, 8))
                .hasMessageContaining("expected 3 present flags");
        assertThatThrownBy(() -> rs.reconstruct(new byte[][] {null, new byte[8], new byte[8]},
                new boolean[] {true, true, false}, 0, 8)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void supportsEveryShapeFromOnePlusZeroToSixteenPlusEight() {
        Random random = new Random(3);
        for (int k = 1; k <= ReedSolomon.MAX_DATA_SHARDS; k++) {
            for (int m = 0; m <= ReedSolomon.MAX_PARITY_SHARDS; m++) {
                ReedSolomon rs = new ReedSolomon(k, m);
                assertThat(rs.totalShards()).isEqualTo(k + m);
                byte[][] stripe = stripe(rs, random, 0, 16);
                // the first m shards lost: the hardest case, every data shard it can lose
                assertRebuilds(rs, stripe, (1 << m) - 1, 0, 16);
                assertRebuilds(rs, stripe, ((1 << m) - 1) << k, 0, 16);
            }
        }
    }

    /** Random data shards, encoded: data first, then parity, each {@code offset + length} bytes. */
    private static byte[][] stripe(ReedSolomon rs, Random random, int offset, int length) {
        int k = rs.dataShards();
        byte[][] stripe = new byte[rs.totalShards()][offset + length];
        for (int j = 0; j < k; j++) {
            random.nextBytes(stripe[j]);
        }
        rs.encode(slice(stripe, 0, k), slice(stripe, k, rs.parityShards()), offset, length);
        return stripe;
    }

    /** Overwrites the erased shards with junk, rebuilds them, and expects the original stripe. */
    private static void assertRebuilds(ReedSolomon rs, byte[][] stripe, int erased, int offset, int length) {
        byte[][] damaged = copy(stripe);
        boolean[] present = new boolean[stripe.length];
        for (int i = 0; i < stripe.length; i++) {
            present[i] = (erased & (1 << i)) == 0;
            if (!present[i]) {
                for (int t = offset; t < offset + length; t++) {
                    damaged[i][t] ^= (byte) (t * 13 + 1);
                }
            }
        }
        rs.reconstruct(damaged, present, offset, length);
        assertThat(damaged).as("erased %s of %d+%d", Integer.toBinaryString(erased), rs.dataShards(), rs.parityShards())
                .isDeepEqualTo(stripe);
    }

    private static byte[][] slice(byte[][] shards, int from, int count) {
        byte[][] s = new byte[count][];
        System.arraycopy(shards, from, s, 0, count);
        return s;
    }

    private static byte[][] copy(byte[][] shards) {
        byte[][] c = new byte[shards.length][];
        for (int i = 0; i < shards.length; i++) {
            c[i] = shards[i].clone();
        }
        return c;
    }
}
