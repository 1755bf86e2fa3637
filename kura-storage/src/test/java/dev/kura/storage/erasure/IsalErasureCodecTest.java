package dev.kura.storage.erasure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** ISA-L against the pure-Java codec, byte for byte; skipped where {@code libisal.so.2} is absent. */
class IsalErasureCodecTest {
    private static final int[] LENGTHS = {0, 1, 63, 64, 65, 4096, 65537};
    private static final int[] OFFSETS = {0, 13};

    @Test
    void factoryFallsBackToJavaWhenForced() {
        String before = System.getProperty(ErasureCodecs.BACKEND_PROPERTY);
        System.setProperty(ErasureCodecs.BACKEND_PROPERTY, "java");
        try {
            assertThat(ErasureCodecs.backend()).isEqualTo("java");
            assertThat(ErasureCodecs.create(4, 2)).isInstanceOf(ReedSolomon.class);
        } finally {
            if (before == null) {
                System.clearProperty(ErasureCodecs.BACKEND_PROPERTY);
            } else {
                System.setProperty(ErasureCodecs.BACKEND_PROPERTY, before);
            }
        }
    }

    @Test
    void factoryPicksIsaLWhenItLoads() {
        assumeTrue(System.getProperty(ErasureCodecs.BACKEND_PROPERTY) == null);
        ErasureCodec codec = ErasureCodecs.create(4, 2);
        if (IsalErasureCodec.available()) {
            assertThat(ErasureCodecs.backend()).isEqualTo("isa-l");
            assertThat(codec).isInstanceOf(IsalErasureCodec.class);
        } else {
            assertThat(ErasureCodecs.backend()).isEqualTo("java");
            assertThat(codec).isInstanceOf(ReedSolomon.class);
        }
        assertThat(codec.dataShards()).isEqualTo(4);
        assertThat(codec.parityShards()).isEqualTo(2);
    }

    @Test
    void selfTestPasses() {
        assumeTrue(IsalErasureCodec.available(), "libisal.so.2 not loadable");
        assertThat(ErasureCodecs.selfTest()).isNull();
        for (int k = 1; k <= ReedSolomon.MAX_DATA_SHARDS; k++) {
            for (int m = 0; m <= ReedSolomon.MAX_PARITY_SHARDS; m++) {
                assertThat(IsalErasureCodec.isalCauchyMatrix(k, m)).isEqualTo(ReedSolomon.encodingMatrix(k, m));
            }
        }
    }

    @ParameterizedTest(name = "copy={0}")
    @ValueSource(booleans = {false, true})
    void parityIsByteIdenticalForEveryShape(boolean copy) {
        assumeTrue(IsalErasureCodec.available(), "libisal.so.2 not loadable");
        Random random = new Random(7);
        for (int k = 1; k <= ReedSolomon.MAX_DATA_SHARDS; k++) {
            for (int m = 1; m <= ReedSolomon.MAX_PARITY_SHARDS; m++) {
                ReedSolomon java = new ReedSolomon(k, m);
                IsalErasureCodec isal = new IsalErasureCodec(k, m, copy);
                for (int length : LENGTHS) {
                    for (int offset : OFFSETS) {
                        byte[][] data = randomShards(random, k, offset + length + 5);
                        byte[][] expected = randomShards(random, m, offset + length + 5);
                        byte[][] actual = new byte[m][];
                        for (int i = 0; i < m; i++) {
                            actual[i] = expected[i].clone(); // bytes outside the range must survive
                        }
                        java.encode(data, expected, offset, length);
                        isal.encode(data, actual, offset, length);
                        assertThat(actual).as("%d+%d length %d offset %d", k, m, length, offset)
                                .isDeepEqualTo(expected);
                    }
                }
            }
        }
    }

    /** Every length across the native minimum and a slice boundary, where tails are handled. */
    @ParameterizedTest(name = "copy={0}")
    @ValueSource(booleans = {false, true})
    void oddLengthsAroundSliceBoundaries(boolean copy) {
        assumeTrue(IsalErasureCodec.available(), "libisal.so.2 not loadable");
        Random random = new Random(11);
        ReedSolomon java = new ReedSolomon(5, 3);
        IsalErasureCodec isal = new IsalErasureCodec(5, 3, copy);
        int slice = copy ? IsalErasureCodec.COPY_SLICE : IsalErasureCodec.MAD_SLICE;
        for (int length = 0; length <= 300; length++) {
            checkEncode(random, java, isal, 3, length);
        }
        for (int length = slice - 70; length <= slice + 140; length++) {
            checkEncode(random, java, isal, 1, length);
        }
        for (int length = 2 * slice - 3; length <= 2 * slice + 70; length++) {
            checkEncode(random, java, isal, 0, length);
        }
    }

    @ParameterizedTest(name = "{0}+{1} copy={2}")
    @CsvSource({"4,2,false", "6,3,false", "8,4,false", "4,2,true", "6,3,true", "8,4,true"})
    void reconstructsEveryErasurePattern(int k, int m, boolean copy) {
        assumeTrue(IsalErasureCodec.available(), "libisal.so.2 not loadable");
        Random random = new Random(k * 31 + m);
        IsalErasureCodec isal = new IsalErasureCodec(k, m, copy);
        ReedSolomon java = new ReedSolomon(k, m);
        int n = k + m;
        for (int length : new int[] {1, 4096, 65537}) {
            int offset = length == 4096 ? 13 : 0;
            byte[][] data = randomShards(random, k, offset + length);
            byte[][] parity = new byte[m][offset + length];
            java.encode(data, parity, offset, length);
            byte[][] original = new byte[n][];
            System.arraycopy(data, 0, original, 0, k);
            System.arraycopy(parity, 0, original, k, m);
            for (int lostMask = 1; lostMask < 1 << n; lostMask++) {
                if (Integer.bitCount(lostMask) > m) {
                    continue;
                }
                byte[][] shards = new byte[n][];
                boolean[] present = new boolean[n];
                for (int i = 0; i < n; i++) {
                    present[i] = (lostMask & (1 << i)) == 0;
                    if (present[i]) {
                        shards[i] = original[i];
                    } else if ((i & 1) == 0) {
                        shards[i] = randomShards(random, 1, offset + length)[0]; // overwritten in range
                    }
                }
                isal.reconstruct(shards, present, offset, length);
                for (int i = 0; i < n; i++) {
                    assertThat(Arrays.equals(shards[i], offset, offset + length, original[i], offset, offset + length))
                            .as("%d+%d lost %s shard %d length %d", k, m, Integer.toBinaryString(lostMask), i, length)
                            .isTrue();
                }
            }
        }
    }

    @Test
    void tooManyErasuresIsTheSameException() {
        assumeTrue(IsalErasureCodec.available(), "libisal.so.2 not loadable");
        byte[][] shards = randomShards(new Random(3), 6, 100);
        boolean[] present = {true, false, true, false, false, true};
        byte[][] copy = new byte[6][];
        for (int i = 0; i < 6; i++) {
            copy[i] = shards[i].clone();
        }
        assertThatThrownBy(() -> new ReedSolomon(4, 2).reconstruct(shards, present.clone(), 0, 100))
                .isInstanceOf(TooManyErasuresException.class);
        String javaMessage = catchMessage(() -> new ReedSolomon(4, 2).reconstruct(shards, present.clone(), 0, 100));
        assertThatThrownBy(() -> new IsalErasureCodec(4, 2).reconstruct(shards, present.clone(), 0, 100))
                .isInstanceOf(TooManyErasuresException.class)
                .hasMessage(javaMessage);
        assertThat(shards).isDeepEqualTo(copy); // nothing written
    }

    private static String catchMessage(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            return e.getMessage();
        }
        throw new AssertionError("no exception");
    }

    private static void checkEncode(Random random, ReedSolomon java, IsalErasureCodec isal, int offset, int length) {
        int k = java.dataShards();
        int m = java.parityShards();
        byte[][] data = randomShards(random, k, offset + length);
        byte[][] expected = new byte[m][offset + length];
        byte[][] actual = new byte[m][offset + length];
        java.encode(data, expected, offset, length);
        isal.encode(data, actual, offset, length);
        assertThat(actual).as("length %d offset %d", length, offset).isDeepEqualTo(expected);
    }

    private static byte[][] randomShards(Random random, int count, int length) {
        byte[][] shards = new byte[count][length];
        for (byte[] s : shards) {
            random.nextBytes(s);
        }
        return shards;
    }
}
