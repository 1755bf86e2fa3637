package dev.kura.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals each index command sent to the Raft group with an HMAC-SHA256 under a key derived from the
 * cluster secret: {@code mac (32 bytes) | command}. The state machine refuses a request whose seal does
 * not verify before it enters the log, and refuses to apply an entry whose seal does not verify — so a
 * process that reaches the Raft port without the secret cannot write to the index through it. (The Raft
 * protocol itself — AppendEntries, InstallSnapshot between members — is not authenticated this way: the
 * cluster port must be reachable by the members only; see ARCHITECTURE.md.)
 */
final class CommandSeal {
    static final int MAC_BYTES = 32;
    private final SecretKeySpec key;

    /** A seal keyed by {@code secret} (the cluster secret; at least 32 bytes). */
    CommandSeal(byte[] secret) {
        if (secret.length < 32) {
            throw new IllegalArgumentException("the cluster secret must be at least 32 bytes");
        }
        byte[] derived = mac(new SecretKeySpec(secret, "HmacSHA256"),
                "kura index commands v1".getBytes(StandardCharsets.US_ASCII), 0, -1);
        this.key = new SecretKeySpec(derived, "HmacSHA256");
    }

    byte[] seal(byte[] command) {
        byte[] out = new byte[MAC_BYTES + command.length];
        System.arraycopy(mac(key, command, 0, command.length), 0, out, 0, MAC_BYTES);
        System.arraycopy(command, 0, out, MAC_BYTES, command.length);
        return out;
    }

    /** The command inside {@code sealed}; {@link SecurityException} when the seal does not verify. */
    byte[] open(byte[] sealed) {
        if (sealed.length < MAC_BYTES) {
            throw new SecurityException("an index command without its seal");
        }
        byte[] expected = mac(key, sealed, MAC_BYTES, sealed.length - MAC_BYTES);
        if (!MessageDigest.isEqual(expected, Arrays.copyOf(sealed, MAC_BYTES))) { // constant time
            throw new SecurityException("an index command whose seal does not verify (not sent by a cluster member)");
        }
        return Arrays.copyOfRange(sealed, MAC_BYTES, sealed.length);
    }

    private static byte[] mac(SecretKeySpec key, byte[] data, int offset, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(data, offset, length < 0 ? data.length : length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
