package dev.kura.storage;

import dev.kura.common.DataLocation;
import java.io.IOException;

/**
 * A drive leaving the set (its node removed from the cluster): it serves reads of the shards it holds
 * while it can, and takes nothing new — placement skips it ({@link #isWritable} is false) and a repair
 * moves its shards onto other drives ({@link #isRetired}). Everything else is the drive's own.
 */
public final class RetiredDrive extends ForwardingShardDrive {

    public RetiredDrive(ShardDrive drive) {
        super(drive);
    }

    /** The drive itself. */
    public ShardDrive drive() {
        return drive;
    }

    @Override
    public boolean isRetired() {
        return true;
    }

    @Override
    public boolean isWritable() {
        return false;
    }

    @Override
    public BlobWriter create(DataLocation planned, String label, boolean mayJournal) throws IOException {
        throw new IOException("drive " + drive.driveId() + " is leaving the set and takes no new data");
    }
}
