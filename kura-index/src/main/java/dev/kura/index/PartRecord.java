package dev.kura.index;

import dev.kura.common.DataLocation;
import java.time.Instant;

/**
 * One part: of an upload in progress, or of a completed multipart object (then {@code offset} is
 * where the part starts in the object).
 *
 * @param checksum the part's additional checksum (base64), or null
 */
public record PartRecord(int partNumber, DataLocation location, long size, String etag, Instant lastModified,
                         String checksum, long offset) {

    public PartRecord at(long newOffset) {
        return new PartRecord(partNumber, location, size, etag, lastModified, checksum, newOffset);
    }
}
