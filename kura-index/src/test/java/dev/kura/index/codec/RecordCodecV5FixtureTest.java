package dev.kura.index.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.common.Hex;
import dev.kura.index.ObjectRecord;
import dev.kura.index.UploadRecord;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the bytes of the server-side encryption formats: ObjectRecord v5 and UploadRecord v4 (an
 * optional lock behind a presence byte, an optional ACL, then the encryption kind and the SSE-C key
 * check). Records without encryption keep writing the earlier formats (see
 * {@link RecordCodecV4FixtureTest}). The
 * decode tests must pass forever; the encode tests move to a new fixture when a format changes.
 */
class RecordCodecV5FixtureTest {
    static final Instant T = Instant.parse("2026-12-07T04:00:00.5Z");
    static final String CHECK = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v";

    static final ObjectRecord SSE_S3 = new ObjectRecord("secret", "null", 7, false, null, 3,
            "acbd18db4cc2f85cedef654fccc4a4d8", T, Map.of("content-type", "text/plain"), Map.of(), null, "STANDARD",
            "owner-1", 0, null, Map.of(), null, null, ObjectRecord.Encryption.SSE_S3);
    static final ObjectRecord SSE_C_LOCKED = SSE_S3.withLock(new ObjectRecord.Lock(null, null, true))
            .withEncryption(new ObjectRecord.Encryption(ObjectRecord.Encryption.Kind.SSE_C, CHECK));
    static final UploadRecord UPLOAD = new UploadRecord("big", "0000018f00000000aaaabbbbccccdddd", T, Map.of(), Map.of(),
            null, null, "STANDARD", "owner-1", Map.of(), null, "acl-grants",
            new ObjectRecord.Encryption(ObjectRecord.Encryption.Kind.SSE_C, CHECK));

    static final String OBJECT_V5_S3 = "0500000006736563726574000000046e756c6c0000000000000007000000000000000000030100000020616362643138"
            + "646234636332663835636564656636353466636363346134643801000000006b162f401dcd6500000000010000000c63"
            + "6f6e74656e742d747970650000000a746578742f706c61696e000000000001000000085354414e444152440100000007"
            + "6f776e65722d310000000000000000000000000000065353455f533300";
    static final String OBJECT_V5_C = "0500000006736563726574000000046e756c6c0000000000000007000000000000000000030100000020616362643138"
            + "646234636332663835636564656636353466636363346134643801000000006b162f401dcd6500000000010000000c63"
            + "6f6e74656e742d747970650000000a746578742f706c61696e000000000001000000085354414e444152440100000007"
            + "6f776e65722d310000000000000000000100000100000000055353455f43010000004041414543417751464267634943"
            + "516f4c4441304f4478415245684d554652595847426b6147787764486838674953496a4a43556d4a7967704b6973734c"
            + "533476";
    static final String UPLOAD_V4 = "040000000362696700000020303030303031386630303030303030306161616162626262636363636464646401000000"
            + "006b162f401dcd65000000000000000000000001000000085354414e4441524401000000076f776e65722d3100000000"
            + "00010000000a61636c2d6772616e7473000000055353455f43010000004041414543417751464267634943516f4c4441"
            + "304f4478415245684d554652595847426b6147787764486838674953496a4a43556d4a7967704b6973734c533476";

    @Test
    void decodesTheFixtures() {
        assertThat(RecordCodec.decodeObject(Hex.decode(OBJECT_V5_S3))).isEqualTo(SSE_S3);
        assertThat(RecordCodec.decodeObject(Hex.decode(OBJECT_V5_C))).isEqualTo(SSE_C_LOCKED);
        assertThat(RecordCodec.decodeUpload(Hex.decode(UPLOAD_V4))).isEqualTo(UPLOAD);
    }

    @Test
    void encodesTheFixtures() {
        assertThat(Hex.encode(RecordCodec.encode(SSE_S3))).isEqualTo(OBJECT_V5_S3);
        assertThat(Hex.encode(RecordCodec.encode(SSE_C_LOCKED))).isEqualTo(OBJECT_V5_C);
        assertThat(Hex.encode(RecordCodec.encode(UPLOAD))).isEqualTo(UPLOAD_V4);
    }

    @Test
    void recordsWithoutEncryptionKeepTheirEarlierFormats() {
        assertThat(RecordCodec.encode(SSE_S3.withEncryption(null))[0]).isEqualTo((byte) RecordCodec.OBJECT_V2);
        assertThat(RecordCodec.encode(SSE_C_LOCKED.withEncryption(null))[0]).isEqualTo((byte) RecordCodec.OBJECT_V3);
        assertThat(RecordCodec.encode(SSE_S3.withEncryption(null).withAcl("grants"))[0]).isEqualTo((byte) RecordCodec.OBJECT_V4);
        UploadRecord plain = new UploadRecord("big", "u", T, Map.of(), Map.of(), null, null, "STANDARD", "o", Map.of());
        assertThat(RecordCodec.encode(plain)[0]).isEqualTo((byte) RecordCodec.UPLOAD_V1);
    }
}
