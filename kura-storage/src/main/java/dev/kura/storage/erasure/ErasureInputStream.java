package dev.kura.storage.erasure;

import dev.kura.common.DataLocation;
import dev.kura.storage.ShardDrive;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Serves {@code [offset, offset + length)} of erasure-coded data one stripe at a time. For each
 * stripe it reads only the data shards the range touches, each through its drive's verified
 * {@link ShardDrive} stream; when one fails it reads other shards (data first, then parity)
 * until {@code k} are good and rebuilds the rest. A shard that failed is retried at the next
 * stripe (a checksum error spoils one block, not the file) unless it is known gone: a {@code "-"}
 * slot, a detached drive or a missing file.
 *
 * <p>Memory: one unit per shard buffer (parity buffers only once a stripe needs them, so at most
 * {@code (k + m) * unit}) plus one block in each open shard stream. Not thread-safe.
 */
final class ErasureInputStream extends InputStream {
    private final ErasureBlobStore store;
    private final DataLocation location;
    private final ErasureCodec codec;
    private final int k;
    private final int n;
    private final int unit;
    private final long stripeBytes;
    private final long shardLength;
    private final long end;
    private final byte[][] chunks;
    /** Per shard: an open stream positioned at {@code streamPos[i]}, or null. */
    private final InputStream[] streams;
    private final long[] streamPos;
    /** Shards known not to exist anywhere: never asked again by this stream. */
    private final boolean[] gone;
    /** Shards on drives known to be unreachable when the stream opened: read only when the others are not enough. */
    private final boolean[] unreachable;
    private long stripe = -1;
    private long pos;
    private boolean closed;

    private boolean reported;

    private ErasureInputStream(ErasureBlobStore store, DataLocation location, ErasureBlobStore.Layout layout,
                               ErasureCodec codec, long offset, long length) {
        this.store = store;
        this.location = location;
        this.codec = codec;
        this.k = layout.k();
        this.n = layout.k() + layout.m();
        this.unit = location.blockSize();
        this.stripeBytes = (long) k * unit;
        this.shardLength = ErasureBlobStore.shardLength(location);
        this.pos = offset;
        this.end = offset + length;
        this.chunks = new byte[n][];
        this.streams = new InputStream[n];
        this.streamPos = new long[n];
        this.gone = new boolean[n];
        this.unreachable = new boolean[n];
        for (int i = 0; i < n; i++) {
            String driveId = location.drives().get(i);
            ShardDrive d = ErasureBlobStore.MISSING.equals(driveId) ? null : store.drive(driveId);
            gone[i] = d == null;
            unreachable[i] = d != null && d.isKnownUnreachable();
        }
    }

    /** Loads the first stripe, so lost data is reported before the caller has promised anything. */
    static ErasureInputStream open(ErasureBlobStore store, DataLocation location, ErasureBlobStore.Layout layout,
                                   ErasureCodec codec, long offset, long length) throws IOException {
        ErasureInputStream in = new ErasureInputStream(store, location, layout, codec, offset, length);
        try {
            if (length > 0) {
                in.loadStripeAtPosition();
            }
            return in;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : Byte.toUnsignedInt(one[0]);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        checkOpen();
        if (len == 0) {
            return 0;
        }
        if (pos >= end) {
            return -1;
        }
        if (pos / stripeBytes != stripe) {
            loadStripeAtPosition();
        }
        long within = pos - stripe * stripeBytes;
        int shard = (int) (within / unit);
        int at = (int) (within % unit);
        int count = (int) Math.min(len, Math.min(unit - at, end - pos));
        System.arraycopy(chunks[shard], at, b, off, count);
        pos += count;
        return count;
    }

    /** Skips without reading: stripes in between are never touched. */
    @Override
    public long skip(long s) throws IOException {
        checkOpen();
        long skipped = Math.max(0, Math.min(s, end - pos));
        pos += skipped;
        return skipped;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < n; i++) {
            closeShard(i);
        }
    }

    /**
     * Reads the data shards of the stripe at {@link #pos} that the rest of the range touches; if any
     * fails, reads more shards until {@code k} are good and rebuilds the missing data shards.
     */
    private void loadStripeAtPosition() throws IOException {
        long s = pos / stripeBytes;
        stripe = -1; // nothing is served from a half-loaded stripe
        long stripeStart = s * stripeBytes;
        int first = (int) ((pos - stripeStart) / unit);
        int last = (int) ((Math.min(end, stripeStart + stripeBytes) - 1 - stripeStart) / unit);
        boolean[] present = new boolean[n];
        List<Exception> failures = new ArrayList<>();
        boolean degraded = false;
        for (int j = first; j <= last; j++) {
            // A shard on a node known to be unreachable is read last (it would time out): parity first.
            present[j] = !unreachable[j] && readChunk(j, s, failures);
            degraded |= !present[j];
        }
        if (degraded) {
            int good = 0;
            for (boolean p : present) {
                good += p ? 1 : 0;
            }
            // Data shards first: reading them is as good as parity and leaves less to rebuild; shards on
            // unreachable nodes only when the others are not enough.
            for (boolean lastResort : new boolean[] {false, true}) {
                for (int i = 0; i < n && good < k; i++) {
                    boolean tried = (i >= first && i <= last) && !unreachable[i];
                    if (!present[i] && !tried && unreachable[i] == lastResort && readChunk(i, s, failures)) {
                        present[i] = true;
                        good++;
                    }
                }
            }
            if (good < k) {
                IOException e = new IOException("data " + location.dataId() + " (" + location.scheme()
                        + "): stripe " + s + " has only " + good + " readable shards, " + k + " needed");
                failures.forEach(e::addSuppressed);
                throw e;
            }
            codec.reconstruct(chunks, present, 0, unit); // rebuilds every shard not present
            if (!reported) {
                reported = true;
                store.degradedRead(location); // the reader got good bytes; the data still needs a repair
            }
        }
        stripe = s;
    }

    /** Reads shard {@code i}'s unit of stripe {@code s} into its buffer; false (and the cause noted) if it cannot. */
    private boolean readChunk(int i, long s, List<Exception> failures) {
        if (gone[i]) {
            failures.add(new IOException("shard " + i + " of " + location.dataId() + " is missing ("
                    + location.drives().get(i) + ")"));
            return false;
        }
        long at = s * unit;
        try {
            if (streams[i] == null || streamPos[i] != at) {
                closeShard(i);
                String driveId = location.drives().get(i);
                streams[i] = store.drive(driveId).open(ErasureBlobStore.shardLocation(location, driveId),
                        at, shardLength - at);
                streamPos[i] = at;
            }
            if (chunks[i] == null) {
                chunks[i] = new byte[unit];
            }
            int got = streams[i].readNBytes(chunks[i], 0, unit);
            if (got != unit) {
                throw new IOException("shard " + i + " ended early at stripe " + s);
            }
            streamPos[i] += unit;
            return true;
        } catch (IOException | RuntimeException e) {
            // A missing file stays missing; anything else may be one bad block, so retry next stripe.
            gone[i] |= e instanceof NoSuchFileException;
            closeShard(i);
            failures.add(e);
            return false;
        }
    }

    private void closeShard(int i) {
        if (streams[i] != null) {
            try {
                streams[i].close();
            } catch (IOException e) {
                // a read stream holds nothing to save
            }
            streams[i] = null;
        }
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new IOException("stream of " + location.dataId() + " closed");
        }
    }
}
