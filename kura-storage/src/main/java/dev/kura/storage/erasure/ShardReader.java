package dev.kura.storage.erasure;

import dev.kura.storage.ShardDrive;

import dev.kura.common.DataLocation;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;

/**
 * Reads the shards of one erasure-coded location unit by unit, in stripe order, through each
 * drive's verified {@link ShardDrive} stream, and remembers which shards failed and how.
 * Used by {@link ShardRepair} to find bad shards and to read the sources of their rebuild.
 *
 * <p>{@link #checkAll()} first opens every shard for its header and footer: a shard failing there
 * (no file, wrong data, torn, truncated) is unusable as a whole and never asked again. A block
 * failing later spoils one unit only: the shard is marked bad and asked again at the next stripe.
 * Memory: one block in each open shard stream. Not thread-safe.
 */
final class ShardReader implements Closeable {
    private final ErasureBlobStore store;
    private final DataLocation location;
    private final int n;
    private final int unit;
    private final long shardLength;
    private final InputStream[] streams;
    private final long[] streamPos;
    /** Never read again: a {@code "-"} slot, a detached drive, or a file whose header or footer failed. */
    private final boolean[] gone;
    /** Failed at least once: missing, or some block unreadable. */
    private final boolean[] bad;
    /** The shard's file was not there at all (so a repair has nothing to delete). */
    private final boolean[] absent;

    ShardReader(ErasureBlobStore store, DataLocation location, ErasureBlobStore.Layout layout) {
        this.store = store;
        this.location = location;
        this.n = layout.k() + layout.m();
        this.unit = location.blockSize();
        this.shardLength = ErasureBlobStore.shardLength(location);
        this.streams = new InputStream[n];
        this.streamPos = new long[n];
        this.gone = new boolean[n];
        this.bad = new boolean[n];
        this.absent = new boolean[n];
        for (int i = 0; i < n; i++) {
            gone[i] = drive(i) == null;
            bad[i] = gone[i];
            absent[i] = gone[i];
        }
    }

    /** Checks the header and footer of every shard that can be reached (also for data of length 0). */
    void checkAll() {
        for (int i = 0; i < n; i++) {
            if (gone[i]) {
                continue;
            }
            try (InputStream in = drive(i).open(shardLocation(i), 0, 0)) {
                // opening checks the data id, block size, length and the footer; inspecting also checks
                // the annotation (the object's record, which a lost index is rebuilt from)
                drive(i).inspect(location.dataId());
            } catch (IOException | RuntimeException e) {
                gone[i] = true;
                bad[i] = true;
                absent[i] = e instanceof NoSuchFileException;
            }
        }
    }

    /**
     * Reads shard {@code i}'s unit of stripe {@code s} into {@code buf}; false (and the shard marked
     * bad) when it cannot be read. Stripes are read in order; a shard may skip stripes.
     */
    boolean read(int i, long s, byte[] buf) {
        if (gone[i]) {
            return false;
        }
        long at = s * unit;
        try {
            if (streams[i] == null || streamPos[i] != at) {
                closeShard(i);
                streams[i] = drive(i).open(shardLocation(i), at, shardLength - at);
                streamPos[i] = at;
            }
            if (streams[i].readNBytes(buf, 0, unit) != unit) {
                throw new IOException("shard " + i + " of " + location.dataId() + " ended early at stripe " + s);
            }
            streamPos[i] += unit;
            return true;
        } catch (IOException | RuntimeException e) {
            if (e instanceof NoSuchFileException) {
                gone[i] = true; // removed since checkAll(): a concurrent delete of the data
            }
            bad[i] = true;
            closeShard(i);
            return false;
        }
    }

    boolean bad(int i) {
        return bad[i];
    }

    boolean absent(int i) {
        return absent[i];
    }

    /** The drive of shard {@code i}, or null for a {@code "-"} slot or a drive not in the set. */
    ShardDrive drive(int i) {
        String driveId = location.drives().get(i);
        return ErasureBlobStore.MISSING.equals(driveId) ? null : store.drive(driveId);
    }

    DataLocation shardLocation(int i) {
        return ErasureBlobStore.shardLocation(location, location.drives().get(i));
    }

    @Override
    public void close() {
        for (int i = 0; i < n; i++) {
            closeShard(i);
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
}
