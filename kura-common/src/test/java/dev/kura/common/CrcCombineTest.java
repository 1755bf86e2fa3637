package dev.kura.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CrcCombineTest {
    private static long crc(ChecksumAlgorithm a, byte[] b, int off, int len) {
        Digest d = a.newDigest();
        d.update(b, off, len);
        long v = 0;
        for (byte x : d.finish()) {
            v = (v << 8) | (x & 0xff);
        }
        return v;
    }

    @ParameterizedTest
    @EnumSource(value = ChecksumAlgorithm.class, names = {"CRC32", "CRC32C", "CRC64NVME"})
    void combinedEqualsWhole(ChecksumAlgorithm a) {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 50; trial++) {
            byte[] data = new byte[rnd.nextInt(20_000)];
            rnd.nextBytes(data);
            int cut = data.length == 0 ? 0 : rnd.nextInt(data.length + 1);
            long whole = crc(a, data, 0, data.length);
            long combined = CrcCombine.of(a).combine(crc(a, data, 0, cut), crc(a, data, cut, data.length - cut),
                    data.length - cut);
            assertThat(combined).as("%s cut %d of %d", a, cut, data.length).isEqualTo(whole);
        }
    }
}
