package dev.kura.object;

import dev.kura.common.DataLocation;
import dev.kura.storage.BlobWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Encrypts a stream of plain bytes into the {@link SealedData} format on its way to storage: the
 * header first, then one sealed chunk per 64 KiB. A full chunk is held until more bytes arrive (or
 * the commit), because only then is it known whether it is the last one. Holds two chunk buffers,
 * whatever the object's size.
 */
final class SealingWriter implements BlobWriter {
    /** Where sealed bytes go: a {@link BlobWriter}, or memory for inline data. */
    @FunctionalInterface
    interface Sink {
        void write(ByteBuffer sealed) throws IOException;
    }

    private final BlobWriter target;
    private final Sink sink;
    private final SealedData.ChunkCipher cipher;
    private final byte[] header;
    private final byte[] plain = new byte[SealedData.CHUNK];
    private final byte[] sealed = new byte[SealedData.CHUNK + SealedData.TAG];
    private int filled;
    private long index;
    private boolean started;

    SealingWriter(BlobWriter target, Encryption.Sealer sealer) {
        this(target, target::write, sealer);
    }

    private SealingWriter(BlobWriter target, Sink sink, Encryption.Sealer sealer) {
        this.target = target;
        this.sink = sink;
        this.cipher = sealer.cipher();
        this.header = sealer.header();
    }

    /** Seals whole data held in memory (inline objects). */
    static byte[] sealAll(byte[] plainBytes, Encryption.Sealer sealer) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.toIntExact(SealedData.storedLength(plainBytes.length)));
        SealingWriter w = new SealingWriter(null, b -> out.write(b.array(), b.arrayOffset() + b.position(), b.remaining()),
                sealer);
        w.write(ByteBuffer.wrap(plainBytes));
        w.finish();
        return out.toByteArray();
    }

    @Override
    public void write(ByteBuffer data) throws IOException {
        start();
        while (data.hasRemaining()) {
            if (filled == plain.length) {
                flush(false);
            }
            int n = Math.min(data.remaining(), plain.length - filled);
            data.get(plain, filled, n);
            filled += n;
        }
    }

    private void start() throws IOException {
        if (!started) {
            started = true;
            sink.write(ByteBuffer.wrap(header));
        }
    }

    private void flush(boolean last) throws IOException {
        int n = cipher.seal(index++, last, plain, 0, filled, sealed);
        filled = 0;
        sink.write(ByteBuffer.wrap(sealed, 0, n));
    }

    private void finish() throws IOException {
        start();
        flush(true);
    }

    @Override
    public DataLocation commit(Barrier beforeVisible, byte[] annotation) throws IOException {
        finish();
        return target.commit(beforeVisible, annotation);
    }

    @Override
    public void abort() {
        target.abort();
    }
}
