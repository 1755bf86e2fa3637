package dev.kura.storage.local;

import dev.kura.common.DataLocation;
import dev.kura.storage.CorruptDataException;
import dev.kura.storage.fs.ReadableFile;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Serves {@code [offset, offset + length)} of one data file, one verified block at a time: each
 * block (payload and checksum) is read with one positional read into a reused buffer and checked
 * before a byte of it is handed out. Memory: one block. Not thread-safe, like any InputStream.
 */
final class BlockInputStream extends InputStream implements java.nio.channels.ReadableByteChannel {
    /** Data at least this long is read through a direct buffer (no JDK bounce buffer, CRC32C on it as it is). */
    static final long DIRECT_FROM = 1L << 20;

    private final ReadableFile file;
    private final String name;
    private final int headerLength;
    private final int blockSize;
    private final long dataLength;
    private final long end;
    private final ByteBuffer buf;
    private final java.lang.foreign.Arena arena;
    private long pos;
    /** Payload offset of the first byte in {@link #buf}, or -1 when it holds no verified block. */
    private long bufStart = -1;
    private int bufLength;
    private boolean closed;

    private BlockInputStream(ReadableFile file, String name, ShardFormat.Header h, long dataLength, long offset,
                             long length) {
        this.file = file;
        this.name = name;
        this.headerLength = h.headerLength();
        this.blockSize = h.blockSize();
        this.dataLength = dataLength;
        this.pos = offset;
        this.end = offset + length;
        // Small data gets a small buffer; large data never more than one block, and a direct one: a
        // heap buffer costs a copy through the JDK's own direct buffer on every file read.
        int capacity = (int) Math.min(blockSize, Math.max(dataLength, 1)) + ShardFormat.CRC_LENGTH;
        // Its memory is freed at close, not left for a GC to find.
        this.arena = length >= DIRECT_FROM ? java.lang.foreign.Arena.ofShared() : null;
        this.buf = arena != null ? arena.allocate(capacity).asByteBuffer() : ByteBuffer.allocate(capacity);
    }

    /**
     * Checks the file against the location and reads the first block, so a missing, torn or
     * corrupt start is reported here, before the caller has promised anything to its client.
     * Takes ownership of {@code file}.
     */
    static BlockInputStream open(ReadableFile file, DataLocation location, long offset, long length, String name)
            throws IOException {
        BlockInputStream in = null;
        try {
            ShardFormat.Header h = ShardFormat.readAndCheck(file, location, name);
            in = new BlockInputStream(file, name, h, location.length(), offset, length);
            if (length > 0) {
                in.loadBlockAtPosition();
            }
            return in;
        } catch (IOException | RuntimeException e) {
            try {
                if (in != null) {
                    in.close(); // the file and the buffer's memory
                } else {
                    file.close();
                }
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public int read() throws IOException {
        checkOpen();
        if (pos >= end) {
            return -1;
        }
        if (!buffered()) {
            loadBlockAtPosition();
        }
        return Byte.toUnsignedInt(buf.get((int) (pos++ - bufStart)));
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkOpen();
        if (len == 0) {
            return 0; // InputStream's contract, even at the end
        }
        if (pos >= end) {
            return -1;
        }
        if (!buffered()) {
            loadBlockAtPosition();
        }
        int index = (int) (pos - bufStart);
        int n = (int) Math.min(len, Math.min(bufLength - index, end - pos));
        buf.get(index, b, off, n);
        pos += n;
        return n;
    }

    /**
     * Fills {@code dst} (as far as the range goes) with verified bytes. Whole blocks that fit are read
     * straight into {@code dst} with their checksum, verified there, and the checksum's four bytes
     * left beyond its position (to be overwritten): from the page cache to the caller's buffer in one
     * copy. The rest goes through the block buffer.
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        checkOpen();
        if (pos >= end) {
            return -1;
        }
        int total = 0;
        while (dst.hasRemaining() && pos < end) {
            long block = pos / blockSize;
            long start = block * blockSize;
            int payload = (int) Math.min(blockSize, dataLength - start);
            if (!buffered() && pos == start && end - pos >= payload
                    && dst.remaining() >= payload + ShardFormat.CRC_LENGTH) {
                int at = dst.position();
                ByteBuffer into = dst.slice(at, payload + ShardFormat.CRC_LENGTH);
                try {
                    file.readFully(into, ShardFormat.blockOffset(headerLength, blockSize, block));
                } catch (EOFException e) {
                    throw new CorruptDataException(name + ": block " + block + " truncated");
                }
                if (into.getInt(payload) != ShardFormat.crc(into, 0, payload)) {
                    throw new CorruptDataException(name + ": block " + block + " checksum mismatch");
                }
                dst.position(at + payload);
                pos += payload;
                total += payload;
                continue;
            }
            if (!buffered()) {
                loadBlockAtPosition();
            }
            int index = (int) (pos - bufStart);
            int n = (int) Math.min(dst.remaining(), Math.min(bufLength - index, end - pos));
            dst.put(dst.position(), buf, index, n);
            dst.position(dst.position() + n);
            pos += n;
            total += n;
        }
        return total;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    /** Skips without reading: the blocks in between are never touched. */
    @Override
    public long skip(long n) throws IOException {
        checkOpen();
        long k = Math.max(0, Math.min(n, end - pos));
        pos += k;
        return k;
    }

    @Override
    public int available() throws IOException {
        checkOpen();
        return buffered() ? (int) Math.min(bufStart + bufLength - pos, end - pos) : 0;
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            try {
                file.close();
            } finally {
                if (arena != null) {
                    arena.close();
                }
            }
        }
    }

    private boolean buffered() {
        return bufStart >= 0 && pos >= bufStart && pos < bufStart + bufLength;
    }

    private void loadBlockAtPosition() throws IOException {
        long block = pos / blockSize;
        long start = block * blockSize;
        int payload = (int) Math.min(blockSize, dataLength - start);
        bufStart = -1;
        buf.clear().limit(payload + ShardFormat.CRC_LENGTH);
        try {
            file.readFully(buf, ShardFormat.blockOffset(headerLength, blockSize, block));
        } catch (EOFException e) {
            throw new CorruptDataException(name + ": block " + block + " truncated");
        }
        if (buf.getInt(payload) != ShardFormat.crc(buf, 0, payload)) {
            throw new CorruptDataException(name + ": block " + block + " checksum mismatch");
        }
        bufStart = start;
        bufLength = payload;
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException(name + ": stream closed");
        }
    }
}
