package dev.kura.storage.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.common.DataLocation;
import dev.kura.storage.CorruptDataException;
import dev.kura.storage.fs.RealFileIo;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalBlobStoreReadTest {
    private static final int BLOCK = LocalBlobStore.DEFAULT_BLOCK_SIZE;
    private static final int SMALL_BLOCK = 100;

    @TempDir
    Path dir;
    final Random rnd = new Random(7);

    private LocalBlobStore store(int blockSize) throws IOException {
        return LocalBlobStore.open(dir, new RealFileIo(), true, blockSize);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 5 * 1024 * 1024 + 3})
    void roundTripsWithTheDefaultBlockSize(int size) throws IOException {
        LocalBlobStore store = store(BLOCK);
        byte[] data = TestData.bytes(size, size);
        DataLocation loc = TestData.write(store, TestData.id(rnd), data);
        assertThat(loc.length()).isEqualTo(size);
        assertThat(loc.blockSize()).isEqualTo(BLOCK);
        assertThat(TestData.read(store, loc, 0, size)).isEqualTo(data);
        assertThat(store.dataFile(loc.dataId())).hasSize(
                ShardFormat.fileSize(ShardFormat.encodeHeader(BLOCK, loc.dataId(), "bucket/key/" + loc.dataId())
                        .remaining(), BLOCK, size));
    }

    @Test
    void randomRangesMatchTheSource() throws IOException {
        LocalBlobStore store = store(SMALL_BLOCK);
        byte[] data = TestData.bytes(10 * SMALL_BLOCK + 37, 3);
        DataLocation loc = TestData.write(store, TestData.id(rnd), data);
        for (int i = 0; i < 500; i++) {
            int off = rnd.nextInt(data.length + 1);
            int len = rnd.nextInt(data.length - off + 1);
            assertThat(TestData.read(store, loc, off, len))
                    .as("range %d+%d", off, len)
                    .isEqualTo(Arrays.copyOfRange(data, off, off + len));
        }
    }

    /**
     * Large ranges can fill ByteBuffers themselves (the GET path hands them Netty's direct buffers):
     * whole blocks go straight into the buffer and are verified there. Every buffer size, start and
     * end around block boundaries reads the same bytes as the stream path.
     */
    @Test
    void largeRangesFillByteBuffersWithVerifiedBytes() throws IOException {
        LocalBlobStore store = store(SMALL_BLOCK);
        byte[] data = TestData.bytes((int) BlockInputStream.DIRECT_FROM + 3 * SMALL_BLOCK + 17, 5);
        DataLocation loc = TestData.write(store, TestData.id(rnd), data);
        int[] starts = {0, 1, SMALL_BLOCK - 1, SMALL_BLOCK, 5 * SMALL_BLOCK + 3};
        int[] bufferSizes = {1, SMALL_BLOCK - 1, SMALL_BLOCK, SMALL_BLOCK + 3, SMALL_BLOCK + 4, 3 * SMALL_BLOCK + 50,
                256 * 1024};
        for (int start : starts) {
            for (int size : bufferSizes) {
                for (boolean direct : new boolean[] {true, false}) {
                    long length = data.length - start - (size % 7);
                    java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
                    try (InputStream in = store.open(loc, start, length)) {
                        assertThat(in).isInstanceOf(java.nio.channels.ReadableByteChannel.class);
                        var ch = (java.nio.channels.ReadableByteChannel) in;
                        java.nio.ByteBuffer buf = direct ? java.nio.ByteBuffer.allocateDirect(size)
                                : java.nio.ByteBuffer.allocate(size);
                        int n;
                        while ((n = ch.read(buf.clear())) >= 0) {
                            byte[] chunk = new byte[n];
                            buf.flip().get(chunk);
                            got.write(chunk);
                        }
                    }
                    assertThat(got.toByteArray()).as("start %d, buffer %d, direct %s", start, size, direct)
                            .isEqualTo(Arrays.copyOfRange(data, start, (int) (start + length)));
                }
            }
        }
        // a flipped byte is found on the direct path too
        try (RandomAccessFile f = new RandomAccessFile(store.dataFile(loc.dataId()).toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x10);
        }
        try (InputStream in = store.open(loc, 0, data.length)) {
            var ch = (java.nio.channels.ReadableByteChannel) in;
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(64 * 1024);
            assertThatThrownBy(() -> {
                while (ch.read(buf.clear()) >= 0) {
                    // drain until the bad block
                }
            }).isInstanceOf(CorruptDataException.class).hasMessageContaining("checksum mismatch");
        }
    }

    @Test
    void singleByteReadsSkipsAndAvailable() throws IOException {
        LocalBlobStore store = store(SMALL_BLOCK);
        byte[] data = TestData.bytes(3 * SMALL_BLOCK, 4);
        DataLocation loc = TestData.write(store, TestData.id(rnd), data);
        try (InputStream in = store.open(loc, 95, 120)) {
            assertThat(in.available()).isEqualTo(5); // rest of the first block, prefetched at open
            assertThat(in.read()).isEqualTo(Byte.toUnsignedInt(data[95]));
            assertThat(in.skip(100)).isEqualTo(100);
            assertThat(in.read()).isEqualTo(Byte.toUnsignedInt(data[196]));
            assertThat(in.skip(1000)).isEqualTo(18);
            assertThat(in.read()).isEqualTo(-1);
            assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
            assertThat(in.read(new byte[4], 0, 0)).isZero();
        }
    }

    @Test
    void byteByByteReadsCrossBlocks() throws IOException {
        LocalBlobStore store = store(SMALL_BLOCK);
        byte[] data = TestData.bytes(4 * SMALL_BLOCK + 1, 12);
        DataLocation loc = TestData.write(store, TestData.id(rnd), data);
        byte[] got = new byte[data.length - 150];
        try (InputStream in = store.open(loc, 150, got.length)) {
            for (int i = 0; i < got.length; i++) {
                int b = in.read();
                assertThat(b).isNotNegative();
                got[i] = (byte) b;
            }
            assertThat(in.read()).isEqualTo(-1);
        }
        assertThat(got).isEqualTo(Arrays.copyOfRange(data, 150, data.length));
    }

    @Test
    void boundsAreCheckedAgainstTheLength() throws IOException {
        LocalBlobStore store = store(SMALL_BLOCK);
        DataLocation loc = TestData.write(store, TestData.id(rnd), new byte[50]);
        assertThatThrownBy(() -> store.open(loc, -1, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> store.open(loc, 0, 51)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> store.open(loc, 50, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> store.open(loc, 1, Long.MAX_VALUE)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(TestData.read(store, loc, 50, 0)).isEmpty();
    }

    @Test
    void aFlippedByteFailsItsBlockOnlyAndIsNeverServed() throws IOException {
        LocalBlobStore store = store(SMALL_BLOCK);
        byte[] data = TestData.bytes(5 * SMALL_BLOCK, 5);
        DataLocation loc = TestData.write(store, TestData.id(rnd), data);
        int block = 2;
        flipByte(store, loc, block, 17);

        assertThatThrownBy(() -> TestData.read(store, loc, 0, data.length))
                .isInstanceOf(CorruptDataException.class)
                .hasMessageContaining("block 2 checksum mismatch")
                .hasMessageContaining(loc.dataId().value());
        byte[] served = new byte[data.length];
        int got = 0;
        try (InputStream in = store.open(loc, 0, data.length)) {
            int n;
            while ((n = readOrCorrupt(in, served, got)) > 0) {
                got += n;
            }
        }
        assertThat(got).isEqualTo(block * SMALL_BLOCK); // everything before the bad block, nothing of it
        assertThatThrownBy(() -> store.open(loc, 2 * SMALL_BLOCK + 50, 1)).isInstanceOf(CorruptDataException.class);
        assertThat(TestData.read(store, loc, 0, 2 * SMALL_BLOCK)).isEqualTo(Arrays.copyOf(data, 2 * SMALL_BLOCK));
        assertThat(TestData.read(store, loc, 3 * SMALL_BLOCK, 2 * SMALL_BLOCK))
                .isEqualTo(Arrays.copyOfRange(data, 3 * SMALL_BLOCK, 5 * SMALL_BLOCK));
    }

    private static int readOrCorrupt(InputStream in, byte[] into, int at) throws IOException {
        try {
            return in.read(into, at, into.length - at);
        } catch (CorruptDataException e) {
            return -1;
        }
    }

    @Test
    void aFlippedChecksumByteIsCaughtToo() throws IOException {
        LocalBlobStore store = store(SMALL_BLOCK);
        DataLocation loc = TestData.write(store, TestData.id(rnd), TestData.bytes(2 * SMALL_BLOCK, 6));
        flipByte(store, loc, 1, SMALL_BLOCK + 2); // inside block 1's CRC
        assertThatThrownBy(() -> TestData.read(store, loc, SMALL_BLOCK, 1)).isInstanceOf(CorruptDataException.class);
        assertThat(TestData.read(store, loc, 0, SMALL_BLOCK)).hasSize(SMALL_BLOCK);
    }

    @Test
    void aDamagedHeaderOrFooterFailsAtOpen() throws IOException {
        LocalBlobStore store = store(SMALL_BLOCK);
        DataLocation loc = TestData.write(store, TestData.id(rnd), TestData.bytes(150, 8));
        Path file = store.dataFile(loc.dataId());
        flipAt(file, 20); // inside the data id
        assertThatThrownBy(() -> store.open(loc, 0, 1)).isInstanceOf(CorruptDataException.class)
                .hasMessageContaining("header checksum");
        flipAt(file, 20);
        flipAt(file, file.toFile().length() - 10); // inside the footer checksum
        assertThatThrownBy(() -> store.open(loc, 0, 1)).isInstanceOf(CorruptDataException.class)
                .hasMessageContaining("footer");
    }

    @Test
    void aTruncatedFileFailsAtOpen() throws IOException {
        LocalBlobStore store = store(SMALL_BLOCK);
        DataLocation loc = TestData.write(store, TestData.id(rnd), TestData.bytes(250, 9));
        try (RandomAccessFile f = new RandomAccessFile(store.dataFile(loc.dataId()).toFile(), "rw")) {
            f.setLength(f.length() - 30);
        }
        assertThatThrownBy(() -> store.open(loc, 0, 1)).isInstanceOf(CorruptDataException.class);
        try (RandomAccessFile f = new RandomAccessFile(store.dataFile(loc.dataId()).toFile(), "rw")) {
            f.setLength(5);
        }
        assertThatThrownBy(() -> store.open(loc, 0, 1)).isInstanceOf(CorruptDataException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void aLocationThatDisagreesWithTheFileIsRefused() throws IOException {
        LocalBlobStore store = store(SMALL_BLOCK);
        DataLocation loc = TestData.write(store, TestData.id(rnd), TestData.bytes(250, 10));
        DataLocation wrongLength = withLength(loc, 249);
        assertThatThrownBy(() -> store.open(wrongLength, 0, 1)).isInstanceOf(CorruptDataException.class);
        DataLocation wrongBlock = new DataLocation(loc.dataId(), 1, "single", loc.drives(), 64, 250);
        assertThatThrownBy(() -> store.open(wrongBlock, 0, 1)).isInstanceOf(CorruptDataException.class);
    }

    @Test
    void missingDataIsNoSuchFile() throws IOException {
        LocalBlobStore store = store(SMALL_BLOCK);
        DataLocation loc = withLength(store.place(TestData.id(rnd)), 1);
        assertThatThrownBy(() -> store.open(loc, 0, 1)).isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void readsKeepWorkingWithTheBlockSizeRecordedInTheLocation() throws IOException {
        LocalBlobStore small = store(SMALL_BLOCK);
        byte[] data = TestData.bytes(1000, 11);
        DataLocation loc = TestData.write(small, TestData.id(rnd), data);
        LocalBlobStore reopened = LocalBlobStore.open(dir, new RealFileIo(), false); // new default block size
        assertThat(TestData.read(reopened, loc, 0, 1000)).isEqualTo(data);
    }

    private static DataLocation withLength(DataLocation l, long length) {
        return new DataLocation(l.dataId(), l.layoutEpoch(), l.scheme(), l.drives(), l.blockSize(), length);
    }

    /** Flips one byte of block {@code block} (index {@code at} within its payload+CRC record). */
    private static void flipByte(LocalBlobStore store, DataLocation loc, int block, int at) throws IOException {
        Path file = store.dataFile(loc.dataId());
        int headerLength;
        try (var f = new RealFileIo().openRead(file)) {
            headerLength = ShardFormat.readHeader(f, "test").headerLength();
        }
        flipAt(file, ShardFormat.blockOffset(headerLength, loc.blockSize(), block) + at);
    }

    private static void flipAt(Path file, long position) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(position);
            int b = f.read();
            f.seek(position);
            f.write(b ^ 0x40);
        }
    }
}
