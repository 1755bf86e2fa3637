package dev.kura.index.rocks;

import static dev.kura.index.TestRecords.bucket;
import static dev.kura.index.TestRecords.intent;
import static dev.kura.index.TestRecords.object;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexResult;
import dev.kura.index.IndexCommand.CreateBucket;
import dev.kura.index.IndexCommand.DeleteObject;
import dev.kura.index.IndexCommand.PutObject;
import dev.kura.index.IndexCommand.RecordIntent;
import dev.kura.index.IndexException;
import dev.kura.index.IndexOutcome;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PendingFree;
import dev.kura.index.Precondition;
import dev.kura.index.TestRecords;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unsynced applies, durability barriers, batched applies and inline data. */
class DurabilityTest {
    static final long B = 1;

    @TempDir
    Path dir;
    RocksObjectIndex index;
    final GroupCommitTest.Gate gate = new GroupCommitTest.Gate();
    final ExecutorService pool = Executors.newCachedThreadPool();

    void open() throws Exception {
        index = RocksObjectIndex.open(dir, new Applier.Hooks(gate, () -> { }), 64);
        index.apply(new CreateBucket(bucket("photos", B)));
    }

    @AfterEach
    void close() {
        gate.release.countDown();
        pool.shutdownNow();
        if (index != null) {
            index.close();
        }
    }

    long stat(String name) {
        return index.stats().get(name);
    }

    @Test
    void anUnsyncedApplyIsVisibleAtOnceAndABarrierSyncsTheLogOnce() throws Exception {
        open();
        long synced = stat("synced_writes");
        index.applyUnsynced(new RecordIntent(intent("a", B, "k", TestRecords.T0)));
        assertThat(index.intents(10)).hasSize(1);
        assertThat(stat("synced_writes")).isEqualTo(synced);
        assertThat(stat("wal_syncs")).isZero();

        index.awaitDurable();
        assertThat(stat("wal_syncs")).isEqualTo(1);
        index.awaitDurable(); // nothing new since: no second sync
        assertThat(stat("wal_syncs")).isEqualTo(1);
    }

    @Test
    void aSyncedApplyAfterAnUnsyncedOneMakesTheBarrierFree() throws Exception {
        open();
        index.applyUnsynced(new RecordIntent(intent("a", B, "k", TestRecords.T0)));
        index.apply(new PutObject(B, object("other", 1), new Precondition.None()));
        index.awaitDurable();
        assertThat(stat("wal_syncs")).isZero();
    }

    @Test
    void applyAllGroupCommitsAndAnswersEachCommandInOrder() throws Exception {
        open();
        int n = 300;
        for (int i = 0; i < n; i++) {
            index.applyUnsynced(new PutObject(B, object("k" + i, 1), new Precondition.None()));
        }
        List<IndexCommand> deletes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Precondition p = i == 7 ? new Precondition.IfMatch("no-such-etag") : new Precondition.None();
            deletes.add(new DeleteObject(B, "k" + i, p, TestRecords.T0));
        }
        long before = stat("batches_written");
        gate.armed = true;
        Future<List<IndexOutcome>> outcomes = pool.submit(() -> index.applyAll(deletes));
        assertThat(gate.entered.await(10, TimeUnit.SECONDS)).isTrue();
        while (index.queued() < n - 1) {
            Thread.onSpinWait();
        }
        gate.release.countDown();
        List<IndexOutcome> out = outcomes.get(10, TimeUnit.SECONDS);

        assertThat(out).hasSize(n);
        assertThat(out.get(7).failure()).isInstanceOf(IndexException.PreconditionFailed.class);
        assertThat(out.stream().filter(IndexOutcome::ok).count()).isEqualTo(n - 1);
        // All 300 were queued while the gate held the applier: batches of at most 64, not 300 writes.
        assertThat(stat("batches_written") - before).isEqualTo((n + 63) / 64);
        assertThat(index.latest(B, "k7")).isPresent();
        assertThat(index.latest(B, "k8")).isEmpty();
    }

    @Test
    void inlineBytesLiveWithTheRecordAndAreDroppedWhenTheirFreeCompletes() throws Exception {
        open();
        byte[] bytes = "small object".getBytes(StandardCharsets.UTF_8);
        DataLocation loc = DataLocation.inline(TestRecords.dataId("small"), bytes.length);
        ObjectRecord small = new ObjectRecord("s", ObjectRecord.NULL_VERSION, 1, false, loc, bytes.length, "e", TestRecords.T0,
                Map.of(), Map.of(), null, "STANDARD", "owner");
        index.apply(new PutObject(B, small, new Precondition.None(), bytes));
        assertThat(index.latest(B, "s").orElseThrow().location().isInline()).isTrue();
        assertThat(index.inlineData(B, loc.dataId())).hasValueSatisfying(b -> assertThat(b).isEqualTo(bytes));

        index.apply(new PutObject(B, object("s", 2), new Precondition.None()));
        List<PendingFree> frees = index.pendingFrees(10);
        assertThat(frees).extracting(f -> f.location().dataId()).containsExactly(loc.dataId());
        assertThat(index.inlineData(B, loc.dataId())).isPresent(); // readers that looked up the old record still read it

        index.applyUnsynced(new IndexCommand.CompleteFree(loc.dataId()));
        assertThat(index.inlineData(B, loc.dataId())).isEmpty();
        assertThat(index.pendingFrees(10)).isEmpty();
    }

    @Test
    void aRelocationMovesTheRowThatStillHoldsTheDataElseFreesTheNewShards() throws Exception {
        open();
        ObjectRecord r = object("k", 1);
        index.apply(new PutObject(B, r, new Precondition.None()));
        DataLocation from = r.location();
        DataLocation to = new DataLocation(from.dataId(), from.layoutEpoch(), from.scheme(), List.of("drive-9"),
                from.blockSize(), from.length());
        index.apply(new IndexCommand.RelocateData(B, "k", new IndexCommand.DataHolder.Version(1), from, to, TestRecords.T0));
        assertThat(index.latest(B, "k").orElseThrow().location()).isEqualTo(to);
        assertThat(index.pendingFrees(10)).isEmpty();

        // A second repair that started from the old location lost the race: nothing changes, nothing is freed
        // (its copies share the data's id, and maybe drives, with the location the index holds).
        DataLocation other = new DataLocation(from.dataId(), from.layoutEpoch(), from.scheme(), List.of("drive-7"),
                from.blockSize(), from.length());
        assertThat(index.apply(new IndexCommand.RelocateData(B, "k", new IndexCommand.DataHolder.Version(1), from, other,
                TestRecords.T0))).isEqualTo(IndexResult.UNCHANGED);
        assertThat(index.latest(B, "k").orElseThrow().location()).isEqualTo(to);
        assertThat(index.pendingFrees(10)).isEmpty();

        // Replaced meanwhile: the relocated copy is garbage, recorded as such.
        index.apply(new PutObject(B, object("k", 2), new Precondition.None()));
        assertThat(index.pendingFrees(10)).extracting(PendingFree::location).containsExactly(to);
        DataLocation again = new DataLocation(from.dataId(), from.layoutEpoch(), from.scheme(), List.of("drive-8"),
                from.blockSize(), from.length());
        index.apply(new IndexCommand.RelocateData(B, "k", new IndexCommand.DataHolder.Version(1), to, again,
                TestRecords.T0));
        assertThat(index.latest(B, "k").orElseThrow().sequence()).isEqualTo(2);
        assertThat(index.pendingFrees(10)).extracting(PendingFree::location).containsExactly(again);
    }

    @Test
    void inlineDataMustMatchAnInlineLocation() {
        DataId id = TestRecords.dataId("x");
        ObjectRecord onDrive = object("k", 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new PutObject(B, onDrive, new Precondition.None(), new byte[100]))
                .isInstanceOf(IllegalArgumentException.class);
        ObjectRecord wrongLength = new ObjectRecord("k", ObjectRecord.NULL_VERSION, 1, false, DataLocation.inline(id, 5), 5,
                "e", TestRecords.T0, Map.of(), Map.of(), null, "STANDARD", "owner");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> new PutObject(B, wrongLength, new Precondition.None(), new byte[4]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
