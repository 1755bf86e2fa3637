package dev.kura.object;

import dev.kura.index.BucketRecord;
import dev.kura.index.ObjectIndex;
import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import dev.kura.index.UploadPage;
import dev.kura.index.UploadRecord;
import dev.kura.index.VersionPage;
import dev.kura.index.VersionQuery;
import dev.kura.s3.S3Exception;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Applies every bucket's lifecycle rules: expires current versions (a delete as a client would do it:
 * a delete marker in a versioned bucket), removes delete markers left as a key's only version
 * (ExpiredObjectDeleteMarker), expires noncurrent versions some "days" after they stopped being
 * current (keeping the newest NewerNoncurrentVersions), and aborts incomplete multipart uploads.
 * Object Lock wins: a version the lock protects stays (the index refuses its delete). At most
 * {@code maxActions} changes per pass, so a pass takes a bounded share of the index; the rest waits
 * for the next pass. Run by the server every {@code --lifecycle-interval}.
 */
public final class LifecycleWorker {
    private static final int PAGE = 1000;
    private final ObjectService objects;
    private final ObjectIndex index;
    private final Supplier<Instant> clock;
    private final int maxActions;

    /** What one pass did. */
    public record Pass(int expired, int markersRemoved, int noncurrentExpired, int uploadsAborted, int lockedSkipped) {
        public int actions() {
            return expired + markersRemoved + noncurrentExpired + uploadsAborted;
        }
    }

    public LifecycleWorker(ObjectService objects, ObjectIndex index, Supplier<Instant> clock, int maxActions) {
        this.objects = objects;
        this.index = index;
        this.clock = clock;
        this.maxActions = maxActions;
    }

    /** One pass over every bucket that has a lifecycle configuration. */
    public Pass runOnce() {
        Counts c = new Counts();
        Instant now = clock.get();
        for (BucketRecord bucket : index.buckets()) {
            if (c.total() >= maxActions) {
                break;
            }
            objects.lifecycle(bucket).ifPresent(lifecycle -> {
                versions(bucket, lifecycle, now, c);
                uploads(bucket, lifecycle, now, c);
            });
        }
        return new Pass(c.expired, c.markers, c.noncurrent, c.aborted, c.locked);
    }

    private static final class Counts {
        int expired;
        int markers;
        int noncurrent;
        int aborted;
        int locked;

        int total() {
            return expired + markers + noncurrent + aborted;
        }
    }

    /** Walks the bucket's versions key by key (each key's versions come newest first). */
    private void versions(BucketRecord bucket, Lifecycle lifecycle, Instant now, Counts c) {
        String keyMarker = null;
        String versionMarker = null;
        List<ObjectRecord> key = new ArrayList<>();
        while (c.total() < maxActions) {
            VersionPage page = index.listVersions(new VersionQuery(bucket.id(), "", null, keyMarker, versionMarker, PAGE,
                    PAGE + 1));
            for (VersionPage.Entry e : page.versions()) {
                if (!key.isEmpty() && !key.getFirst().key().equals(e.record().key())) {
                    applyToKey(bucket, lifecycle, key, now, c);
                    key = new ArrayList<>();
                }
                key.add(e.record());
            }
            if (!page.truncated() || page.nextKeyMarker() == null) {
                break;
            }
            keyMarker = page.nextKeyMarker();
            versionMarker = page.nextVersionIdMarker();
        }
        if (!key.isEmpty() && c.total() < maxActions) {
            applyToKey(bucket, lifecycle, key, now, c); // a key cut by a page boundary is seen again next pass
        }
    }

    private void applyToKey(BucketRecord bucket, Lifecycle lifecycle, List<ObjectRecord> versions, Instant now,
                            Counts c) {
        ObjectRecord latest = versions.getFirst();
        String name = bucket.name();
        if (!latest.deleteMarker()) {
            Lifecycle.Expiry expiry = lifecycle.expiry(latest, objects.lifecycleDay());
            if (expiry != null && !expiry.at().isAfter(now)) {
                if (delete(name, latest.key(), null, c)) {
                    c.expired++;
                }
            }
        } else if (versions.size() == 1 && expiredMarkerRule(lifecycle, latest)) {
            if (delete(name, latest.key(), latest.versionId(), c)) {
                c.markers++;
            }
        }
        // Noncurrent versions: version i stopped being current when version i-1 was written.
        for (Lifecycle.Rule rule : lifecycle.rules()) {
            if (!rule.enabled() || rule.noncurrentDays() == null) {
                continue;
            }
            int kept = 0;
            for (int i = 1; i < versions.size(); i++) {
                ObjectRecord v = versions.get(i);
                if (v.deleteMarker() || !rule.filter().matches(v.key(), v.tags(), v.size())) {
                    continue;
                }
                if (kept < rule.newerNoncurrentVersions()) {
                    kept++;
                    continue;
                }
                Instant noncurrentSince = versions.get(i - 1).lastModified();
                if (!Lifecycle.after(noncurrentSince, rule.noncurrentDays(), objects.lifecycleDay()).isAfter(now)
                        && c.total() < maxActions && delete(name, v.key(), v.versionId(), c)) {
                    c.noncurrent++;
                }
            }
        }
    }

    private static boolean expiredMarkerRule(Lifecycle lifecycle, ObjectRecord marker) {
        for (Lifecycle.Rule rule : lifecycle.rules()) {
            if (rule.enabled() && (rule.expiredObjectDeleteMarker() || rule.noncurrentDays() != null)
                    && rule.filter().matches(marker.key(), marker.tags(), 0)) {
                return true;
            }
        }
        return false;
    }

    /** A delete through the object service; false when Object Lock (or anything else) refused it. */
    private boolean delete(String bucket, String key, String versionId, Counts c) {
        try {
            objects.deleteObject(bucket, key, versionId, Precondition.NONE);
            return true;
        } catch (S3Exception e) {
            c.locked++; // AccessDenied: the lock wins; anything else is retried next pass
            return false;
        }
    }

    private void uploads(BucketRecord bucket, Lifecycle lifecycle, Instant now, Counts c) {
        String keyMarker = null;
        String idMarker = null;
        while (c.total() < maxActions) {
            UploadPage page = index.uploads(bucket.id(), "", null, keyMarker, idMarker, PAGE);
            for (UploadRecord u : page.uploads()) {
                for (Lifecycle.Rule rule : lifecycle.rules()) {
                    if (rule.enabled() && rule.abortIncompleteDays() != null && u.key().startsWith(rule.filter().prefix())
                            && !Lifecycle.after(u.initiated(), rule.abortIncompleteDays(), objects.lifecycleDay())
                            .isAfter(now)) {
                        try {
                            objects.multipart().abort(bucket.name(), u.key(), u.uploadId());
                            c.aborted++;
                        } catch (S3Exception e) {
                            // completed or aborted meanwhile
                        }
                        break;
                    }
                }
            }
            if (!page.truncated()) {
                return;
            }
            keyMarker = page.nextKeyMarker();
            idMarker = page.nextUploadIdMarker();
        }
    }
}
