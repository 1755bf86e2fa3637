package dev.kura.index.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import dev.kura.common.Hex;
import dev.kura.index.BucketRecord;
import dev.kura.index.ObjectRecord;
import dev.kura.index.TestRecords;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordCodecTest {

    @Test
    void objectRoundTripsWithAnyKeyAndMetadata() {
        qt().withExamples(1000).forAll(Utf8Strings.strings(12), Utf8Strings.strings(6), longs().all())
                .checkAssert((key, value, n) -> {
                    ObjectRecord base = TestRecords.object(key, Math.abs(n % 1000));
                    ObjectRecord r = new ObjectRecord(key, "v" + n, n, false, base.location(), n, value,
                            base.lastModified(), Map.of("content-type", value), Map.of(value, key), null, value, value);
                    assertThat(RecordCodec.decodeObject(RecordCodec.encode(r))).isEqualTo(r);
                });
    }

    @Test
    void dataAnnotationsRoundTrip() {
        BucketRecord bucket = new BucketRecord("photos", 42, java.time.Instant.ofEpochMilli(1_700_000_000_123L), "owner",
                "us-east-1", BucketRecord.Versioning.UNVERSIONED);
        ObjectRecord object = TestRecords.object("a/b \u00e9", 7);
        var version = new dev.kura.index.DataAnnotation.Version(bucket, object);
        byte[] encoded = dev.kura.index.DataAnnotation.encode(version);
        assertThat(encoded[0]).isEqualTo((byte) RecordCodec.ANNOTATION_V1);
        assertThat(dev.kura.index.DataAnnotation.decode(encoded)).isEqualTo(version);

        dev.kura.index.UploadRecord upload = new dev.kura.index.UploadRecord("k", "up1", object.lastModified(),
                Map.of("content-type", "text/plain"), Map.of("m", "v"), dev.kura.common.ChecksumAlgorithm.CRC32,
                ObjectRecord.Checksum.Type.COMPOSITE, "STANDARD", "owner", Map.of("t", "1"));
        dev.kura.index.PartRecord part = new dev.kura.index.PartRecord(3, object.location(), 5, "etag",
                object.lastModified(), "AAAAAA==", 0);
        var uploadPart = new dev.kura.index.DataAnnotation.UploadPart(bucket, upload, part);
        assertThat(dev.kura.index.DataAnnotation.decode(dev.kura.index.DataAnnotation.encode(uploadPart)))
                .isEqualTo(uploadPart);

        byte[] truncated = Arrays.copyOf(encoded, encoded.length - 1);
        assertThatThrownBy(() -> dev.kura.index.DataAnnotation.decode(truncated)).isInstanceOf(UncheckedIOException.class);
        byte[] future = encoded.clone();
        future[0] = 9;
        assertThatThrownBy(() -> dev.kura.index.DataAnnotation.decode(future)).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void completedManifestAnnotationRoundTrips() {
        BucketRecord bucket = new BucketRecord("photos", 42, java.time.Instant.ofEpochMilli(1_700_000_000_123L), "owner",
                "us-east-1", BucketRecord.Versioning.UNVERSIONED);
        ObjectRecord base = TestRecords.object("mp \u00e9", 9);
        ObjectRecord completed = new ObjectRecord(base.key(), base.versionId(), base.sequence(), false, base.location(),
                5L * 1024 * 1024 + 7, "0123456789abcdef0123456789abcdef-2", base.lastModified(), Map.of("content-type", "x/y"),
                Map.of("m", "v"), new ObjectRecord.Checksum(dev.kura.common.ChecksumAlgorithm.CRC32, "AAAAAA==-2",
                ObjectRecord.Checksum.Type.COMPOSITE), "STANDARD", "owner", 2, "upload-1", Map.of("t", "1"));
        var parts = java.util.List.of(
                new dev.kura.index.DataAnnotation.CompletedPart(1, new dev.kura.common.DataId("00112233445566778899aabbccddeeff"),
                        5L * 1024 * 1024, "fedcba9876543210fedcba9876543210", 0),
                new dev.kura.index.DataAnnotation.CompletedPart(3, new dev.kura.common.DataId("ffeeddccbbaa99887766554433221100"),
                        7, "00000000000000000000000000000000", 5L * 1024 * 1024));
        var manifest = new dev.kura.index.DataAnnotation.Completed(bucket, completed, parts);
        byte[] encoded = dev.kura.index.DataAnnotation.encode(manifest);
        assertThat(encoded[0]).isEqualTo((byte) RecordCodec.ANNOTATION_V1);
        assertThat(dev.kura.index.DataAnnotation.decode(encoded)).isEqualTo(manifest);
        var empty = new dev.kura.index.DataAnnotation.Completed(bucket, completed, java.util.List.of());
        assertThat(dev.kura.index.DataAnnotation.decode(dev.kura.index.DataAnnotation.encode(empty))).isEqualTo(empty);
        // From a PartRecord: its number, data id, size, ETag and offset.
        var part = new dev.kura.index.PartRecord(3, base.location(), 7, "etag", base.lastModified(), null, 11);
        assertThat(dev.kura.index.DataAnnotation.CompletedPart.of(part)).isEqualTo(
                new dev.kura.index.DataAnnotation.CompletedPart(3, base.location().dataId(), 7, "etag", 11));
        for (int cut = 1; cut < encoded.length; cut += Math.max(1, encoded.length / 40)) {
            byte[] truncated = Arrays.copyOf(encoded, encoded.length - cut);
            assertThatThrownBy(() -> dev.kura.index.DataAnnotation.decode(truncated)).isInstanceOf(UncheckedIOException.class);
        }
        // 10,000 parts (the most S3 allows) fit the storage layer's 1 MiB annotation limit.
        var many = new java.util.ArrayList<dev.kura.index.DataAnnotation.CompletedPart>();
        for (int i = 1; i <= 10_000; i++) {
            many.add(new dev.kura.index.DataAnnotation.CompletedPart(i, new dev.kura.common.DataId(
                    String.format("%032x", i)), 5L << 30, "fedcba9876543210fedcba9876543210", (long) i << 32));
        }
        assertThat(dev.kura.index.DataAnnotation.encode(new dev.kura.index.DataAnnotation.Completed(bucket, completed, many)))
                .hasSizeLessThan(1 << 20);
    }

    @Test
    void nullFieldsRoundTrip() {
        ObjectRecord marker = TestRecords.deleteMarker("k", "v1", 3);
        ObjectRecord allNull = new ObjectRecord("k", "null", 0, true, null, 0, null, null, Map.of(), Map.of(), null,
                null, null);
        assertThat(RecordCodec.decodeObject(RecordCodec.encode(marker))).isEqualTo(marker);
        assertThat(RecordCodec.decodeObject(RecordCodec.encode(allNull))).isEqualTo(allNull);
        BucketRecord bucket = new BucketRecord("b", 1, null, null, null, null);
        assertThat(RecordCodec.decodeBucket(RecordCodec.encode(bucket))).isEqualTo(bucket);
    }

    @Test
    void encodingIsDeterministicWhateverTheMapOrder() {
        Map<String, String> forward = new LinkedHashMap<>();
        Map<String, String> backward = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            forward.put("k" + i, "v" + i);
            backward.put("k" + (19 - i), "v" + (19 - i));
        }
        ObjectRecord base = TestRecords.object("k", 1);
        ObjectRecord a = withMetadata(base, forward);
        ObjectRecord b = withMetadata(base, backward);
        assertThat(RecordCodec.encode(a)).isEqualTo(RecordCodec.encode(b));
    }

    private static ObjectRecord withMetadata(ObjectRecord r, Map<String, String> metadata) {
        return new ObjectRecord(r.key(), r.versionId(), r.sequence(), r.deleteMarker(), r.location(), r.size(),
                r.etag(), r.lastModified(), metadata, metadata, r.checksum(), r.storageClass(), r.owner());
    }

    @Test
    void instantsKeepNanoseconds() {
        ObjectRecord r = RecordCodec.decodeObject(Hex.decode(RecordCodecFixtureTest.OBJECT_V1));
        assertThat(r.lastModified().getNano()).isEqualTo(123456789);
    }

    @Test
    void refusesUnknownFormatsTruncationAndTrailingBytes() {
        byte[] good = RecordCodec.encode(TestRecords.object("k", 1));
        byte[] unknown = good.clone();
        unknown[0] = 99;
        assertThatThrownBy(() -> RecordCodec.decodeObject(unknown)).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("format 99");
        assertThatThrownBy(() -> RecordCodec.decodeObject(Arrays.copyOf(good, good.length - 3)))
                .isInstanceOf(UncheckedIOException.class);
        assertThatThrownBy(() -> RecordCodec.decodeObject(Arrays.copyOf(good, good.length + 1)))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("trailing");
        assertThatThrownBy(() -> RecordCodec.decodeBucket(new byte[0])).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void refusesStringsThatAreNotWellFormed() {
        ObjectRecord r = TestRecords.object("bad\uD800", 1);
        assertThatThrownBy(() -> RecordCodec.encode(r)).isInstanceOf(IllegalArgumentException.class);
    }
}
