package dev.kura.frontend.telemetry;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.frontend.http.RequestInfo.Phase;
import dev.kura.storage.BlobStore;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.CorruptDataException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.Map;

/**
 * Decorates the {@link BlobStore} seam of one drive: counts I/O errors by operation
 * ({@code kura_storage_io_errors_total}) and corrupt reads ({@code kura_storage_corrupt_reads_total}),
 * and charges the time a request spends in storage — including the streamed writes and reads of its
 * data — to the request's STORAGE phase.
 */
public final class MeteredBlobStore implements BlobStore {
    /** The storage operations whose failures are counted apart. */
    enum Op { PLACE, CREATE, WRITE, COMMIT, READ, DELETE }

    private final BlobStore inner;
    private final Map<Op, Counter> ioErrors = new EnumMap<>(Op.class);
    private final Counter corruptReads;

    public MeteredBlobStore(BlobStore inner, String driveId, MeterRegistry registry) {
        this.inner = inner;
        for (Op op : Op.values()) {
            ioErrors.put(op, Counter.builder("kura.storage.io.errors")
                    .description("I/O errors of a drive, by storage operation")
                    .tag("drive", driveId).tag("op", op.name().toLowerCase(java.util.Locale.ROOT))
                    .register(registry));
        }
        corruptReads = Counter.builder("kura.storage.corrupt.reads")
                .description("Reads that found a block whose checksum did not match")
                .tag("drive", driveId).register(registry);
    }

    /** I/O errors of every operation since start (corrupt reads included). */
    public long ioErrors() {
        double sum = corruptReads.count();
        for (Counter c : ioErrors.values()) {
            sum += c.count();
        }
        return (long) sum;
    }

    @Override
    public DataLocation place(DataId id) throws IOException {
        return place(id, -1);
    }

    @Override
    public DataLocation place(DataId id, long expectedLength) throws IOException {
        long start = RequestScope.start();
        try {
            return inner.place(id, expectedLength);
        } catch (dev.kura.storage.InsufficientDrivesException e) {
            throw e; // too few drives up: a state of the set, not an I/O error of a drive
        } catch (IOException e) {
            throw failed(Op.PLACE, e);
        } finally {
            RequestScope.charge(Phase.STORAGE, start);
        }
    }

    @Override
    public void checkSpace(long bytes) throws IOException {
        inner.checkSpace(bytes);
    }

    /** Background work, not a request's: not timed, but its I/O errors count like any other. */
    @Override
    public dev.kura.storage.RepairResult repair(DataLocation location) throws IOException {
        try {
            return inner.repair(location);
        } catch (IOException e) {
            throw failed(Op.READ, e);
        }
    }

    /** Background work too (after a repair moved shards). */
    @Override
    public void dropMoved(DataLocation from, DataLocation to) throws IOException {
        try {
            inner.dropMoved(from, to);
        } catch (IOException e) {
            throw failed(Op.DELETE, e);
        }
    }

    @Override
    public BlobWriter create(DataLocation planned, String label) throws IOException {
        long start = RequestScope.start();
        try {
            return new Writer(inner.create(planned, label));
        } catch (IOException e) {
            throw failed(Op.CREATE, e);
        } finally {
            RequestScope.charge(Phase.STORAGE, start);
        }
    }

    @Override
    public InputStream open(DataLocation location, long offset, long length) throws IOException {
        long start = RequestScope.start();
        try {
            InputStream in = inner.open(location, offset, length);
            return in instanceof java.nio.channels.ReadableByteChannel ? new ChannelReader(in) : new Reader(in);
        } catch (IOException e) {
            throw failed(Op.READ, e);
        } finally {
            RequestScope.charge(Phase.STORAGE, start);
        }
    }

    @Override
    public void delete(DataLocation location) throws IOException {
        long start = RequestScope.start();
        try {
            inner.delete(location);
        } catch (IOException e) {
            throw failed(Op.DELETE, e);
        } finally {
            RequestScope.charge(Phase.STORAGE, start);
        }
    }

    @Override
    public boolean isWritable() {
        return inner.isWritable();
    }

    @Override
    public void close() throws IOException {
        inner.close();
    }

    private IOException failed(Op op, IOException e) {
        (e instanceof CorruptDataException ? corruptReads : ioErrors.get(op)).increment();
        return e;
    }

    private final class Writer implements BlobWriter {
        private final BlobWriter w;

        Writer(BlobWriter w) {
            this.w = w;
        }

        @Override
        public void write(ByteBuffer data) throws IOException {
            long start = RequestScope.start();
            try {
                w.write(data);
            } catch (IOException e) {
                throw failed(Op.WRITE, e);
            } finally {
                RequestScope.charge(Phase.STORAGE, start);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            long start = RequestScope.start();
            try {
                w.write(b, off, len);
            } catch (IOException e) {
                throw failed(Op.WRITE, e);
            } finally {
                RequestScope.charge(Phase.STORAGE, start);
            }
        }

        @Override
        public DataLocation commit(Barrier beforeVisible, byte[] annotation) throws IOException {
            long start = RequestScope.start();
            try {
                return w.commit(beforeVisible, annotation);
            } catch (IOException e) {
                throw failed(Op.COMMIT, e);
            } finally {
                RequestScope.charge(Phase.STORAGE, start);
            }
        }

        @Override
        public void abort() {
            long start = RequestScope.start();
            try {
                w.abort();
            } finally {
                RequestScope.charge(Phase.STORAGE, start);
            }
        }

        @Override
        public void close() {
            long start = RequestScope.start();
            try {
                w.close();
            } finally {
                RequestScope.charge(Phase.STORAGE, start);
            }
        }
    }

    private class Reader extends FilterInputStream {
        Reader(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            long start = RequestScope.start();
            try {
                return in.read();
            } catch (IOException e) {
                throw failed(Op.READ, e);
            } finally {
                RequestScope.charge(Phase.STORAGE, start);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            long start = RequestScope.start();
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw failed(Op.READ, e);
            } finally {
                RequestScope.charge(Phase.STORAGE, start);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            long start = RequestScope.start();
            try {
                return in.skip(n);
            } catch (IOException e) {
                throw failed(Op.READ, e);
            } finally {
                RequestScope.charge(Phase.STORAGE, start);
            }
        }
    }

    /** A {@link Reader} over a stream that can also fill a ByteBuffer (a direct one, for the network) itself. */
    private final class ChannelReader extends Reader implements java.nio.channels.ReadableByteChannel {
        ChannelReader(InputStream in) {
            super(in);
        }

        @Override
        public int read(java.nio.ByteBuffer dst) throws IOException {
            long start = RequestScope.start();
            try {
                return ((java.nio.channels.ReadableByteChannel) in).read(dst);
            } catch (IOException e) {
                throw failed(Op.READ, e);
            } finally {
                RequestScope.charge(Phase.STORAGE, start);
            }
        }

        @Override
        public boolean isOpen() {
            return ((java.nio.channels.ReadableByteChannel) in).isOpen();
        }
    }
}
