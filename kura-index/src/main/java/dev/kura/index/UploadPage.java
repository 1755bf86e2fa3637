package dev.kura.index;

import java.util.List;

/**
 * A page of ListMultipartUploads, in key order then initiation order. When truncated,
 * {@code nextKeyMarker}/{@code nextUploadIdMarker} name the last upload (or common prefix) returned.
 */
public record UploadPage(List<UploadRecord> uploads, List<String> commonPrefixes, boolean truncated,
                         String nextKeyMarker, String nextUploadIdMarker) {
}
