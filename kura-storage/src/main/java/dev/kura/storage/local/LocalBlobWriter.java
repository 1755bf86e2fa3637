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
 *
 * <p>On a drive with a {@link DriveJournal}, the file is first built in memory; if it is still at most
 * {@link DriveJournal#MAX_FILE_BYTES} at commit, it is made durable through the journal (one fsync
 * shared with concurrent writers) and then written straight to its place without an fsync. A larger
 * file spills to its temp file as soon as it outgrows that size and commits the usual way.
 */
final class LocalBlobWriter implements BlobWriter {
    private enum State { OPEN, COMMITTED, ABORTED }

    private final LocalBlobStore store;
    private final FileIo io;
    private final DataLocation planned;
    private final Path temp;
    /** Null while the file is built in {@link #memory}. */
    private WritableFile file;
    /** The whole file so far, while it may still go through the journal; null once on disk. */
    private ByteBuffer memory;
    private final int blockSize;
    /** One block of payload plus room for its checksum, so each block is a single write. */
    private final ByteBuffer block;
    private long length;
    private long blocks;
    private State state = State.OPEN;

    private LocalBlobWriter(LocalBlobStore store, FileIo io, DataLocation planned, Path temp, WritableFile file,
                            ByteBuffer memory) {
        this.store = store;
        this.io = io;
        this.planned = planned;
        this.temp = temp;
        this.file = file;
        this.memory = memory;
        this.blockSize = planned.blockSize();
        this.block = ByteBuffer.allocate(blockSize + ShardFormat.CRC_LENGTH);
    }

    /** Creates the temp file and writes the header; on failure nothing is left behind. */
    static LocalBlobWriter start(LocalBlobStore store, FileIo io, DataLocation planned, Path temp, String label,
                                 boolean mayJournal) throws IOException {
        ByteBuffer header = ShardFormat.encodeHeader(planned.blockSize(), planned.dataId(), label);
        if (mayJournal && store.journal() != null) {
            ByteBuffer memory = ByteBuffer.allocate(header.remaining() + 8192);
            memory.put(header);
            return new LocalBlobWriter(store, io, planned, temp, null, memory);
        }
        WritableFile file;
        try {
            file = io.createNew(temp);
        } catch (IOException e) {
            store.noteIoError(e);
            throw e;
        }
        LocalBlobWriter w = new LocalBlobWriter(store, io, planned, temp, file, null);
        try {
            file.write(header);
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
            out(ShardFormat.encodeFooter(length, blocks, annotation));
            if (memory == null) {
                file.sync();
                file.close();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IOException io2) {
                store.noteIoError(io2);
            }
            abort();
            throw e;
        }
        if (memory != null) {
            return commitJournaled(beforeVisible);
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
            if (e instanceof IOException io2 && !alreadyCommitted(e)) {
                store.noteIoError(io2);
            }
            abort();
            throw e;
        }
        state = State.COMMITTED;
        return new DataLocation(planned.dataId(), planned.layoutEpoch(), planned.scheme(), planned.drives(),
                blockSize, length);
    }

    /** The file is complete in memory: barrier, journal (shared fsync), then into place unsynced. */
    private DataLocation commitJournaled(Barrier beforeVisible) throws IOException {
        try {
            beforeVisible.await();
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
        ByteBuffer contents = memory.flip();
        DriveJournal.Ticket ticket;
        try {
            ticket = store.journal().commitWrite(planned.dataId(), contents);
        } catch (IOException | RuntimeException e) {
            abort(); // the drive's error was noted by the journal
            throw e;
        }
        Path written = null;
        try {
            written = store.publishJournaled(planned.dataId(), contents);
        } catch (IOException | RuntimeException e) {
            boolean exists = alreadyCommitted(e);
            if (e instanceof IOException io2 && !exists) {
                store.noteIoError(io2);
            }
            ticket.applied(null, null);
            if (!exists) {
                // The journal holds the file, so replay would write it: log its delete now (the caller's
                // write intent, through the sweeper, is the fallback if even that fails).
                try {
                    store.deleteCommitted(planned.dataId());
                } catch (IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            abort();
            throw e;
        } finally {
            ticket.applied(written, null);
        }
        state = State.COMMITTED;
        return new DataLocation(planned.dataId(), planned.layoutEpoch(), planned.scheme(), planned.drives(),
                blockSize, length);
    }

    /**
     * The data file of this id exists already (never happens: ids are not reused) — as opposed to a
     * failing drive, such as a file where a fan-out directory must be.
     */
    private boolean alreadyCommitted(Exception e) {
        return e instanceof java.nio.file.FileAlreadyExistsException fe
                && store.dataFile(planned.dataId()).toString().equals(fe.getFile());
    }

    @Override
    public void abort() {
        if (state != State.OPEN) {
            return; // idempotent, and close() after commit must not touch committed data
        }
        state = State.ABORTED;
        memory = null;
        if (file == null) {
            return;
        }
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
        out(block.flip());
        block.clear();
        blocks++;
    }

    /** Appends to the in-memory file while it may still go through the journal, else to the temp file. */
    private void out(ByteBuffer bytes) throws IOException {
        if (memory != null) {
            if (memory.position() + bytes.remaining() <= DriveJournal.MAX_FILE_BYTES) {
                if (memory.remaining() < bytes.remaining()) {
                    int size = Math.min(DriveJournal.MAX_FILE_BYTES,
                            Math.max(memory.capacity() * 2, memory.position() + bytes.remaining()));
                    memory = ByteBuffer.allocate(size).put(memory.flip());
                }
                memory.put(bytes);
                return;
            }
            spill();
        }
        file.write(bytes);
    }

    /** The file outgrew the journal: write what is in memory to the temp file and go on there. */
    private void spill() throws IOException {
        try {
            file = io.createNew(temp);
        } catch (IOException e) {
            store.noteIoError(e);
            throw e;
        }
        file.write(memory.flip());
        memory = null;
    }

    private void checkOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException(
                    "writer for " + planned.dataId() + " is " + state.name().toLowerCase(Locale.ROOT));
        }
    }
}
