package dev.kura.storage;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * A drive leaving the set (its node removed from the cluster): it serves reads of the shards it holds
 * while it can, and takes nothing new — placement skips it ({@link #isWritable} is false) and a repair
 * moves its shards onto other drives ({@link #isRetired}). Everything else is the drive's own.
 */
public final class RetiredDrive implements ShardDrive {
    private final ShardDrive drive;

    public RetiredDrive(ShardDrive drive) {
        this.drive = Objects.requireNonNull(drive, "drive");
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

    @Override
    public String driveId() {
        return drive.driveId();
    }

    @Override
    public String zone() {
        return drive.zone();
    }

    @Override
    public boolean isPresent() {
        return drive.isPresent();
    }

    @Override
    public boolean isKnownUnreachable() {
        return drive.isKnownUnreachable();
    }

    @Override
    public void checkSpace(long bytes) throws IOException {
        drive.checkSpace(bytes);
    }

    @Override
    public InputStream open(DataLocation location, long offset, long length) throws IOException {
        return drive.open(location, offset, length);
    }

    @Override
    public void delete(DataLocation location) throws IOException {
        drive.delete(location);
    }

    @Override
    public boolean deleteCommitted(DataId id) throws IOException {
        return drive.deleteCommitted(id);
    }

    @Override
    public Optional<StoredData> inspect(DataId id) throws IOException {
        return drive.inspect(id);
    }

    @Override
    public RepairResult repair(DataLocation location) throws IOException {
        return drive.repair(location);
    }

    /** The drive is not this wrapper's to close: its owner closes it. */
    @Override
    public void close() {
    }
}
