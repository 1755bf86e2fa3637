package dev.kura.storage.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A new file being appended to. Not thread-safe. Closing it does not make it durable; {@link #sync()} does. */
public interface WritableFile extends Closeable {

    /** Appends all remaining bytes of the buffer. */
    void write(ByteBuffer src) throws IOException;

    /** Forces the contents and metadata of the file to stable storage (fsync). */
    void sync() throws IOException;
}
