package dev.kura.common;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the storage layer put the bytes of one {@link DataId}: chosen by the storage layer at
 * write time and recorded in the index record, so the bytes stay findable when drives change.
 * Opaque to the index; only the storage layer interprets {@code scheme} and {@code drives}.
 *
 * @param dataId      the data written
 * @param layoutEpoch the drive-set epoch the placement was computed in
 * @param scheme      the layout scheme, e.g. {@code "single"} or {@code "rs-4-2"}
 * @param drives      the ids of the drives holding the shards, in shard order
 * @param blockSize   the checksummed block size in bytes
 * @param length      the number of payload bytes
 */
public record DataLocation(DataId dataId, int layoutEpoch, String scheme, List<String> drives, int blockSize,
                           long length) {
    private static final int FORMAT = 1;
    /**
     * The scheme of a small object's bytes kept inside the index record's batch rather than on a
     * drive: no drives, no blocks (the index's own checksums cover them).
     */
    public static final String INLINE = "inline";

    public DataLocation {
        drives = List.copyOf(drives);
    }

    /** Where the bytes of a small object kept in the index are. */
    public static DataLocation inline(DataId id, long length) {
        return new DataLocation(id, 0, INLINE, List.of(), 0, length);
    }

    public boolean isInline() {
        return INLINE.equals(scheme);
    }

    public void writeTo(DataOutput out) throws IOException {
        out.writeByte(FORMAT);
        out.writeUTF(dataId.value());
        out.writeInt(layoutEpoch);
        out.writeUTF(scheme);
        out.writeShort(drives.size());
        for (String d : drives) {
            out.writeUTF(d);
        }
        out.writeInt(blockSize);
        out.writeLong(length);
    }

    public static DataLocation readFrom(DataInput in) throws IOException {
        int format = in.readUnsignedByte();
        if (format != FORMAT) {
            throw new IOException("unknown DataLocation format " + format);
        }
        DataId id = new DataId(in.readUTF());
        int epoch = in.readInt();
        String scheme = in.readUTF();
        int n = in.readUnsignedShort();
        List<String> drives = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            drives.add(in.readUTF());
        }
        return new DataLocation(id, epoch, scheme, drives, in.readInt(), in.readLong());
    }
}
