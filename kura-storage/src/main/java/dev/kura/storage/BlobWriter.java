package dev.kura.storage;

import dev.kura.common.DataLocation;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Writes one piece of data. Not thread-safe. Either {@link #commit()} or {@link #abort()} must be
 * called; {@link #close()} aborts when neither was.
 */
public interface BlobWriter extends AutoCloseable {
    /** Appends the remaining bytes of the buffer. */
    void write(ByteBuffer data) throws IOException;

    default void write(byte[] b, int off, int len) throws IOException {
        write(ByteBuffer.wrap(b, off, len));
    }

    /** Makes the data durable and visible at its final place: fsync, rename, fsync directory. */
    default DataLocation commit() throws IOException {
        return commit(() -> { });
    }

    /**
     * As {@link #commit()}, calling {@code beforeVisible} after the data is synced and before it is
     * moved to its final place — the point from which it could outlive a crash as a findable file.
     * The object layer uses it to make the write intent durable only then (see ARCHITECTURE.md), so
     * the intent costs no synced index write of its own. If the barrier throws, the write aborts.
     */
    default DataLocation commit(Barrier beforeVisible) throws IOException {
        return commit(beforeVisible, null);
    }

    /**
     * As {@link #commit(Barrier)}, storing {@code annotation} (null or empty: none) with the data: opaque
     * bytes the storage layer never interprets, kept in every file of the data (each shard) and read back
     * by a scan of a drive — the caller's description of what the data is, so its index can be rebuilt
     * from the drives alone. Small: at most 1 MiB.
     */
    DataLocation commit(Barrier beforeVisible, byte[] annotation) throws IOException;

    /** Something that must be done before data becomes visible; see {@link #commit(Barrier)}. */
    @FunctionalInterface
    interface Barrier {
        void await() throws IOException;
    }

    /** Discards everything written; idempotent. */
    void abort();

    @Override
    default void close() {
        abort();
    }
}
