package dev.kura.index;

import java.util.List;

/**
 * One page of a listing, in S3 order. {@code nextStartAfter} is the last key or common prefix
 * returned (what V1's NextMarker and V2's continuation token encode) and is set when truncated.
 */
public record ListPage(List<ObjectRecord> objects, List<String> commonPrefixes, boolean truncated,
                       String nextStartAfter) {
}
