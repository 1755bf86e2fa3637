package dev.kura.s3.auth;

/**
 * How the request body is protected, as declared by {@code x-amz-content-sha256}; see
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html.
 */
public enum PayloadMode {
    /** {@code UNSIGNED-PAYLOAD}, an anonymous request, or a presigned URL without a signed hash. */
    UNSIGNED,
    /** A hex SHA-256 of the whole body was declared (and signed): checked at end of body. */
    SIGNED,
    /** {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD}: aws-chunked body, every chunk signed. */
    STREAMING_SIGNED,
    /** {@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER}: signed chunks plus signed trailing headers. */
    STREAMING_SIGNED_TRAILER,
    /** {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}: aws-chunked body without signatures, with trailing headers. */
    STREAMING_UNSIGNED_TRAILER;

    /** The literal {@code x-amz-content-sha256} values, in the order S3 lists them in its error message. */
    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    static final String STREAMING_UNSIGNED_PAYLOAD_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
    static final String STREAMING_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
    static final String STREAMING_PAYLOAD_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";

    /** True for the aws-chunked modes. */
    public boolean isStreaming() {
        return this == STREAMING_SIGNED || this == STREAMING_SIGNED_TRAILER || this == STREAMING_UNSIGNED_TRAILER;
    }

    /** True when chunk signatures must be verified. */
    public boolean hasChunkSignatures() {
        return this == STREAMING_SIGNED || this == STREAMING_SIGNED_TRAILER;
    }

    /** True when the body ends with trailing headers. */
    public boolean hasTrailers() {
        return this == STREAMING_SIGNED_TRAILER || this == STREAMING_UNSIGNED_TRAILER;
    }
}
