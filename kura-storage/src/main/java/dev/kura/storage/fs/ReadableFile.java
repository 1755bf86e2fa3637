package dev.kura.storage.fs;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A file opened for positional reads, like a read-only {@code FileChannel}. Safe for concurrent positional reads. */
public interface ReadableFile extends Closeable {

    /** Reads into {@code dst} from {@code position}; returns the number of bytes read, or -1 at end of file. */
    int read(ByteBuffer dst, long position) throws IOException;

    long size() throws IOException;

    /** Fills the remaining space of {@code dst} from {@code position}, or throws {@link EOFException}. */
    default void readFully(ByteBuffer dst, long position) throws IOException {
        long pos = position;
        while (dst.hasRemaining()) {
            int n = read(dst, pos);
            if (n < 0) {
                throw new EOFException("end of file at " + pos + ", " + dst.remaining() + " bytes short");
            }
            pos += n;
        }
    }
}
