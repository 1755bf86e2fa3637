package dev.kura.s3.post;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A streaming reader of a {@code multipart/form-data} body (RFC 7578) as S3's browser upload
 * sends it: the fields before the {@code file} field are read into memory (bounded, as S3 bounds
 * them), the file is handed out as a stream that ends at its closing delimiter, and fields after it
 * are ignored, as S3 ignores them. Nothing but one buffer and the small fields is ever held.
 */
public final class MultipartForm {
    /** The fields before the file, names and values together (S3 allows about 20 KB; a policy fits). */
    public static final int MAX_FIELD_BYTES = 64 * 1024;
    private static final int MAX_FIELDS = 1000;
    private static final int MAX_LINE = 8 * 1024;
    private static final int BUFFER = 64 * 1024;

    private final InputStream in;
    private final byte[] delimiter;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private int lim;
    private boolean eof;
    private boolean done;
    /** Where the last search found the delimiter (-1: not in the buffer), valid while {@code searched}. */
    private int found;
    private boolean searched;

    /** The fields before the file, by lower-case name (UTF-8 text), and the file part's own headers. */
    public record Fields(Map<String, String> values, String filename, String fileContentType) {
    }

    private MultipartForm(InputStream in, String boundary) {
        this.in = in;
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        // The first delimiter has no CRLF before it: pretend there was one.
        buf[0] = '\r';
        buf[1] = '\n';
        lim = 2;
    }

    /** The form's boundary from its Content-Type, or null when it is not multipart/form-data. */
    public static String boundary(String contentType) {
        if (contentType == null) {
            return null;
        }
        String[] parts = contentType.split(";");
        if (!parts[0].trim().equalsIgnoreCase("multipart/form-data")) {
            return null;
        }
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].trim();
            if (p.regionMatches(true, 0, "boundary=", 0, 9)) {
                String b = p.substring(9).trim();
                if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
                    b = b.substring(1, b.length() - 1);
                }
                return b.isEmpty() || b.length() > 70 ? null : b;
            }
        }
        return null;
    }

    public static MultipartForm open(InputStream body, String boundary) {
        return new MultipartForm(body, boundary);
    }

    /**
     * Reads the fields up to the file part and its headers; {@link #file()} then streams the file.
     *
     * @throws S3Exception MalformedPOSTRequest, MaxPostPreDataLengthExceededError, or
     *                     IncorrectNumberOfFilesInPostRequest when there is no file field
     */
    public Fields readFields() throws IOException {
        skipContent(); // the preamble, up to the first delimiter
        Map<String, String> values = new LinkedHashMap<>();
        int size = 0;
        while (nextPart()) {
            String disposition = null;
            String contentType = null;
            for (String line = line(); !line.isEmpty(); line = line()) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    throw malformed();
                }
                String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).trim();
                if (name.equals("content-disposition")) {
                    disposition = value;
                } else if (name.equals("content-type")) {
                    contentType = value;
                }
            }
            String field = parameter(disposition, "name");
            if (field == null) {
                throw malformed();
            }
            String lower = field.toLowerCase(Locale.ROOT);
            if (lower.equals("file")) {
                String filename = parameter(disposition, "filename");
                return new Fields(values, filename == null ? "" : filename, contentType);
            }
            byte[] value = readValue(MAX_FIELD_BYTES - size);
            size += field.length() + value.length;
            if (values.size() >= MAX_FIELDS) {
                throw new S3Exception(S3ErrorCode.MaxPostPreDataLengthExceededError);
            }
            values.putIfAbsent(lower, new String(value, StandardCharsets.UTF_8));
        }
        throw new S3Exception(S3ErrorCode.IncorrectNumberOfFilesInPostRequest);
    }

    /** The file's bytes, ending at its closing delimiter; call after {@link #readFields}. */
    public InputStream file() {
        return new InputStream() {
            private boolean ended;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (ended) {
                    return -1;
                }
                int n = content(b, off, len);
                if (n < 0) {
                    ended = true;
                }
                return n;
            }
        };
    }

    /** Reads and drops whatever follows the file (later fields, the closing delimiter), up to {@code max} bytes. */
    public boolean drain(long max) throws IOException {
        long seen = lim - pos;
        pos = lim;
        byte[] scratch = new byte[8192];
        while (!eof) {
            int n = in.read(scratch);
            if (n < 0) {
                eof = true;
            } else if ((seen += n) > max) {
                return false;
            }
        }
        return true;
    }

    /**
     * Copies part content up to the next delimiter; -1 once the delimiter is reached (it is then
     * consumed). Only bytes that cannot be the start of a delimiter are handed out.
     */
    private int content(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            // One search per buffer fill, not per read: small reads must not rescan the buffer.
            if (!searched || (found >= 0 && found < pos)) {
                found = indexOf(delimiter, pos, lim);
                searched = true;
            }
            if (found == pos) {
                pos += delimiter.length;
                searched = false;
                return -1;
            }
            int safe = found >= 0 ? found : Math.max(pos, lim - delimiter.length + 1);
            if (safe > pos) {
                int n = Math.min(len, safe - pos);
                System.arraycopy(buf, pos, b, off, n);
                pos += n;
                return n;
            }
            if (!fill()) {
                throw malformed(); // the body ended inside a part
            }
        }
    }

    private void skipContent() throws IOException {
        byte[] scratch = new byte[8192];
        while (content(scratch, 0, scratch.length) >= 0) {
            // drop
        }
    }

    private byte[] readValue(int room) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        for (int n = content(chunk, 0, chunk.length); n >= 0; n = content(chunk, 0, chunk.length)) {
            out.write(chunk, 0, n);
            if (out.size() > room) {
                throw new S3Exception(S3ErrorCode.MaxPostPreDataLengthExceededError);
            }
        }
        return out.toByteArray();
    }

    /** After a delimiter: "--" ends the form, else the rest of the line is dropped and a part follows. */
    private boolean nextPart() throws IOException {
        if (done) {
            return false;
        }
        while (lim - pos < 2) {
            if (!fill()) {
                throw malformed();
            }
        }
        if (buf[pos] == '-' && buf[pos + 1] == '-') {
            done = true;
            return false;
        }
        line(); // transport padding and the CRLF after the boundary
        return true;
    }

    /** One header line without its CRLF (bare LF tolerated), as ISO-8859-1 text. */
    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos == lim && !fill()) {
                throw malformed();
            }
            byte c = buf[pos++];
            if (c == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            if (sb.length() >= MAX_LINE) {
                throw malformed();
            }
            sb.append((char) (c & 0xff));
        }
    }

    /** Reads more into the buffer (compacting it first); false at the end of the body. */
    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        searched = false;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, lim - pos);
            lim -= pos;
            pos = 0;
        }
        if (lim == buf.length) {
            throw new IllegalStateException("buffer full"); // cannot happen: a delimiter is far shorter
        }
        int n = in.read(buf, lim, buf.length - lim);
        if (n < 0) {
            eof = true;
            return false;
        }
        lim += n;
        return true;
    }

    private int indexOf(byte[] pattern, int from, int to) {
        outer:
        for (int i = from; i <= to - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (buf[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** A parameter of a Content-Disposition value ({@code name="key"}), unquoted; null if absent. */
    static String parameter(String disposition, String name) {
        if (disposition == null) {
            return null;
        }
        int i = 0;
        String lower = disposition.toLowerCase(Locale.ROOT);
        while ((i = lower.indexOf(name + "=", i)) >= 0) {
            boolean start = i == 0 || lower.charAt(i - 1) == ';' || lower.charAt(i - 1) == ' ';
            int v = i + name.length() + 1;
            if (start) {
                if (v < disposition.length() && disposition.charAt(v) == '"') {
                    StringBuilder sb = new StringBuilder();
                    for (int k = v + 1; k < disposition.length(); k++) {
                        char c = disposition.charAt(k);
                        if (c == '\\' && k + 1 < disposition.length()) {
                            sb.append(disposition.charAt(++k));
                        } else if (c == '"') {
                            return utf8(sb.toString());
                        } else {
                            sb.append(c);
                        }
                    }
                    return null;
                }
                int end = disposition.indexOf(';', v);
                return utf8((end < 0 ? disposition.substring(v) : disposition.substring(v, end)).trim());
            }
            i = v;
        }
        return null;
    }

    /** Header text is one char per byte; browsers send names as UTF-8. */
    private static String utf8(String wire) {
        return new String(wire.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }

    private static S3Exception malformed() {
        return new S3Exception(S3ErrorCode.MalformedPOSTRequest);
    }
}
