package dev.kura.index;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
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
     * {@link PendingFree} for the replaced data, and clears the intent of the new data. With
     * {@code inlineData} (a small object, {@link dev.kura.common.DataLocation#isInline()}), the bytes
     * are stored in the index in the same batch: one synced write makes the object durable.
     */
    record PutObject(long bucketId, ObjectRecord record, Precondition precondition, byte[] inlineData)
            implements IndexCommand {
        public PutObject {
            if (inlineData != null && (record.location() == null || !record.location().isInline()
                    || record.location().length() != inlineData.length)) {
                throw new IllegalArgumentException("inline data needs an inline location of its length");
            }
        }

        /** A version whose bytes are on the drives. */
        public PutObject(long bucketId, ObjectRecord record, Precondition precondition) {
            this(bucketId, record, precondition, null);
        }
    }

    /**
     * Removes the current version of a key (unversioned bucket), recording a {@link PendingFree} for
     * its data. Deleting an absent key succeeds and changes nothing.
     */
    record DeleteObject(long bucketId, String key, Precondition precondition, Instant at) implements IndexCommand {
    }

    /** Starts a multipart upload; fails with NoSuchBucket. */
    record CreateUpload(long bucketId, UploadRecord upload) implements IndexCommand {
    }

    /**
     * Records an uploaded part (replacing, and freeing, an earlier part with its number) and clears
     * the intent of its data; fails with NoSuchUpload.
     */
    record PutPart(long bucketId, String key, String uploadId, PartRecord part) implements IndexCommand {
    }

    /**
     * Completes an upload: {@code parts} are the chosen parts as the caller read them (in order,
     * offsets set); each must still be the upload's part of that number (else InvalidPart). The
     * record becomes the key's current version with the parts in their own rows; parts not chosen are
     * freed; the upload disappears; the intent of the record's location (the manifest data, when the
     * caller wrote one) is cleared. A retry after success answers the completed version.
     */
    record CompleteUpload(long bucketId, String uploadId, ObjectRecord record, java.util.List<PartRecord> parts,
                          Precondition precondition) implements IndexCommand {
    }

    /** Aborts an upload, freeing its parts; fails with NoSuchUpload. */
    record AbortUpload(long bucketId, String key, String uploadId, Instant at) implements IndexCommand {
    }

    /** Replaces the tag set of a key's current version; fails with NoSuchKey. */
    record PutObjectTags(long bucketId, String key, java.util.Map<String, String> tags) implements IndexCommand {
    }

    /** Replaces a bucket's tag set; fails with NoSuchBucket. */
    record PutBucketTags(String name, long bucketId, java.util.Map<String, String> tags) implements IndexCommand {
    }

    /**
     * The storage layer rebuilt lost shards of some data onto other drives: the row that references
     * {@code from} (by data id) now references {@code to} — same data id, same bytes, other drives. If
     * the row no longer references that data id (replaced or deleted meanwhile), {@code to} is
     * garbage and is recorded as a pending free.
     */
    record RelocateData(long bucketId, String key, DataHolder holder, DataLocation from, DataLocation to, Instant at)
            implements IndexCommand {
        public RelocateData {
            if (!from.dataId().equals(to.dataId())) {
                throw new IllegalArgumentException("a relocation keeps the data id");
            }
        }
    }

    /** Which row holds a piece of data: a version written whole, a part of a completed object, or an upload's part. */
    sealed interface DataHolder {
        record Version(long sequence) implements DataHolder {
        }

        record ObjectPart(long sequence, int partNumber) implements DataHolder {
        }

        record UploadPart(String uploadId, int partNumber) implements DataHolder {
        }
    }

    /** The sweeper removed freed data: forget the pending free (and drop the bytes of inline data). */
    record CompleteFree(DataId dataId) implements IndexCommand {
    }
}
