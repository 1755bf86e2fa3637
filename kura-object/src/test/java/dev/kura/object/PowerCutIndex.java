package dev.kura.object;

import dev.kura.index.BucketRecord;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.IndexResult;
import dev.kura.index.ListPage;
import dev.kura.index.ListQuery;
import dev.kura.index.ObjectIndex;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.PendingFree;
import dev.kura.index.UploadPage;
import dev.kura.index.UploadRecord;
import dev.kura.index.WriteIntent;
import dev.kura.testing.fs.PowerCutFileIo;
import java.util.List;
import java.util.Optional;

/**
 * The index half of a simulated power cut. A synced apply of the real index is durable when it
 * returns, so what a cut can do to it is: stop a command before it is applied, or after it is
 * applied but before its caller hears so. This decorator counts synced applies and durability
 * barriers together with the file operations of a {@link PowerCutFileIo} as one sequence of steps
 * and cuts the power at step N — in the index ({@link Mode}) or in the file system — after which
 * both are dead, as the process would be.
 *
 * <p>Unsynced applies are modelled at their worst: held back, and lost at a cut, unless a later
 * synced apply or barrier makes them durable first (as RocksDB's one log does: a synced write syncs
 * everything before it). Held-back commands are not visible to reads, which only the sweeper of a
 * rebooted index makes, so this changes nothing the tests look at.
 */
final class PowerCutIndex implements ObjectIndex {
    enum Mode { CUT_BEFORE_APPLY, CUT_AFTER_APPLY }

    private final ObjectIndex inner;
    private final PowerCutFileIo files;
    private final int cutAt;
    private final Mode mode;
    private final int fileOpsAtStart;
    private int applies;
    /** Unsynced commands not yet durable: lost at a cut. */
    private final List<IndexCommand> unsynced = new java.util.ArrayList<>();

    /** Cuts the power at global step {@code cutAt} (1-based) counted from now. */
    PowerCutIndex(ObjectIndex inner, PowerCutFileIo files, int cutAt, Mode mode) {
        this.inner = inner;
        this.files = files;
        this.cutAt = cutAt;
        this.mode = mode;
        this.fileOpsAtStart = files.operations();
        files.failAfter(cutAt);
    }

    private int stepsDone() {
        return files.operations() - fileOpsAtStart + applies;
    }

    private void checkPower() throws IndexException {
        if (files.isPoweredOff()) {
            throw new IndexException.EngineFailure("power is off", null);
        }
    }

    @Override
    public synchronized IndexResult apply(IndexCommand command) throws IndexException {
        checkPower();
        boolean cutHere = stepsDone() + 1 == cutAt;
        applies++;
        if (cutHere) {
            if (mode == Mode.CUT_AFTER_APPLY) {
                flushUnsynced();
                try {
                    inner.apply(command);
                } catch (IndexException e) {
                    // rejected (a failed precondition): the cut still comes before the caller hears
                }
            }
            unsynced.clear();
            files.powerCut();
            throw new IndexException.EngineFailure("simulated power cut at index step " + cutAt, null);
        }
        flushUnsynced();
        IndexResult r = inner.apply(command);
        int left = cutAt - stepsDone();
        if (left >= 1) {
            files.failAfter(left);
        }
        return r;
    }

    private void flushUnsynced() throws IndexException {
        for (IndexCommand c : unsynced) {
            try {
                inner.apply(c);
            } catch (IndexException e) {
                // rejected as it would have been when applied: it never took effect
            }
        }
        unsynced.clear();
    }

    /** Only for commands answered DONE (intents, cancels, completed frees), which is all Kura applies unsynced. */
    @Override
    public synchronized IndexResult applyUnsynced(IndexCommand command) throws IndexException {
        checkPower();
        unsynced.add(command);
        return IndexResult.DONE;
    }

    /** A step of its own: the log sync that makes the held-back commands durable. */
    @Override
    public synchronized void awaitDurable() throws IndexException {
        checkPower();
        boolean cutHere = stepsDone() + 1 == cutAt;
        applies++;
        if (cutHere) {
            if (mode == Mode.CUT_AFTER_APPLY) {
                flushUnsynced();
            }
            unsynced.clear();
            files.powerCut();
            throw new IndexException.EngineFailure("simulated power cut at index sync " + cutAt, null);
        }
        flushUnsynced();
        int left = cutAt - stepsDone();
        if (left >= 1) {
            files.failAfter(left);
        }
    }

    @Override
    public long newBucketId(String name, long random) {
        return inner.newBucketId(name, random);
    }

    @Override
    public Optional<byte[]> inlineData(long bucketId, dev.kura.common.DataId dataId) {
        return inner.inlineData(bucketId, dataId);
    }

    @Override
    public Optional<BucketRecord> bucket(String name) {
        return inner.bucket(name);
    }

    @Override
    public List<BucketRecord> buckets() {
        return inner.buckets();
    }

    @Override
    public Optional<ObjectRecord> latest(long bucketId, String key) {
        return inner.latest(bucketId, key);
    }

    @Override
    public Optional<ObjectRecord> version(long bucketId, String key, String versionId) {
        return inner.version(bucketId, key, versionId);
    }

    @Override
    public dev.kura.index.VersionPage listVersions(dev.kura.index.VersionQuery query) {
        return inner.listVersions(query);
    }

    @Override
    public Optional<byte[]> lifecycle(long bucketId) {
        return inner.lifecycle(bucketId);
    }

    @Override
    public Optional<byte[]> bucketSetting(long bucketId, dev.kura.index.BucketSetting setting) {
        return inner.bucketSetting(bucketId, setting);
    }

    @Override
    public java.util.Map<dev.kura.index.BucketSetting, byte[]> bucketSettings(long bucketId) {
        return inner.bucketSettings(bucketId);
    }

    @Override
    public java.util.List<dev.kura.index.PartitionRecord> partitions(long bucketId) {
        return inner.partitions(bucketId);
    }

    @Override
    public Optional<dev.kura.index.UserRecord> user(String name) {
        return inner.user(name);
    }

    @Override
    public Optional<dev.kura.index.UserRecord> userByAccessKey(String accessKey) {
        return inner.userByAccessKey(accessKey);
    }

    @Override
    public java.util.List<dev.kura.index.UserRecord> users() {
        return inner.users();
    }

    @Override
    public ListPage list(ListQuery query) {
        return inner.list(query);
    }

    @Override
    public Optional<UploadRecord> upload(long bucketId, String key, String uploadId) {
        return inner.upload(bucketId, key, uploadId);
    }

    @Override
    public List<PartRecord> uploadParts(long bucketId, String key, String uploadId, int afterPart, int max) {
        return inner.uploadParts(bucketId, key, uploadId, afterPart, max);
    }

    @Override
    public List<PartRecord> objectParts(long bucketId, String key, long sequence) {
        return inner.objectParts(bucketId, key, sequence);
    }

    @Override
    public UploadPage uploads(long bucketId, String prefix, String delimiter, String keyMarker, String uploadIdMarker,
                              int max) {
        return inner.uploads(bucketId, prefix, delimiter, keyMarker, uploadIdMarker, max);
    }

    @Override
    public List<WriteIntent> intents(int limit) {
        return inner.intents(limit);
    }

    @Override
    public List<PendingFree> pendingFrees(dev.kura.common.DataId after, int limit) {
        return inner.pendingFrees(after, limit);
    }

    @Override
    public boolean isHealthy() {
        return inner.isHealthy() && !files.isPoweredOff();
    }

    @Override
    public void close() {
        inner.close();
    }
}
