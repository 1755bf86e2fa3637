package dev.kura.common;

import java.security.MessageDigest;

/** A running digest over a byte stream; {@link #finish()} returns the raw digest bytes. */
public interface Digest {
    void update(byte[] b, int off, int len);

    byte[] finish();

    static Digest of(MessageDigest md) {
        return new Digest() {
            @Override
            public void update(byte[] b, int off, int len) {
                md.update(b, off, len);
            }

            @Override
            public byte[] finish() {
                return md.digest();
            }
        };
    }

    static Digest md5() {
        return of(ChecksumAlgorithm.messageDigest("MD5"));
    }
}
