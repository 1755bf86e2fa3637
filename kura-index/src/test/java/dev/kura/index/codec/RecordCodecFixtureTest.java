package dev.kura.index.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.common.Hex;
import dev.kura.index.BucketRecord;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PendingFree;
import dev.kura.index.WriteIntent;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the persisted bytes. The {@code decodes*} tests must pass forever: a row written by format 1 is
 * read back by every later build. The {@code currentFormatIs*} tests pin what this build writes; when a
 * format changes on purpose, add a new fixture for the new format and keep the old decode tests.
 */
class RecordCodecFixtureTest {
    static final DataLocation LOCATION = new DataLocation(new DataId("0123456789abcdef0123456789abcdef"), 3,
            "rs-4-2", List.of("d1", "d2"), 1048576, 12345L);
    static final Instant T = Instant.parse("2026-11-05T10:15:30.123456789Z");

    static final ObjectRecord OBJECT = new ObjectRecord("photos/2026/cat \u2603\uD83D\uDE00.jpg", "null", 42, false,
            LOCATION, 12345, "9e107d9d372bb6826bd81d3542a419d6", T,
            Map.of("content-type", "image/jpeg", "cache-control", "max-age=60"), Map.of("color", "orange"),
            new ObjectRecord.Checksum(ChecksumAlgorithm.CRC32C, "yZRlqg==", ObjectRecord.Checksum.Type.FULL_OBJECT),
            "STANDARD", "owner-1");
    static final String OBJECT_V1 =
            "010000001b70686f746f732f323032362f63617420e29883f09f98802e6a7067000000046e756c6c000000000000002a"
            + "0001010020303132333435363738396162636465663031323334353637383961626364656600000003000672732d342d"
            + "320002000264310002643200100000000000000000303900000000000030390100000020396531303764396433373262"
            + "623638323662643831643335343261343139643601000000006aec5742075bcd15000000020000000d63616368652d63"
            + "6f6e74726f6c0000000a6d61782d6167653d36300000000c636f6e74656e742d747970650000000a696d6167652f6a70"
            + "65670000000100000005636f6c6f72000000066f72616e6765010000000643524333324300000008795a526c71673d3d"
            + "0000000b46554c4c5f4f424a45435401000000085354414e4441524401000000076f776e65722d31";

    static final ObjectRecord DELETE_MARKER = new ObjectRecord("gone", "3HL4kqtJlcpXroDTDmJ", 7, true, null, 0, null,
            T, Map.of(), Map.of(), null, null, "owner-1");
    static final String DELETE_MARKER_V1 =
            "0100000004676f6e650000001333484c346b71744a6c637058726f4454446d4a00000000000000070100000000000000"
            + "00000001000000006aec5742075bcd150000000000000000000001000000076f776e65722d31";

    static final BucketRecord BUCKET = new BucketRecord("photos", 7, Instant.parse("2026-01-02T03:04:05Z"), "owner-1",
            "eu-west-1", BucketRecord.Versioning.ENABLED);
    static final String BUCKET_V1 =
            "010000000670686f746f7300000000000000070100000000695735a50000000001000000076f776e65722d3101000000"
            + "0965752d776573742d310100000007454e41424c4544";

    static final WriteIntent INTENT = new WriteIntent(LOCATION, 7, "photos/cat.jpg", T);
    static final String INTENT_V1 =
            "01010020303132333435363738396162636465663031323334353637383961626364656600000003000672732d342d32"
            + "0002000264310002643200100000000000000000303900000000000000070000000e70686f746f732f6361742e6a7067"
            + "01000000006aec5742075bcd15";

    static final PendingFree FREE = new PendingFree(LOCATION, T);
    static final String FREE_V1 =
            "01010020303132333435363738396162636465663031323334353637383961626364656600000003000672732d342d32"
            + "0002000264310002643200100000000000000000303901000000006aec5742075bcd15";

    /** Row keys are persisted too: bucket 7, key "a\0b", sequence 42. */
    static final String OBJECT_ROW_V1 = "6f00000000000000076100ff620001ffffffffffffffd5";
    static final String INTENT_BY_TIME_ROW_V1 = "74800001a1ab34da4b0123456789abcdef0123456789abcdef";

    @Test
    void decodesObjectV1() {
        assertThat(RecordCodec.decodeObject(Hex.decode(OBJECT_V1))).isEqualTo(OBJECT);
    }

    @Test
    void decodesDeleteMarkerV1() {
        assertThat(RecordCodec.decodeObject(Hex.decode(DELETE_MARKER_V1))).isEqualTo(DELETE_MARKER);
    }

    @Test
    void decodesBucketV1() {
        assertThat(RecordCodec.decodeBucket(Hex.decode(BUCKET_V1))).isEqualTo(BUCKET);
    }

    @Test
    void decodesIntentV1() {
        assertThat(RecordCodec.decodeIntent(Hex.decode(INTENT_V1))).isEqualTo(INTENT);
    }

    @Test
    void decodesPendingFreeV1() {
        assertThat(RecordCodec.decodePendingFree(Hex.decode(FREE_V1))).isEqualTo(FREE);
    }

    @Test
    void decodesRowKeysV1() {
        byte[] row = Hex.decode(OBJECT_ROW_V1);
        assertThat(KeyCodec.objectKey(row)).isEqualTo("a\0b");
        assertThat(KeyCodec.objectSequence(row)).isEqualTo(42);
    }

    @Test
    void currentIntentFreeAndRowFormatsAreV1() {
        // Objects and buckets moved to v2 (RecordCodecV2FixtureTest pins those bytes).
        assertThat(Hex.encode(RecordCodec.encode(INTENT))).isEqualTo(INTENT_V1);
        assertThat(Hex.encode(RecordCodec.encode(FREE))).isEqualTo(FREE_V1);
        assertThat(Hex.encode(KeyCodec.objectRow(7, "a\0b", 42))).isEqualTo(OBJECT_ROW_V1);
        assertThat(Hex.encode(KeyCodec.intentByTimeRow(T, LOCATION.dataId()))).isEqualTo(INTENT_BY_TIME_ROW_V1);
    }
}
