package dev.kura.storage.local;

import dev.kura.common.DataLocation;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.fs.FileIo;
import dev.kura.storage.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes one data file in {@link ShardFormat}: into a temp file, block by block (at most one block
 * buffered), then {@link #commit()} publishes it. Any failure aborts, so the only way a data file
 * becomes visible is a commit that returns. Not thread-safe.
 */
final class LocalBlobWriter implements BlobWriter {
    private enum State { OPEN, COMMITTED, ABORTED }

    private final LocalBlobStore store;
    private final FileIo io;
    private final DataLocation planned;
    private final Path temp;
    private final WritableFile file;
    private final int blockSize;
    /** One block of payload plus room for its checksum, so each block is a single write. */
    private final ByteBuffer block;
    private long length;
    private long blocks;
    private State state = State.OPEN;

    private LocalBlobWriter(LocalBlobStore store, FileIo io, DataLocation planned, Path temp, WritableFile file) {
        this.store = store;
        this.io = io;
        this.planned = planned;
        this.temp = temp;
        this.file = file;
        this.blockSize = planned.blockSize();
        this.block = ByteBuffer.allocate(blockSize + ShardFormat.CRC_LENGTH);
    }

    /** Creates the temp file and writes the header; on failure nothing is left behind. */
    static LocalBlobWriter start(LocalBlobStore store, FileIo io, DataLocation planned, Path temp, String label)
            throws IOException {
        WritableFile file;
        try {
            file = io.createNew(temp);
        } catch (IOException e) {
            store.noteIoError(e);
            throw e;
        }
        LocalBlobWriter w = new LocalBlobWriter(store, io, planned, temp, file);
        try {
            file.write(ShardFormat.encodeHeader(planned.blockSize(), planned.dataId(), label));
        } catch (IOException | RuntimeException e) {
            if (e instanceof IOException io2) {
                store.noteIoError(io2);
            }
            w.abort();
            throw e;
        }
        return w;
    }

    @Override
    public void write(ByteBuffer data) throws IOException {
        checkOpen();
        try {
            while (data.hasRemaining()) {
                int n = Math.min(data.remaining(), blockSize - block.position());
                block.put(data.slice(data.position(), n));
                data.position(data.position() + n);
                length += n;
                if (block.position() == blockSize) {
                    flushBlock();
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IOException io2) {
                store.noteIoError(io2);
            }
            abort();
            throw e;
        }
    }

    @Override
    public DataLocation commit(Barrier beforeVisible, byte[] annotation) throws IOException {
        checkOpen();
        try {
            if (block.position() > 0) {
                flushBlock();
            }
            file.write(ShardFormat.encodeFooter(length, blocks, annotation));
            file.sync();
            file.close();
        } catch (IOException | RuntimeException e) {
            if (e instanceof IOException io2) {
                store.noteIoError(io2);
            }
            abort();
            throw e;
        }
        try {
            beforeVisible.await(); // not this drive's: a failure here says nothing about the drive
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
        try {
            store.publish(temp, planned.dataId());
        } catch (IOException | RuntimeException e) {
            if (e instanceof IOException io2 && !(e instanceof java.nio.file.FileAlreadyExistsException)) {
                store.noteIoError(io2);
            }
            abort();
            throw e;
        }
        state = State.COMMITTED;
        return new DataLocation(planned.dataId(), planned.layoutEpoch(), planned.scheme(), planned.drives(),
                blockSize, length);
    }

    @Override
    public void abort() {
        if (state != State.OPEN) {
            return; // idempotent, and close() after commit must not touch committed data
        }
        state = State.ABORTED;
        try {
            file.close();
        } catch (IOException e) {
            // nothing to save; the delete below is what matters
        }
        try {
            io.deleteIfExists(temp);
        } catch (IOException e) {
            // left for purgeTemp at the next start; a temp file is never visible as data
        }
    }

    /** How often a writer re-checks the drive's free space: every 4 MiB written (a statfs call). */
    private static final long SPACE_CHECK_BYTES = 4L << 20;

    private void flushBlock() throws IOException {
        if ((blocks + 1) * blockSize % SPACE_CHECK_BYTES < blockSize) {
            store.checkSpace(SPACE_CHECK_BYTES);
        }
        int payload = block.position();
        block.putInt(ShardFormat.crc(block.array(), 0, payload));
        file.write(block.flip());
        block.clear();
        blocks++;
    }

    private void checkOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException(
                    "writer for " + planned.dataId() + " is " + state.name().toLowerCase(Locale.ROOT));
        }
    }
}
