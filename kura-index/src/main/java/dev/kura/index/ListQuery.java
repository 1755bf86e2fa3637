package dev.kura.index;

/**
 * A bounded listing of current versions.
 *
 * @param bucketId   the bucket
 * @param prefix     only keys starting with this ("" for all)
 * @param delimiter  roll keys up to common prefixes at the first delimiter after the prefix, or null
 * @param startAfter only keys (and common prefixes) strictly after this, in UTF-8 byte order, or null
 * @param maxKeys    at most this many keys plus common prefixes in the page (0 is valid)
 * @param scanBudget at most this many rows examined; a page that runs out is truncated
 */
public record ListQuery(long bucketId, String prefix, String delimiter, String startAfter, int maxKeys,
                        int scanBudget) {
}
