package dev.kura.s3.auth;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns the raw request body into the object bytes according to how the request was
 * authenticated ({@link AuthContext#payload()}):
 * <ul>
 *   <li>UNSIGNED: passthrough;</li>
 *   <li>SIGNED: passthrough that checks the declared SHA-256 at end of body
 *       ({@code XAmzContentSHA256Mismatch});</li>
 *   <li>STREAMING_*: aws-chunked decoding with chunk and trailer signature checks, see
 *       {@link ChunkedBody}.</li>
 * </ul>
 * Memory stays bounded whatever the body size: nothing is buffered beyond a small read buffer.
 *
 * <p>{@code raw} must be exactly the request body (it must end where the body ends): the
 * aws-chunked decoder reads to its end to make sure nothing follows the final chunk.
 * {@code read} throws {@link dev.kura.s3.S3Exception} on any failed check; callers must not
 * commit anything before {@code read} has returned -1.
 */
public final class PayloadDecoder {
    private PayloadDecoder() {
    }

    public static DecodedBody wrap(InputStream raw, AuthContext auth, RequestHead head) {
        return switch (auth.payload()) {
            case UNSIGNED -> new Passthrough(raw);
            case SIGNED -> new Sha256Body(raw, auth.declaredSha256());
            case STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER ->
                    new ChunkedBody(raw, auth.payload(), auth.signing(), decodedLength(head), declaredTrailers(head));
        };
    }

    /**
     * x-amz-decoded-content-length, or -1 when absent. AWS says it is required for aws-chunked
     * uploads ("Transferring Payload in Multiple Chunks"); S3-COMPAT: Kura only checks it when given.
     */
    private static long decodedLength(RequestHead head) {
        String v = head.header("x-amz-decoded-content-length");
        if (v == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(v.strip());
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new S3Exception(S3ErrorCode.InvalidArgument, "x-amz-decoded-content-length must be a non-negative integer")
                .with("ArgumentName", "x-amz-decoded-content-length").with("ArgumentValue", v);
    }

    /** The trailer names announced in x-amz-trailer, or null when the header is absent. */
    private static Set<String> declaredTrailers(RequestHead head) {
        if (head.headers("x-amz-trailer").isEmpty()) {
            return null;
        }
        Set<String> names = new LinkedHashSet<>();
        for (String v : head.headers("x-amz-trailer")) {
            for (String name : v.split(",")) {
                if (!name.isBlank()) {
                    names.add(name.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        return names;
    }

    private static final class Passthrough extends DecodedBody {
        private final InputStream raw;

        Passthrough(InputStream raw) {
            this.raw = raw;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return raw.read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return raw.available();
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
}
