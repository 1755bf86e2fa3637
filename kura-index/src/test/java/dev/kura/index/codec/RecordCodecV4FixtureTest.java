package dev.kura.index.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.common.Hex;
import dev.kura.index.ObjectRecord;
import dev.kura.index.UploadRecord;
import dev.kura.index.UserRecord;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the bytes of the access-control formats: ObjectRecord v4 (an ACL, with or without a lock),
 * UploadRecord v3 (the ACL the completed version gets) and UserRecord v1. Records without an ACL keep
 * writing the earlier formats ({@link RecordCodecV3FixtureTest}, {@link RecordCodecV2FixtureTest}).
 * The decode tests must pass forever; the encode tests move to a new fixture when a format changes.
 */
class RecordCodecV4FixtureTest {
    static final Instant T = Instant.parse("2026-11-05T10:15:31.123456789Z");
    static final Instant UNTIL = Instant.parse("2030-01-01T00:00:00Z");

    static final ObjectRecord SHARED = new ObjectRecord("page.html", "null", 1, false, null, 0,
            "d41d8cd98f00b204e9800998ecf8427e", T, Map.of(), Map.of(), null, "STANDARD", "owner-1", 0, null, Map.of(),
            null, "READ group AllUsers");
    static final String OBJECT_V4 = "0400000009706167652e68746d6c000000046e756c6c0000000000000001000000000000000000000100000020643431"
            + "643863643938663030623230346539383030393938656366383432376501000000006aec5743075bcd15000000000000"
            + "00000001000000085354414e4441524401000000076f776e65722d310000000000000000000000000013524541442067"
            + "726f757020416c6c5573657273";

    static final ObjectRecord SHARED_LOCKED = SHARED.withLock(new ObjectRecord.Lock("GOVERNANCE", UNTIL, false));
    static final String OBJECT_V4_LOCKED = "0400000009706167652e68746d6c000000046e756c6c0000000000000001000000000000000000000100000020643431"
            + "643863643938663030623230346539383030393938656366383432376501000000006aec5743075bcd15000000000000"
            + "00000001000000085354414e4441524401000000076f776e65722d3100000000000000000001010000000a474f564552"
            + "4e414e434501010000000070dbd880000000000000000013524541442067726f757020416c6c5573657273";

    static final UploadRecord UPLOAD = new UploadRecord("big", "0000018f00000000aaaabbbbccccdddd", T, Map.of(), Map.of(),
            null, null, "STANDARD", "owner-1", Map.of(), null, "READ group AllUsers");
    static final String UPLOAD_V3 = "030000000362696700000020303030303031386630303030303030306161616162626262636363636464646401000000"
            + "006aec5743075bcd150000000000000000000001000000085354414e4441524401000000076f776e65722d3100000000"
            + "0000000013524541442067726f757020416c6c5573657273";

    static final UserRecord USER = new UserRecord("alice", "AKIAALICE0001", new byte[] {1, 2, 3, 4}, "c0ffee", T);
    static final String USER_V1 = "0100000005616c6963650000000d414b4941414c49434530303031000000040102030400000006633066666565010000"
            + "00006aec5743075bcd15";

    @Test
    void decodesTheFixtures() {
        assertThat(RecordCodec.decodeObject(Hex.decode(OBJECT_V4))).isEqualTo(SHARED);
        assertThat(RecordCodec.decodeObject(Hex.decode(OBJECT_V4_LOCKED))).isEqualTo(SHARED_LOCKED);
        assertThat(RecordCodec.decodeUpload(Hex.decode(UPLOAD_V3))).isEqualTo(UPLOAD);
        assertThat(RecordCodec.decodeUser(Hex.decode(USER_V1))).isEqualTo(USER);
    }

    @Test
    void encodesTheFixtures() {
        assertThat(Hex.encode(RecordCodec.encode(SHARED))).isEqualTo(OBJECT_V4);
        assertThat(Hex.encode(RecordCodec.encode(SHARED_LOCKED))).isEqualTo(OBJECT_V4_LOCKED);
        assertThat(Hex.encode(RecordCodec.encode(UPLOAD))).isEqualTo(UPLOAD_V3);
        assertThat(Hex.encode(RecordCodec.encode(USER))).isEqualTo(USER_V1);
    }

    @Test
    void withoutAnAclTheEarlierFormatsAreWritten() {
        assertThat(RecordCodec.encode(SHARED.withAcl(null))[0]).isEqualTo((byte) 2);
        assertThat(RecordCodec.encode(SHARED_LOCKED.withAcl(null))[0]).isEqualTo((byte) 3);
        assertThat(RecordCodec.decodeObject(RecordCodec.encode(SHARED_LOCKED.withAcl(null))).acl()).isNull();
    }
}
