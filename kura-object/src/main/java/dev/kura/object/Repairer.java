package dev.kura.object;

import dev.kura.common.DataLocation;
import dev.kura.index.BucketRecord;
import dev.kura.index.IndexCommand;
import dev.kura.index.ObjectIndex;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.UploadPage;
import dev.kura.index.UploadRecord;
import dev.kura.storage.BlobStore;
import dev.kura.storage.RepairResult;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks every piece of data the index references — each object written whole, each part of a
 * multipart object, each part of an upload in progress — and asks the storage layer to verify it
 * block by block and rebuild what is missing or corrupt ({@link BlobStore#repair}). The healer and
 * the scrubber are both passes of this walk; they differ in pace: a heal runs as fast as a bounded
 * rate allows, a scrub spreads one pass over its interval. Small objects kept in the index are
 * skipped (the index has its own checksums and no parity to rebuild from).
 *
 * <p>The walk reads the index page by page (never the whole key space at once) and leaves the
 * foreground its share through {@link Pace}, which sleeps between items.
 */
public final class Repairer {
    private static final Logger LOG = LoggerFactory.getLogger(Repairer.class);
    private static final int PAGE = 1000;

    /** How fast to go: at most {@code bytesPerSecond} of data examined (0: unbounded). */
    public record Pace(long bytesPerSecond) {
        public static final Pace UNBOUNDED = new Pace(0);

        /** A pace that walks {@code totalBytes} in {@code interval}, but never slower than 1 MiB/s. */
        public static Pace spread(long totalBytes, Duration interval) {
            long seconds = Math.max(1, interval.toSeconds());
            return new Pace(Math.max(1L << 20, totalBytes / seconds));
        }
    }

    /** Progress of one pass, updated as it goes (read by the admin API while it runs). */
    public static final class Progress {
        public final AtomicLong checked = new AtomicLong();
        public final AtomicLong bytes = new AtomicLong();
        public final AtomicLong repaired = new AtomicLong();
        public final AtomicLong failed = new AtomicLong();
    }

    private final ObjectIndex index;
    private final BlobStore store;
    private final InstantSource clock;

    public Repairer(ObjectIndex index, BlobStore store, InstantSource clock) {
        this.index = index;
        this.store = store;
        this.clock = clock;
    }

    /** One pass over all data at {@code pace}; returns when done (or interrupted). */
    public Progress pass(Pace pace, Progress progress) throws InterruptedException {
        Instant start = clock.instant();
        for (BucketRecord bucket : index.buckets()) {
            walkObjects(bucket, loc -> visit(loc, pace, progress, start));
            walkUploads(bucket, loc -> visit(loc, pace, progress, start));
            if (Thread.interrupted()) {
                throw new InterruptedException("repair pass stopped");
            }
        }
        return progress;
    }

    /** A location and the row that holds it, so a relocation can be recorded. */
    private record Held(BucketRecord bucket, String key, IndexCommand.DataHolder holder, DataLocation location) {
    }

    /** Every version of every key — noncurrent versions keep data too — and, for multipart ones, each part. */
    private void walkObjects(BucketRecord bucket, Consumer<Held> visit) {
        String keyMarker = null;
        String versionMarker = null;
        while (true) {
            dev.kura.index.VersionPage page = index.listVersions(new dev.kura.index.VersionQuery(bucket.id(), "", null,
                    keyMarker, versionMarker, PAGE, PAGE + 1));
            for (dev.kura.index.VersionPage.Entry e : page.versions()) {
                ObjectRecord r = e.record();
                if (r.isMultipart()) {
                    for (PartRecord p : index.objectParts(bucket.id(), r.key(), r.sequence())) {
                        visit.accept(new Held(bucket, r.key(),
                                new IndexCommand.DataHolder.ObjectPart(r.sequence(), p.partNumber()), p.location()));
                    }
                    if (r.location() != null) { // its manifest
                        visit.accept(new Held(bucket, r.key(), new IndexCommand.DataHolder.Version(r.sequence()), r.location()));
                    }
                } else if (r.location() != null) { // a delete marker has none
                    visit.accept(new Held(bucket, r.key(), new IndexCommand.DataHolder.Version(r.sequence()), r.location()));
                }
            }
            if (!page.truncated() || page.nextKeyMarker() == null) {
                return;
            }
            keyMarker = page.nextKeyMarker();
            versionMarker = page.nextVersionIdMarker();
        }
    }

    private void walkUploads(BucketRecord bucket, Consumer<Held> visit) {
        String keyMarker = null;
        String idMarker = null;
        while (true) {
            UploadPage page = index.uploads(bucket.id(), "", null, keyMarker, idMarker, PAGE);
            for (UploadRecord u : page.uploads()) {
                int after = 0;
                while (true) {
                    List<PartRecord> parts = index.uploadParts(bucket.id(), u.key(), u.uploadId(), after, PAGE);
                    parts.forEach(p -> visit.accept(new Held(bucket, u.key(),
                            new IndexCommand.DataHolder.UploadPart(u.uploadId(), p.partNumber()), p.location())));
                    if (parts.size() < PAGE) {
                        break;
                    }
                    after = parts.getLast().partNumber();
                }
            }
            if (!page.truncated()) {
                return;
            }
            keyMarker = page.nextKeyMarker();
            idMarker = page.nextUploadIdMarker();
        }
    }

    private void visit(Held held, Pace pace, Progress progress, Instant start) {
        DataLocation location = held.location();
        if (location.isInline()) {
            return;
        }
        try {
            RepairResult r = store.repair(location);
            progress.repaired.addAndGet(r.shardsRebuilt());
            if (r.shardsUnrepairable() > 0) {
                progress.failed.incrementAndGet();
            }
            if (r.relocated() != null) {
                // Until this commit the rebuilt shards are referenced by no record: a crash here leaves them
                // under the data's id on a drive of the set, where the next repair overwrites them and
                // the data's eventual delete (which sweeps its id on every drive) removes them.
                dev.kura.index.IndexResult applied = index.apply(new IndexCommand.RelocateData(held.bucket().id(),
                        held.key(), held.holder(), location, r.relocated(), clock.instant()));
                if (applied instanceof dev.kura.index.IndexResult.Unchanged) {
                    // Another repair moved this data first: its location is the index's; nothing here is dropped.
                    LOG.info("data {} was moved meanwhile by another repair; this one's copies stay until it is deleted",
                            location.dataId());
                } else {
                    try {
                        store.dropMoved(location, r.relocated()); // the copies left behind (a leaving drive's)
                    } catch (IOException | RuntimeException e) {
                        LOG.info("data {} moved; its old shards stay where they were: {}", location.dataId(), e.toString());
                    }
                }
            }
        } catch (IOException | RuntimeException | dev.kura.index.IndexException e) {
            // Data that no longer exists (deleted meanwhile) is not a failure; anything else is.
            if (!(e instanceof java.io.FileNotFoundException || e instanceof java.nio.file.NoSuchFileException)) {
                progress.failed.incrementAndGet();
                LOG.warn("cannot repair data {}: {}", location.dataId(), e.toString());
            }
        }
        progress.checked.incrementAndGet();
        long done = progress.bytes.addAndGet(location.length());
        pause(pace, done, start);
    }

    /** Sleeps so that the bytes examined so far do not run ahead of the pace. */
    private void pause(Pace pace, long bytesDone, Instant start) {
        if (pace.bytesPerSecond() <= 0) {
            return;
        }
        long dueMillis = bytesDone * 1000 / pace.bytesPerSecond();
        long elapsed = Duration.between(start, clock.instant()).toMillis();
        if (dueMillis > elapsed) {
            try {
                Thread.sleep(Math.min(dueMillis - elapsed, 1000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
