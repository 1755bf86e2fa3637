package dev.kura.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChecksumAlgorithmTest {
    private static final byte[] CHECK = "123456789".getBytes(StandardCharsets.US_ASCII);

    private static String hex(ChecksumAlgorithm a, byte[] data) {
        Digest d = a.newDigest();
        d.update(data, 0, data.length);
        return Hex.encode(d.finish());
    }

    @Test
    void standardCheckValues() {
        // The "check" values of the CRC catalogue for the ASCII string 123456789.
        assertThat(hex(ChecksumAlgorithm.CRC32, CHECK)).isEqualTo("cbf43926");
        assertThat(hex(ChecksumAlgorithm.CRC32C, CHECK)).isEqualTo("e3069283");
        assertThat(hex(ChecksumAlgorithm.CRC64NVME, CHECK)).isEqualTo("ae8b14860a799888");
        assertThat(hex(ChecksumAlgorithm.SHA1, CHECK)).isEqualTo("f7c3bc1d808e04732adf679965ccc34ca7ae3441");
        assertThat(hex(ChecksumAlgorithm.SHA256, CHECK))
                .isEqualTo("15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225");
    }

    @Test
    void crc64OfEmptyAndBase64Form() {
        assertThat(hex(ChecksumAlgorithm.CRC64NVME, new byte[0])).isEqualTo("0000000000000000");
        Digest d = ChecksumAlgorithm.CRC32.newDigest();
        d.update(new byte[0], 0, 0);
        assertThat(Base64.getEncoder().encodeToString(d.finish())).isEqualTo("AAAAAA==");
    }

    @Test
    void crc64SlicedEqualsBytewise() {
        byte[] data = new byte[10_007];
        new Random(1).nextBytes(data);
        Crc64Nvme whole = new Crc64Nvme();
        whole.update(data, 0, data.length);
        Crc64Nvme bytewise = new Crc64Nvme();
        for (byte b : data) {
            bytewise.update(b);
        }
        Crc64Nvme pieces = new Crc64Nvme();
        pieces.update(data, 0, 3);
        pieces.update(data, 3, 5000);
        pieces.update(data, 5003, data.length - 5003);
        assertThat(whole.getValue()).isEqualTo(bytewise.getValue()).isEqualTo(pieces.getValue());
    }

    @Test
    void namesAndHeaders() {
        assertThat(ChecksumAlgorithm.fromName("crc32c")).contains(ChecksumAlgorithm.CRC32C);
        assertThat(ChecksumAlgorithm.fromName("md5")).isEmpty();
        assertThat(ChecksumAlgorithm.CRC64NVME.headerName()).isEqualTo("x-amz-checksum-crc64nvme");
    }
}
