package dev.kura.server.admin;

import java.io.IOException;
import java.util.List;

/**
 * What the operator's admin API asks of the storage layer: the drives and their state, and the two
 * repair passes. Implemented by the composition root over the drive set; the admin API and the
 * {@code kura admin} command line only see this interface.
 */
public interface StorageAdmin {

    /** Every configured drive, in configuration order. */
    List<DriveStatus> drives();

    /**
     * Takes an empty directory at a configured drive path into use (writes its drive header); the
     * healer then fills it. Refuses a path that is not configured or not empty.
     */
    DriveStatus format(String path) throws IOException;

    /** Starts a heal pass (rebuild missing or corrupt shards onto their drives); while one runs, the next one starts after it. */
    RepairStatus heal(boolean wait) throws InterruptedException;

    /** Starts a scrub pass (read and verify every block of every shard, repair what is bad); while one runs, the next one starts after it. */
    RepairStatus scrub(boolean wait) throws InterruptedException;

    /** The last or running heal and scrub passes. */
    RepairStatus healStatus();

    RepairStatus scrubStatus();

    /**
     * One drive.
     *
     * @param id     the drive id from its header, or null when the drive has none (unformatted)
     * @param state  {@code online}, {@code offline} (missing, failing I/O), {@code unformatted} (an
     *               empty directory waiting for {@code kura admin drives format}), {@code full}
     *               (under its free-space reserve) or {@code foreign} (a drive of another Kura)
     * @param reason why it is not online, in plain words, or null
     * @param errors I/O errors seen since start
     */
    record DriveStatus(String path, String id, String zone, String state, String reason, long usedBytes,
                       long freeBytes, long errors) {
    }

    /**
     * A repair pass.
     *
     * @param state     {@code idle} (never ran), {@code running} or {@code done}
     * @param checked   data items examined
     * @param repaired  shards rebuilt
     * @param failed    data items that could not be repaired (too few shards left, drive offline)
     * @param startedAt ISO-8601 time, or null; {@code finishedAt} likewise
     */
    record RepairStatus(String kind, String state, long checked, long repaired, long failed, String startedAt,
                        String finishedAt) {
    }
}
