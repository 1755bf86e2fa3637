package dev.kura.storage;

import dev.kura.common.DataId;

/**
 * What a stored data file says of itself: its id, label, block size and length from its checked header
 * and footer, and the annotation the layer above stored with it (empty when none).
 */
public record StoredData(DataId dataId, String label, int blockSize, long length, byte[] annotation) {
}
