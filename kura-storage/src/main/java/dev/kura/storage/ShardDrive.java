package dev.kura.storage;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * One drive as the erasure-coded store uses it to hold shards: a drive of this node
 * ({@code LocalBlobStore}) or of another node reached over the network (kura-cluster's
 * {@code RemoteDrive}). The same operations, answers and exception types either way: a shard writer
 * whose {@code commit(barrier, annotation)} runs the barrier after the data is synced and before it is
 * visible, a ranged read verified block by block ({@link CorruptDataException} for bad bytes,
 * {@link java.nio.file.NoSuchFileException} for absent data), deletes, inspection, and the drive's state.
 */
public interface ShardDrive {
    String driveId();

    /** The failure zone the drive was formatted in. */
    String zone();

    /** Takes new data now (present, not full, not kept out after an I/O error). */
    boolean isWritable();

    /** Reachable and usable for reads. */
    boolean isPresent();

    /**
     * Known, without asking now, to be unreachable (a peer node that stopped answering): readers try its
     * shards last, after parity. Never blocks; false when in doubt.
     */
    default boolean isKnownUnreachable() {
        return false;
    }

    /**
     * Leaving the set ({@link RetiredDrive}): read while it can be, never written; repairs move its shards
     * to other drives, and rebuild them elsewhere when it cannot be read.
     */
    default boolean isRetired() {
        return false;
    }

    /** Throws {@link StorageFullException} when {@code bytes} more would cut into the drive's reserve. */
    void checkSpace(long bytes) throws IOException;

    /** A writer for one piece of data at {@code planned} (a location on this drive). */
    BlobWriter create(DataLocation planned, String label, boolean mayJournal) throws IOException;

    default BlobWriter create(DataLocation planned, String label) throws IOException {
        return create(planned, label, true);
    }

    InputStream open(DataLocation location, long offset, long length) throws IOException;

    /** Removes the data and any partial copy of it; absent is fine. */
    void delete(DataLocation location) throws IOException;

    /** Removes the committed data of this id; false when there was none. */
    boolean deleteCommitted(DataId id) throws IOException;

    /** The committed data's header, footer and annotation, checked (not its blocks); empty when absent. */
    Optional<StoredData> inspect(DataId id) throws IOException;

    /** Reads the whole data verifying every block (nothing is rewritten: one drive holds no redundancy). */
    RepairResult repair(DataLocation location) throws IOException;

    void close();
}
