package dev.kura.object;

import java.security.MessageDigest;
import java.util.Base64;

/**
 * The server-side encryption a request asks for, parsed by the front end from its headers: none
 * (then the bucket's default applies to a write), SSE-S3 ({@code x-amz-server-side-encryption:
 * AES256}) or SSE-C (a customer key). SSE-KMS never gets this far: the front end refuses it.
 */
public sealed interface Sse {
    /** No encryption header: a write takes the bucket's default, a read needs no key. */
    Sse NONE = new None();
    /** SSE-S3: the node's master key wraps the data key. */
    Sse S3 = new S3();

    record None() implements Sse {
    }

    record S3() implements Sse {
    }

    /**
     * SSE-C: the customer's 256-bit key (already checked against its MD5 by the front end) and that
     * MD5 (base64), which responses echo. Never logged, never stored.
     */
    record Customer(byte[] key, String keyMd5) implements Sse {
        public Customer {
            if (key.length != 32) {
                throw new IllegalArgumentException("an SSE-C key is 256 bits");
            }
            key = key.clone();
        }

        /** The key from its base64 form, with its MD5 computed here (tests, tools). */
        public static Customer of(byte[] key) {
            try {
                return new Customer(key, Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(key)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public byte[] key() {
            return key.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Customer c && MessageDigest.isEqual(c.key, key);
        }

        @Override
        public int hashCode() {
            return keyMd5.hashCode();
        }

        @Override
        public String toString() {
            return "Sse.Customer[keyMd5=" + keyMd5 + "]";
        }
    }
}
