package dev.kura.s3.auth;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.common.Hex;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** The two primitives SigV4 is built from, plus a constant-time signature comparison. */
final class Crypto {
    /** Hex SHA-256 of the empty string; the "previous hash" line of every chunk string to sign. */
    static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private Crypto() {
    }

    static MessageDigest sha256() {
        return ChecksumAlgorithm.messageDigest("SHA-256");
    }

    static String sha256Hex(String s) {
        return Hex.encode(sha256().digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    static byte[] hmacSha256(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("JDK lacks HmacSHA256", e);
        }
    }

    /** HMAC-SHA1, for the SigV2 signature of a browser POST policy (base64 of the MAC). */
    static byte[] hmacSha1(byte[] key, String data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("JDK lacks HmacSHA1", e);
        }
    }

    /**
     * Compares a computed signature with the one the client sent without leaking, through timing,
     * how many leading characters matched (MessageDigest.isEqual is constant-time for equal lengths;
     * the length of a signature is public).
     */
    static boolean sameSignature(String expected, String provided) {
        if (provided == null) {
            return false;
        }
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                provided.getBytes(StandardCharsets.US_ASCII));
    }
}
