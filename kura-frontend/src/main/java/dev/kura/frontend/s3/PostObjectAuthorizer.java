package dev.kura.frontend.s3;

import dev.kura.s3.auth.AuthContext;

/**
 * Decides whether the signer of a browser POST form (or an anonymous form) may PutObject
 * {@code bucket/key}. The POST handler verifies the form's signature and policy itself and then
 * asks this hook, exactly once, before any file byte is read. {@link S3Handler} supplies it: this is
 * the seam the bucket ACL / policy authorizer plugs into.
 */
@FunctionalInterface
public interface PostObjectAuthorizer {
    /**
     * @throws dev.kura.s3.S3Exception AccessDenied when not allowed
     */
    void authorizePutObject(AuthContext who, String bucket, String key);
}
