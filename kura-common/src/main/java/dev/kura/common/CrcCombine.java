package dev.kura.common;

/**
 * Combines the CRCs of two byte strings into the CRC of their concatenation without the bytes:
 * {@code crc(A || B) = combine(crc(A), crc(B), len(B))}. This is how a multipart upload's
 * full-object CRC is computed from its parts' CRCs. Works for the reflected CRCs with all-ones
 * initial value and final xor that S3 uses (CRC32, CRC32C, CRC64NVME), by multiplying in
 * GF(2)[x] modulo the polynomial (the method of zlib's crc32_combine).
 */
public final class CrcCombine {
    private final long poly;      // reflected polynomial
    private final long topBit;    // x^0 in the reflected representation
    private final long[] x2n = new long[64];

    public static final CrcCombine CRC32 = new CrcCombine(0xEDB88320L, 32);
    public static final CrcCombine CRC32C = new CrcCombine(0x82F63B78L, 32);
    public static final CrcCombine CRC64NVME = new CrcCombine(0x9A6C9329AC4BC9B5L, 64);

    private CrcCombine(long poly, int width) {
        this.poly = poly;
        this.topBit = 1L << (width - 1);
        long p = topBit >>> 1; // x^1
        x2n[0] = p;
        for (int k = 1; k < 64; k++) {
            p = multiply(p, p);
            x2n[k] = p;
        }
    }

    public static CrcCombine of(ChecksumAlgorithm a) {
        return switch (a) {
            case CRC32 -> CRC32;
            case CRC32C -> CRC32C;
            case CRC64NVME -> CRC64NVME;
            default -> throw new IllegalArgumentException(a + " is not a CRC");
        };
    }

    /** a(x) * b(x) mod P(x), reflected. */
    private long multiply(long a, long b) {
        long m = topBit;
        long p = 0;
        while (true) {
            if ((a & m) != 0) {
                p ^= b;
                if ((a & (m - 1)) == 0) {
                    break;
                }
            }
            m >>>= 1;
            b = (b & 1) != 0 ? (b >>> 1) ^ poly : b >>> 1;
        }
        return p;
    }

    /** x^(8 * bytes) mod P(x). */
    private long shift(long bytes) {
        long p = topBit; // x^0
        int k = 3;       // 2^3 = 8 bits per byte
        while (bytes != 0) {
            if ((bytes & 1) != 0) {
                p = multiply(x2n[k & 63], p);
            }
            bytes >>>= 1;
            k++;
        }
        return p;
    }

    public long combine(long crcA, long crcB, long lengthB) {
        return multiply(shift(lengthB), crcA) ^ crcB;
    }
}
