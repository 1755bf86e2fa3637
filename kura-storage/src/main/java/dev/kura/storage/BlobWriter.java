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
    DataLocation commit() throws IOException;

    /** Discards everything written; idempotent. */
    void abort();

    @Override
    default void close() {
        abort();
    }
}
