package dev.kura.storage;

import dev.kura.common.DataLocation;

/**
 * What {@link BlobStore#repair} found and did for one piece of data.
 *
 * @param shardsChecked      shards (or whole files) read and verified
 * @param shardsRebuilt      shards rewritten from the others
 * @param shardsUnrepairable bad shards left as they are: their drive is offline or gone and no
 *                           spare drive could take them, or the layout has no parity to rebuild from
 * @param relocated          when shards were rebuilt onto other drives than the location names (a
 *                           lost write's {@code "-"} slot, a drive gone from the set): the new
 *                           location, which the caller must record in the index; else null
 */
public record RepairResult(int shardsChecked, int shardsRebuilt, int shardsUnrepairable, DataLocation relocated) {
    public static final RepairResult HEALTHY_SINGLE = new RepairResult(1, 0, 0);

    public RepairResult(int shardsChecked, int shardsRebuilt, int shardsUnrepairable) {
        this(shardsChecked, shardsRebuilt, shardsUnrepairable, null);
    }
}
