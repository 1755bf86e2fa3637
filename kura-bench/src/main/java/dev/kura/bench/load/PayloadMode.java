package dev.kura.bench.load;

/**
 * How request bodies are signed (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html).
 */
public enum PayloadMode {
    /** {@code x-amz-content-sha256: UNSIGNED-PAYLOAD}: the header is signed, the body is not hashed by the client. */
    UNSIGNED,
    /** The body's SHA-256 is signed; the server must hash every byte to verify it. */
    SIGNED,
    /** {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD}: an {@code aws-chunked} body with a signature per chunk. */
    STREAMING;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
