package dev.kura.index;

import java.time.Instant;
import java.util.Objects;

/**
 * One identity that may sign requests: a unique name, its current access key id, the secret key
 * sealed by the layer above (the index never sees it in plain), the canonical user id S3 shows as
 * owner and grantee (fixed for the user's life, kept across key rotations) and when it was created.
 */
public record UserRecord(String name, String accessKey, byte[] sealedSecret, String canonicalId, Instant createdAt) {
    public UserRecord {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(accessKey, "accessKey");
        Objects.requireNonNull(sealedSecret, "sealedSecret");
        Objects.requireNonNull(canonicalId, "canonicalId");
        Objects.requireNonNull(createdAt, "createdAt");
        sealedSecret = sealedSecret.clone();
    }

    @Override
    public byte[] sealedSecret() {
        return sealedSecret.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UserRecord u && name.equals(u.name) && accessKey.equals(u.accessKey)
                && java.util.Arrays.equals(sealedSecret, u.sealedSecret) && canonicalId.equals(u.canonicalId)
                && createdAt.equals(u.createdAt);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, accessKey, canonicalId);
    }

    @Override
    public String toString() {
        return "UserRecord[name=" + name + ", accessKey=" + accessKey + ", canonicalId=" + canonicalId + "]";
    }
}
