package dev.kura.storage;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import java.io.IOException;
import java.io.InputStream;

/**
 * The storage seam: turns a byte stream into durable, checksummed data on drives and back.
 * It knows nothing of buckets, keys or HTTP; the index records the {@link DataLocation}s it hands out.
 *
 * <p>Write protocol (the order is the durability promise, see ARCHITECTURE.md):
 * <ol>
 *   <li>{@link #place(DataId)} says where data with a fresh id will go, before a byte is written,
 *       so the caller can record a write intent for that location in the index;</li>
 *   <li>{@link #create(DataLocation, String)} opens a writer on a temporary file;</li>
 *   <li>{@link BlobWriter#commit()} fsyncs the file, renames it into place and fsyncs the directory;
 *       only then does it return the final location (with the length).</li>
 * </ol>
 * Data files are immutable once committed. Reads verify every block's checksum and never return a
 * corrupt byte: a bad block raises {@link CorruptDataException}.
 */
public interface BlobStore extends AutoCloseable {

    /** The location new data with this id will get (its length is 0 until committed). */
    DataLocation place(DataId id) throws IOException;

    /**
     * As {@link #place(DataId)} for data expected to be {@code expectedLength} bytes long (-1:
     * unknown), so a store can choose a layout that suits the size (small data as whole copies). The
     * planned location's length may carry the expected length, a hint for the writer; the committed
     * location has the real one.
     */
    default DataLocation place(DataId id, long expectedLength) throws IOException {
        return place(id);
    }

    /**
     * Opens a writer for new data at a location from {@link #place}.
     *
     * @param label free-form audit text stored in the data header (for example bucket/key/version),
     *              never interpreted by the storage layer
     */
    BlobWriter create(DataLocation planned, String label) throws IOException;

    /**
     * Streams {@code length} bytes starting at {@code offset} of committed data, verifying block
     * checksums as it goes. The caller closes the stream.
     */
    InputStream open(DataLocation location, long offset, long length) throws IOException;

    /** Removes committed or half-written data at this location; absent data is not an error. */
    void delete(DataLocation location) throws IOException;

    /**
     * Refuses, with {@link StorageFullException}, a write of {@code bytes} more bytes that would eat
     * into the free-space reserve of the drives new data goes to (kept so the index and deletes can
     * always proceed). Writers check on their own as they go; this is for data kept elsewhere, such as
     * small objects kept in the index, which shares the first drive's file system by default.
     */
    void checkSpace(long bytes) throws IOException;

    /**
     * Reads every block of the data, verifying it, and rebuilds what is missing or corrupt where the
     * layout has the redundancy to (erasure-coded data: from the other shards, onto the same drive).
     * Safe while readers read the same data. Throws when the data cannot be read back at all.
     */
    RepairResult repair(DataLocation location) throws IOException;

    /**
     * After a repair moved shards ({@link RepairResult#relocated()}) and the index recorded {@code to}:
     * removes the shards {@code from} still had on the drives they left, where those drives can be
     * reached. Nothing else references them once the index points at {@code to}.
     */
    default void dropMoved(DataLocation from, DataLocation to) throws IOException {
    }

    /** True when new data can be written (every drive of the current set is present and writable). */
    boolean isWritable();

    @Override
    void close() throws IOException;
}
