package dev.kura.s3.auth;

import dev.kura.common.Hex;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Map;

/**
 * A body whose SHA-256 was declared in x-amz-content-sha256 (and signed): bytes pass through while
 * being hashed, and end of stream is reported only if the hash matches. On a mismatch S3 answers
 * XAmzContentSHA256Mismatch with both hashes.
 */
final class Sha256Body extends DecodedBody {
    private final InputStream raw;
    private final String declared;
    private final MessageDigest digest = Crypto.sha256();
    private boolean verified;
    private S3Exception failure;

    Sha256Body(InputStream raw, String declaredSha256) {
        this.raw = raw;
        this.declared = declaredSha256;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (failure != null) {
            throw failure;
        }
        if (verified) {
            return -1;
        }
        int n = raw.read(b, off, len);
        if (n > 0) {
            digest.update(b, off, n);
        } else if (n < 0) {
            String actual = Hex.encode(digest.digest());
            if (!actual.equals(declared)) {
                failure = new S3Exception(S3ErrorCode.XAmzContentSHA256Mismatch)
                        .with("ClientComputedContentSHA256", declared)
                        .with("S3ComputedContentSHA256", actual);
                throw failure;
            }
            verified = true;
        }
        return n;
    }

    @Override
    public int available() throws IOException {
        return verified ? 0 : raw.available();
    }

    @Override
    public void close() throws IOException {
        raw.close();
    }

    @Override
    public Map<String, String> trailers() {
        return Map.of();
    }
}
