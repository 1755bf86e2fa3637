package dev.kura.index.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.common.Hex;
import dev.kura.index.BucketRecord;
import dev.kura.index.ObjectRecord;
import dev.kura.index.UploadRecord;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the bytes of the Object Lock formats: ObjectRecord v3 (retention and legal hold), BucketRecord
 * v3 (Object Lock configuration) and UploadRecord v2 (the lock the completed version gets). Records
 * without Object Lock keep writing the earlier formats (see {@link RecordCodecV2FixtureTest}). The
 * decode tests must pass forever; the encode tests move to a new fixture when a format changes.
 */
class RecordCodecV3FixtureTest {
    static final Instant T = Instant.parse("2026-11-05T10:15:31.123456789Z");
    static final Instant UNTIL = Instant.parse("2030-01-01T00:00:00Z");

    static final ObjectRecord LOCKED = new ObjectRecord("ledger", "0000000000001", 1, false, null, 0,
            "d41d8cd98f00b204e9800998ecf8427e", T, Map.of(), Map.of(), null, "STANDARD", "owner-1", 0, null, Map.of(),
            new ObjectRecord.Lock("COMPLIANCE", UNTIL, true));
    static final String OBJECT_V3 = "03000000066c65646765720000000d303030303030303030303030310000000000000001000000000000000000"
            + "000100000020643431643863643938663030623230346539383030393938656366383432376501000000006aec5743075bcd"
            + "1500000000000000000001000000085354414e4441524401000000076f776e65722d3100000000000000000001000000"
            + "0a434f4d504c49414e434501010000000070dbd8800000000001";

    static final BucketRecord VAULT = new BucketRecord("vault", 9, Instant.parse("2026-01-02T03:04:05Z"), "owner-1",
            "us-east-1", BucketRecord.Versioning.ENABLED, Map.of(), new BucketRecord.ObjectLock("GOVERNANCE", 30, 0));
    static final String BUCKET_V3 = "03000000057661756c7400000000000000090100000000695735a50000000001000000076f776e65722d3101"
            + "0000000975732d656173742d310100000007454e41424c454400000000010000000a474f5645524e414e43450000001e00000000";

    static final UploadRecord UPLOAD = new UploadRecord("big", "0000018f00000000aaaabbbbccccdddd", T, Map.of(), Map.of(),
            null, null, "STANDARD", "owner-1", Map.of(), new ObjectRecord.Lock("GOVERNANCE", UNTIL, false));
    static final String UPLOAD_V2 = "020000000362696700000020303030303031386630303030303030306161616162626262636363636464646401"
            + "000000006aec5743075bcd150000000000000000000001000000085354414e4441524401000000076f776e65722d310000"
            + "0000010000000a474f5645524e414e434501010000000070dbd8800000000000";

    @Test
    void decodesTheFixtures() {
        assertThat(RecordCodec.decodeObject(Hex.decode(OBJECT_V3))).isEqualTo(LOCKED);
        assertThat(RecordCodec.decodeBucket(Hex.decode(BUCKET_V3))).isEqualTo(VAULT);
        assertThat(RecordCodec.decodeUpload(Hex.decode(UPLOAD_V2))).isEqualTo(UPLOAD);
    }

    @Test
    void encodesTheFixtures() {
        assertThat(Hex.encode(RecordCodec.encode(LOCKED))).isEqualTo(OBJECT_V3);
        assertThat(Hex.encode(RecordCodec.encode(VAULT))).isEqualTo(BUCKET_V3);
        assertThat(Hex.encode(RecordCodec.encode(UPLOAD))).isEqualTo(UPLOAD_V2);
    }

    @Test
    void aLegalHoldLiftedIsStillAStateAndARetentionWithoutHoldRoundTrips() {
        ObjectRecord lifted = LOCKED.withLock(new ObjectRecord.Lock(null, null, false));
        assertThat(RecordCodec.decodeObject(RecordCodec.encode(lifted))).isEqualTo(lifted);
        assertThat(RecordCodec.decodeObject(RecordCodec.encode(lifted)).lock()).isNotNull();
        ObjectRecord governance = LOCKED.withLock(new ObjectRecord.Lock("GOVERNANCE", UNTIL, false));
        assertThat(RecordCodec.decodeObject(RecordCodec.encode(governance))).isEqualTo(governance);
    }
}
