package dev.kura.storage.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.common.Hex;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.fs.RealFileIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardFormatTest {
    private static final DataId ID = new DataId("0123456789abcdef0123456789abcdef");

    /**
     * "hello" with block size 4 and label "b/k", format version 1 (CRC32C values checked against an
     * independent implementation). Every future reader must still read it.
     */
    private static final String V1_FIXTURE = "4b555241" + "0001" + "0025" + "00000004"
            + "0123456789abcdef0123456789abcdef" + "0003" + "622f6b" + "915bc6c2" // header
            + "68656c6c" + "a099f534" // "hell" + crc
            + "6f" + "6da8fc17" // "o" + crc
            + "0000000000000005" + "0000000000000002" + "89bafe66" + "4b454e44"; // footer

    /**
     * The same data committed with the annotation "ann": the header and blocks as in version 1, then
     * footer v2 (CRC32C values checked against an independent implementation).
     */
    private static final String V2_FOOTER_FIXTURE = V1_FIXTURE.substring(0, V1_FIXTURE.length() - 48)
            + "616e6e" // annotation "ann"
            + "00000003" + "5afdd100" + "0000000000000005" + "0000000000000002" + "844e8e6c" + "4b454e32"; // footer v2

    @TempDir
    Path dir;

    @Test
    void writesFooterVersion2WithAnAnnotation() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, new RealFileIo(), true, 4);
        try (BlobWriter w = store.create(store.place(ID), "b/k")) {
            w.write(ByteBuffer.wrap("hello".getBytes(UTF_8)));
            w.commit(() -> { }, "ann".getBytes(UTF_8));
        }
        assertThat(Hex.encode(Files.readAllBytes(store.dataFile(ID)))).isEqualTo(V2_FOOTER_FIXTURE);
        DataLocation loc = new DataLocation(ID, 1, "single", List.of(store.driveId()), 4, 5);
        assertThat(TestData.read(store, loc, 0, 5)).asString(UTF_8).isEqualTo("hello");
        assertThat(TestData.read(store, loc, 4, 1)).asString(UTF_8).isEqualTo("o");
        assertThat(store.readAnnotation(ID)).hasValueSatisfying(a -> assertThat(a).asString(UTF_8).isEqualTo("ann"));
        dev.kura.storage.StoredData stored = store.inspect(ID).orElseThrow();
        assertThat(stored.label()).isEqualTo("b/k");
        assertThat(stored.length()).isEqualTo(5);
        assertThat(stored.blockSize()).isEqualTo(4);
    }

    @Test
    void readsTheVersion2Fixture() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, new RealFileIo(), true);
        Path file = store.dataFile(ID);
        Files.createDirectories(file.getParent());
        Files.write(file, Hex.decode(V2_FOOTER_FIXTURE));
        DataLocation loc = new DataLocation(ID, 1, "single", List.of(store.driveId()), 4, 5);
        assertThat(TestData.read(store, loc, 0, 5)).asString(UTF_8).isEqualTo("hello");
        assertThat(store.readAnnotation(ID)).hasValueSatisfying(a -> assertThat(a).asString(UTF_8).isEqualTo("ann"));
    }

    @Test
    void theVersion1FixtureHasNoAnnotation() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, new RealFileIo(), true);
        Path file = store.dataFile(ID);
        Files.createDirectories(file.getParent());
        Files.write(file, Hex.decode(V1_FIXTURE));
        assertThat(store.readAnnotation(ID)).isEmpty();
        assertThat(store.inspect(ID)).hasValueSatisfying(d -> assertThat(d.annotation()).isEmpty());
        List<DataId> ids = new java.util.ArrayList<>();
        store.forEachData(ids::add);
        assertThat(ids).containsExactly(ID);
        assertThat(store.readAnnotation(new DataId("ffffffffffffffffffffffffffffffff"))).isEmpty();
    }

    @Test
    void aDamagedAnnotationIsCaughtWhileTheDataStillReads() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, new RealFileIo(), true);
        Path file = store.dataFile(ID);
        Files.createDirectories(file.getParent());
        byte[] bytes = Hex.decode(V2_FOOTER_FIXTURE);
        bytes[bytes.length - 34] ^= 1; // inside "ann"
        Files.write(file, bytes);
        DataLocation loc = new DataLocation(ID, 1, "single", List.of(store.driveId()), 4, 5);
        assertThat(TestData.read(store, loc, 0, 5)).asString(UTF_8).isEqualTo("hello");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.readAnnotation(ID))
                .isInstanceOf(dev.kura.storage.CorruptDataException.class).hasMessageContaining("annotation");
        bytes = Hex.decode(V2_FOOTER_FIXTURE);
        bytes[bytes.length - 30] ^= 1; // the annotation's length: the footer's own CRC catches it
        Files.write(file, bytes);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TestData.read(store, loc, 0, 5))
                .isInstanceOf(dev.kura.storage.CorruptDataException.class);
    }

    @Test
    void writesExactlyTheVersion1Layout() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, new RealFileIo(), true, 4);
        try (BlobWriter w = store.create(store.place(ID), "b/k")) {
            w.write(ByteBuffer.wrap("hello".getBytes(UTF_8)));
            w.commit();
        }
        assertThat(Hex.encode(Files.readAllBytes(store.dataFile(ID)))).isEqualTo(V1_FIXTURE);
    }

    @Test
    void readsTheVersion1Fixture() throws IOException {
        LocalBlobStore store = LocalBlobStore.open(dir, new RealFileIo(), true);
        Path file = store.dataFile(ID);
        Files.createDirectories(file.getParent());
        Files.write(file, Hex.decode(V1_FIXTURE));
        DataLocation loc = new DataLocation(ID, 1, "single", List.of(store.driveId()), 4, 5);
        assertThat(TestData.read(store, loc, 0, 5)).asString(UTF_8).isEqualTo("hello");
        assertThat(TestData.read(store, loc, 3, 2)).asString(UTF_8).isEqualTo("lo");
        try (var f = new RealFileIo().openRead(file)) {
            assertThat(ShardFormat.readHeader(f, "fixture"))
                    .isEqualTo(new ShardFormat.Header(37, 4, ID, "b/k"));
        }
    }

    @Test
    void sizesAndOffsets() {
        assertThat(ShardFormat.blockCount(0, 4)).isZero();
        assertThat(ShardFormat.blockCount(4, 4)).isEqualTo(1);
        assertThat(ShardFormat.blockCount(5, 4)).isEqualTo(2);
        assertThat(ShardFormat.fileSize(37, 4, 5)).isEqualTo(Hex.decode(V1_FIXTURE).length);
        assertThat(ShardFormat.fileSize(37, 4, 0)).isEqualTo(37 + 24);
        assertThat(ShardFormat.blockOffset(37, 4, 1)).isEqualTo(37 + 8);
    }

    @Test
    void labelsAreCutAtACharacterBoundary() {
        assertThat(ShardFormat.boundedUtf8("b/k")).asString(UTF_8).isEqualTo("b/k");
        String longAscii = "k".repeat(5000);
        assertThat(ShardFormat.boundedUtf8(longAscii)).hasSize(ShardFormat.MAX_LABEL_BYTES);
        String threeByteChars = "語".repeat(1000); // 3000 bytes; 682 whole characters fit in 2048
        byte[] cut = ShardFormat.boundedUtf8(threeByteChars);
        assertThat(cut).hasSize(682 * 3);
        assertThat(new String(cut, UTF_8)).isEqualTo("語".repeat(682));
        assertThat(ShardFormat.boundedUtf8("a\uD800b")).asString(UTF_8).isEqualTo("a?b"); // lone surrogate
        ByteBuffer h = ShardFormat.encodeHeader(4, ID, longAscii);
        assertThat(h.remaining()).isEqualTo(30 + ShardFormat.MAX_LABEL_BYTES + 4);
    }
}
