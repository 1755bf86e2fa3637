package dev.kura.s3.op;

/**
 * One S3 request, parsed once into a typed operation named exactly as AWS names it. The front end
 * dispatches with an exhaustive {@code switch} (no default), so a new operation does not compile
 * until it is handled.
 */
public sealed interface S3Operation {

    /** The AWS operation name (used for metrics and logs). */
    default String name() {
        return getClass().getSimpleName();
    }

    /** The bucket addressed, or null for service-level operations. */
    String bucket();

    /** The key addressed, or null for bucket-level operations. */
    default String key() {
        return null;
    }

    record ListBuckets() implements S3Operation {
        @Override
        public String bucket() {
            return null;
        }
    }

    record CreateBucket(String bucket) implements S3Operation {
    }

    record HeadBucket(String bucket) implements S3Operation {
    }

    record DeleteBucket(String bucket) implements S3Operation {
    }

    record GetBucketLocation(String bucket) implements S3Operation {
    }

    /** ListObjects (V1): {@code marker} is exclusive. */
    record ListObjects(String bucket, String prefix, String delimiter, int maxKeys, String marker,
                       boolean urlEncoding) implements S3Operation {
    }

    record ListObjectsV2(String bucket, String prefix, String delimiter, int maxKeys, String startAfter,
                         String continuationToken, boolean urlEncoding, boolean fetchOwner) implements S3Operation {
    }

    record PutObject(String bucket, String key) implements S3Operation {
    }

    record GetObject(String bucket, String key) implements S3Operation {
    }

    record HeadObject(String bucket, String key) implements S3Operation {
    }

    record DeleteObject(String bucket, String key) implements S3Operation {
    }

    record DeleteObjects(String bucket) implements S3Operation {
    }

    record CopyObject(String bucket, String key) implements S3Operation {
    }

    record CreateMultipartUpload(String bucket, String key) implements S3Operation {
    }

    record UploadPart(String bucket, String key, String uploadId, int partNumber) implements S3Operation {
    }

    record UploadPartCopy(String bucket, String key, String uploadId, int partNumber) implements S3Operation {
    }

    record CompleteMultipartUpload(String bucket, String key, String uploadId) implements S3Operation {
    }

    record AbortMultipartUpload(String bucket, String key, String uploadId) implements S3Operation {
    }

    record ListParts(String bucket, String key, String uploadId) implements S3Operation {
    }

    record ListMultipartUploads(String bucket) implements S3Operation {
    }

    record ListObjectVersions(String bucket) implements S3Operation {
    }

    record GetObjectTagging(String bucket, String key) implements S3Operation {
    }

    record PutObjectTagging(String bucket, String key) implements S3Operation {
    }

    record DeleteObjectTagging(String bucket, String key) implements S3Operation {
    }

    record GetBucketTagging(String bucket) implements S3Operation {
    }

    record PutBucketTagging(String bucket) implements S3Operation {
    }

    record DeleteBucketTagging(String bucket) implements S3Operation {
    }

    record GetObjectAttributes(String bucket, String key) implements S3Operation {
    }

    /** GetBucketAcl / GetObjectAcl (key null for the bucket). */
    record GetAcl(String bucket, String key) implements S3Operation {
        @Override
        public String name() {
            return key == null ? "GetBucketAcl" : "GetObjectAcl";
        }
    }

    /** PutBucketAcl / PutObjectAcl: only the owner-full-control ACL is accepted (ACLs are disabled). */
    record PutAcl(String bucket, String key) implements S3Operation {
        @Override
        public String name() {
            return key == null ? "PutBucketAcl" : "PutObjectAcl";
        }
    }

    record GetBucketVersioning(String bucket) implements S3Operation {
    }

    record PutBucketVersioning(String bucket) implements S3Operation {
    }

    record GetBucketCors(String bucket) implements S3Operation {
    }

    record PutBucketCors(String bucket) implements S3Operation {
    }

    record DeleteBucketCors(String bucket) implements S3Operation {
    }

    /**
     * PostObject: a browser form upload ({@code POST /bucket}, multipart/form-data), authenticated
     * by the signed policy in the form rather than by the request head.
     */
    record PostObject(String bucket) implements S3Operation {
    }

    record GetObjectLockConfiguration(String bucket) implements S3Operation {
    }

    record GetBucketLifecycleConfiguration(String bucket) implements S3Operation {
    }

    record PutBucketLifecycleConfiguration(String bucket) implements S3Operation {
    }

    record DeleteBucketLifecycle(String bucket) implements S3Operation {
    }

    record PutObjectLockConfiguration(String bucket) implements S3Operation {
    }

    record GetBucketEncryption(String bucket) implements S3Operation {
    }

    record PutBucketEncryption(String bucket) implements S3Operation {
    }

    record DeleteBucketEncryption(String bucket) implements S3Operation {
    }

    record GetObjectRetention(String bucket, String key) implements S3Operation {
    }

    record PutObjectRetention(String bucket, String key) implements S3Operation {
    }

    record GetObjectLegalHold(String bucket, String key) implements S3Operation {
    }

    record PutObjectLegalHold(String bucket, String key) implements S3Operation {
    }

    /**
     * A bucket access setting: Get/Put/DeleteBucketPolicy, GetBucketPolicyStatus,
     * Get/Put/DeletePublicAccessBlock, Get/Put/DeleteBucketOwnershipControls.
     */
    record AccessSetting(String operation, String bucket) implements S3Operation {
        @Override
        public String name() {
            return operation;
        }

        /** The IAM action S3 authorizes it as (a Delete is authorized as the Put). */
        public String action() {
            return switch (operation) {
                case "GetPublicAccessBlock" -> "s3:GetBucketPublicAccessBlock";
                case "PutPublicAccessBlock", "DeletePublicAccessBlock" -> "s3:PutBucketPublicAccessBlock";
                case "DeleteBucketOwnershipControls" -> "s3:PutBucketOwnershipControls";
                default -> "s3:" + operation;
            };
        }
    }

    /**
     * A bucket setting Kura does not support configuring, read or deleted: S3's answer for "nothing
     * configured" (an empty document, a 404 with the setting's own error code, or 204 for a delete).
     */
    record UnconfiguredBucketSetting(String operation, String bucket) implements S3Operation {
        @Override
        public String name() {
            return operation;
        }
    }

    /** A real S3 operation (or sub-resource) Kura does not implement: answered 501 NotImplemented. */
    record Unsupported(String operation, String bucket, String key) implements S3Operation {
        @Override
        public String name() {
            return operation;
        }
    }
}
