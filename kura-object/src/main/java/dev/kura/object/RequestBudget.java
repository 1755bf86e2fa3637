package dev.kura.object;

import dev.kura.s3.op.S3Operation;

/**
 * The request-rate seam the front end asks right after authorization, before a body byte is
 * invited: may this request proceed, or must the client slow down? A refusal is an
 * {@link dev.kura.s3.S3Exception} with {@link dev.kura.s3.S3ErrorCode#SlowDown} (S3's 503 with
 * Retry-After). Keeps throttling out of the handlers: they never see a refused request.
 */
public interface RequestBudget {
    /** Admits everything (no budgets configured). */
    RequestBudget UNLIMITED = (op, method) -> {
    };

    /**
     * Charges one request to the budget of the partition it addresses, or refuses it.
     *
     * @param method the HTTP method (GET and HEAD read, everything else writes)
     * @throws dev.kura.s3.S3Exception SlowDown when the partition's budget is spent
     */
    void admit(S3Operation op, String method);

    /** Reads or writes: each partition has one budget of each. */
    enum Kind { READ, WRITE }

    /**
     * What a request costs: one read or write of the partition holding {@code key} of {@code bucket};
     * S3-COMPAT: a listing is charged to the one partition holding its start, DeleteObjects and POST
     * forms (keys in the body, read only after admission) to the bucket's first partition, and budgets
     * are kept per node.
     * null when it is not charged to a partition (service and bucket configuration calls, which S3
     * limits separately; CreateBucket, whose bucket has no partitions yet).
     */
    record Charge(String bucket, String key, Kind kind) {
        public static Charge of(S3Operation op, String method) {
            if (op.bucket() == null) {
                return null;
            }
            Kind kind = method.equalsIgnoreCase("GET") || method.equalsIgnoreCase("HEAD") ? Kind.READ : Kind.WRITE;
            String key = switch (op) {
                // A listing reads from its prefix (or its marker, when that is further on).
                case S3Operation.ListObjects l -> later(l.prefix(), l.marker());
                case S3Operation.ListObjectsV2 l -> later(l.prefix(), l.startAfter());
                case S3Operation.ListObjectVersions l -> "";
                case S3Operation.ListMultipartUploads l -> "";
                // Writes whose keys are in the body: charged to the bucket's first partition.
                case S3Operation.DeleteObjects d -> "";
                case S3Operation.PostObject p -> "";
                default -> op.key();
            };
            return key == null ? null : new Charge(op.bucket(), key, kind);
        }

        private static String later(String prefix, String marker) {
            String p = prefix == null ? "" : prefix;
            return marker != null && PartitionPolicy.KEY_ORDER.compare(marker, p) > 0 ? marker : p;
        }
    }
}
