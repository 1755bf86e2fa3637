package dev.kura.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.index.BucketRecord;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.IndexOutcome;
import dev.kura.index.IndexResult;
import dev.kura.index.ListQuery;
import dev.kura.index.ObjectIndex;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PendingFree;
import dev.kura.index.Precondition;
import dev.kura.index.UserRecord;
import dev.kura.index.VersionPage;
import dev.kura.index.WriteIntent;
import dev.kura.index.rocks.RocksObjectIndex;
import dev.kura.object.ObjectService;
import dev.kura.object.PutObjectInput;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.storage.local.LocalBlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The grouped index over real RocksDB indexes (one metadata group, three data groups), used through the
 * object service as the server uses it: each bucket and everything in it lands in the group of its name,
 * users in the metadata group, and what spans groups (the bucket list, intents, pending frees) reads as
 * the single index answers.
 */
class GroupedIndexTest {
    static final int G = 3;
    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path root;
    RocksObjectIndex meta;
    List<RocksObjectIndex> groups = new ArrayList<>();
    GroupedIndex index;
    LocalBlobStore store;
    ObjectService svc;
    final AtomicReference<Instant> now = new AtomicReference<>(T0);

    @BeforeEach
    void open() throws IOException {
        meta = RocksObjectIndex.open(root.resolve("meta"));
        for (int g = 0; g < G; g++) {
            groups.add(RocksObjectIndex.open(root.resolve("data-" + g)));
        }
        index = new GroupedIndex(meta, List.copyOf(groups));
        store = LocalBlobStore.open(root.resolve("drive"), new RealFileIo(), true);
        InstantSource clock = now::get;
        svc = new ObjectService(index, store, clock, new Random(7), "us-east-1");
    }

    @AfterEach
    void close() {
        store.close();
        index.close();
    }

    @Test
    void bucketsSpreadOverTheGroupsAndEachBucketsObjectsStayInItsGroup() throws IOException {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            names.add("bucket-" + i);
        }
        byte[] big = bytes(100_000, 1); // on the drive: its intent must be cleared in the bucket's group
        for (String name : names) {
            svc.createBucket(name, "owner");
            put(name, "small", ("hello " + name).getBytes(StandardCharsets.UTF_8));
            put(name, "big", big);
        }
        Set<Integer> used = new HashSet<>();
        for (String name : names) {
            BucketRecord b = svc.bucket(name);
            int group = GroupedIndex.groupOfName(name, G);
            used.add(group);
            assertThat(GroupedIndex.groupOfId(b.id())).as("the id of %s names its group", name).isEqualTo(group);
            for (int g = 0; g < G; g++) {
                RocksObjectIndex other = groups.get(g);
                assertThat(other.bucket(name).isPresent()).as("%s in group %d", name, g).isEqualTo(g == group);
                assertThat(other.list(new ListQuery(b.id(), "", null, null, 100, 10_000)).objects())
                        .extracting(ObjectRecord::key).as("objects of %s in group %d", name, g)
                        .isEqualTo(g == group ? List.of("big", "small") : List.of());
            }
            assertThat(read(name, "small")).isEqualTo(("hello " + name).getBytes(StandardCharsets.UTF_8));
            assertThat(read(name, "big")).isEqualTo(big);
        }
        assertThat(used).as("24 names over 3 groups").containsExactlyInAnyOrder(0, 1, 2);
        for (int g = 0; g < G; g++) {
            int group = g;
            assertThat(groups.get(g).buckets()).extracting(BucketRecord::name)
                    .containsExactlyElementsOf(names.stream().filter(n -> GroupedIndex.groupOfName(n, G) == group)
                            .sorted().toList());
        }
        assertThat(index.buckets()).extracting(BucketRecord::name)
                .containsExactlyElementsOf(names.stream().sorted().toList());
        assertThat(meta.buckets()).isEmpty();
        assertThat(index.intents(100)).as("every intent cleared by its commit, in its group").isEmpty();
    }

    @Test
    void aNameTakenIsTakenWhateverTheIdAndAStrayIdIsRefused() throws Exception {
        String name = nameIn(1, "dup");
        BucketRecord first = bucket(name, index.newBucketId(name, 0x1111_0000_0000_0000L));
        index.apply(new IndexCommand.CreateBucket(first));
        BucketRecord second = bucket(name, index.newBucketId(name, 0x2222_0000_0000_0000L));
        assertThatThrownBy(() -> index.apply(new IndexCommand.CreateBucket(second)))
                .isInstanceOfSatisfying(IndexException.BucketAlreadyExists.class,
                        e -> assertThat(e.existing().id()).isEqualTo(first.id()));
        assertThatThrownBy(() -> svc.createBucket(name, "someone else"))
                .isInstanceOfSatisfying(S3Exception.class,
                        e -> assertThat(e.code()).isEqualTo(S3ErrorCode.BucketAlreadyExists));

        // An id naming another group than the name's is a caller's bug, refused before anything is applied.
        String other = nameIn(0, "stray");
        BucketRecord stray = bucket(other, (0x3333L << 8) | 2);
        assertThatThrownBy(() -> index.apply(new IndexCommand.CreateBucket(stray)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> index.applyAll(List.of(
                new IndexCommand.CreateBucket(bucket(nameIn(2, "fine"), index.newBucketId(nameIn(2, "fine"), 99))),
                new IndexCommand.CreateBucket(stray)))).isInstanceOf(IllegalArgumentException.class);
        assertThat(index.buckets()).extracting(BucketRecord::name).containsExactly(name);
    }

    @Test
    void putGetListVersionAndDeleteThroughTheRouter() throws IOException {
        svc.createBucket("photos", "owner");
        svc.setVersioning("photos", BucketRecord.Versioning.ENABLED);
        ObjectRecord v1 = put("photos", "cat.jpg", "one".getBytes(StandardCharsets.UTF_8));
        now.set(T0.plusSeconds(1));
        ObjectRecord v2 = put("photos", "cat.jpg", "two".getBytes(StandardCharsets.UTF_8));
        put("photos", "dog.jpg", "woof".getBytes(StandardCharsets.UTF_8));
        assertThat(read("photos", "cat.jpg")).isEqualTo("two".getBytes(StandardCharsets.UTF_8));
        assertThat(svc.list("photos", "", null, null, 100).objects()).extracting(ObjectRecord::key)
                .containsExactly("cat.jpg", "dog.jpg");
        assertThat(svc.listVersions("photos", "cat", null, null, null, 100).versions())
                .extracting(e -> e.record().versionId()).containsExactly(v2.versionId(), v1.versionId());
        try (InputStream in = svc.open("photos", svc.head("photos", "cat.jpg", v1.versionId()), 0, 3)) {
            assertThat(in.readAllBytes()).isEqualTo("one".getBytes(StandardCharsets.UTF_8));
        }

        ObjectService.Deleted marker = svc.deleteObject("photos", "cat.jpg", Precondition.NONE);
        assertThat(marker.deleteMarker()).isTrue();
        assertThatThrownBy(() -> svc.head("photos", "cat.jpg"))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.NoSuchKey));
        assertThat(svc.list("photos", "", null, null, 100).objects()).extracting(ObjectRecord::key)
                .containsExactly("dog.jpg");
        svc.deleteObject("photos", "cat.jpg", marker.versionId(), Precondition.NONE);
        assertThat(read("photos", "cat.jpg")).isEqualTo("two".getBytes(StandardCharsets.UTF_8));

        long id = svc.bucket("photos").id();
        VersionPage inGroup = groups.get(GroupedIndex.groupOfId(id)).listVersions(
                new dev.kura.index.VersionQuery(id, "", null, null, null, 100, 10_000));
        assertThat(inGroup.versions()).hasSize(3);
    }

    @Test
    void usersLiveInTheMetadataGroupOnly() throws Exception {
        UserRecord alice = new UserRecord("alice", "AKIAALICE", new byte[] {1, 2}, "c-alice", T0);
        index.apply(new IndexCommand.PutUser(alice, false));
        assertThat(index.user("alice")).contains(alice);
        assertThat(index.userByAccessKey("AKIAALICE")).contains(alice);
        assertThat(index.users()).containsExactly(alice);
        assertThat(meta.user("alice")).contains(alice);
        for (RocksObjectIndex g : groups) {
            assertThat(g.users()).isEmpty();
        }
        index.apply(new IndexCommand.DeleteUser("alice"));
        assertThat(meta.users()).isEmpty();
        assertThatThrownBy(() -> index.apply(new IndexCommand.DeleteUser("alice")))
                .isInstanceOf(IndexException.NoSuchUser.class);
    }

    @Test
    void intentsAndPendingFreesMergeAcrossTheGroupsInTheSingleIndexsOrder() throws Exception {
        long[] ids = new long[G];
        for (int g = 0; g < G; g++) {
            ids[g] = create(nameIn(g, "b"));
        }
        // Intents written newest first, interleaving the groups, two of each age (in two groups): read back
        // oldest first across all, one age in data id order, as the single index's (age, data id) rows sort.
        List<WriteIntent> written = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            long bucket = ids[(i * 2) % G];
            Instant at = T0.plusMillis(100L * ((9 - i) / 2));
            WriteIntent intent = new WriteIntent(location("intent-" + i), bucket, "k" + i, at);
            index.apply(new IndexCommand.RecordIntent(intent));
            written.add(intent);
        }
        List<WriteIntent> oldestFirst = written.stream().sorted(Comparator.comparing(WriteIntent::createdAt)
                .thenComparing(i -> i.location().dataId().value())).toList();
        assertThat(oldestFirst).isNotEqualTo(written.reversed()); // the data ids do reorder some of one age
        assertThat(index.intents(100)).containsExactlyElementsOf(oldestFirst);
        assertThat(index.intents(4)).containsExactlyElementsOf(oldestFirst.subList(0, 4));
        for (int g = 0; g < G; g++) {
            long bucket = ids[g];
            assertThat(groups.get(g).intents(100)).allMatch(i -> i.bucketId() == bucket).hasSize(3);
        }

        // Each key replaced once: its first data becomes a pending free in the bucket's group.
        List<DataId> freed = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            long bucket = ids[i % G];
            ObjectRecord first = object("k" + i, "free-" + i, 2L * i + 1);
            index.apply(new IndexCommand.PutObject(bucket, first, Precondition.NONE));
            index.apply(new IndexCommand.PutObject(bucket, object("k" + i, "kept-" + i, 2L * i + 2), Precondition.NONE));
            freed.add(first.location().dataId());
        }
        List<DataId> byId = freed.stream().sorted(Comparator.comparing(DataId::value)).toList();
        assertThat(index.pendingFrees(100)).extracting(f -> f.location().dataId()).containsExactlyElementsOf(byId);
        assertThat(index.pendingFrees(5)).extracting(f -> f.location().dataId())
                .containsExactlyElementsOf(byId.subList(0, 5));
        List<DataId> paged = new ArrayList<>();
        DataId after = null;
        List<PendingFree> page;
        while (!(page = index.pendingFrees(after, 5)).isEmpty()) {
            assertThat(page).hasSizeLessThanOrEqualTo(5);
            page.forEach(f -> paged.add(f.location().dataId()));
            after = page.getLast().location().dataId();
        }
        assertThat(paged).containsExactlyElementsOf(byId);

        // The broadcasts reach the group that holds the row; the others change nothing.
        DataId gone = freed.get(4); // in group 1
        assertThat(index.apply(new IndexCommand.CompleteFree(gone))).isEqualTo(IndexResult.DONE);
        assertThat(groups.get(1).pendingFrees(100)).extracting(f -> f.location().dataId()).doesNotContain(gone).hasSize(3);
        assertThat(index.pendingFrees(100)).hasSize(11);
        WriteIntent cancelled = written.get(1); // in group 2
        assertThat(index.applyUnsynced(new IndexCommand.CancelIntent(cancelled.location().dataId())))
                .isEqualTo(IndexResult.DONE);
        index.awaitDurable();
        assertThat(groups.get(2).intents(100)).doesNotContain(cancelled).hasSize(2);
        assertThat(index.intents(100)).hasSize(8);
        assertThat(index.apply(new IndexCommand.CancelIntent(location("nowhere").dataId()))).isEqualTo(IndexResult.DONE);

        // A router that never saw an id (another node's, or this one after a restart) still reaches its row.
        GroupedIndex fresh = new GroupedIndex(meta, List.copyOf(groups)); // not closed: it shares the groups
        DataId elsewhere = freed.get(2); // in group 2
        assertThat(fresh.apply(new IndexCommand.CompleteFree(elsewhere))).isEqualTo(IndexResult.DONE);
        assertThat(groups.get(2).pendingFrees(100)).extracting(f -> f.location().dataId()).doesNotContain(elsewhere);
        assertThat(index.pendingFrees(100)).hasSize(10);
    }

    @Test
    void aBucketIdNamingNoGroupIsNoBucket() throws Exception {
        long valid = create(nameIn(0, "real"));
        long stray = (valid & ~0xFFL) | G; // low byte 3: no group of three
        assertThatThrownBy(() -> index.apply(new IndexCommand.PutObject(stray, object("k", "d", 1), Precondition.NONE)))
                .isInstanceOf(IndexException.NoSuchBucket.class);
        assertThatThrownBy(() -> index.apply(new IndexCommand.DeleteBucket("real", stray)))
                .isInstanceOf(IndexException.NoSuchBucket.class);
        assertThatThrownBy(() -> index.applyUnsynced(new IndexCommand.RecordIntent(
                new WriteIntent(location("i"), stray, "k", T0)))).isInstanceOf(IndexException.NoSuchBucket.class);
        List<IndexOutcome> outcomes = index.applyAll(List.of(
                new IndexCommand.PutObject(valid, object("k", "d1", 1), Precondition.NONE),
                new IndexCommand.PutObject(stray, object("k", "d2", 2), Precondition.NONE),
                new IndexCommand.CompleteFree(location("nothing").dataId())));
        assertThat(outcomes.get(0).ok()).isTrue();
        assertThat(outcomes.get(1).failure()).isInstanceOf(IndexException.NoSuchBucket.class);
        assertThat(outcomes.get(2).result()).isEqualTo(IndexResult.DONE);
        assertThat(index.latest(stray, "k")).isEmpty();
        assertThat(index.list(new ListQuery(stray, "", null, null, 100, 10_000)).objects()).isEmpty();
        assertThat(index.inlineData(stray, location("d1").dataId())).isEmpty();
        assertThat(index.latest(valid, "k")).isPresent();
        assertThat(index.intents(10)).isEmpty();
    }

    @Test
    void aBatchIsSplitByGroupAndAnsweredInItsOwnOrder() throws Exception {
        long[] ids = new long[G];
        for (int g = 0; g < G; g++) {
            ids[g] = create(nameIn(g, "batch"));
        }
        List<IndexCommand> batch = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            batch.add(new IndexCommand.PutObject(ids[i % G], object("k" + i, "d" + i, i + 1),
                    i == 7 ? new Precondition.IfNoneMatchAny() : Precondition.NONE));
        }
        batch.add(new IndexCommand.PutObject(ids[1], object("k7", "again", 99), new Precondition.IfNoneMatchAny()));
        List<IndexOutcome> outcomes = index.applyAll(batch);
        assertThat(outcomes).hasSize(31);
        for (int i = 0; i < 30; i++) {
            assertThat(outcomes.get(i).ok()).as("command %d", i).isTrue();
            ObjectRecord current = ((IndexResult.Replaced) outcomes.get(i).result()).current();
            assertThat(current.key()).isEqualTo("k" + i);
            assertThat(groups.get(i % G).latest(ids[i % G], "k" + i)).isPresent();
        }
        assertThat(outcomes.get(30).failure()).isInstanceOf(IndexException.PreconditionFailed.class);
    }

    @Test
    void newBucketIdKeepsTheRandomHighBitsAndNamesTheGroup() {
        long random = 0xABCD_EF01_2345_67FFL;
        for (String name : List.of("a", "photos", "logs-2026", "x".repeat(63))) {
            long id = index.newBucketId(name, random);
            assertThat(id & ~0xFFL).isEqualTo(random & ~0xFFL);
            assertThat(GroupedIndex.groupOfId(id)).isEqualTo(GroupedIndex.groupOfName(name, G)).isBetween(0, G - 1);
        }
        // Stable across releases: a bucket's group is where its data already is. These values must never change.
        // (SHA-256's first four bytes, big-endian, are negative for both: floorMod, never a negative group.)
        assertThat(GroupedIndex.groupOfName("photos", 256)).isEqualTo(228);
        assertThat(GroupedIndex.groupOfName("photos", 251)).isEqualTo(8);
        assertThat(GroupedIndex.groupOfName("logs-2026", 251)).isEqualTo(161);
        assertThat(GroupedIndex.groupOfName("logs-2026", 3)).isZero();
        assertThat(GroupedIndex.groupOfName("photos", 1)).isZero();
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            int g = GroupedIndex.groupOfName("b" + i, 7);
            assertThat(g).isBetween(0, 6);
            seen.add(g);
        }
        assertThat(seen).hasSize(7);
    }

    @Test
    void healthAndStatsCoverEveryGroup() {
        Map<String, Long> stats = index.stats();
        assertThat(stats).containsKey("batches_written");
        for (int g = 0; g < G; g++) {
            assertThat(stats).containsKey("index_" + g + "_batches_written");
        }
        assertThat(index.isHealthy()).isTrue();
        groups.get(2).close();
        assertThat(index.isHealthy()).isFalse();
    }

    // ---- helpers

    /** A name (prefix + number) whose group is {@code group}. */
    static String nameIn(int group, String prefix) {
        for (int i = 0; ; i++) {
            if (GroupedIndex.groupOfName(prefix + i, G) == group) {
                return prefix + i;
            }
        }
    }

    long create(String name) throws IndexException {
        BucketRecord b = bucket(name, index.newBucketId(name, new Random(name.hashCode()).nextLong()));
        index.apply(new IndexCommand.CreateBucket(b));
        return b.id();
    }

    static BucketRecord bucket(String name, long id) {
        return new BucketRecord(name, id, T0, "owner", "us-east-1", BucketRecord.Versioning.UNVERSIONED);
    }

    static DataLocation location(String data) {
        DataId id = new DataId(UUID.nameUUIDFromBytes(data.getBytes(StandardCharsets.UTF_8)).toString().replace("-", ""));
        return new DataLocation(id, 1, "single", List.of("drive-0"), 1 << 20, 100);
    }

    static ObjectRecord object(String key, String data, long sequence) {
        return new ObjectRecord(key, ObjectRecord.NULL_VERSION, sequence, false, location(data), 100, "etag-" + sequence,
                T0.plusSeconds(sequence), Map.of(), Map.of(), null, "STANDARD", "owner");
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    ObjectRecord put(String bucket, String key, byte[] data) throws IOException {
        return svc.putObject(new PutObjectInput(bucket, key, data.length, null, null, null, Map.of(), Map.of(), "STANDARD",
                Precondition.NONE), new ByteArrayInputStream(data));
    }

    byte[] read(String bucket, String key) throws IOException {
        ObjectRecord r = svc.head(bucket, key);
        try (InputStream in = svc.open(bucket, r, 0, r.size())) {
            return in.readAllBytes();
        }
    }
}
