package dev.kura.s3.auth;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.io.IOException;
import java.io.InputStream;

/**
 * A small read buffer over the raw body that can hand out both framing lines and data bytes.
 * Lines are bounded ({@link #MAX_LINE}) so a hostile body cannot make us buffer without end.
 */
final class LineInput {
    /** Longest framing line accepted; a chunk header with signature is ~90 bytes, a trailer ~100. */
    static final int MAX_LINE = 4096;
    /** How much trailing whitespace after the final chunk we tolerate (see {@link #expectEnd}). */
    private static final int MAX_TRAILING_WHITESPACE = 4096;

    private final InputStream raw;
    private final byte[] buf = new byte[8192];
    private int pos;
    private int limit;

    LineInput(InputStream raw) {
        this.raw = raw;
    }

    /** Reads up to {@code len} data bytes (at least one unless at end of stream); -1 at end. */
    int read(byte[] b, int off, int len) throws IOException {
        if (pos == limit) {
            if (len >= buf.length) {
                return raw.read(b, off, len);
            }
            if (!fill()) {
                return -1;
            }
        }
        int n = Math.min(len, limit - pos);
        System.arraycopy(buf, pos, b, off, n);
        pos += n;
        return n;
    }

    /**
     * Reads one line ending in LF (with or without CR), without its end and without trailing
     * spaces or tabs: SDKs differ in both. Returns null at end of stream only when
     * {@code endAllowed} and no byte of the line was read.
     *
     * @throws S3Exception IncompleteBody if the stream ends inside the line or the line is too long
     */
    String readLine(boolean endAllowed) throws IOException {
        StringBuilder line = new StringBuilder(96);
        while (true) {
            if (pos == limit && !fill()) {
                if (line.isEmpty() && endAllowed) {
                    return null;
                }
                throw incomplete("The request body ended in the middle of the aws-chunked framing.");
            }
            byte c = buf[pos++];
            if (c == '\n') {
                return stripEnd(line);
            }
            if (line.length() >= MAX_LINE) {
                throw incomplete("An aws-chunked framing line is longer than " + MAX_LINE + " bytes.");
            }
            line.append((char) (c & 0xff));
        }
    }

    /**
     * Checks that nothing but line ends or blanks follow the end of the aws-chunked body. AWS's own
     * STREAMING-UNSIGNED-PAYLOAD-TRAILER example ends "crc32:s3SFCQ==\n\r\n\r\n", one CRLF more
     * than the grammar asks for, so stray whitespace is tolerated; data is not.
     */
    void expectEnd() throws IOException {
        int seen = 0;
        while (pos < limit || fill()) {
            byte c = buf[pos++];
            if ((c != '\r' && c != '\n' && c != ' ' && c != '\t') || ++seen > MAX_TRAILING_WHITESPACE) {
                throw incomplete("Unexpected data after the end of the aws-chunked body.");
            }
        }
    }

    void close() throws IOException {
        raw.close();
    }

    private boolean fill() throws IOException {
        int n;
        do {
            n = raw.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    private static String stripEnd(StringBuilder line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == '\r' || line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
            end--;
        }
        return line.substring(0, end);
    }

    static S3Exception incomplete(String message) {
        return new S3Exception(S3ErrorCode.IncompleteBody, message);
    }
}
