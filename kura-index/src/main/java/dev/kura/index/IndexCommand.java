package dev.kura.index;

import dev.kura.common.DataId;
import java.time.Instant;

/**
 * A change to the index, with its preconditions. Applying a command is deterministic: it reads
 * only the index state and the command's own fields.
 */
public sealed interface IndexCommand {

    /** Fails with BucketAlreadyExists when the name is taken. */
    record CreateBucket(BucketRecord bucket) implements IndexCommand {
    }

    /** Fails with NoSuchBucket when absent or at another id, BucketNotEmpty when it holds objects or intents. */
    record DeleteBucket(String name, long bucketId) implements IndexCommand {
    }

    /** Records that data is about to be written at {@code intent.location()}; must precede the write. */
    record RecordIntent(WriteIntent intent) implements IndexCommand {
    }

    /** Removes an intent (the write was aborted and its data removed, or the sweeper removed it). */
    record CancelIntent(DataId dataId) implements IndexCommand {
    }

    /**
     * Makes {@code record} the current version of its key. In one atomic batch: checks the bucket
     * and the precondition, replaces the key's null version (unversioned bucket) recording a
     * {@link PendingFree} for the replaced data, and clears the intent of the new data.
     */
    record PutObject(long bucketId, ObjectRecord record, Precondition precondition) implements IndexCommand {
    }

    /**
     * Removes the current version of a key (unversioned bucket), recording a {@link PendingFree} for
     * its data. Deleting an absent key succeeds and changes nothing.
     */
    record DeleteObject(long bucketId, String key, Precondition precondition, Instant at) implements IndexCommand {
    }

    /** The sweeper removed freed data: forget the pending free. */
    record CompleteFree(DataId dataId) implements IndexCommand {
    }
}
