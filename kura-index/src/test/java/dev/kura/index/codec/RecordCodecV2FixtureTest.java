package dev.kura.index.codec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.common.Hex;
import dev.kura.index.BucketRecord;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.UploadRecord;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the bytes of ObjectRecord v2 (parts, upload id, tags), BucketRecord v2 (tags), UploadRecord
 * v1, PartRecord v1 and the multipart row keys. The decode tests must pass forever; the encode
 * tests pin what this build writes and move to a new fixture when a format changes.
 */
class RecordCodecV2FixtureTest {
    static final Instant T = RecordCodecFixtureTest.T;
    static final String UPLOAD_ID = "0000018f00000000aaaabbbbccccdddd";

    static final String OBJECT_V2 = "020000001b70686f746f732f323032362f63617420e29883f09f98802e6a7067000000046e756c6c000000000000002a"
            + "0001010020303132333435363738396162636465663031323334353637383961626364656600000003000672732d342d"
            + "320002000264310002643200100000000000000000303900000000000030390100000020396531303764396433373262"
            + "623638323662643831643335343261343139643601000000006aec5742075bcd15000000020000000d63616368652d63"
            + "6f6e74726f6c0000000a6d61782d6167653d36300000000c636f6e74656e742d747970650000000a696d6167652f6a70"
            + "65670000000100000005636f6c6f72000000066f72616e6765010000000643524333324300000008795a526c71673d3d"
            + "0000000b46554c4c5f4f424a45435401000000085354414e4441524401000000076f776e65722d31000000000000000000";

    static final ObjectRecord MULTIPART = new ObjectRecord("big", "null", 43, false, null, 10485760,
            "0123456789abcdef0123456789abcdef-2", T, Map.of(), Map.of(),
            new ObjectRecord.Checksum(ChecksumAlgorithm.CRC32, "AAAAAA==-2", ObjectRecord.Checksum.Type.COMPOSITE),
            "STANDARD", "owner-1", 2, UPLOAD_ID, Map.of("team", "ml"));
    static final String MULTIPART_V2 = "0200000003626967000000046e756c6c000000000000002b00000000000000a000000100000022303132333435"
            + "36373839616263646566303132333435363738396162636465662d3201000000006aec5742075bcd1500000000000000"
            + "00010000000543524333320000000a4141414141413d3d2d3200000009434f4d504f5349544501000000085354414e44"
            + "4152440100000007" + "6f776e65722d310000000201000000203030303030313866303030303030303061616161626262626363"
            + "6363646464640000000100000004" + "7465616d000000026d6c";

    static final BucketRecord BUCKET = new BucketRecord("photos", 7, Instant.parse("2026-01-02T03:04:05Z"), "owner-1",
            "eu-west-1", BucketRecord.Versioning.ENABLED, Map.of("env", "prod"));
    static final String BUCKET_V2 = "020000000670686f746f7300000000000000070100000000695735a50000000001000000076f776e65722d3101"
            + "0000000965752d776573742d310100000007454e41424c45440000000100000003656e760000000470726f64";

    static final UploadRecord UPLOAD = new UploadRecord("big", UPLOAD_ID, T, Map.of("content-type", "x/y"), Map.of("m", "v"),
            ChecksumAlgorithm.CRC32, ObjectRecord.Checksum.Type.COMPOSITE, "STANDARD", "owner-1", Map.of("team", "ml"));
    static final String UPLOAD_V1 = "010000000362696700000020303030303031386630303030303030306161616162626262636363636464646401"
            + "000000006aec5742075bcd15000000010000000c636f6e74656e742d7479706500000003782f7900000001000000016d"
            + "0000000176010000000543524333320100000009434f4d504f5349544501000000085354414e44415244010000000"
            + "76f776e65722d3100000001000000047465616d000000026d6c";

    static final PartRecord PART = new PartRecord(2, RecordCodecFixtureTest.LOCATION, 12345,
            "9e107d9d372bb6826bd81d3542a419d6", T, "yZRlqg==", 5242880);
    static final String PART_V1 = "010000000201010020303132333435363738396162636465663031323334353637383961626364656600000003"
            + "000672732d342d320002000264310002643200100000000000000000303900000000000030390100000020396531303764"
            + "396433373262623638323662643831643335343261343139643601000000006aec5742075bcd150100000008795a526c"
            + "71673d3d0000000000500000";

    static final String OBJECT_PART_ROW = "7100000000000000076100ff620001ffffffffffffffd500000003";
    static final String UPLOAD_ROW = "7500000000000000076100ff6200013030303030313866303030303030303061616161626262626363636364646464";

    @Test
    void decodes() {
        assertThat(RecordCodec.decodeObject(Hex.decode(OBJECT_V2))).isEqualTo(RecordCodecFixtureTest.OBJECT);
        assertThat(RecordCodec.decodeObject(Hex.decode(MULTIPART_V2))).isEqualTo(MULTIPART);
        assertThat(RecordCodec.decodeBucket(Hex.decode(BUCKET_V2))).isEqualTo(BUCKET);
        assertThat(RecordCodec.decodeUpload(Hex.decode(UPLOAD_V1))).isEqualTo(UPLOAD);
        assertThat(RecordCodec.decodePart(Hex.decode(PART_V1))).isEqualTo(PART);
    }

    @Test
    void v1RecordsDecodeWithDefaults() {
        ObjectRecord v1 = RecordCodec.decodeObject(Hex.decode(RecordCodecFixtureTest.OBJECT_V1));
        assertThat(v1.partCount()).isZero();
        assertThat(v1.uploadId()).isNull();
        assertThat(v1.tags()).isEmpty();
        assertThat(RecordCodec.decodeBucket(Hex.decode(RecordCodecFixtureTest.BUCKET_V1)).tags()).isEmpty();
    }

    @Test
    void currentFormats() {
        assertThat(Hex.encode(RecordCodec.encode(RecordCodecFixtureTest.OBJECT))).isEqualTo(OBJECT_V2);
        assertThat(Hex.encode(RecordCodec.encode(MULTIPART))).isEqualTo(MULTIPART_V2);
        assertThat(Hex.encode(RecordCodec.encode(BUCKET))).isEqualTo(BUCKET_V2);
        assertThat(Hex.encode(RecordCodec.encode(UPLOAD))).isEqualTo(UPLOAD_V1);
        assertThat(Hex.encode(RecordCodec.encode(PART))).isEqualTo(PART_V1);
        assertThat(Hex.encode(KeyCodec.objectPartRow(7, "a\0b", 42, 3))).isEqualTo(OBJECT_PART_ROW);
        assertThat(Hex.encode(KeyCodec.uploadRow(7, "a\0b", UPLOAD_ID))).isEqualTo(UPLOAD_ROW);
    }
}
