package dev.kura.index;

/**
 * A bounded listing of every version and delete marker (ListObjectVersions).
 *
 * @param bucketId         the bucket
 * @param prefix           only keys starting with this ("" for all)
 * @param delimiter        roll keys up to common prefixes at the first delimiter after the prefix, or null
 * @param keyMarker        start after this key (all its versions), or null
 * @param versionIdMarker  with {@code keyMarker}: start after this version of that key instead ("null"
 *                         names the null version), or null
 * @param maxKeys          at most this many versions, markers and common prefixes in the page (0 is valid)
 * @param scanBudget       at most this many rows examined; a page that runs out is truncated
 */
public record VersionQuery(long bucketId, String prefix, String delimiter, String keyMarker, String versionIdMarker,
                           int maxKeys, int scanBudget) {
}
