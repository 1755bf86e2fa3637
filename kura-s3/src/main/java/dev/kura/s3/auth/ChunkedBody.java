package dev.kura.s3.auth;

import dev.kura.common.Hex;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decodes an aws-chunked body, per "Transferring Payload in Multiple Chunks (Chunked Upload)"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html) and "Signature
 * calculations for trailing headers" (sigv4-streaming-trailers.html):
 *
 * <pre>
 * chunk   = hex-size [";chunk-signature=" sig] CRLF data CRLF      (signed modes carry the signature)
 * final   = "0" [";chunk-signature=" sig] CRLF
 * trailer = *(name ":" value CRLF) ["x-amz-trailer-signature:" sig CRLF] CRLF
 * </pre>
 *
 * Chunk n is signed over "AWS4-HMAC-SHA256-PAYLOAD\n" date \n scope \n signature(n-1) \n
 * sha256("") \n sha256(data n), starting from the seed (request) signature; the trailer over
 * "AWS4-HMAC-SHA256-TRAILER\n" date \n scope \n signature(final chunk) \n sha256(canonical trailers).
 *
 * <p><b>Streaming, not buffering.</b> A chunk's signature can only be checked once all its bytes
 * have been seen. Rather than hold a chunk (up to {@link #MAX_CHUNK_SIZE}) in memory, data bytes are
 * handed to the reader as they arrive and the signature is checked as soon as the chunk's last byte
 * is read, before that read returns, so the tail of a forged chunk is never released and the next
 * chunk never starts. Earlier bytes of a forged chunk may have been read by then: this is safe
 * because the object service commits only after this stream has reached end of stream (-1), which
 * happens only after every chunk, the trailers and the decoded length have been verified.
 * Memory is one 8 KiB read buffer whatever the body size.
 */
final class ChunkedBody extends DecodedBody {
    /** S3-COMPAT: S3 publishes no upper bound; SDKs send 64-128 KiB chunks. MinIO uses the same cap. */
    static final long MAX_CHUNK_SIZE = 16L << 20;
    /** "Chunk size must be at least 8 KB ... except the last chunk" (sigv4-streaming.html). */
    static final long MIN_CHUNK_SIZE = 8192;

    private final LineInput in;
    private final PayloadMode mode;
    private final SigningKey key;
    private final long declaredLength;
    private final Set<String> declaredTrailers;
    private final MessageDigest chunkDigest = Crypto.sha256();

    private String previousSignature;
    private String chunkSignature;
    private boolean inChunk;
    private long remaining;
    private long previousChunkSize = -1;
    private int chunkNumber;
    private long decoded;
    private boolean finished;
    private S3Exception failure;
    private Map<String, String> trailers = Map.of();

    /**
     * @param declaredLength   x-amz-decoded-content-length, or -1 when absent
     * @param declaredTrailers x-amz-trailer names, or null when absent
     */
    ChunkedBody(InputStream raw, PayloadMode mode, SigningKey key, long declaredLength, Set<String> declaredTrailers) {
        if (!mode.isStreaming()) {
            throw new IllegalArgumentException(mode + " is not an aws-chunked mode");
        }
        if (mode.hasChunkSignatures()) {
            Objects.requireNonNull(key, "signing key");
        }
        this.in = new LineInput(raw);
        this.mode = mode;
        this.key = key;
        this.declaredLength = declaredLength;
        this.declaredTrailers = declaredTrailers;
        this.previousSignature = key == null ? null : key.seedSignature();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (failure != null) {
            throw failure;
        }
        if (finished) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        try {
            while (!inChunk) {
                if (!startChunk()) {
                    finished = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw LineInput.incomplete("The request body ended inside an aws-chunked chunk.");
            }
            if (mode.hasChunkSignatures()) {
                chunkDigest.update(b, off, n);
            }
            remaining -= n;
            decoded += n;
            if (remaining == 0) {
                endChunk();
            }
            return n;
        } catch (S3Exception e) {
            failure = e;
            throw e;
        }
    }

    /** Reads a chunk header; returns false after the final chunk and the trailers were verified. */
    private boolean startChunk() throws IOException {
        String line = in.readLine(false);
        int semi = line.indexOf(';');
        long size = parseSize((semi < 0 ? line : line.substring(0, semi)).strip());
        String signature = mode.hasChunkSignatures() ? chunkSignature(line, semi) : null;
        if (size == 0) {
            verifyChunk(signature, Crypto.EMPTY_SHA256);
            readTrailers();
            if (declaredLength >= 0 && decoded != declaredLength) {
                throw LineInput.incomplete("The decoded body has " + decoded
                        + " bytes but x-amz-decoded-content-length is " + declaredLength + ".");
            }
            in.expectEnd();
            return false;
        }
        if (mode.hasChunkSignatures() && previousChunkSize >= 0 && previousChunkSize < MIN_CHUNK_SIZE) {
            throw new S3Exception(S3ErrorCode.InvalidChunkSizeError)
                    .with("Chunk", Integer.toString(chunkNumber)).with("BadChunkSize", Long.toString(previousChunkSize));
        }
        if (declaredLength >= 0 && decoded + size > declaredLength) {
            throw LineInput.incomplete("The aws-chunked body is longer than x-amz-decoded-content-length ("
                    + declaredLength + ").");
        }
        chunkNumber++;
        previousChunkSize = size;
        remaining = size;
        chunkSignature = signature;
        chunkDigest.reset();
        inChunk = true;
        return true;
    }

    /** After a chunk's data: its CRLF, then its signature. */
    private void endChunk() throws IOException {
        String crlf = in.readLine(false);
        if (!crlf.isEmpty()) {
            throw LineInput.incomplete("An aws-chunked chunk is longer than its declared size.");
        }
        verifyChunk(chunkSignature, Hex.encode(chunkDigest.digest()));
        inChunk = false;
    }

    private void verifyChunk(String provided, String dataSha256) {
        if (!mode.hasChunkSignatures()) {
            return;
        }
        String stringToSign = "AWS4-HMAC-SHA256-PAYLOAD\n" + key.amzDate() + '\n' + key.scope() + '\n'
                + previousSignature + '\n' + Crypto.EMPTY_SHA256 + '\n' + dataSha256;
        previousSignature = checkSignature(stringToSign, provided);
    }

    private void readTrailers() throws IOException {
        Trailers t = new Trailers();
        // Lines up to the empty one; a body that ends right after the last line (no final CRLF)
        // is accepted, as every byte that matters has been read and verified.
        for (String line = in.readLine(true); line != null && !line.isEmpty(); line = in.readLine(true)) {
            t.addLine(line);
        }
        if (!mode.hasTrailers()) {
            if (!t.isEmpty()) {
                throw LineInput.incomplete("Trailing headers in an aws-chunked body that declared none.");
            }
            return;
        }
        if (mode == PayloadMode.STREAMING_SIGNED_TRAILER) {
            if (t.signature() == null) {
                throw new S3Exception(S3ErrorCode.SignatureDoesNotMatch,
                        "The aws-chunked body lacks its x-amz-trailer-signature.");
            }
            String stringToSign = "AWS4-HMAC-SHA256-TRAILER\n" + key.amzDate() + '\n' + key.scope() + '\n'
                    + previousSignature + '\n' + Crypto.sha256Hex(t.canonical());
            checkSignature(stringToSign, t.signature());
        }
        // In STREAMING_UNSIGNED_TRAILER a trailer signature, if any, has nothing to chain from: ignored.
        t.checkDeclared(declaredTrailers);
        trailers = t.asMap();
    }

    private String checkSignature(String stringToSign, String provided) {
        String expected = key.sign(stringToSign);
        if (!Crypto.sameSignature(expected, provided)) {
            throw new S3Exception(S3ErrorCode.SignatureDoesNotMatch)
                    .with("StringToSign", stringToSign).with("SignatureProvided", provided);
        }
        return expected;
    }

    /** The chunk-signature extension of a signed chunk header; its absence is a signature failure. */
    private static String chunkSignature(String line, int semi) {
        if (semi >= 0) {
            for (String ext : line.substring(semi + 1).split(";")) {
                String e = ext.strip();
                if (e.startsWith("chunk-signature=")) {
                    return e.substring("chunk-signature=".length()).strip();
                }
            }
        }
        throw new S3Exception(S3ErrorCode.SignatureDoesNotMatch, "An aws-chunked chunk lacks its chunk-signature.");
    }

    private static long parseSize(String hex) {
        if (hex.isEmpty() || hex.length() > 16) {
            throw LineInput.incomplete("Invalid aws-chunked chunk size \"" + hex + "\".");
        }
        long size = 0;
        for (int i = 0; i < hex.length(); i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0 || hex.charAt(i) > 'f') {
                throw LineInput.incomplete("Invalid aws-chunked chunk size \"" + hex + "\".");
            }
            size = size << 4 | d;
            if (size > MAX_CHUNK_SIZE) {
                throw LineInput.incomplete("An aws-chunked chunk of 0x" + hex + " bytes exceeds the limit of "
                        + MAX_CHUNK_SIZE + " bytes.");
            }
        }
        return size;
    }

    @Override
    public int available() {
        return 0;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    @Override
    public Map<String, String> trailers() {
        return trailers;
    }
}
