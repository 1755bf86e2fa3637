package dev.kura.index.rocks;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.index.BucketRecord;
import dev.kura.index.BucketSetting;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.IndexResult;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.PendingFree;
import dev.kura.index.UploadRecord;
import dev.kura.index.UserRecord;
import dev.kura.index.Precondition;
import dev.kura.index.WriteIntent;
import dev.kura.index.codec.KeyCodec;
import dev.kura.index.codec.RecordCodec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatchWithIndex;

/**
 * Applies commands, one after the other, into one pending batch. Every read goes through the batch
 * overlaid on the database, so a command sees the effects of the commands before it in the same
 * group commit exactly as if they had been committed one by one.
 *
 * <p>Each method checks everything first and writes only after: a rejected command leaves the batch
 * as it found it. (The caller also wraps each command in a save point, for the unexpected.)
 *
 * <p>Deterministic by construction: the outcome depends only on the index state and the command's
 * own fields (times come from the command, never from a clock), as a Raft state machine requires.
 */
final class CommandApplier {
    private final RocksDB db;
    private final ReadOptions readOptions;
    private final WriteBatchWithIndex batch;

    CommandApplier(RocksDB db, ReadOptions readOptions, WriteBatchWithIndex batch) {
        this.db = db;
        this.readOptions = readOptions;
        this.batch = batch;
    }

    IndexResult apply(IndexCommand command) throws IndexException, RocksDBException {
        return switch (command) {
            case IndexCommand.CreateBucket c -> createBucket(c.bucket(), c.settings());
            case IndexCommand.PutBucketSetting c -> putBucketSetting(c.name(), c.bucketId(), c.setting(), c.value());
            case IndexCommand.PutUser c -> putUser(c.user(), c.replace());
            case IndexCommand.DeleteUser c -> deleteUser(c.name());
            case IndexCommand.PutObjectAcl c -> putObjectAcl(c.bucketId(), c.key(), c.versionId(), c.acl());
            case IndexCommand.DeleteBucket c -> deleteBucket(c.name(), c.bucketId());
            case IndexCommand.RecordIntent c -> recordIntent(c.intent());
            case IndexCommand.CancelIntent c -> cancelIntent(c.dataId());
            case IndexCommand.PutObject c -> putObject(c.bucketId(), c.record(), c.precondition(), c.inlineData());
            case IndexCommand.DeleteObject c -> deleteObject(c.bucketId(), c.key(), c.precondition(), c.at());
            case IndexCommand.DeleteVersion c -> deleteVersion(c.bucketId(), c.key(), c.versionId(), c.at(),
                    c.bypassGovernance());
            case IndexCommand.PutObjectLockConfiguration c -> putObjectLockConfiguration(c.name(), c.bucketId(), c.config());
            case IndexCommand.PutObjectRetention c -> putObjectRetention(c);
            case IndexCommand.PutObjectLegalHold c -> putObjectLegalHold(c.bucketId(), c.key(), c.versionId(), c.on());
            case IndexCommand.PutBucketLifecycle c -> putBucketLifecycle(c.name(), c.bucketId(), c.configuration());
            case IndexCommand.SetBucketVersioning c -> setBucketVersioning(c.name(), c.bucketId(), c.state());
            case IndexCommand.CompleteFree c -> completeFree(c.dataId());
            case IndexCommand.CreateUpload c -> createUpload(c.bucketId(), c.upload());
            case IndexCommand.PutPart c -> putPart(c.bucketId(), c.key(), c.uploadId(), c.part());
            case IndexCommand.CompleteUpload c -> completeUpload(c);
            case IndexCommand.AbortUpload c -> abortUpload(c.bucketId(), c.key(), c.uploadId(), c.at());
            case IndexCommand.PutObjectTags c -> putObjectTags(c.bucketId(), c.key(), c.versionId(), c.tags());
            case IndexCommand.PutBucketTags c -> putBucketTags(c.name(), c.bucketId(), c.tags());
            case IndexCommand.RelocateData c -> relocateData(c);
            case IndexCommand.SplitPartition c -> new PartitionApplier(db, readOptions, batch).split(c);
            case IndexCommand.MergePartitions c -> new PartitionApplier(db, readOptions, batch).merge(c);
        };
    }

    // ---- multipart and tags

    private IndexResult createUpload(long bucketId, UploadRecord upload) throws IndexException, RocksDBException {
        requireBucket(bucketId);
        batch.put(KeyCodec.uploadRow(bucketId, upload.key(), upload.uploadId()), RecordCodec.encode(upload));
        return IndexResult.DONE;
    }

    private IndexResult putPart(long bucketId, String key, String uploadId, PartRecord part)
            throws IndexException, RocksDBException {
        requireUpload(bucketId, key, uploadId);
        byte[] row = KeyCodec.uploadPartRow(bucketId, key, uploadId, part.partNumber());
        byte[] old = get(row);
        if (old != null) {
            // S3: a part uploaded again replaces the earlier one, whose data is freed.
            freeIfUnreferenced(RecordCodec.decodePart(old).location(), part.location(), part.lastModified());
        }
        batch.put(row, RecordCodec.encode(part));
        clearIntent(part.location());
        return IndexResult.DONE;
    }

    private IndexResult completeUpload(IndexCommand.CompleteUpload c) throws IndexException, RocksDBException {
        ObjectRecord record = c.record();
        String key = record.key();
        byte[] uploadRow = KeyCodec.uploadRow(c.bucketId(), key, c.uploadId());
        if (get(uploadRow) == null) {
            Row current = newest(c.bucketId(), key);
            if (current != null && c.uploadId().equals(current.record().uploadId())) {
                return new IndexResult.AlreadyCompleted(current.record()); // a retried Complete succeeds
            }
            requireBucket(c.bucketId());
            throw new IndexException.NoSuchUpload(c.uploadId());
        }
        BucketRecord bucket = requireBucketRecord(c.bucketId());
        check(c.precondition(), newest(c.bucketId(), key));
        List<KeyValue> uploaded = rowsWithPrefix(KeyCodec.uploadPartsOf(c.bucketId(), key, c.uploadId()));
        java.util.Map<Integer, PartRecord> byNumber = new java.util.HashMap<>();
        for (KeyValue kv : uploaded) {
            PartRecord p = RecordCodec.decodePart(kv.value());
            byNumber.put(p.partNumber(), p);
        }
        for (PartRecord chosen : c.parts()) {
            PartRecord now = byNumber.get(chosen.partNumber());
            if (now == null || !now.location().dataId().equals(chosen.location().dataId())) {
                throw new IndexException.InvalidPart("part " + chosen.partNumber() + " is not the upload's current part");
            }
        }
        record = stamp(record, bucket);
        byte[] newRow = KeyCodec.objectRow(c.bucketId(), key, record.sequence());
        List<Row> replaced = replacedBy(c.bucketId(), record, newRow);
        for (Row old : replaced) {
            batch.delete(old.key());
            freeRecordData(c.bucketId(), old, record.lastModified());
        }
        java.util.Set<Integer> kept = new java.util.HashSet<>();
        for (PartRecord chosen : c.parts()) {
            kept.add(chosen.partNumber());
            batch.put(KeyCodec.objectPartRow(c.bucketId(), key, record.sequence(), chosen.partNumber()),
                    RecordCodec.encode(chosen));
        }
        for (KeyValue kv : uploaded) {
            batch.delete(kv.key());
            PartRecord p = RecordCodec.decodePart(kv.value());
            if (!kept.contains(p.partNumber())) {
                freeIfUnreferenced(p.location(), null, record.lastModified());
            }
        }
        batch.delete(uploadRow);
        batch.put(newRow, RecordCodec.encode(record));
        // The manifest (the record's location, when completion wrote one) is now referenced.
        clearIntent(record.location());
        return new IndexResult.Replaced(replaced.stream().map(Row::record).findFirst(), record);
    }

    private IndexResult abortUpload(long bucketId, String key, String uploadId, Instant at)
            throws IndexException, RocksDBException {
        requireUpload(bucketId, key, uploadId);
        dropUpload(bucketId, key, uploadId, at);
        return IndexResult.DONE;
    }

    /** Deletes an upload and its part rows, freeing every part's data. */
    private void dropUpload(long bucketId, String key, String uploadId, Instant at) throws RocksDBException {
        for (KeyValue kv : rowsWithPrefix(KeyCodec.uploadPartsOf(bucketId, key, uploadId))) {
            batch.delete(kv.key());
            freeIfUnreferenced(RecordCodec.decodePart(kv.value()).location(), null, at);
        }
        batch.delete(KeyCodec.uploadRow(bucketId, key, uploadId));
    }

    private IndexResult putObjectTags(long bucketId, String key, String versionId, java.util.Map<String, String> tags)
            throws IndexException, RocksDBException {
        Row current = liveVersion(bucketId, key, versionId);
        batch.put(current.key(), RecordCodec.encode(current.record().withTags(tags)));
        return IndexResult.DONE;
    }

    private IndexResult putObjectAcl(long bucketId, String key, String versionId, String acl)
            throws IndexException, RocksDBException {
        Row current = liveVersion(bucketId, key, versionId);
        batch.put(current.key(), RecordCodec.encode(current.record().withAcl(acl)));
        return IndexResult.DONE;
    }

    /** The named version, or the current one, which must not be a delete marker. */
    private Row liveVersion(long bucketId, String key, String versionId) throws IndexException, RocksDBException {
        requireBucket(bucketId);
        Row current = versionId == null ? newest(bucketId, key) : version(bucketId, key, versionId);
        if (current == null && versionId != null) {
            throw new IndexException.NoSuchVersion(key, versionId);
        }
        if (current == null || current.record().deleteMarker()) {
            throw new IndexException.NoSuchKey(key);
        }
        return current;
    }

    private IndexResult relocateData(IndexCommand.RelocateData c) throws RocksDBException {
        byte[] row = switch (c.holder()) {
            case IndexCommand.DataHolder.Version v -> KeyCodec.objectRow(c.bucketId(), c.key(), v.sequence());
            case IndexCommand.DataHolder.ObjectPart p -> KeyCodec.objectPartRow(c.bucketId(), c.key(), p.sequence(),
                    p.partNumber());
            case IndexCommand.DataHolder.UploadPart u -> KeyCodec.uploadPartRow(c.bucketId(), c.key(), u.uploadId(),
                    u.partNumber());
        };
        byte[] value = get(row);
        DataId id = c.from().dataId();
        // The data's shards are files named by its id on each drive: a location of the same data that is not
        // the one this repair started from (another repair moved it meanwhile) may share drives with `to`, so
        // nothing is freed then — the copies this repair made stay until the data is deleted (a delete sweeps
        // the id on every drive) — and the caller drops nothing (UNCHANGED).
        if (value != null && c.holder() instanceof IndexCommand.DataHolder.Version) {
            ObjectRecord r = RecordCodec.decodeObject(value);
            if (r.location() != null && r.location().dataId().equals(id)) {
                if (!r.location().equals(c.from())) {
                    return IndexResult.UNCHANGED;
                }
                batch.put(row, RecordCodec.encode(r.withLocation(c.to())));
                return IndexResult.DONE;
            }
        } else if (value != null) {
            PartRecord p = RecordCodec.decodePart(value);
            if (p.location().dataId().equals(id)) {
                if (!p.location().equals(c.from())) {
                    return IndexResult.UNCHANGED;
                }
                batch.put(row, RecordCodec.encode(new PartRecord(p.partNumber(), c.to(), p.size(), p.etag(),
                        p.lastModified(), p.checksum(), p.offset())));
                return IndexResult.DONE;
            }
        }
        // Replaced or deleted meanwhile: the data id is garbage, and so are the shards just rebuilt.
        batch.put(KeyCodec.freeRow(id), RecordCodec.encode(new PendingFree(c.to(), c.at())));
        return IndexResult.DONE;
    }

    private IndexResult putBucketTags(String name, long bucketId, java.util.Map<String, String> tags)
            throws IndexException, RocksDBException {
        BucketRecord b = namedBucket(name, bucketId);
        batch.put(KeyCodec.bucketRow(name), RecordCodec.encode(b.withTags(tags)));
        return IndexResult.DONE;
    }

    private void requireUpload(long bucketId, String key, String uploadId) throws IndexException, RocksDBException {
        requireBucket(bucketId);
        if (get(KeyCodec.uploadRow(bucketId, key, uploadId)) == null) {
            throw new IndexException.NoSuchUpload(uploadId);
        }
    }

    /**
     * Frees the data of a version that is going away: its one location, or each of its parts and its
     * manifest (a multipart version's location, absent for versions completed before manifests).
     */
    private void freeRecordData(long bucketId, Row row, Instant since) throws RocksDBException {
        ObjectRecord r = row.record();
        if (r.isMultipart()) {
            for (KeyValue kv : rowsWithPrefix(KeyCodec.objectPartsOf(bucketId, r.key(), r.sequence()))) {
                batch.delete(kv.key());
                freeIfUnreferenced(RecordCodec.decodePart(kv.value()).location(), null, since);
            }
            freeIfUnreferenced(r.location(), null, since);
        } else {
            freeIfUnreferenced(r.location(), null, since);
        }
    }

    private void clearIntent(DataLocation location) throws RocksDBException {
        if (location != null) {
            Optional<WriteIntent> intent = intent(location.dataId());
            if (intent.isPresent()) {
                deleteIntentRows(intent.get());
            }
        }
    }

    private IndexResult createBucket(BucketRecord bucket, java.util.Map<BucketSetting, byte[]> settings)
            throws IndexException, RocksDBException {
        byte[] row = KeyCodec.bucketRow(bucket.name());
        byte[] existing = get(row);
        if (existing != null) {
            throw new IndexException.BucketAlreadyExists(RecordCodec.decodeBucket(existing));
        }
        byte[] idRow = KeyCodec.bucketIdRow(bucket.id());
        byte[] idOwner = get(idRow);
        if (idOwner != null) {
            // Ids are allocated by the caller and must be fresh; reuse would merge two buckets' objects.
            throw new IllegalArgumentException("bucket id " + bucket.id() + " already used by bucket "
                    + new String(idOwner, StandardCharsets.UTF_8));
        }
        batch.put(row, RecordCodec.encode(bucket));
        batch.put(idRow, KeyCodec.utf8(bucket.name()));
        for (var setting : settings.entrySet()) {
            batch.put(KeyCodec.bucketSettingRow(bucket.id(), setting.getKey()), setting.getValue());
        }
        return IndexResult.DONE;
    }

    private IndexResult putBucketSetting(String name, long bucketId, BucketSetting setting, byte[] value)
            throws IndexException, RocksDBException {
        namedBucket(name, bucketId);
        if (value == null) {
            batch.delete(KeyCodec.bucketSettingRow(bucketId, setting));
        } else {
            batch.put(KeyCodec.bucketSettingRow(bucketId, setting), value);
        }
        return IndexResult.DONE;
    }

    // ---- users

    private IndexResult putUser(UserRecord user, boolean replace) throws IndexException, RocksDBException {
        byte[] row = KeyCodec.userRow(user.name());
        byte[] existing = get(row);
        if (replace && existing == null) {
            throw new IndexException.NoSuchUser(user.name());
        }
        if (!replace && existing != null) {
            throw new IndexException.UserAlreadyExists("user " + user.name() + " already exists");
        }
        byte[] keyRow = KeyCodec.userByAccessKeyRow(user.accessKey());
        byte[] keyHolder = get(keyRow);
        if (keyHolder != null && !user.name().equals(new String(keyHolder, StandardCharsets.UTF_8))) {
            throw new IndexException.UserAlreadyExists("access key " + user.accessKey() + " is taken");
        }
        if (existing != null) {
            UserRecord old = RecordCodec.decodeUser(existing);
            if (!old.accessKey().equals(user.accessKey())) {
                batch.delete(KeyCodec.userByAccessKeyRow(old.accessKey()));
            }
        }
        batch.put(row, RecordCodec.encode(user));
        batch.put(keyRow, KeyCodec.utf8(user.name()));
        return IndexResult.DONE;
    }

    private IndexResult deleteUser(String name) throws IndexException, RocksDBException {
        byte[] row = KeyCodec.userRow(name);
        byte[] existing = get(row);
        if (existing == null) {
            throw new IndexException.NoSuchUser(name);
        }
        batch.delete(KeyCodec.userByAccessKeyRow(RecordCodec.decodeUser(existing).accessKey()));
        batch.delete(row);
        return IndexResult.DONE;
    }

    private IndexResult deleteBucket(String name, long bucketId) throws IndexException, RocksDBException {
        byte[] row = KeyCodec.bucketRow(name);
        namedBucket(name, bucketId);
        // Any version (delete markers too, as in S3) or any in-flight write keeps the bucket alive.
        if (anyRowStartingWith(KeyCodec.objectsOfBucket(bucketId))
                || anyRowStartingWith(KeyCodec.intentsOfBucket(bucketId))) {
            throw new IndexException.BucketNotEmpty(name);
        }
        // Uploads in progress do not keep a bucket alive; deleting it aborts them (their parts are freed).
        for (KeyValue kv : rowsWithPrefix(KeyCodec.uploadsOfBucket(bucketId))) {
            UploadRecord u = RecordCodec.decodeUpload(kv.value());
            dropUpload(bucketId, u.key(), u.uploadId(), u.initiated());
        }
        batch.delete(row);
        batch.delete(KeyCodec.bucketIdRow(bucketId));
        batch.delete(KeyCodec.lifecycleRow(bucketId));
        for (KeyValue kv : rowsWithPrefix(KeyCodec.bucketSettingsOf(bucketId))) {
            batch.delete(kv.key());
        }
        new PartitionApplier(db, readOptions, batch).dropAll(bucketId);
        return IndexResult.DONE;
    }

    private IndexResult recordIntent(WriteIntent intent) throws RocksDBException {
        DataId id = intent.location().dataId();
        Optional<WriteIntent> previous = intent(id);
        if (previous.isPresent()) {
            deleteIntentRows(previous.get()); // a retried RecordIntent must not leave stale index rows
        }
        byte[] value = RecordCodec.encode(intent);
        batch.put(KeyCodec.intentRow(id), value);
        batch.put(KeyCodec.intentByTimeRow(intent.createdAt(), id), value);
        batch.put(KeyCodec.intentByBucketRow(intent.bucketId(), id), new byte[0]);
        return IndexResult.DONE;
    }

    private IndexResult cancelIntent(DataId dataId) throws RocksDBException {
        Optional<WriteIntent> intent = intent(dataId);
        if (intent.isPresent()) {
            deleteIntentRows(intent.get());
        }
        return IndexResult.DONE;
    }

    private IndexResult completeFree(DataId dataId) throws RocksDBException {
        batch.delete(KeyCodec.freeRow(dataId));
        batch.delete(KeyCodec.inlineRow(dataId)); // inline data is freed here; a no-op for data on drives
        return IndexResult.DONE;
    }

    private IndexResult putObject(long bucketId, ObjectRecord record, Precondition precondition, byte[] inlineData)
            throws IndexException, RocksDBException {
        BucketRecord bucket = requireBucketRecord(bucketId);
        check(precondition, newest(bucketId, record.key()));
        record = stamp(record, bucket);
        byte[] newRow = KeyCodec.objectRow(bucketId, record.key(), record.sequence());
        byte[] value = RecordCodec.encode(record);
        List<Row> replaced = replacedBy(bucketId, record, newRow);

        for (Row old : replaced) {
            batch.delete(old.key());
            if (old.record().isMultipart()) {
                freeRecordData(bucketId, old, record.lastModified());
            } else {
                freeIfUnreferenced(old.record().location(), record.location(), record.lastModified());
            }
        }
        batch.put(newRow, value);
        if (inlineData != null) {
            batch.put(KeyCodec.inlineRow(record.location().dataId()), inlineData);
        }
        // The data is now referenced: it is no longer garbage if we crash from here on.
        clearIntent(record.location());
        return new IndexResult.Replaced(replaced.stream().map(Row::record).findFirst(), record);
    }

    private IndexResult deleteObject(long bucketId, String key, Precondition precondition, Instant at)
            throws IndexException, RocksDBException {
        BucketRecord bucket = requireBucketRecord(bucketId);
        Row current = newest(bucketId, key);
        check(precondition, current);
        if (bucket.versioning() != BucketRecord.Versioning.UNVERSIONED) {
            // Enabled: a marker on top, nothing removed. Suspended: a "null" marker replaces the null version.
            ObjectRecord marker = stamp(ObjectRecord.deleteMarker(key, ObjectRecord.NULL_VERSION, 0, at, bucket.owner()),
                    bucket);
            byte[] newRow = KeyCodec.objectRow(bucketId, key, marker.sequence());
            List<Row> replaced = replacedBy(bucketId, marker, newRow);
            for (Row old : replaced) {
                batch.delete(old.key());
                freeRecordData(bucketId, old, at);
            }
            batch.put(newRow, RecordCodec.encode(marker));
            return new IndexResult.Replaced(replaced.stream().map(Row::record).findFirst(), marker);
        }
        if (current == null) {
            return new IndexResult.Replaced(Optional.empty()); // S3: deleting an absent key succeeds
        }
        batch.delete(current.key());
        freeRecordData(bucketId, current, at);
        return new IndexResult.Replaced(Optional.of(current.record()));
    }

    private IndexResult deleteVersion(long bucketId, String key, String versionId, Instant at, boolean bypass)
            throws IndexException, RocksDBException {
        requireBucket(bucketId);
        Row row = version(bucketId, key, versionId);
        if (row == null) {
            return new IndexResult.Replaced(Optional.empty());
        }
        ObjectRecord.Lock lock = row.record().lockState();
        if (lock.legalHold()) {
            throw new IndexException.ObjectLocked(key + " version " + versionId + " is under a legal hold");
        }
        if (lock.retainedAt(at) && (ObjectRecord.Lock.COMPLIANCE.equals(lock.mode()) || !bypass)) {
            throw new IndexException.ObjectLocked(key + " version " + versionId + " is retained in " + lock.mode()
                    + " mode until " + lock.retainUntil());
        }
        batch.delete(row.key());
        freeRecordData(bucketId, row, at);
        return new IndexResult.Replaced(Optional.of(row.record()));
    }

    private IndexResult setBucketVersioning(String name, long bucketId, BucketRecord.Versioning state)
            throws IndexException, RocksDBException {
        byte[] row = KeyCodec.bucketRow(name);
        BucketRecord b = namedBucket(name, bucketId);
        if (b.objectLock() != null && state != BucketRecord.Versioning.ENABLED) {
            throw new IndexException.InvalidBucketState("versioning cannot be suspended on a bucket with Object Lock");
        }
        batch.put(row, RecordCodec.encode(b.withVersioning(state)));
        return IndexResult.DONE;
    }

    private IndexResult putObjectLockConfiguration(String name, long bucketId, BucketRecord.ObjectLock config)
            throws IndexException, RocksDBException {
        byte[] row = KeyCodec.bucketRow(name);
        BucketRecord b = namedBucket(name, bucketId);
        if (b.versioning() != BucketRecord.Versioning.ENABLED) {
            throw new IndexException.InvalidBucketState("Object Lock needs versioning enabled on " + name);
        }
        batch.put(row, RecordCodec.encode(b.withObjectLock(config)));
        return IndexResult.DONE;
    }

    private IndexResult putObjectRetention(IndexCommand.PutObjectRetention c) throws IndexException, RocksDBException {
        Row row = lockTarget(c.bucketId(), c.key(), c.versionId());
        ObjectRecord.Lock lock = row.record().lockState();
        if (lock.retainedAt(c.at())) {
            boolean keptOrExtended = lock.mode().equals(c.mode()) && c.retainUntil() != null
                    && !c.retainUntil().isBefore(lock.retainUntil());
            if (!keptOrExtended && (ObjectRecord.Lock.COMPLIANCE.equals(lock.mode()) || !c.bypassGovernance())) {
                throw new IndexException.ObjectLocked(c.key() + " is retained in " + lock.mode() + " mode until "
                        + lock.retainUntil() + ": the retention can only be extended");
            }
        }
        batch.put(row.key(), RecordCodec.encode(row.record().withLock(lock.withRetention(c.mode(), c.retainUntil()))));
        return IndexResult.DONE;
    }

    private IndexResult putBucketLifecycle(String name, long bucketId, byte[] configuration)
            throws IndexException, RocksDBException {
        namedBucket(name, bucketId);
        if (configuration == null) {
            batch.delete(KeyCodec.lifecycleRow(bucketId));
        } else {
            batch.put(KeyCodec.lifecycleRow(bucketId), configuration);
        }
        return IndexResult.DONE;
    }

    private IndexResult putObjectLegalHold(long bucketId, String key, String versionId, boolean on)
            throws IndexException, RocksDBException {
        Row row = lockTarget(bucketId, key, versionId);
        batch.put(row.key(), RecordCodec.encode(row.record().withLock(row.record().lockState().withLegalHold(on))));
        return IndexResult.DONE;
    }

    /** The version a retention or legal hold applies to: the named one, or the current one. */
    private Row lockTarget(long bucketId, String key, String versionId) throws IndexException, RocksDBException {
        requireBucket(bucketId);
        Row row = versionId == null ? newest(bucketId, key) : version(bucketId, key, versionId);
        if (row == null && versionId != null) {
            throw new IndexException.NoSuchVersion(key, versionId);
        }
        if (row == null || row.record().deleteMarker()) {
            throw new IndexException.NoSuchKey(key);
        }
        return row;
    }

    /** The row of one version of a key by its version id ("null": the null version), or null. */
    private Row version(long bucketId, String key, String versionId) throws RocksDBException {
        if (ObjectRecord.NULL_VERSION.equals(versionId)) {
            for (Row r : versions(bucketId, key)) {
                if (ObjectRecord.NULL_VERSION.equals(r.record().versionId())) {
                    return r;
                }
            }
            return null;
        }
        java.util.OptionalLong sequence = dev.kura.index.VersionIds.sequenceOf(versionId);
        if (sequence.isEmpty()) {
            return null;
        }
        byte[] key2 = KeyCodec.objectRow(bucketId, key, sequence.getAsLong());
        byte[] value = get(key2);
        if (value == null) {
            return null;
        }
        ObjectRecord r = RecordCodec.decodeObject(value);
        return versionId.equals(r.versionId()) ? new Row(key2, r) : null;
    }

    /** The meta row holding the last sequence the index assigned to a version. */
    static final byte[] LAST_SEQUENCE_ROW = KeyCodec.metaRow("last-sequence");

    /**
     * The record as it is committed: its sequence is the proposed one (the writer's clock, which the
     * data's annotation carries) unless that is not above every sequence assigned before, then the
     * next one — so versions sort in commit order whatever the writers' clocks did, and replaying the
     * same commands assigns the same sequences. The version id follows from the bucket's state at this
     * point of the command order: derived from the sequence when versioning is enabled, else "null".
     */
    private ObjectRecord stamp(ObjectRecord record, BucketRecord bucket) throws RocksDBException {
        if (record.sequence() < 0) {
            throw new IllegalArgumentException("negative sequence " + record.sequence() + " for " + record.key());
        }
        byte[] v = get(LAST_SEQUENCE_ROW);
        long last = v == null ? 0 : java.nio.ByteBuffer.wrap(v).getLong();
        long sequence = Math.max(record.sequence(), last + 1);
        batch.put(LAST_SEQUENCE_ROW, java.nio.ByteBuffer.allocate(8).putLong(sequence).array());
        String versionId = bucket.versioning() == BucketRecord.Versioning.ENABLED
                ? dev.kura.index.VersionIds.of(sequence) : ObjectRecord.NULL_VERSION;
        return record.withVersion(versionId, sequence);
    }

    /**
     * The rows the new record takes the place of: a null version replaces the key's null version (the
     * only kind of version in an unversioned bucket, one of many in a suspended one), while a real
     * version id adds a version. A row at the very same sequence is overwritten in both cases, so its
     * data is freed rather than leaked.
     */
    private List<Row> replacedBy(long bucketId, ObjectRecord record, byte[] newRow) throws RocksDBException {
        List<Row> replaced = new ArrayList<>();
        boolean nullVersion = ObjectRecord.NULL_VERSION.equals(record.versionId());
        boolean sameRowSeen = false;
        if (nullVersion) {
            for (Row row : versions(bucketId, record.key())) {
                if (ObjectRecord.NULL_VERSION.equals(row.record().versionId())) {
                    replaced.add(row);
                    sameRowSeen |= Arrays.equals(row.key(), newRow);
                }
            }
        }
        if (!sameRowSeen) {
            byte[] same = get(newRow);
            if (same != null) {
                replaced.add(new Row(newRow, RecordCodec.decodeObject(same)));
            }
        }
        return replaced;
    }

    /** Records a deferred free of {@code old}'s data unless the new record still points at it. */
    private void freeIfUnreferenced(DataLocation old, DataLocation now, Instant since) throws RocksDBException {
        if (old == null || (now != null && old.dataId().equals(now.dataId()))) {
            return;
        }
        batch.put(KeyCodec.freeRow(old.dataId()), RecordCodec.encode(new PendingFree(old, since)));
    }

    /** Evaluates a precondition against the key's current version (null when the key has none). */
    private static void check(Precondition precondition, Row current) throws IndexException.PreconditionFailed {
        ObjectRecord live = current == null || current.record().deleteMarker() ? null : current.record();
        switch (precondition) {
            case Precondition.None n -> {
            }
            case Precondition.IfNoneMatchAny n -> {
                if (live != null) {
                    throw new IndexException.PreconditionFailed("If-None-Match: * but " + live.key() + " exists");
                }
            }
            case Precondition.IfMatch m -> {
                if (live == null || !("*".equals(m.etag()) || m.etag().equals(live.etag()))) {
                    throw new IndexException.PreconditionFailed("If-Match: " + m.etag() + " does not match");
                }
            }
        }
    }

    private void requireBucket(long bucketId) throws IndexException, RocksDBException {
        if (get(KeyCodec.bucketIdRow(bucketId)) == null) {
            throw new IndexException.NoSuchBucket("bucket id " + bucketId);
        }
    }

    /** The bucket of this name, which must still be the one with this id (NoSuchBucket otherwise). */
    private BucketRecord namedBucket(String name, long bucketId) throws IndexException, RocksDBException {
        byte[] existing = get(KeyCodec.bucketRow(name));
        BucketRecord b = existing == null ? null : RecordCodec.decodeBucket(existing);
        if (b == null || b.id() != bucketId) {
            throw new IndexException.NoSuchBucket(name);
        }
        return b;
    }

    private BucketRecord requireBucketRecord(long bucketId) throws IndexException, RocksDBException {
        byte[] name = get(KeyCodec.bucketIdRow(bucketId));
        byte[] bucket = name == null ? null : get(KeyCodec.bucketRow(new String(name, StandardCharsets.UTF_8)));
        if (bucket == null) {
            throw new IndexException.NoSuchBucket("bucket id " + bucketId);
        }
        return RecordCodec.decodeBucket(bucket);
    }

    private Optional<WriteIntent> intent(DataId dataId) throws RocksDBException {
        byte[] value = get(KeyCodec.intentRow(dataId));
        return value == null ? Optional.empty() : Optional.of(RecordCodec.decodeIntent(value));
    }

    private void deleteIntentRows(WriteIntent intent) throws RocksDBException {
        DataId id = intent.location().dataId();
        batch.delete(KeyCodec.intentRow(id));
        batch.delete(KeyCodec.intentByTimeRow(intent.createdAt(), id));
        batch.delete(KeyCodec.intentByBucketRow(intent.bucketId(), id));
    }

    // ---- reads through the batch

    private byte[] get(byte[] key) throws RocksDBException {
        return batch.getFromBatchAndDB(db, readOptions, key);
    }

    /** The key's newest version (possibly a delete marker), or null. */
    private Row newest(long bucketId, String key) throws RocksDBException {
        byte[] head = KeyCodec.versionsOf(bucketId, key);
        try (RocksIterator it = iterator()) {
            it.seek(head);
            if (it.isValid() && KeyCodec.startsWith(it.key(), head)) {
                return new Row(it.key(), RecordCodec.decodeObject(it.value()));
            }
            it.status();
            return null;
        }
    }

    /** All versions of the key, newest first. In an unversioned bucket that is one row. */
    private List<Row> versions(long bucketId, String key) throws RocksDBException {
        byte[] head = KeyCodec.versionsOf(bucketId, key);
        List<Row> rows = new ArrayList<>(1);
        try (RocksIterator it = iterator()) {
            for (it.seek(head); it.isValid() && KeyCodec.startsWith(it.key(), head); it.next()) {
                rows.add(new Row(it.key(), RecordCodec.decodeObject(it.value())));
            }
            it.status();
        }
        return rows;
    }

    /** One bounded seek: is there at least one row with this prefix? */
    private boolean anyRowStartingWith(byte[] prefix) throws RocksDBException {
        try (RocksIterator it = iterator()) {
            it.seek(prefix);
            boolean found = it.isValid() && KeyCodec.startsWith(it.key(), prefix);
            it.status();
            return found;
        }
    }

    /** A view of the batch over the database; valid until the batch is next written to. */
    private RocksIterator iterator() {
        return batch.newIteratorWithBase(db.newIterator(readOptions));
    }

    /** Every row with this prefix (read fully before the batch is written to again). */
    private List<KeyValue> rowsWithPrefix(byte[] prefix) throws RocksDBException {
        List<KeyValue> rows = new ArrayList<>();
        try (RocksIterator it = iterator()) {
            for (it.seek(prefix); it.isValid() && KeyCodec.startsWith(it.key(), prefix); it.next()) {
                rows.add(new KeyValue(it.key(), it.value()));
            }
            it.status();
        }
        return rows;
    }

    private record KeyValue(byte[] key, byte[] value) {
    }

    private record Row(byte[] key, ObjectRecord record) {
        Row {
            Objects.requireNonNull(record);
        }
    }
}
