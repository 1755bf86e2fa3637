package dev.kura.object;

import java.io.IOException;
import java.io.InputStream;

/**
 * Decrypts a run of {@link SealedData} chunks: {@code stored} starts at chunk {@code first}; the
 * stream serves {@code length} plain bytes from {@code skip} bytes into that chunk. Each chunk is
 * read whole and its tag checked before any of its bytes is served, so a reader never sees a byte
 * that was altered, moved or cut off. Holds one chunk (64 KiB) in two buffers.
 */
final class OpeningInputStream extends InputStream {
    private final InputStream stored;
    private final SealedData.ChunkCipher cipher;
    private final int chunkSize;
    private final long lastIndex;
    private final long plainSize;
    private final byte[] sealed;
    private final byte[] plain;
    private long index;
    private int pos;
    private int limit;
    private long remaining;

    OpeningInputStream(InputStream stored, SealedData.ChunkCipher cipher, int chunkSize, long plainSize, long first,
                       long skip, long length) throws IOException {
        this.stored = stored;
        this.cipher = cipher;
        this.chunkSize = chunkSize;
        this.plainSize = plainSize;
        this.lastIndex = SealedData.chunks(plainSize, chunkSize) - 1;
        this.sealed = new byte[chunkSize + SealedData.TAG];
        this.plain = new byte[chunkSize];
        this.index = first;
        this.remaining = length;
        if (length > 0) {
            next(); // the first chunk is checked before anything is answered: a bad key or tag is an error, not a 200
            pos = Math.toIntExact(skip);
        }
    }

    private void next() throws IOException {
        if (index > lastIndex) {
            throw new dev.kura.storage.CorruptDataException("encrypted data has more chunks than its size says");
        }
        boolean last = index == lastIndex;
        int plainLen = last ? Math.toIntExact(plainSize - index * chunkSize) : chunkSize;
        int want = plainLen + SealedData.TAG;
        int got = stored.readNBytes(sealed, 0, want);
        if (got != want) {
            throw new dev.kura.storage.CorruptDataException("encrypted data ends early in chunk " + index);
        }
        limit = cipher.open(index, last, sealed, want, plain);
        pos = 0;
        index++;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (remaining == 0) {
            return -1;
        }
        if (pos == limit) {
            next();
        }
        int n = (int) Math.min(Math.min(len, limit - pos), remaining);
        System.arraycopy(plain, pos, b, off, n);
        pos += n;
        remaining -= n;
        return n;
    }

    @Override
    public void close() throws IOException {
        stored.close();
    }
}
