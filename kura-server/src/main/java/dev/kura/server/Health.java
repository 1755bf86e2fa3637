package dev.kura.server;

import dev.kura.common.JsonWriter;
import dev.kura.frontend.telemetry.MeteredBlobStore;
import dev.kura.index.ObjectIndex;
import dev.kura.storage.local.LocalBlobStore;
import java.nio.file.FileStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * What the admin port says about the node's health. Ready means it can take writes: the index is
 * open and its last write succeeded, and the drive is present and writable. The detail says, for
 * operators, what is up, what is degraded (working, with I/O errors since start or under 5% free
 * space) and what is down.
 */
final class Health {
    /** Below this share of free space a drive is reported degraded. */
    static final double LOW_SPACE = 0.05;

    private final ObjectIndex index;
    private final dev.kura.storage.BlobStore store;
    private final java.util.function.Supplier<List<LocalBlobStore>> drives;
    private final MeteredBlobStore meteredDrive;
    private final Map<String, ServerMetrics.DriveSpace> spaces = new java.util.concurrent.ConcurrentHashMap<>();
    private final InstantSource clock;
    private final Instant started;

    Health(ObjectIndex index, dev.kura.storage.BlobStore store, java.util.function.Supplier<List<LocalBlobStore>> drives,
           MeteredBlobStore meteredDrive, InstantSource clock, Instant started) {
        this.index = index;
        this.store = store;
        this.drives = drives;
        this.meteredDrive = meteredDrive;
        this.clock = clock;
        this.started = started;
    }

    /** The problems that make the node not ready; empty when it is ready. */
    List<String> notReadyBecause() {
        List<String> problems = new ArrayList<>();
        if (!index.isHealthy()) {
            problems.add("index unavailable");
        }
        if (!store.isWritable()) {
            List<String> down = drives.get().stream().filter(d -> !d.isWritable()).map(LocalBlobStore::driveId).toList();
            problems.add("storage not writable (drives not writable: " + (down.isEmpty() ? "none online" : String.join(", ", down)) + ")");
        }
        return problems;
    }

    /** The detail as one JSON object (fields: docs/telemetry.md). */
    String detailJson() {
        List<String> down = notReadyBecause();
        List<String> degraded = new ArrayList<>();
        boolean indexUp = index.isHealthy();
        Map<String, Long> stats = safeStats();
        JsonWriter indexJson = new JsonWriter()
                .field("status", indexUp ? "up" : "down")
                .field("healthy", indexUp);
        JsonWriter statsJson = new JsonWriter();
        stats.forEach((name, value) -> statsJson.field(name, (long) value));
        indexJson.field("stats", statsJson);
        if (stats.getOrDefault("write_stopped", 0L) > 0) {
            degraded.add("index writes stalled");
        }

        boolean writable = store.isWritable();
        long ioErrors = meteredDrive.ioErrors();
        boolean anyDegraded = ioErrors > 0;
        if (ioErrors > 0) {
            degraded.add(ioErrors + " I/O errors on the drives since start");
        }
        List<JsonWriter> driveJsons = new ArrayList<>();
        for (LocalBlobStore drive : drives.get()) {
            ServerMetrics.DriveSpace space = spaces.computeIfAbsent(drive.driveId(), id -> new ServerMetrics.DriveSpace(drive));
            boolean driveWritable = drive.isWritable();
            double total = space.read(FileStore::getTotalSpace);
            double free = space.read(FileStore::getUsableSpace);
            boolean lowSpace = total > 0 && free / total < LOW_SPACE;
            if (!driveWritable) {
                degraded.add("drive " + drive.driveId() + " is not writable");
                anyDegraded = true;
            } else if (lowSpace) {
                degraded.add("drive " + drive.driveId() + " has under " + (int) (LOW_SPACE * 100) + "% free space");
                anyDegraded = true;
            }
            driveJsons.add(new JsonWriter()
                    .field("id", drive.driveId())
                    .field("zone", drive.zone())
                    .field("path", drive.root().toString())
                    .field("status", !driveWritable ? "down" : lowSpace ? "degraded" : "up")
                    .field("writable", driveWritable)
                    .field("total_bytes", total)
                    .field("free_bytes", free));
        }

        Instant now = clock.instant();
        return new JsonWriter()
                .field("status", !down.isEmpty() ? "not_ready" : degraded.isEmpty() ? "ready" : "degraded")
                .strings("not_ready_because", down)
                .strings("degraded", degraded)
                .field("version", version())
                .field("started", started.toString())
                .field("uptime_seconds", Duration.between(started, now).toMillis() / 1000.0)
                .field("index", indexJson)
                .field("storage", new JsonWriter()
                        .field("status", writable ? (anyDegraded ? "degraded" : "up") : "down")
                        .field("io_errors", ioErrors)
                        .array("drives", driveJsons))
                .toString();
    }

    private Map<String, Long> safeStats() {
        try {
            return index.stats();
        } catch (RuntimeException e) {
            return Map.of();
        }
    }

    /** The version the command line reports ({@code kura --version}). */
    static String version() {
        String v = Main.class.getAnnotation(Command.class).version()[0];
        return v.startsWith("kura ") ? v.substring(5) : v;
    }
}
