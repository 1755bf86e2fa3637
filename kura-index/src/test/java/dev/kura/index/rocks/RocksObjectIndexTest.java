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
import dev.kura.index.IndexException;
import dev.kura.index.IndexResult;
import dev.kura.index.ListQuery;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PendingFree;
import dev.kura.index.Precondition;
import dev.kura.index.TestRecords;
import dev.kura.index.codec.KeyCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
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

    static IndexResult replaced(ObjectRecord previous) {
        return new IndexResult.Replaced(Optional.ofNullable(previous));
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
        assertThat(put(first, NONE)).isEqualTo(replaced(null));
        assertThat(put(second, NONE)).isEqualTo(replaced(first));

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
    void versionsWithIdsAccumulateAndANullVersionReplacesOnlyTheNullVersion() throws Exception {
        ObjectRecord v1 = version("k", "v1", 1);
        ObjectRecord v2 = version("k", "v2", 2);
        assertThat(put(v1, NONE)).isEqualTo(replaced(null));
        assertThat(put(v2, NONE)).isEqualTo(replaced(null));
        ObjectRecord null3 = object("k", 3);
        ObjectRecord null4 = object("k", 4);
        assertThat(put(null3, NONE)).isEqualTo(replaced(null));
        assertThat(put(null4, NONE)).isEqualTo(replaced(null3));

        assertThat(index.latest(B, "k")).contains(null4);
        assertThat(index.pendingFrees(10)).extracting(PendingFree::location).containsExactly(null3.location());
        delete("k", NONE); // removes null4: v2 is current again (unversioned-style delete of the current row)
        assertThat(index.latest(B, "k")).contains(v2);
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
        assertThat(delete("k", NONE)).isEqualTo(replaced(r));
        assertThat(index.latest(B, "k")).isEmpty();
        assertThat(index.pendingFrees(10))
                .containsExactly(new PendingFree(location("d1"), TestRecords.T0.plusSeconds(1000)));
    }

    @Test
    void deletingAnAbsentKeySucceedsAndChangesNothing() throws Exception {
        assertThat(delete("k", NONE)).isEqualTo(replaced(null));
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
