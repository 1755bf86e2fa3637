package dev.kura.s3.auth;

import java.util.Objects;

/**
 * The outcome of authenticating a request head: who signed it and how its body must be decoded
 * and checked ({@link PayloadDecoder#wrap}).
 *
 * @param accessKeyId    the signer, or null for an anonymous request
 * @param payload        how the body is protected
 * @param declaredSha256 lower-case hex SHA-256 the body must have, for {@link PayloadMode#SIGNED}; else null
 * @param signing        the signing key and seed signature chunk signatures chain from; null if anonymous
 */
public record AuthContext(String accessKeyId, PayloadMode payload, String declaredSha256, SigningKey signing) {
    private static final AuthContext ANONYMOUS = new AuthContext(null, PayloadMode.UNSIGNED, null, null);

    public AuthContext {
        Objects.requireNonNull(payload, "payload");
        if (payload == PayloadMode.SIGNED && declaredSha256 == null) {
            throw new IllegalArgumentException("SIGNED payload needs the declared SHA-256");
        }
        if (payload.hasChunkSignatures() && signing == null) {
            throw new IllegalArgumentException(payload + " needs the signing key");
        }
    }

    /** A request that carried no authentication at all; the caller decides whether that is allowed. */
    public static AuthContext anonymous() {
        return ANONYMOUS;
    }

    public boolean isAnonymous() {
        return accessKeyId == null;
    }
}
