package dev.kura.object;

import dev.kura.index.IndexException;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;

/** The one mapping from index domain failures to S3 errors. */
final class Errors {
    private Errors() {
    }

    static RuntimeException map(IndexException e, String bucket, String key) {
        return switch (e) {
            case IndexException.PreconditionFailed p -> new S3Exception(S3ErrorCode.PreconditionFailed)
                    .with("Condition", p.getMessage());
            case IndexException.NoSuchBucket n -> new S3Exception(S3ErrorCode.NoSuchBucket).with("BucketName", bucket);
            case IndexException.BucketAlreadyExists b -> new S3Exception(S3ErrorCode.BucketAlreadyExists).with("BucketName", bucket);
            case IndexException.BucketNotEmpty b -> new S3Exception(S3ErrorCode.BucketNotEmpty).with("BucketName", bucket);
            case IndexException.NoSuchUpload u -> new S3Exception(S3ErrorCode.NoSuchUpload).with("UploadId", u.getMessage());
            case IndexException.NoSuchKey k -> new S3Exception(S3ErrorCode.NoSuchKey).with("Key", key);
            case IndexException.NoSuchVersion v -> new S3Exception(S3ErrorCode.NoSuchVersion).with("Key", key)
                    .with("VersionId", v.versionId());
            case IndexException.ObjectLocked l -> new S3Exception(S3ErrorCode.AccessDenied, "Access Denied because object protected by object lock.");
            case IndexException.InvalidBucketState s -> new S3Exception(S3ErrorCode.InvalidBucketState, s.getMessage())
                    .with("BucketName", bucket);
            case IndexException.InvalidPart p -> new S3Exception(S3ErrorCode.InvalidPart, p.getMessage());
            case IndexException.EngineFailure f -> new IllegalStateException("index failure", f);
            // No answer in time (a replicated index without a majority): the change may or may not have
            // happened; the client retries, as S3's clients do on 503.
            case IndexException.OutcomeUnknown f -> new S3Exception(S3ErrorCode.ServiceUnavailable,
                    "The index did not answer in time; the request may or may not have taken effect. Try again.");
            default -> new IllegalStateException("unexpected index failure", e);
        };
    }
}
