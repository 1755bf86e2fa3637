package dev.kura.object;

import dev.kura.index.PartRecord;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * A byte range of a multipart object: the parts that overlap it, opened one after another (each
 * verified block by block by the storage layer). Holds one part stream open at a time.
 */
final class PartsInputStream extends InputStream {
    /** Opens a range of one part's data (decrypting it when the object is encrypted). */
    @FunctionalInterface
    interface PartOpener {
        InputStream open(PartRecord part, long offset, long length) throws IOException;
    }

    private final PartOpener store;
    private final List<PartRecord> parts;
    private long position;
    private long remaining;
    private int next;
    private InputStream current;
    private long partEnd;
    private final ActiveReads reads;
    private final ActiveReads.Ticket ticket;
    private boolean closed;

    /** Registers the read with {@code reads} until closed, so the sweeper keeps parts it has yet to open. */
    PartsInputStream(PartOpener store, List<PartRecord> parts, long offset, long length, ActiveReads reads) {
        this.reads = reads;
        this.ticket = reads.begin();
        this.store = store;
        this.parts = parts;
        this.position = offset;
        this.remaining = length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0; // InputStream's contract; readAllBytes asks for 0 bytes when its buffer is full
        }
        if (remaining == 0) {
            return -1;
        }
        if (current == null) {
            current = openNext();
        }
        int n = current.read(b, off, (int) Math.min(len, partEnd - position));
        if (n <= 0) {
            // A part that ends before its recorded size is corrupt: never skip ahead into the next part.
            throw new IOException("part data ended early at object offset " + position);
        }
        position += n;
        remaining -= n;
        if (position == partEnd) {
            current.close();
            current = null;
        }
        return n;
    }

    private InputStream openNext() throws IOException {
        while (next < parts.size()) {
            PartRecord p = parts.get(next++);
            long end = p.offset() + p.size();
            if (end > position && p.size() > 0) {
                long from = position - p.offset();
                long len = Math.min(end - position, remaining);
                partEnd = position + len;
                return store.open(p, from, len);
            }
        }
        throw new IOException("multipart object ends before its recorded size");
    }

    /** Closes the part stream in hand (a reader may stop anywhere: a client gone, a range served) and ends the read. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        reads.end(ticket);
        if (current != null) {
            InputStream c = current;
            current = null;
            c.close();
        }
    }
}
