package dev.kura.index;

/** Domain failures of the index; the front end maps them to S3 errors in one place. */
public sealed class IndexException extends Exception {
    protected IndexException(String message) {
        super(message, null, false, false);
    }

    protected IndexException(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    public static final class PreconditionFailed extends IndexException {
        public PreconditionFailed(String message) {
            super(message);
        }
    }

    public static final class NoSuchBucket extends IndexException {
        public NoSuchBucket(String bucket) {
            super(bucket);
        }
    }

    public static final class BucketAlreadyExists extends IndexException {
        private final BucketRecord existing;

        public BucketAlreadyExists(BucketRecord existing) {
            super(existing.name());
            this.existing = existing;
        }

        public BucketRecord existing() {
            return existing;
        }
    }

    public static final class NoSuchUpload extends IndexException {
        public NoSuchUpload(String uploadId) {
            super(uploadId);
        }
    }

    public static final class NoSuchUser extends IndexException {
        public NoSuchUser(String name) {
            super(name);
        }
    }

    /** A user name or access key id already taken. */
    public static final class UserAlreadyExists extends IndexException {
        public UserAlreadyExists(String message) {
            super(message);
        }
    }

    /** A partition split or merge that no longer fits the bucket's partitions (decided on a stale picture). */
    public static final class NoSuchPartition extends IndexException {
        public NoSuchPartition(String message) {
            super(message);
        }
    }

    public static final class NoSuchKey extends IndexException {
        public NoSuchKey(String key) {
            super(key);
        }
    }

    /** The bucket's state forbids the change (Object Lock: versioning cannot be suspended, lock needs versioning). */
    public static final class InvalidBucketState extends IndexException {
        public InvalidBucketState(String message) {
            super(message);
        }
    }

    /** Object Lock forbids the change: a retained version, a legal hold, a retention that may not shrink. */
    public static final class ObjectLocked extends IndexException {
        public ObjectLocked(String message) {
            super(message);
        }
    }

    /** A version id that names no version of the key. */
    public static final class NoSuchVersion extends IndexException {
        private final String versionId;

        public NoSuchVersion(String key, String versionId) {
            super(key + " version " + versionId);
            this.versionId = versionId;
        }

        public String versionId() {
            return versionId;
        }
    }

    /** A part named in CompleteMultipartUpload is not (or no longer) the upload's part of that number. */
    public static final class InvalidPart extends IndexException {
        public InvalidPart(String message) {
            super(message);
        }
    }

    public static final class BucketNotEmpty extends IndexException {
        public BucketNotEmpty(String bucket) {
            super(bucket);
        }
    }

    /**
     * The caller stopped waiting, or the engine died, after the command was handed over: it may or
     * may not be applied. Data the command would reference must not be deleted on this answer
     * (its intent, if any, lets the sweeper decide later).
     */
    public static final class OutcomeUnknown extends IndexException {
        public OutcomeUnknown(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The engine failed (I/O error, closed) and the command was not applied; not the caller's fault. */
    public static final class EngineFailure extends IndexException {
        public EngineFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
