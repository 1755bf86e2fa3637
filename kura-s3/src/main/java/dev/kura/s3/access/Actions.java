package dev.kura.s3.access;

import dev.kura.s3.access.Authorizer.Need;
import dev.kura.s3.op.S3Operation;

/** The IAM action and ACL need of each S3 operation, as the S3 documentation lists them. */
public final class Actions {
    private Actions() {
    }

    public record Action(String name, Need need) {
    }

    /** @param versioned the request names a version (versionId), which S3 authorizes as the *Version action */
    public static Action of(S3Operation op, boolean versioned) {
        return switch (op) {
            case S3Operation.ListBuckets o -> new Action("s3:ListAllMyBuckets", Need.AUTHENTICATED);
            case S3Operation.CreateBucket o -> new Action("s3:CreateBucket", Need.AUTHENTICATED);
            case S3Operation.HeadBucket o -> new Action("s3:ListBucket", Need.BUCKET_READ);
            case S3Operation.ListObjects o -> new Action("s3:ListBucket", Need.BUCKET_READ);
            case S3Operation.ListObjectsV2 o -> new Action("s3:ListBucket", Need.BUCKET_READ);
            case S3Operation.ListObjectVersions o -> new Action("s3:ListBucketVersions", Need.BUCKET_READ);
            case S3Operation.ListMultipartUploads o -> new Action("s3:ListBucketMultipartUploads", Need.BUCKET_READ);
            case S3Operation.ListParts o -> new Action("s3:ListMultipartUploadParts", Need.BUCKET_READ);
            case S3Operation.DeleteBucket o -> new Action("s3:DeleteBucket", Need.BUCKET_OWNER);
            case S3Operation.GetBucketLocation o -> new Action("s3:GetBucketLocation", Need.BUCKET_OWNER);
            case S3Operation.GetObject o -> new Action(versioned ? "s3:GetObjectVersion" : "s3:GetObject", Need.OBJECT_READ);
            case S3Operation.HeadObject o -> new Action(versioned ? "s3:GetObjectVersion" : "s3:GetObject", Need.OBJECT_READ);
            case S3Operation.GetObjectAttributes o -> new Action(versioned ? "s3:GetObjectVersionAttributes"
                    : "s3:GetObjectAttributes", Need.OBJECT_READ);
            case S3Operation.PutObject o -> new Action("s3:PutObject", Need.BUCKET_WRITE);
            case S3Operation.CopyObject o -> new Action("s3:PutObject", Need.BUCKET_WRITE);
            case S3Operation.CreateMultipartUpload o -> new Action("s3:PutObject", Need.BUCKET_WRITE);
            case S3Operation.UploadPart o -> new Action("s3:PutObject", Need.BUCKET_WRITE);
            case S3Operation.UploadPartCopy o -> new Action("s3:PutObject", Need.BUCKET_WRITE);
            case S3Operation.CompleteMultipartUpload o -> new Action("s3:PutObject", Need.BUCKET_WRITE);
            case S3Operation.AbortMultipartUpload o -> new Action("s3:AbortMultipartUpload", Need.BUCKET_WRITE);
            case S3Operation.DeleteObject o -> new Action(versioned ? "s3:DeleteObjectVersion" : "s3:DeleteObject",
                    Need.BUCKET_WRITE);
            case S3Operation.DeleteObjects o -> new Action("s3:DeleteObject", Need.PER_KEY);
            case S3Operation.GetAcl o -> o.key() == null ? new Action("s3:GetBucketAcl", Need.BUCKET_READ_ACP)
                    : new Action(versioned ? "s3:GetObjectVersionAcl" : "s3:GetObjectAcl", Need.OBJECT_READ_ACP);
            case S3Operation.PutAcl o -> o.key() == null ? new Action("s3:PutBucketAcl", Need.BUCKET_WRITE_ACP)
                    : new Action(versioned ? "s3:PutObjectVersionAcl" : "s3:PutObjectAcl", Need.OBJECT_WRITE_ACP);
            case S3Operation.GetObjectTagging o -> new Action(versioned ? "s3:GetObjectVersionTagging" : "s3:GetObjectTagging",
                    Need.OBJECT_OWNER);
            case S3Operation.PutObjectTagging o -> new Action(versioned ? "s3:PutObjectVersionTagging" : "s3:PutObjectTagging",
                    Need.OBJECT_OWNER);
            case S3Operation.DeleteObjectTagging o -> new Action(versioned ? "s3:DeleteObjectVersionTagging"
                    : "s3:DeleteObjectTagging", Need.OBJECT_OWNER);
            case S3Operation.GetObjectRetention o -> new Action("s3:GetObjectRetention", Need.OBJECT_OWNER);
            case S3Operation.PutObjectRetention o -> new Action("s3:PutObjectRetention", Need.OBJECT_OWNER);
            case S3Operation.GetObjectLegalHold o -> new Action("s3:GetObjectLegalHold", Need.OBJECT_OWNER);
            case S3Operation.PutObjectLegalHold o -> new Action("s3:PutObjectLegalHold", Need.OBJECT_OWNER);
            case S3Operation.GetBucketTagging o -> new Action("s3:GetBucketTagging", Need.BUCKET_OWNER);
            case S3Operation.PutBucketTagging o -> new Action("s3:PutBucketTagging", Need.BUCKET_OWNER);
            case S3Operation.DeleteBucketTagging o -> new Action("s3:PutBucketTagging", Need.BUCKET_OWNER);
            case S3Operation.GetBucketVersioning o -> new Action("s3:GetBucketVersioning", Need.BUCKET_OWNER);
            case S3Operation.PutBucketVersioning o -> new Action("s3:PutBucketVersioning", Need.BUCKET_OWNER);
            case S3Operation.GetObjectLockConfiguration o -> new Action("s3:GetBucketObjectLockConfiguration", Need.BUCKET_OWNER);
            case S3Operation.PutObjectLockConfiguration o -> new Action("s3:PutBucketObjectLockConfiguration", Need.BUCKET_OWNER);
            case S3Operation.GetBucketLifecycleConfiguration o -> new Action("s3:GetLifecycleConfiguration", Need.BUCKET_OWNER);
            case S3Operation.PutBucketLifecycleConfiguration o -> new Action("s3:PutLifecycleConfiguration", Need.BUCKET_OWNER);
            case S3Operation.DeleteBucketLifecycle o -> new Action("s3:PutLifecycleConfiguration", Need.BUCKET_OWNER);
            case S3Operation.GetBucketEncryption o -> new Action("s3:GetEncryptionConfiguration", Need.BUCKET_OWNER);
            case S3Operation.PutBucketEncryption o -> new Action("s3:PutEncryptionConfiguration", Need.BUCKET_OWNER);
            case S3Operation.DeleteBucketEncryption o -> new Action("s3:PutEncryptionConfiguration", Need.BUCKET_OWNER);
            case S3Operation.GetBucketCors o -> new Action("s3:GetBucketCORS", Need.BUCKET_OWNER);
            case S3Operation.PutBucketCors o -> new Action("s3:PutBucketCORS", Need.BUCKET_OWNER);
            case S3Operation.DeleteBucketCors o -> new Action("s3:PutBucketCORS", Need.BUCKET_OWNER);
            // decided by PostObjectApi once the form's signature is known (AccessControl.authorizePostObject)
            case S3Operation.PostObject o -> new Action("s3:PutObject", Need.BUCKET_WRITE);
            case S3Operation.AccessSetting o -> new Action(o.action(), Need.BUCKET_OWNER);
            case S3Operation.UnconfiguredBucketSetting o -> new Action("s3:" + o.operation(), Need.BUCKET_OWNER);
            case S3Operation.Unsupported o -> new Action("s3:" + o.operation(), o.key() == null ? Need.BUCKET_OWNER
                    : Need.OBJECT_OWNER);
        };
    }
}
