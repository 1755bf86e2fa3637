package dev.kura.object;

import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.ObjectIndex;
import dev.kura.index.PendingFree;
import dev.kura.index.WriteIntent;
import dev.kura.storage.BlobStore;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removes garbage the index names explicitly, without scanning drives:
 * <ul>
 *   <li>write intents of writes that can no longer commit: every intent recorded before this
 *       process started (its writer died with the old process), and any older than
 *       {@link #INTENT_LIFETIME};</li>
 *   <li>pending frees (data of replaced or deleted versions) once {@link #FREE_GRACE} has passed,
 *       so a reader that looked the record up just before the replace can still open the data.</li>
 * </ul>
 * Deleting absent data is fine, so a crash mid-sweep is simply repeated.
 */
public final class Sweeper {
    static final Duration INTENT_LIFETIME = Duration.ofHours(24);
    static final Duration FREE_GRACE = Duration.ofMinutes(2);
    private static final Logger LOG = LoggerFactory.getLogger(Sweeper.class);
    private static final int BATCH = 1000;

    private final ObjectIndex index;
    private final BlobStore store;
    private final InstantSource clock;
    private final Instant bootTime;

    public Sweeper(ObjectIndex index, BlobStore store, InstantSource clock, Instant bootTime) {
        this.index = index;
        this.store = store;
        this.clock = clock;
        this.bootTime = bootTime;
    }

    /** One pass; returns how many pieces of data were removed. */
    public int sweepOnce() throws IOException, IndexException {
        Instant now = clock.instant();
        int removed = 0;
        for (WriteIntent intent : index.intents(BATCH)) {
            if (intent.createdAt().isBefore(bootTime) || intent.createdAt().plus(INTENT_LIFETIME).isBefore(now)) {
                store.delete(intent.location());
                index.apply(new IndexCommand.CancelIntent(intent.location().dataId()));
                removed++;
            }
        }
        for (PendingFree free : index.pendingFrees(BATCH)) {
            if (free.since().plus(FREE_GRACE).isBefore(now)) {
                store.delete(free.location());
                index.apply(new IndexCommand.CompleteFree(free.location().dataId()));
                removed++;
            }
        }
        if (removed > 0) {
            LOG.debug("sweeper removed {} data items", removed);
        }
        return removed;
    }
}
