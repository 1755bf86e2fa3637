package dev.kura.index;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import java.time.Instant;

/**
 * A change to the index, with its preconditions. Applying a command is deterministic: it reads
 * only the index state and the command's own fields.
 */
public sealed interface IndexCommand {

    /**
     * Fails with BucketAlreadyExists when the name is taken. {@code settings} are written with the
     * bucket in the same batch (its ACL, ownership controls), so no one ever sees it without them.
     */
    record CreateBucket(BucketRecord bucket, java.util.Map<BucketSetting, byte[]> settings) implements IndexCommand {
        public CreateBucket {
            settings = settings == null ? java.util.Map.of() : java.util.Map.copyOf(settings);
        }

        public CreateBucket(BucketRecord bucket) {
            this(bucket, java.util.Map.of());
        }
    }

    /** Writes ({@code value} non-null) or removes one settings document of a bucket; NoSuchBucket when absent. */
    record PutBucketSetting(String name, long bucketId, BucketSetting setting, byte[] value) implements IndexCommand {
        public PutBucketSetting {
            java.util.Objects.requireNonNull(setting, "setting");
        }
    }

    /**
     * Adds a user ({@code replace} false; UserAlreadyExists when the name or the access key is
     * taken) or replaces the user of that name ({@code replace} true; NoSuchUser when absent): a key
     * rotation, whose old access key stops working in the same batch.
     */
    record PutUser(UserRecord user, boolean replace) implements IndexCommand {
    }

    /**
     * Replaces the access control list of one version ({@code versionId} null: the current one);
     * {@code acl} is the layer above's encoding, null for private to the owner. NoSuchKey /
     * NoSuchVersion as for tags.
     */
    record PutObjectAcl(long bucketId, String key, String versionId, String acl) implements IndexCommand {
    }

    /** Removes a user and its access key; NoSuchUser when absent. */
    record DeleteUser(String name) implements IndexCommand {
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
     * and the precondition, assigns the version's sequence (at least the record's, above every
     * sequence assigned before) and its version id (from the sequence when the bucket's versioning
     * is enabled, else "null"), replaces the key's null version when the new one is the null version,
     * recording a {@link PendingFree} for the replaced data, and clears the intent of the new data. With
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
     * Deletes a key as S3 does without a version id. Unversioned bucket: removes the current version,
     * recording a {@link PendingFree} for its data (an absent key: nothing changes). Versioning enabled:
     * adds a delete marker as the newest version, removing nothing. Suspended: a delete marker with
     * version id "null" takes the place of the key's null version (whose data is freed).
     */
    record DeleteObject(long bucketId, String key, Precondition precondition, Instant at) implements IndexCommand {
    }

    /**
     * Removes one version (or delete marker) for good, freeing its data; {@code versionId} "null" names
     * the null version. An absent version changes nothing. A version under a legal hold, or retained
     * at {@code at} (COMPLIANCE; GOVERNANCE unless {@code bypassGovernance}), fails with ObjectLocked.
     */
    record DeleteVersion(long bucketId, String key, String versionId, Instant at, boolean bypassGovernance)
            implements IndexCommand {
        public DeleteVersion(long bucketId, String key, String versionId, Instant at) {
            this(bucketId, key, versionId, at, false);
        }
    }

    /**
     * Enables Object Lock on a bucket, with an optional default retention; fails with
     * InvalidBucketState unless the bucket's versioning is enabled.
     */
    record PutObjectLockConfiguration(String name, long bucketId, BucketRecord.ObjectLock config) implements IndexCommand {
    }

    /**
     * Sets a version's retention ({@code mode} null: removes it). A retention in force at {@code at}
     * may only be kept or extended: a COMPLIANCE one never shortened, removed or turned into
     * GOVERNANCE; a GOVERNANCE one changed any other way only with {@code bypassGovernance}
     * (ObjectLocked otherwise). Fails with NoSuchKey / NoSuchVersion.
     */
    record PutObjectRetention(long bucketId, String key, String versionId, String mode, Instant retainUntil,
                              boolean bypassGovernance, Instant at) implements IndexCommand {
    }

    /** Sets a bucket's lifecycle configuration (its normalized document), or removes it (null); NoSuchBucket. */
    record PutBucketLifecycle(String name, long bucketId, byte[] configuration) implements IndexCommand {
    }

    /** Sets or clears a version's legal hold; fails with NoSuchKey / NoSuchVersion. */
    record PutObjectLegalHold(long bucketId, String key, String versionId, boolean on) implements IndexCommand {
    }

    /**
     * Sets a bucket's versioning to ENABLED or SUSPENDED (a bucket never goes back to unversioned);
     * fails with NoSuchBucket.
     */
    record SetBucketVersioning(String name, long bucketId, BucketRecord.Versioning state) implements IndexCommand {
        public SetBucketVersioning {
            if (state == BucketRecord.Versioning.UNVERSIONED) {
                throw new IllegalArgumentException("a bucket's versioning cannot be turned off, only suspended");
            }
        }
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

    /**
     * Replaces the tag set of a key's current version (fails with NoSuchKey when there is none, or it
     * is a delete marker), or of the version {@code versionId} names (NoSuchVersion; a delete marker
     * has no tags: MethodNotAllowed).
     */
    record PutObjectTags(long bucketId, String key, String versionId, java.util.Map<String, String> tags)
            implements IndexCommand {
        /** The current version's tags. */
        public PutObjectTags(long bucketId, String key, java.util.Map<String, String> tags) {
            this(bucketId, key, null, tags);
        }
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

    /**
     * Splits partition {@code partitionId} of a bucket at {@code at}: keys from {@code at} on form a new
     * partition (the bucket's highest partition id + 1), the keys below stay in the old one. Fails
     * with NoSuchBucket, or NoSuchPartition when the partition does not exist or {@code at} is not
     * strictly inside its range (a split decided on a stale picture changes nothing).
     */
    record SplitPartition(long bucketId, long partitionId, String at, Instant when) implements IndexCommand {
        public SplitPartition {
            java.util.Objects.requireNonNull(at, "at");
            if (at.isEmpty()) {
                throw new IllegalArgumentException("a split key is above the empty first key");
            }
        }
    }

    /**
     * Merges partition {@code right} into its lower neighbour {@code left}, which then covers both
     * ranges. Fails with NoSuchBucket, or NoSuchPartition unless {@code right} immediately follows
     * {@code left}.
     */
    record MergePartitions(long bucketId, long left, long right, Instant when) implements IndexCommand {
    }
}
