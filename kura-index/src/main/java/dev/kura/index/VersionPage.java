package dev.kura.index;

import java.util.List;

/**
 * One page of ListObjectVersions, in S3 order: keys in UTF-8 byte order, each key's versions newest
 * first. When truncated, {@code nextKeyMarker} and {@code nextVersionIdMarker} name the last entry
 * returned (for a common prefix: the prefix, and no version id).
 */
public record VersionPage(List<Entry> versions, List<String> commonPrefixes, boolean truncated, String nextKeyMarker,
                          String nextVersionIdMarker) {

    /** A version or delete marker, and whether it is its key's newest. */
    public record Entry(ObjectRecord record, boolean latest) {
    }
}
