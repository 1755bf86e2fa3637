package dev.kura.frontend.s3;

import dev.kura.frontend.http.Exchange;
import dev.kura.object.WriteAccess;
import dev.kura.s3.auth.AuthContext;
import dev.kura.s3.http.RequestHead;

/**
 * Decides whether the signer of a browser POST form (or an anonymous form) may PutObject
 * {@code bucket/key}, and with which owner and ACL the object is written. The POST handler verifies
 * the form's signature and policy itself and then asks this hook, exactly once, before any file
 * byte is read. {@link S3Handler} supplies it from the same authorizer every other request meets.
 */
@FunctionalInterface
public interface PostObjectAuthorizer {
    /**
     * @param fields the form's header-like fields ({@code acl} as {@code x-amz-acl}, grants, …)
     * @throws dev.kura.s3.S3Exception AccessDenied when not allowed
     */
    WriteAccess authorizePutObject(AuthContext who, String bucket, String key, RequestHead fields, Exchange ex);
}
