package dev.kura.common;

import java.util.zip.Checksum;

/**
 * CRC-64/NVME (the "CRC64NVME" of S3): reflected polynomial 0x9A6C9329AC4BC9B5,
 * initial value and final xor all ones. Slicing-by-8 table implementation.
 */
public final class Crc64Nvme implements Checksum {
    private static final long POLY = 0x9A6C9329AC4BC9B5L;
    private static final long[][] TABLE = new long[8][256];

    static {
        for (int n = 0; n < 256; n++) {
            long c = n;
            for (int k = 0; k < 8; k++) {
                c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
            }
            TABLE[0][n] = c;
        }
        for (int n = 0; n < 256; n++) {
            long c = TABLE[0][n];
            for (int t = 1; t < 8; t++) {
                c = TABLE[0][(int) (c & 0xff)] ^ (c >>> 8);
                TABLE[t][n] = c;
            }
        }
    }

    private long crc = ~0L;

    @Override
    public void update(int b) {
        crc = TABLE[0][(int) ((crc ^ b) & 0xff)] ^ (crc >>> 8);
    }

    @Override
    public void update(byte[] b, int off, int len) {
        long c = crc;
        int i = off;
        int end = off + len;
        while (end - i >= 8) {
            long x = c ^ ((b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24
                    | (b[i + 4] & 0xffL) << 32 | (b[i + 5] & 0xffL) << 40 | (b[i + 6] & 0xffL) << 48 | (b[i + 7] & 0xffL) << 56);
            c = TABLE[7][(int) (x & 0xff)] ^ TABLE[6][(int) ((x >>> 8) & 0xff)] ^ TABLE[5][(int) ((x >>> 16) & 0xff)]
                    ^ TABLE[4][(int) ((x >>> 24) & 0xff)] ^ TABLE[3][(int) ((x >>> 32) & 0xff)]
                    ^ TABLE[2][(int) ((x >>> 40) & 0xff)] ^ TABLE[1][(int) ((x >>> 48) & 0xff)]
                    ^ TABLE[0][(int) (x >>> 56)];
            i += 8;
        }
        while (i < end) {
            c = TABLE[0][(int) ((c ^ b[i++]) & 0xff)] ^ (c >>> 8);
        }
        crc = c;
    }

    @Override
    public long getValue() {
        return ~crc;
    }

    @Override
    public void reset() {
        crc = ~0L;
    }
}
