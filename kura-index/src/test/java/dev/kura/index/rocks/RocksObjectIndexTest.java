package dev.kura.index.rocks;

import static dev.kura.index.TestRecords.bucket;
import static dev.kura.index.TestRecords.dataId;
import static dev.kura.index.TestRecords.deleteMarker;
import static dev.kura.index.TestRecords.intent;
import static dev.kura.index.TestRecords.location;
import static dev.kura.index.TestRecords.object;
import static dev.kura.index.TestRecords.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.index.BucketRecord;
import dev.kura.index.IndexCommand.CancelIntent;
import dev.kura.index.IndexCommand.CompleteFree;
import dev.kura.index.IndexCommand.CreateBucket;
import dev.kura.index.IndexCommand.DeleteBucket;
import dev.kura.index.IndexCommand.DeleteObject;
import dev.kura.index.IndexCommand.PutObject;
import dev.kura.index.IndexCommand.RecordIntent;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.IndexResult;
import dev.kura.index.ListQuery;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PendingFree;
import dev.kura.index.Precondition;
import dev.kura.index.TestRecords;
import dev.kura.index.VersionIds;
import dev.kura.index.VersionPage;
import dev.kura.index.VersionQuery;
import dev.kura.index.codec.KeyCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class RocksObjectIndexTest {
    static final long B = 1;
    static final Precondition NONE = Precondition.NONE;
    static final Precondition IF_NONE_MATCH = new Precondition.IfNoneMatchAny();

    @TempDir
    Path dir;
    RocksObjectIndex index;

    @BeforeEach
    void open() throws Exception {
        index = RocksObjectIndex.open(dir);
        index.apply(new CreateBucket(bucket("photos", B)));
    }

    @AfterEach
    void close() {
        index.close();
    }

    IndexResult put(ObjectRecord r, Precondition p) throws IndexException {
        return index.apply(new PutObject(B, r, p));
    }

    IndexResult delete(String key, Precondition p) throws IndexException {
        return index.apply(new DeleteObject(B, key, p, TestRecords.T0.plusSeconds(1000)));
    }

    /** The version a put or delete created, as the index committed it. */
    static ObjectRecord current(IndexResult r) {
        return ((IndexResult.Replaced) r).current();
    }

    /** What a put or delete replaced or removed. */
    static Optional<ObjectRecord> previous(IndexResult r) {
        return ((IndexResult.Replaced) r).previous();
    }

    // ---- buckets

    @Test
    void bucketsAreCreatedListedByNameAndRefusedWhenTaken() throws Exception {
        index.apply(new CreateBucket(bucket("alpha", 2)));
        assertThat(index.buckets()).extracting(BucketRecord::name).containsExactly("alpha", "photos");
        assertThat(index.bucket("photos")).contains(bucket("photos", B));
        assertThat(index.bucket("nope")).isEmpty();

        assertThatThrownBy(() -> index.apply(new CreateBucket(bucket("photos", 9))))
                .isInstanceOfSatisfying(IndexException.BucketAlreadyExists.class,
                        e -> assertThat(e.existing()).isEqualTo(bucket("photos", B)));
        assertThatThrownBy(() -> index.apply(new CreateBucket(bucket("other", B))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already used");
        assertThat(index.buckets()).hasSize(2);
    }

    @Test
    void deleteBucketNeedsTheRightIdAndAnEmptyBucket() throws Exception {
        assertThatThrownBy(() -> index.apply(new DeleteBucket("nope", B)))
                .isInstanceOf(IndexException.NoSuchBucket.class);
        assertThatThrownBy(() -> index.apply(new DeleteBucket("photos", 99)))
                .isInstanceOf(IndexException.NoSuchBucket.class);

        put(object("k", 1), NONE);
        assertThatThrownBy(() -> index.apply(new DeleteBucket("photos", B)))
                .isInstanceOf(IndexException.BucketNotEmpty.class);
        delete("k", NONE);
        index.apply(new DeleteBucket("photos", B));
        assertThat(index.bucket("photos")).isEmpty();
        assertThatThrownBy(() -> put(object("k", 2), NONE)).isInstanceOf(IndexException.NoSuchBucket.class);
    }

    @Test
    void deleteMarkersAndIntentsKeepABucketAlive() throws Exception {
        put(deleteMarker("k", "v1", 1), NONE);
        assertThatThrownBy(() -> index.apply(new DeleteBucket("photos", B)))
                .isInstanceOf(IndexException.BucketNotEmpty.class);
        delete("k", NONE);

        index.apply(new RecordIntent(intent("upload", B, "k", TestRecords.T0)));
        assertThatThrownBy(() -> index.apply(new DeleteBucket("photos", B)))
                .isInstanceOf(IndexException.BucketNotEmpty.class);
        index.apply(new CancelIntent(dataId("upload")));
        index.apply(new DeleteBucket("photos", B));
    }

    @Test
    void emptinessIsPerBucketId() throws Exception {
        // ids 1 and 2 and 256 share byte prefixes; the bounded seek must not see a neighbour's rows
        index.apply(new CreateBucket(bucket("two", 2)));
        index.apply(new CreateBucket(bucket("big", 256)));
        index.apply(new PutObject(2, object("k", 1), NONE));
        index.apply(new RecordIntent(intent("x", 256, "k", TestRecords.T0)));
        index.apply(new DeleteBucket("photos", B));
        assertThat(index.bucket("photos")).isEmpty();

        index.apply(new CreateBucket(bucket("photos", 3))); // a new incarnation sees none of the old rows
        assertThat(index.latest(3, "k")).isEmpty();
    }

    // ---- PutObject

    @Test
    void putReplacesTheNullVersionAndDefersTheFreeOfItsData() throws Exception {
        ObjectRecord first = object("k", 1, "data-1", "e1");
        ObjectRecord second = object("k", 2, "data-2", "e2");
        assertThat(previous(put(first, NONE))).isEqualTo(Optional.ofNullable(null));
        assertThat(previous(put(second, NONE))).isEqualTo(Optional.ofNullable(first));

        assertThat(index.latest(B, "k")).contains(second);
        assertThat(index.pendingFrees(10)).containsExactly(new PendingFree(location("data-1"), second.lastModified()));
        assertThat(index.list(new ListQuery(B, "", null, null, 10, 100)).objects()).containsExactly(second);
    }

    @Test
    void rePuttingTheSameDataDoesNotFreeIt() throws Exception {
        put(object("k", 1, "data", "e"), NONE);
        put(object("k", 2, "data", "e"), NONE);
        assertThat(index.pendingFrees(10)).isEmpty();
    }

    @Test
    void putClearsTheIntentOfItsData() throws Exception {
        index.apply(new RecordIntent(intent("data-1", B, "k", TestRecords.T0)));
        index.apply(new RecordIntent(intent("other", B, "j", TestRecords.T0)));
        put(object("k", 1, "data-1", "e1"), NONE);
        assertThat(index.intents(10)).extracting(w -> w.location().dataId()).containsExactly(dataId("other"));
    }

    @Test
    void putIntoAMissingBucketFails() {
        assertThatThrownBy(() -> index.apply(new PutObject(42, object("k", 1), NONE)))
                .isInstanceOf(IndexException.NoSuchBucket.class);
    }

    @Test
    void ifNoneMatchAnyWinsOnlyWhenTheKeyHasNoLiveVersion() throws Exception {
        put(object("k", 1), IF_NONE_MATCH);
        assertThatThrownBy(() -> put(object("k", 2), IF_NONE_MATCH))
                .isInstanceOf(IndexException.PreconditionFailed.class);
        assertThat(index.latest(B, "k").orElseThrow().sequence()).isEqualTo(1);

        delete("k", NONE);
        put(object("k", 3), IF_NONE_MATCH);

        put(deleteMarker("m", "v1", 4), NONE); // a delete marker is no current version
        put(version("m", "v2", 5), IF_NONE_MATCH);
    }

    @Test
    void ifMatchNeedsALiveVersionWithThatEtag() throws Exception {
        assertThatThrownBy(() -> put(object("k", 1), new Precondition.IfMatch("*")))
                .isInstanceOf(IndexException.PreconditionFailed.class);
        put(object("k", 1, "d1", "etag-1"), NONE);
        assertThatThrownBy(() -> put(object("k", 2), new Precondition.IfMatch("other")))
                .isInstanceOf(IndexException.PreconditionFailed.class);
        put(object("k", 2, "d2", "etag-2"), new Precondition.IfMatch("etag-1"));
        put(object("k", 3, "d3", "etag-3"), new Precondition.IfMatch("*"));
        assertThat(index.latest(B, "k").orElseThrow().etag()).isEqualTo("etag-3");

        put(deleteMarker("k", "v9", 9), NONE);
        assertThatThrownBy(() -> put(object("k", 10), new Precondition.IfMatch("*")))
                .isInstanceOf(IndexException.PreconditionFailed.class);
    }

    @Test
    void aRejectedPutChangesNothing() throws Exception {
        put(object("k", 1, "d1", "e1"), NONE);
        index.apply(new RecordIntent(intent("d2", B, "k", TestRecords.T0)));
        assertThatThrownBy(() -> put(object("k", 2, "d2", "e2"), new Precondition.IfMatch("wrong")))
                .isInstanceOf(IndexException.PreconditionFailed.class);
        assertThat(index.latest(B, "k").orElseThrow().etag()).isEqualTo("e1");
        assertThat(index.pendingFrees(10)).isEmpty();
        assertThat(index.intents(10)).hasSize(1);
    }

    @Test
    void versioningKeepsEveryVersionAndTheNullVersionIsReplacedOnlyByTheNullVersion() throws Exception {
        ObjectRecord null1 = object("k", 1);
        assertThat(current(put(null1, NONE)).versionId()).isEqualTo("null"); // unversioned: the null version
        index.apply(new IndexCommand.SetBucketVersioning("photos", B, BucketRecord.Versioning.ENABLED));
        ObjectRecord v2 = current(put(object("k", 2), NONE));
        ObjectRecord v3 = current(put(object("k", 3), NONE));
        assertThat(v2.versionId()).isEqualTo(VersionIds.of(2));
        assertThat(v3.versionId()).isEqualTo(VersionIds.of(3)).isGreaterThan(v2.versionId());
        assertThat(index.latest(B, "k")).contains(v3);
        assertThat(index.version(B, "k", "null")).contains(null1); // kept as a noncurrent version
        assertThat(index.version(B, "k", v2.versionId())).contains(v2);
        assertThat(index.version(B, "k", VersionIds.of(99))).isEmpty();
        assertThat(index.version(B, "k", "not-a-version-id")).isEmpty();

        index.apply(new IndexCommand.SetBucketVersioning("photos", B, BucketRecord.Versioning.SUSPENDED));
        ObjectRecord null4 = current(put(object("k", 4), NONE));
        assertThat(null4.versionId()).isEqualTo("null");
        assertThat(index.version(B, "k", "null")).contains(null4); // replaced null1, whose data is freed
        assertThat(index.pendingFrees(10)).extracting(PendingFree::location).containsExactly(null1.location());
        assertThat(index.version(B, "k", v2.versionId())).contains(v2);

        // suspended: a delete puts a "null" delete marker in the null version's place
        ObjectRecord marker = current(delete("k", NONE));
        assertThat(marker.deleteMarker()).isTrue();
        assertThat(marker.versionId()).isEqualTo("null");
        assertThat(index.latest(B, "k")).contains(marker);
        assertThat(index.pendingFrees(10)).extracting(PendingFree::location)
                .containsExactlyInAnyOrder(null1.location(), null4.location());

        // enabled: a delete adds a marker and removes nothing; deleting the marker brings v3 back
        index.apply(new IndexCommand.SetBucketVersioning("photos", B, BucketRecord.Versioning.ENABLED));
        ObjectRecord marker2 = current(delete("k", NONE));
        assertThat(marker2.versionId()).isNotEqualTo("null");
        assertThat(previous(index.apply(new IndexCommand.DeleteVersion(B, "k", marker2.versionId(), TestRecords.T0)))).contains(marker2);
        assertThat(previous(index.apply(new IndexCommand.DeleteVersion(B, "k", "null", TestRecords.T0)))).contains(marker);
        assertThat(index.latest(B, "k")).contains(v3);
        assertThat(previous(index.apply(new IndexCommand.DeleteVersion(B, "k", v3.versionId(), TestRecords.T0)))).contains(v3);
        assertThat(index.latest(B, "k")).contains(v2);
        assertThat(index.pendingFrees(10)).extracting(PendingFree::location).contains(v3.location());
        assertThat(previous(index.apply(new IndexCommand.DeleteVersion(B, "k", v3.versionId(), TestRecords.T0)))).isEmpty();
    }

    @Test
    void objectLockIsDecidedAtTheCommandsOwnTime() throws Exception {
        index.apply(new IndexCommand.SetBucketVersioning("photos", B, BucketRecord.Versioning.ENABLED));
        index.apply(new IndexCommand.PutObjectLockConfiguration("photos", B, BucketRecord.ObjectLock.ENABLED_WITHOUT_DEFAULT));
        assertThatThrownBy(() -> index.apply(new IndexCommand.SetBucketVersioning("photos", B,
                BucketRecord.Versioning.SUSPENDED))).isInstanceOf(IndexException.InvalidBucketState.class);
        Instant until = TestRecords.T0.plusSeconds(3600);
        ObjectRecord v = current(put(object("k", 1).withLock(new ObjectRecord.Lock("COMPLIANCE", until, false)), NONE));
        Instant before = until.minusSeconds(1);
        assertThatThrownBy(() -> index.apply(new IndexCommand.DeleteVersion(B, "k", v.versionId(), before, true)))
                .isInstanceOf(IndexException.ObjectLocked.class);
        assertThatThrownBy(() -> index.apply(new IndexCommand.PutObjectRetention(B, "k", null, "COMPLIANCE",
                until.minusSeconds(10), true, before))).isInstanceOf(IndexException.ObjectLocked.class);
        index.apply(new IndexCommand.PutObjectRetention(B, "k", null, "COMPLIANCE", until.plusSeconds(10), false, before));
        index.apply(new IndexCommand.PutObjectLegalHold(B, "k", v.versionId(), true));
        Instant after = until.plusSeconds(11); // the retention has run out; the legal hold has not
        assertThatThrownBy(() -> index.apply(new IndexCommand.DeleteVersion(B, "k", v.versionId(), after)))
                .isInstanceOf(IndexException.ObjectLocked.class);
        index.apply(new IndexCommand.PutObjectLegalHold(B, "k", v.versionId(), false));
        assertThat(previous(index.apply(new IndexCommand.DeleteVersion(B, "k", v.versionId(), after)))).isPresent();

        ObjectRecord g = current(put(object("g", 2).withLock(new ObjectRecord.Lock("GOVERNANCE", until, false)), NONE));
        assertThatThrownBy(() -> index.apply(new IndexCommand.DeleteVersion(B, "g", g.versionId(), before)))
                .isInstanceOf(IndexException.ObjectLocked.class);
        assertThat(previous(index.apply(new IndexCommand.DeleteVersion(B, "g", g.versionId(), before, true)))).isPresent();
    }

    @Test
    void theIndexAssignsSequencesInCommitOrderWhateverTheWritersClocksSay() throws Exception {
        index.apply(new IndexCommand.SetBucketVersioning("photos", B, BucketRecord.Versioning.ENABLED));
        ObjectRecord late = current(put(object("k", 100), NONE));
        ObjectRecord early = current(put(object("k", 50), NONE)); // committed after, proposed before
        assertThat(early.sequence()).isEqualTo(101);
        assertThat(index.latest(B, "k")).contains(early);
        assertThat(index.version(B, "k", late.versionId())).contains(late);
    }

    @Test
    void listVersionsPagesThroughEveryVersionAndMarkerNewestFirst() throws Exception {
        index.apply(new IndexCommand.SetBucketVersioning("photos", B, BucketRecord.Versioning.ENABLED));
        List<ObjectRecord> all = new java.util.ArrayList<>();
        for (String key : List.of("a", "b/1", "b/2", "c")) {
            for (int i = 0; i < 3; i++) {
                all.add(current(put(object(key, 1), NONE)));
            }
            all.add(current(delete(key, NONE)));
        }
        // S3 order: keys ascending, versions newest first
        List<ObjectRecord> expected = new java.util.ArrayList<>();
        for (int k = 0; k < 4; k++) {
            expected.addAll(all.subList(k * 4, k * 4 + 4).reversed());
        }
        VersionPage whole = index.listVersions(new VersionQuery(B, "", null, null, null, 1000, 10_000));
        assertThat(whole.truncated()).isFalse();
        assertThat(whole.versions()).extracting(VersionPage.Entry::record).isEqualTo(expected);
        assertThat(whole.versions()).extracting(VersionPage.Entry::latest)
                .containsExactly(true, false, false, false, true, false, false, false, true, false, false, false, true,
                        false, false, false);
        for (int size = 1; size <= 5; size++) {
            List<VersionPage.Entry> paged = new java.util.ArrayList<>();
            String keyMarker = null;
            String versionMarker = null;
            for (int pages = 0; pages < 100; pages++) {
                VersionPage p = index.listVersions(new VersionQuery(B, "", null, keyMarker, versionMarker, size, 10_000));
                assertThat(p.versions().size()).isLessThanOrEqualTo(size);
                paged.addAll(p.versions());
                if (!p.truncated()) {
                    break;
                }
                keyMarker = p.nextKeyMarker();
                versionMarker = p.nextVersionIdMarker();
            }
            assertThat(paged).as("pages of %d", size).isEqualTo(whole.versions());
        }
        VersionPage rolled = index.listVersions(new VersionQuery(B, "", "/", null, null, 1000, 10_000));
        assertThat(rolled.commonPrefixes()).containsExactly("b/");
        assertThat(rolled.versions()).extracting(e -> e.record().key()).containsOnly("a", "c").hasSize(8);
        VersionPage afterPrefix = index.listVersions(new VersionQuery(B, "", "/", "b/", null, 1000, 10_000));
        assertThat(afterPrefix.versions()).extracting(e -> e.record().key()).containsOnly("c");
    }

    @Test
    void aNegativeSequenceIsRefusedAsABadArgument() {
        assertThatThrownBy(() -> put(object("k", -1), NONE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> put(object("bad\uD800", 1), NONE)).isInstanceOf(IllegalArgumentException.class);
        assertThat(index.latest(B, "k")).isEmpty();
    }

    // ---- DeleteObject

    @Test
    void deleteRemovesTheCurrentVersionAndDefersItsFree() throws Exception {
        ObjectRecord r = object("k", 1, "d1", "e1");
        put(r, NONE);
        assertThat(previous(delete("k", NONE))).isEqualTo(Optional.ofNullable(r));
        assertThat(index.latest(B, "k")).isEmpty();
        assertThat(index.pendingFrees(10))
                .containsExactly(new PendingFree(location("d1"), TestRecords.T0.plusSeconds(1000)));
    }

    @Test
    void deletingAnAbsentKeySucceedsAndChangesNothing() throws Exception {
        assertThat(previous(delete("k", NONE))).isEqualTo(Optional.ofNullable(null));
        assertThat(index.pendingFrees(10)).isEmpty();
    }

    @Test
    void deleteChecksBucketAndIfMatch() throws Exception {
        put(object("k", 1, "d1", "e1"), NONE);
        assertThatThrownBy(() -> delete("k", new Precondition.IfMatch("e2")))
                .isInstanceOf(IndexException.PreconditionFailed.class);
        assertThatThrownBy(() -> delete("absent", new Precondition.IfMatch("*")))
                .isInstanceOf(IndexException.PreconditionFailed.class);
        assertThat(index.latest(B, "k")).isPresent();
        delete("k", new Precondition.IfMatch("e1"));
        assertThatThrownBy(() -> index.apply(new DeleteObject(42, "k", NONE, Instant.EPOCH)))
                .isInstanceOf(IndexException.NoSuchBucket.class);
    }

    // ---- intents and frees

    @Test
    void intentsComeOldestFirstAndCanBeCancelled() throws Exception {
        Instant t = TestRecords.T0;
        index.apply(new RecordIntent(intent("c", B, "k", t.plusSeconds(30))));
        index.apply(new RecordIntent(intent("a", B, "k", t.plusSeconds(10))));
        index.apply(new RecordIntent(intent("b", B, "k", t.plusSeconds(20))));
        index.apply(new RecordIntent(intent("a", B, "k", t.plusSeconds(40)))); // re-recorded: moves, no duplicate
        assertThat(index.intents(10)).extracting(w -> w.location().dataId())
                .containsExactly(dataId("b"), dataId("c"), dataId("a"));
        assertThat(index.intents(1)).hasSize(1);
        assertThat(index.intents(0)).isEmpty();

        index.apply(new CancelIntent(dataId("c")));
        assertThat(index.apply(new CancelIntent(dataId("never")))).isEqualTo(IndexResult.DONE);
        assertThat(index.intents(10)).extracting(w -> w.location().dataId()).containsExactly(dataId("b"), dataId("a"));
    }

    @Test
    void completeFreeForgetsThePendingFree() throws Exception {
        for (int i = 1; i <= 3; i++) {
            put(object("k", i, "d" + i, "e" + i), NONE);
        }
        assertThat(index.pendingFrees(10)).hasSize(2);
        assertThat(index.pendingFrees(1)).hasSize(1);
        index.apply(new CompleteFree(dataId("d1")));
        assertThat(index.pendingFrees(10)).extracting(PendingFree::location).containsExactly(location("d2"));
        index.apply(new CompleteFree(dataId("d1"))); // idempotent
    }

    // ---- lifecycle

    @Test
    void everythingSurvivesAReopen() throws Exception {
        put(object("a", 1, "d1", "e1"), NONE);
        put(object("a", 2, "d2", "e2"), NONE);
        put(object("b/c", 3), NONE);
        index.apply(new RecordIntent(intent("up", B, "z", TestRecords.T0)));
        var before = index.list(new ListQuery(B, "", "/", null, 10, 100));
        index.close();

        index = RocksObjectIndex.open(dir);
        assertThat(index.bucket("photos")).contains(bucket("photos", B));
        assertThat(index.list(new ListQuery(B, "", "/", null, 10, 100))).isEqualTo(before);
        assertThat(index.intents(10)).hasSize(1);
        assertThat(index.pendingFrees(10)).extracting(PendingFree::location).containsExactly(location("d1"));
        assertThatThrownBy(() -> put(object("a", 4), IF_NONE_MATCH))
                .isInstanceOf(IndexException.PreconditionFailed.class);
    }

    @Test
    void afterCloseWritesFailAsEngineFailureAndReadsRefuse() throws Exception {
        assertThat(index.isHealthy()).isTrue();
        index.close();
        index.close(); // idempotent
        assertThat(index.isHealthy()).isFalse();
        assertThatThrownBy(() -> put(object("k", 1), NONE)).isInstanceOf(IndexException.EngineFailure.class);
        assertThatThrownBy(() -> index.bucket("photos")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesADirectoryOfAnotherFormat() throws Exception {
        index.close();
        try (Options options = new Options(); RocksDB db = RocksDB.open(options, dir.toString())) {
            db.put(KeyCodec.metaRow("format"), new byte[] {99});
        }
        assertThatThrownBy(() -> RocksObjectIndex.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining("format 99");
        index = RocksObjectIndex.open(dir.resolve("fresh"));
    }

    @Test
    void listArgumentsAreChecked() {
        assertThatThrownBy(() -> index.list(new ListQuery(B, "", null, null, -1, 10)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.list(new ListQuery(B, "", null, null, 1, 0)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.intents(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
