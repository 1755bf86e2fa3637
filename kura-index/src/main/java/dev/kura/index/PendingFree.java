package dev.kura.index;

import dev.kura.common.DataLocation;
import java.time.Instant;

/** Data no longer referenced by any record, recorded in the same batch that dropped the reference. */
public record PendingFree(DataLocation location, Instant since) {
}
