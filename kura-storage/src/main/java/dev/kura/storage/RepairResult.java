package dev.kura.storage;

/**
 * What {@link BlobStore#repair} found and did for one piece of data.
 *
 * @param shardsChecked      shards (or whole files) read and verified
 * @param shardsRebuilt      shards rewritten from the others
 * @param shardsUnrepairable bad shards left as they are: their drive is offline or gone, or the
 *                           layout has no parity to rebuild from
 */
public record RepairResult(int shardsChecked, int shardsRebuilt, int shardsUnrepairable) {
    public static final RepairResult HEALTHY_SINGLE = new RepairResult(1, 0, 0);
}
