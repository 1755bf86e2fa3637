package dev.kura.index.rocks;

import static dev.kura.index.TestRecords.bucket;
import static dev.kura.index.TestRecords.deleteMarker;
import static dev.kura.index.TestRecords.object;
import static dev.kura.index.TestRecords.version;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.index.IndexCommand.CreateBucket;
import dev.kura.index.IndexCommand.PutObject;
import dev.kura.index.IndexException;
import dev.kura.index.ListPage;
import dev.kura.index.ListQuery;
import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ListObjects semantics by example; ListModelTest checks the same against a model at random. */
class ListTest {
    static final long B = 1;
    static final int BUDGET = 10_000;

    @TempDir
    Path dir;
    RocksObjectIndex index;
    long sequence;

    @BeforeEach
    void open() throws Exception {
        index = RocksObjectIndex.open(dir);
        index.apply(new CreateBucket(bucket("b", B)));
        index.apply(new CreateBucket(bucket("neighbour", B + 1)));
        index.apply(new PutObject(B + 1, object("a", 1), Precondition.NONE)); // never listed in bucket B
    }

    @AfterEach
    void close() {
        index.close();
    }

    void put(String... keys) throws IndexException {
        for (String key : keys) {
            index.apply(new PutObject(B, object(key, ++sequence), Precondition.NONE));
        }
    }

    void deleteMarkers(String... keys) throws IndexException {
        for (String key : keys) {
            index.apply(new PutObject(B, deleteMarker(key, "dm" + (++sequence), sequence), Precondition.NONE));
        }
    }

    ListPage list(String prefix, String delimiter, String startAfter, int maxKeys) {
        return index.list(new ListQuery(B, prefix, delimiter, startAfter, maxKeys, BUDGET));
    }

    static List<String> keys(ListPage page) {
        return page.objects().stream().map(ObjectRecord::key).toList();
    }

    @Test
    void listsAllKeysInUtf8ByteOrder() throws Exception {
        put("b", "a\uD83D\uDE00", "a\uFFFD", "a", "a\0", "a\0\0", "a/", "A");
        ListPage page = list("", null, null, 1000);
        assertThat(keys(page)).containsExactly("A", "a", "a\0", "a\0\0", "a/", "a\uFFFD", "a\uD83D\uDE00", "b");
        assertThat(page.commonPrefixes()).isEmpty();
        assertThat(page.truncated()).isFalse();
        assertThat(page.nextStartAfter()).isNull();
    }

    @Test
    void prefixSelectsARange() throws Exception {
        put("photo", "photos/a", "photos/b/c", "photos0", "videos/x", "a\0b", "a\0c", "a\0");
        assertThat(keys(list("photos/", null, null, 1000))).containsExactly("photos/a", "photos/b/c");
        assertThat(keys(list("a\0", null, null, 1000))).containsExactly("a\0", "a\0b", "a\0c");
        assertThat(keys(list("zzz", null, null, 1000))).isEmpty();
    }

    @Test
    void delimiterRollsUpCommonPrefixes() throws Exception {
        put("a.txt", "photos/2025/x", "photos/2025/y", "photos/2026/y", "photos/z", "photos/", "videos/v");
        ListPage root = list("", "/", null, 1000);
        assertThat(keys(root)).containsExactly("a.txt");
        assertThat(root.commonPrefixes()).containsExactly("photos/", "videos/");

        ListPage photos = list("photos/", "/", null, 1000);
        assertThat(keys(photos)).containsExactly("photos/", "photos/z"); // the key equal to the prefix is an object
        assertThat(photos.commonPrefixes()).containsExactly("photos/2025/", "photos/2026/");
    }

    @Test
    void multiCharacterAndRepeatedDelimiters() throws Exception {
        put("x--y--z", "x--q", "xy", "x-y", "x----", "\uD83D\uDE00\uD83D\uDE00b");
        ListPage page = list("", "--", null, 1000);
        assertThat(page.commonPrefixes()).containsExactly("x--");
        assertThat(keys(page)).containsExactly("x-y", "xy", "\uD83D\uDE00\uD83D\uDE00b");

        ListPage emoji = list("", "\uD83D\uDE00", null, 1000);
        assertThat(emoji.commonPrefixes()).containsExactly("\uD83D\uDE00");
    }

    @Test
    void aDelimiterInsideThePrefixIsIgnored() throws Exception {
        put("a/b/c/d", "a/b/c/e", "a/b/f", "a/bz/g", "a/b/");
        ListPage page = list("a/b/", "/", null, 1000);
        assertThat(keys(page)).containsExactly("a/b/", "a/b/f");
        assertThat(page.commonPrefixes()).containsExactly("a/b/c/");
        ListPage partial = list("a/b", "/", null, 1000);
        assertThat(partial.commonPrefixes()).containsExactly("a/b/", "a/bz/");
        assertThat(keys(partial)).isEmpty();
    }

    @Test
    void startAfterIsExclusiveAndSkipsCommonPrefixesAtOrBeforeIt() throws Exception {
        put("a", "b/1", "b/2", "b/3", "c", "d/1");
        assertThat(keys(list("", null, "b/2", 1000))).containsExactly("b/3", "c", "d/1");
        assertThat(keys(list("", null, "b", 1000))).containsExactly("b/1", "b/2", "b/3", "c", "d/1");

        ListPage equal = list("", "/", "b/", 1000); // the continuation of a page that ended with b/
        assertThat(equal.commonPrefixes()).containsExactly("d/");
        assertThat(keys(equal)).containsExactly("c");

        ListPage inside = list("", "/", "b/1", 1000); // b/ sorts before b/1: not strictly after it
        assertThat(inside.commonPrefixes()).containsExactly("d/");
        assertThat(keys(inside)).containsExactly("c");

        ListPage before = list("", "/", "b", 1000);
        assertThat(before.commonPrefixes()).containsExactly("b/", "d/");

        assertThat(keys(list("b/", null, "a", 1000))).containsExactly("b/1", "b/2", "b/3");
        assertThat(keys(list("", null, "z", 1000))).isEmpty();
        assertThat(keys(list("", null, "", 1000))).hasSize(6);
    }

    @Test
    void maxKeysZeroIsAnEmptyUntruncatedPage() throws Exception {
        put("a", "b");
        // As S3 answers max-keys=0: no contents, IsTruncated false.
        assertThat(list("", null, null, 0)).isEqualTo(new ListPage(List.of(), List.of(), false, null));
    }

    @Test
    void maxKeysOnePagesThroughKeysAndPrefixes() throws Exception {
        put("a", "b/1", "b/2", "c");
        ListPage first = list("", "/", null, 1);
        assertThat(keys(first)).containsExactly("a");
        assertThat(first.truncated()).isTrue();
        assertThat(first.nextStartAfter()).isEqualTo("a");

        ListPage second = list("", "/", first.nextStartAfter(), 1);
        assertThat(second.commonPrefixes()).containsExactly("b/");
        assertThat(second.nextStartAfter()).isEqualTo("b/");

        ListPage third = list("", "/", second.nextStartAfter(), 1);
        assertThat(keys(third)).containsExactly("c");
        assertThat(third.truncated()).isFalse();
        assertThat(third.nextStartAfter()).isNull();
    }

    @Test
    void aFullPageIsNotTruncatedWhenNothingFollows() throws Exception {
        put("a", "b/1", "b/2");
        deleteMarkers("c");
        ListPage page = list("", "/", null, 2);
        assertThat(page.truncated()).isFalse();
        assertThat(page.commonPrefixes()).containsExactly("b/");
    }

    @Test
    void onlyTheNewestVersionIsListedAndDeleteMarkersHideKeys() throws Exception {
        index.apply(new dev.kura.index.IndexCommand.SetBucketVersioning("b", B, dev.kura.index.BucketRecord.Versioning.ENABLED));
        for (int v = 1; v <= 5; v++) {
            index.apply(new PutObject(B, version("many", "v" + v, ++sequence), Precondition.NONE));
        }
        ObjectRecord newest = index.latest(B, "many").orElseThrow();
        put("gone", "kept");
        deleteMarkers("gone");
        ListPage page = list("", null, null, 1000);
        assertThat(keys(page)).containsExactly("kept", "many");
        assertThat(page.objects().get(1).versionId()).isEqualTo(newest.versionId()).isNotEqualTo("null");
    }

    @Test
    void aPrefixWhoseKeysAreAllDeleteMarkersIsNotListed() throws Exception {
        put("d/1", "d/2", "e/2");
        deleteMarkers("d/1", "d/2", "e/1");
        ListPage page = list("", "/", null, 1000);
        assertThat(page.commonPrefixes()).containsExactly("e/"); // e/1 is a delete marker, e/2 is live
    }

    @Test
    void theScanBudgetBoundsAPageOfDeleteMarkers() throws Exception {
        put("k00", "k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08", "k09", "live");
        deleteMarkers("k00", "k01", "k02", "k03", "k04", "k05", "k06", "k07", "k08", "k09");
        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        ListPage page;
        do {
            page = index.list(new ListQuery(B, "", null, after, 1000, 3));
            seen.addAll(keys(page));
            after = page.nextStartAfter();
            pages++;
        } while (page.truncated());
        assertThat(seen).containsExactly("live");
        assertThat(pages).isEqualTo(4); // 3 + 3 + 3 markers, then k09 and live
    }

    @Test
    void aBudgetThatRunsOutInsideAPendingPrefixStillMakesProgress() throws Exception {
        put("a", "d/1", "d/2", "d/3", "d/4");
        deleteMarkers("d/1", "d/2", "d/3");
        ListPage first = index.list(new ListQuery(B, "", "/", null, 1, 3));
        assertThat(keys(first)).containsExactly("a");
        assertThat(first.nextStartAfter()).isEqualTo("a"); // full, so it stops before the undecided prefix

        ListPage second = index.list(new ListQuery(B, "", "/", "a", 1, 2));
        assertThat(second.commonPrefixes()).containsExactly("d/"); // undecided but room: returned to progress
        assertThat(second.truncated()).isTrue();
        assertThat(index.list(new ListQuery(B, "", "/", "d/", 1, 2)).truncated()).isFalse();

        ListPage enough = index.list(new ListQuery(B, "", "/", "a", 1, 10));
        assertThat(enough.commonPrefixes()).containsExactly("d/");
        assertThat(enough.truncated()).isFalse();
    }
}
