package dev.kura.index.rocks;

import static dev.kura.index.TestRecords.object;
import static dev.kura.index.TestRecords.versionedBucket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.IndexResult;
import dev.kura.index.Precondition;
import dev.kura.index.VersionPage;
import dev.kura.index.VersionQuery;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replicated log's seam: a logged command's position is recorded with its effects, a replay from
 * an earlier point skips what is applied (no double apply across a restart), and a checkpoint opens
 * as an index holding the same state and position.
 */
class LoggedApplyTest {
    static final long B = 9;

    @TempDir
    Path dir;

    @Test
    void positionIsRecordedWithTheEffectsAndAReplayAfterReopenAppliesNothingTwice() throws Exception {
        List<IndexCommand> log = List.of(
                new IndexCommand.CreateBucket(versionedBucket("b", B)),
                new IndexCommand.PutObject(B, object("k", 1), Precondition.NONE),
                new IndexCommand.PutObject(B, object("k", 2), Precondition.NONE),
                // rejected (the bucket exists): still a position applied
                new IndexCommand.CreateBucket(versionedBucket("b", B)));
        try (RocksObjectIndex index = RocksObjectIndex.open(dir.resolve("i"))) {
            assertThat(index.appliedLogPosition()).isEmpty();
            for (int i = 0; i < log.size(); i++) {
                CompletableFuture<IndexResult> f = index.applyLogged(new LogPosition(1, i + 1), log.get(i)).orElseThrow();
                if (i == 3) {
                    assertThatThrownBy(f::get).isInstanceOf(ExecutionException.class)
                            .cause().isInstanceOf(IndexException.BucketAlreadyExists.class);
                } else {
                    f.get();
                }
            }
            assertThat(index.appliedLogPosition()).contains(new LogPosition(1, 4));
            assertThatThrownBy(() -> index.applyLogged(new LogPosition(1, 4), log.get(1)))
                    .isInstanceOf(IllegalStateException.class);
        }
        try (RocksObjectIndex index = RocksObjectIndex.open(dir.resolve("i"))) {
            // The log replayed from its start: everything up to 4 is skipped, 5 is applied.
            for (int i = 0; i < log.size(); i++) {
                assertThat(index.applyLogged(new LogPosition(1, i + 1), log.get(i))).isEmpty();
            }
            index.applyLogged(new LogPosition(2, 5), new IndexCommand.PutObject(B, object("k", 3), Precondition.NONE))
                    .orElseThrow().get();
            assertThat(versions(index)).hasSize(3);
            assertThat(index.appliedLogPosition()).contains(new LogPosition(2, 5));
        }
    }

    @Test
    void aCheckpointOpensWithTheSameStateAndPosition() throws Exception {
        List<VersionPage.Entry> live;
        try (RocksObjectIndex index = RocksObjectIndex.open(dir.resolve("i"))) {
            index.applyLogged(new LogPosition(3, 10), new IndexCommand.CreateBucket(versionedBucket("b", B))).orElseThrow().get();
            for (int i = 0; i < 20; i++) {
                index.applyLogged(new LogPosition(3, 11 + i),
                        new IndexCommand.PutObject(B, object("k" + (i % 4), i), Precondition.NONE)).orElseThrow().get();
            }
            assertThat(index.checkpoint(dir.resolve("cp"))).contains(new LogPosition(3, 30));
            live = versions(index);
            index.applyLogged(new LogPosition(3, 31), new IndexCommand.PutObject(B, object("later", 99), Precondition.NONE))
                    .orElseThrow().get();
        }
        try (RocksObjectIndex copy = RocksObjectIndex.open(dir.resolve("cp"))) {
            assertThat(copy.appliedLogPosition()).contains(new LogPosition(3, 30));
            assertThat(versions(copy)).hasSize(20).isEqualTo(live);
            assertThat(copy.applyLogged(new LogPosition(3, 30), new IndexCommand.PutObject(B, object("x", 1), Precondition.NONE)))
                    .isEqualTo(Optional.empty());
        }
    }

    @Test
    void aRepeatedCallIsAppliedOnceWithinItsWindowEvenAfterAReopenAndForgottenPastIt() throws Exception {
        byte[] call = "client-1/call-7".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (RocksObjectIndex index = RocksObjectIndex.open(dir.resolve("i"), Applier.Hooks.NONE, Applier.DEFAULT_MAX_BATCH, 10)) {
            index.applyLogged(new LogPosition(1, 1), new IndexCommand.CreateBucket(versionedBucket("b", B)), key("c1"))
                    .orElseThrow().get();
            index.applyLogged(new LogPosition(1, 2), put("k", 1), call).orElseThrow().get();
            // The client's retry, appended once more by a new leader: refused, nothing applied.
            CompletableFuture<IndexResult> repeat = index.applyLogged(new LogPosition(2, 3), put("k", 1), call).orElseThrow();
            assertThatThrownBy(repeat::get).cause().isInstanceOf(DuplicateLogCall.class);
            assertThat(versions(index)).hasSize(1);
        }
        try (RocksObjectIndex index = RocksObjectIndex.open(dir.resolve("i"), Applier.Hooks.NONE, Applier.DEFAULT_MAX_BATCH, 10)) {
            CompletableFuture<IndexResult> repeat = index.applyLogged(new LogPosition(2, 4), put("k", 1), call).orElseThrow();
            assertThatThrownBy(repeat::get).cause().isInstanceOf(DuplicateLogCall.class); // remembered in the index
            for (int i = 5; i <= 14; i++) {
                index.applyLogged(new LogPosition(2, i), put("other", i), key("c" + i)).orElseThrow().get();
            }
            // More than 10 entries later the call is forgotten (its rows pruned): the same key is a new call.
            index.applyLogged(new LogPosition(2, 15), put("k", 2), call).orElseThrow().get();
            assertThat(versions(index)).hasSize(1 + 10 + 1);
        }
    }

    @Test
    void theRowsArePinned() {
        // m|log-applied: format 1, term, index (big-endian)
        assertThat(new LogPosition(2, 5).encode()).containsExactly(1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 5);
        assertThat(LogPosition.decode(new LogPosition(7, 1L << 40).encode())).isEqualTo(new LogPosition(7, 1L << 40));
        assertThat(Applier.LOG_APPLIED_ROW).containsExactly('m', 'l', 'o', 'g', '-', 'a', 'p', 'p', 'l', 'i', 'e', 'd');
        // 'c' | call key -> index; 'e' | index -> call key
        assertThat(LogCalls.callRow(new byte[] {9, 8})).containsExactly('c', 9, 8);
        assertThat(LogCalls.indexRow(258)).containsExactly('e', 0, 0, 0, 0, 0, 0, 1, 2);
    }

    private static IndexCommand put(String key, long n) {
        return new IndexCommand.PutObject(B, object(key, n), Precondition.NONE);
    }

    private static byte[] key(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static List<VersionPage.Entry> versions(RocksObjectIndex index) {
        return index.listVersions(new VersionQuery(B, "", null, null, null, 1000, 10_000)).versions();
    }
}
