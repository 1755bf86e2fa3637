package dev.kura.common.crypto;

/**
 * Seals small secrets (data keys, stored credentials) under a key the caller never sees. The
 * wrapped bytes are self-describing (format and the id of the key that sealed them), so a holder of
 * several keys — after a rotation — still opens what older keys sealed.
 *
 * <p>{@code aad} is authenticated but not stored: {@link #unwrap} must be given the same bytes, which
 * binds the secret to its context (an object's data id, a user's name…) so a wrapped value copied
 * elsewhere does not open.
 */
public interface KeyWrapper {
    byte[] wrap(byte[] plain, byte[] aad);

    /** @throws WrongKeyException when the bytes were not sealed by a known key, or were altered, or the aad differs */
    byte[] unwrap(byte[] wrapped, byte[] aad);

    /** What {@link #unwrap} throws: the bytes do not open with the keys at hand. Carries no secret. */
    final class WrongKeyException extends RuntimeException {
        public WrongKeyException(String message) {
            super(message);
        }
    }
}
