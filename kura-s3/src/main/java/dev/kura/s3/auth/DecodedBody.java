package dev.kura.s3.auth;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * A request body with its transfer framing removed and its integrity checked as it is read. A
 * failed check is thrown from {@code read} as an {@link dev.kura.s3.S3Exception}; {@code read}
 * returns -1 only once every check has passed, so a consumer that commits only after reaching
 * the end never commits unverified data.
 */
public abstract class DecodedBody extends InputStream {
    private final byte[] one = new byte[1];

    /** Trailing headers by lower-case name; complete only after read() returned -1. Empty for non-trailer modes. */
    public abstract Map<String, String> trailers();

    @Override
    public int read() throws IOException {
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }
}
