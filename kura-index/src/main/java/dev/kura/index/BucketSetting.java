package dev.kura.index;

/**
 * A per-bucket configuration document kept in its own index row ({@code 's' | bucket id | code}),
 * opaque to the index: the layer above stores it in a normalized form (XML or JSON) and parses it.
 * Rows are written by {@link IndexCommand.PutBucketSetting} (or with the bucket by
 * {@link IndexCommand.CreateBucket}) and removed with the bucket. Codes are stable forever.
 */
public enum BucketSetting {
    /** The bucket's access control list (owner and grants). */
    ACL(1),
    /** The bucket policy (JSON). */
    POLICY(2),
    /** PublicAccessBlockConfiguration. */
    PUBLIC_ACCESS_BLOCK(3),
    /** OwnershipControls (the bucket's Object Ownership setting). */
    OWNERSHIP(4),
    /** CORSConfiguration. */
    CORS(5),
    /** ServerSideEncryptionConfiguration (default encryption). */
    ENCRYPTION(6);

    private final int code;

    BucketSetting(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    public static BucketSetting ofCode(int code) {
        for (BucketSetting s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown bucket setting code " + code);
    }
}
