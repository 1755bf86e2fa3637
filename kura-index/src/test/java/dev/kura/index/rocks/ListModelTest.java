package dev.kura.index.rocks;

import static dev.kura.index.TestRecords.deleteMarker;
import static dev.kura.index.TestRecords.version;
import static dev.kura.index.codec.Utf8Strings.compareUtf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import dev.kura.index.IndexCommand.CreateBucket;
import dev.kura.index.IndexCommand.PutObject;
import dev.kura.index.ListPage;
import dev.kura.index.ListQuery;
import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import dev.kura.index.codec.Utf8Strings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Listing against a model: a TreeMap in unsigned UTF-8 order holding each key's newest version. Keys
 * come from a tiny alphabet (NUL, '/', 'a', 'b', U+FFFD, U+1F600) so shared prefixes, delimiters and
 * UTF-8/UTF-16 order differences are everywhere; about 40% of the keys end in a delete marker.
 */
class ListModelTest {
    static final long B = 1;
    /** '/' three times: deeper "directories", so more common prefixes that start with delete markers. */
    static final String[] ALPHABET = {"\0", "/", "/", "/", "a", "b", "\uFFFD", "\uD83D\uDE00"};

    /** A failing example shrinks a little, not for minutes: each step is a full paging run. */
    static final int SHRINK = 30;

    @TempDir
    static Path dir;
    static RocksObjectIndex index;
    static final TreeMap<String, ObjectRecord> model = new TreeMap<>(Utf8Strings::compareUtf8);

    record Query(String prefix, String delimiter, String startAfter) {
    }

    /** One listed entry: a key or a common prefix. */
    record Entry(String name, boolean prefix) {
    }

    @BeforeAll
    static void fill() throws Exception {
        index = RocksObjectIndex.open(dir);
        index.apply(new CreateBucket(dev.kura.index.TestRecords.versionedBucket("b", B)));
        Random random = new Random(20261105);
        List<ObjectRecord> records = new ArrayList<>();
        long sequence = 0;
        while (model.size() < 400) {
            String key = randomKey(random);
            if (model.containsKey(key)) {
                continue;
            }
            for (int v = 0, versions = 1 + random.nextInt(3); v < versions; v++) {
                sequence++;
                String id = dev.kura.index.VersionIds.of(sequence); // what the index assigns in this order
                ObjectRecord r = random.nextInt(10) < 4 ? deleteMarker(key, id, sequence) : version(key, id, sequence);
                records.add(r);
                model.put(key, r); // the last one written has the highest sequence: the newest
            }
        }
        // In order (the index assigns sequences in apply order), in batches: also exercises group commit.
        for (int i = 0; i < records.size(); i += 50) {
            List<dev.kura.index.IndexCommand> batch = new ArrayList<>();
            for (ObjectRecord r : records.subList(i, Math.min(records.size(), i + 50))) {
                batch.add(new PutObject(B, r, Precondition.NONE));
            }
            for (var outcome : index.applyAll(batch)) {
                assertThat(outcome.failure()).isNull();
            }
        }
    }

    @AfterAll
    static void close() {
        index.close();
    }

    static String randomKey(Random random) {
        StringBuilder key = new StringBuilder();
        for (int i = 0, n = 1 + random.nextInt(6); i < n; i++) {
            key.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return key.toString();
    }

    static Gen<Query> queries() {
        Gen<String> prefixes = Generate.pick(Arrays.asList("", "a", "a/", "/", "b", "\0", "a\0", "\uFFFD",
                "\uD83D\uDE00", "ab")).mix(Utf8Strings.smallAlphabet(2), 30);
        Gen<String> delimiters = Generate.pick(Arrays.asList(null, "", "/", "a", "//", "\0", "\uD83D\uDE00", "/a"));
        Gen<String> startAfters = Generate.pick(Arrays.asList((String) null)).mix(Utf8Strings.smallAlphabet(4), 60);
        return prefixes.zip(delimiters, startAfters, Query::new);
    }

    static List<Entry> expected(Query q) {
        List<Entry> out = new ArrayList<>();
        for (var e : model.entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(q.prefix()) || e.getValue().deleteMarker()) {
                continue;
            }
            String rollup = commonPrefix(q, key);
            Entry entry = rollup == null ? new Entry(key, false) : new Entry(rollup, true);
            boolean after = q.startAfter() == null || compareUtf8(entry.name(), q.startAfter()) > 0;
            if (after && (out.isEmpty() || !out.getLast().equals(entry))) {
                out.add(entry);
            }
        }
        return out;
    }

    static String commonPrefix(Query q, String key) {
        if (q.delimiter() == null || q.delimiter().isEmpty()) {
            return null;
        }
        int at = key.indexOf(q.delimiter(), q.prefix().length());
        return at < 0 ? null : key.substring(0, at + q.delimiter().length());
    }

    static List<Entry> entries(ListPage page) {
        List<Entry> out = new ArrayList<>();
        page.objects().forEach(o -> {
            assertThat(o).isEqualTo(model.get(o.key()));
            out.add(new Entry(o.key(), false));
        });
        page.commonPrefixes().forEach(p -> out.add(new Entry(p, true)));
        out.sort(Comparator.comparing(Entry::name, Utf8Strings::compareUtf8));
        return out;
    }

    ListPage list(Query q, String startAfter, int maxKeys, int budget) {
        return index.list(new ListQuery(B, q.prefix(), q.delimiter(), startAfter, maxKeys, budget));
    }

    @Test
    void oneBigPageIsTheModel() {
        qt().withShrinkCycles(SHRINK).withExamples(400).forAll(queries()).checkAssert(q -> {
            ListPage page = list(q, q.startAfter(), 100_000, 1_000_000);
            assertThat(entries(page)).as("%s", q).isEqualTo(expected(q));
            assertThat(page.truncated()).isFalse();
        });
    }

    @Test
    void pagingByNextStartAfterYieldsTheModelExactly() {
        qt().withShrinkCycles(SHRINK).withExamples(300).forAll(queries(), integers().between(1, 4))
                .checkAssert((q, maxKeys) -> assertThat(pageThrough(q, maxKeys))
                        .as("%s by %d", q, maxKeys).isEqualTo(expected(q)));
    }

    /** All entries of a listing, page by page, with budget to spare: only a full page is truncated. */
    List<Entry> pageThrough(Query q, int maxKeys) {
        List<Entry> all = new ArrayList<>();
        String after = q.startAfter();
        ListPage page;
        do {
            page = list(q, after, maxKeys, 1_000_000);
            List<Entry> entries = entries(page);
            assertThat(entries.size()).isLessThanOrEqualTo(maxKeys);
            if (page.truncated()) {
                assertThat(entries).hasSize(maxKeys);
                assertThat(page.nextStartAfter()).isEqualTo(entries.getLast().name());
            }
            all.addAll(entries);
            after = page.nextStartAfter();
        } while (page.truncated());
        return all;
    }

    @Test
    void pagingWithATinyScanBudgetLosesAndRepeatsNothing() {
        Gen<Integer> small = integers().between(1, 4);
        qt().withShrinkCycles(SHRINK).withExamples(300).forAll(queries(), small, small)
                .checkAssert((q, maxKeys, budget) -> {
                    List<Entry> all = new ArrayList<>();
                    String after = q.startAfter();
                    int pages = 0;
                    ListPage page;
                    do {
                        page = list(q, after, maxKeys, budget);
                        assertThat(entries(page).size()).isLessThanOrEqualTo(maxKeys);
                        all.addAll(entries(page));
                        after = page.nextStartAfter();
                        assertThat(++pages).as("progress").isLessThan(2_000);
                    } while (page.truncated());
                    assertBudgetedListing(q, all);
                });
    }

    /** Everything the model lists, in order, once; extra entries only prefixes holding no live key. */
    static void assertBudgetedListing(Query q, List<Entry> all) {
        for (int i = 1; i < all.size(); i++) {
            assertThat(compareUtf8(all.get(i - 1).name(), all.get(i).name())).as("order at %d", i).isNegative();
        }
        List<Entry> expected = expected(q);
        Set<Entry> expectedSet = new HashSet<>(expected);
        assertThat(all.stream().filter(expectedSet::contains).toList()).as("%s", q).isEqualTo(expected);
        for (Entry extra : all.stream().filter(e -> !expectedSet.contains(e)).toList()) {
            assertThat(extra.prefix()).as("extra %s", extra).isTrue();
            assertThat(model.entrySet().stream().filter(e -> e.getKey().startsWith(extra.name()))
                    .allMatch(e -> e.getValue().deleteMarker())).as("extra %s has no live key", extra).isTrue();
        }
    }
}
