package dev.kura.object;

import dev.kura.common.crypto.KeyWrapper;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/** A one-key AES-GCM {@link KeyWrapper} for tests (the server's is {@code MasterKey}). */
final class TestKeyWrapper implements KeyWrapper {
    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    private TestKeyWrapper(byte[] raw) {
        this.key = new SecretKeySpec(raw, "AES");
    }

    static TestKeyWrapper random() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return new TestKeyWrapper(k);
    }

    @Override
    public byte[] wrap(byte[] plain, byte[] aad) {
        byte[] nonce = new byte[12];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            c.updateAAD(aad);
            return ByteBuffer.allocate(12 + plain.length + 16).put(nonce).put(c.doFinal(plain)).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public byte[] unwrap(byte[] wrapped, byte[] aad) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, wrapped, 0, 12));
            c.updateAAD(aad);
            return c.doFinal(wrapped, 12, wrapped.length - 12);
        } catch (GeneralSecurityException e) {
            throw new WrongKeyException("does not open");
        }
    }
}
