package dev.kura.index;

import dev.kura.common.DataLocation;
import java.time.Instant;

/**
 * Data about to be written. Recorded (synced) before the first byte goes to storage; cleared by the
 * commit that makes the data visible. An intent still present after a crash names garbage.
 */
public record WriteIntent(DataLocation location, long bucketId, String key, Instant createdAt) {
}
