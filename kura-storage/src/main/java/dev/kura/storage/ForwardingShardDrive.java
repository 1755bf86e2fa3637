package dev.kura.storage;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * A drive that forwards every call to another, for wrappers that change a few ({@link RetiredDrive}).
 * Closing it does not close the drive: the drive's owner does.
 */
public abstract class ForwardingShardDrive implements ShardDrive {
    protected final ShardDrive drive;

    protected ForwardingShardDrive(ShardDrive drive) {
        this.drive = Objects.requireNonNull(drive, "drive");
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
    public boolean isWritable() {
        return drive.isWritable();
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
    public boolean isRetired() {
        return drive.isRetired();
    }

    @Override
    public void checkSpace(long bytes) throws IOException {
        drive.checkSpace(bytes);
    }

    @Override
    public BlobWriter create(DataLocation planned, String label, boolean mayJournal) throws IOException {
        return drive.create(planned, label, mayJournal);
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
