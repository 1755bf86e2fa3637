package dev.kura.storage.local;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobStore;
import dev.kura.storage.BlobWriter;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;

/** Shared helpers for the store tests. */
final class TestData {
    private TestData() {
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static DataId id(Random rnd) {
        return DataId.random(rnd);
    }

    /** Writes in uneven chunks so block boundaries fall inside writes. */
    static DataLocation write(BlobStore store, DataId id, byte[] data) throws IOException {
        try (BlobWriter w = store.create(store.place(id), "bucket/key/" + id)) {
            int chunk = 1;
            for (int off = 0; off < data.length; off += chunk, chunk = chunk * 3 + 1) {
                w.write(data, off, Math.min(chunk, data.length - off));
            }
            return w.commit();
        }
    }

    static byte[] read(BlobStore store, DataLocation loc, long offset, long length) throws IOException {
        try (InputStream in = store.open(loc, offset, length)) {
            return in.readAllBytes();
        }
    }
}
