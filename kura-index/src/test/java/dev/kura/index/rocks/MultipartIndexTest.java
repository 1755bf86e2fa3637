package dev.kura.index.rocks;

import static dev.kura.index.TestRecords.T0;
import static dev.kura.index.TestRecords.bucket;
import static dev.kura.index.TestRecords.location;
import static dev.kura.index.TestRecords.object;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.IndexResult;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.PendingFree;
import dev.kura.index.Precondition;
import dev.kura.index.UploadRecord;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MultipartIndexTest {
    static final long B = 7;
    @TempDir
    Path dir;
    RocksObjectIndex index;

    @BeforeEach
    void open() throws Exception {
        index = RocksObjectIndex.open(dir);
        index.apply(new IndexCommand.CreateBucket(bucket("b", B)));
    }

    @AfterEach
    void close() {
        index.close();
    }

    static String uploadId(int n) {
        return String.format("%016x%016x", 1000L + n, (long) n);
    }

    static UploadRecord upload(String key, String id) {
        return new UploadRecord(key, id, T0, Map.of("content-type", "a/b"), Map.of(), null, null, "STANDARD", "owner", Map.of());
    }

    static PartRecord part(int n, String data) {
        return new PartRecord(n, location(data), 100, "etag-" + data, T0, null, 0);
    }

    static ObjectRecord completed(String key, long seq, String id, int parts) {
        ObjectRecord o = object(key, seq);
        return new ObjectRecord(key, "null", seq, false, null, 100L * parts, "x-" + parts, o.lastModified(), o.headers(),
                Map.of(), null, "STANDARD", "owner", parts, id, Map.of());
    }

    Set<String> freed() {
        return index.pendingFrees(1000).stream().map(PendingFree::location).map(l -> l.dataId().value())
                .collect(Collectors.toSet());
    }

    static String id(String data) {
        return location(data).dataId().value();
    }

    @Test
    void uploadPartsCompleteAndRetry() throws Exception {
        String u = uploadId(1);
        index.apply(new IndexCommand.CreateUpload(B, upload("k", u)));
        index.apply(new IndexCommand.PutPart(B, "k", u, part(1, "p1")));
        index.apply(new IndexCommand.PutPart(B, "k", u, part(2, "p2a")));
        index.apply(new IndexCommand.PutPart(B, "k", u, part(2, "p2b"))); // replaces p2a
        index.apply(new IndexCommand.PutPart(B, "k", u, part(3, "p3")));
        assertThat(freed()).containsExactly(id("p2a"));
        assertThat(index.uploadParts(B, "k", u, 0, 100)).extracting(PartRecord::partNumber).containsExactly(1, 2, 3);
        assertThat(index.uploadParts(B, "k", u, 1, 1)).extracting(PartRecord::partNumber).containsExactly(2);

        List<PartRecord> chosen = List.of(part(1, "p1").at(0), part(2, "p2b").at(100));
        var r = index.apply(new IndexCommand.CompleteUpload(B, u, completed("k", 10, u, 2), chosen, Precondition.NONE));
        assertThat(r).isInstanceOf(IndexResult.Replaced.class);
        assertThat(index.upload(B, "k", u)).isEmpty();
        assertThat(index.uploadParts(B, "k", u, 0, 100)).isEmpty();
        assertThat(index.latest(B, "k")).get().extracting(ObjectRecord::partCount).isEqualTo(2);
        assertThat(index.objectParts(B, "k", 10)).extracting(PartRecord::offset).containsExactly(0L, 100L);
        assertThat(freed()).containsExactlyInAnyOrder(id("p2a"), id("p3")); // part 3 was not chosen

        var retry = index.apply(new IndexCommand.CompleteUpload(B, u, completed("k", 11, u, 2), chosen, Precondition.NONE));
        assertThat(retry).isInstanceOfSatisfying(IndexResult.AlreadyCompleted.class,
                a -> assertThat(a.record().sequence()).isEqualTo(10));
    }

    @Test
    void overwritingOrDeletingAMultipartObjectFreesItsParts() throws Exception {
        String u = uploadId(2);
        index.apply(new IndexCommand.CreateUpload(B, upload("k", u)));
        index.apply(new IndexCommand.PutPart(B, "k", u, part(1, "a")));
        index.apply(new IndexCommand.CompleteUpload(B, u, completed("k", 10, u, 1), List.of(part(1, "a")), Precondition.NONE));
        index.apply(new IndexCommand.PutObject(B, object("k", 20, "single", "e"), Precondition.NONE));
        assertThat(freed()).contains(id("a"));
        assertThat(index.objectParts(B, "k", 10)).isEmpty();

        String u2 = uploadId(3);
        index.apply(new IndexCommand.CreateUpload(B, upload("k", u2)));
        index.apply(new IndexCommand.PutPart(B, "k", u2, part(1, "b")));
        index.apply(new IndexCommand.CompleteUpload(B, u2, completed("k", 30, u2, 1), List.of(part(1, "b")), Precondition.NONE));
        assertThat(freed()).contains(id("single"));
        index.apply(new IndexCommand.DeleteObject(B, "k", Precondition.NONE, T0));
        assertThat(freed()).contains(id("b"));
        assertThat(index.objectParts(B, "k", 30)).isEmpty();
    }

    @Test
    void invalidPartsAndMissingUploads() throws Exception {
        String u = uploadId(4);
        assertThatThrownBy(() -> index.apply(new IndexCommand.PutPart(B, "k", u, part(1, "x"))))
                .isInstanceOf(IndexException.NoSuchUpload.class);
        index.apply(new IndexCommand.CreateUpload(B, upload("k", u)));
        index.apply(new IndexCommand.PutPart(B, "k", u, part(1, "x")));
        assertThatThrownBy(() -> index.apply(new IndexCommand.CompleteUpload(B, u, completed("k", 5, u, 1),
                List.of(part(1, "stale")), Precondition.NONE))).isInstanceOf(IndexException.InvalidPart.class);
        assertThatThrownBy(() -> index.apply(new IndexCommand.CompleteUpload(B, u, completed("k", 5, u, 1),
                List.of(part(2, "x")), Precondition.NONE))).isInstanceOf(IndexException.InvalidPart.class);
        index.apply(new IndexCommand.PutObject(B, object("k", 3), Precondition.NONE));
        assertThatThrownBy(() -> index.apply(new IndexCommand.CompleteUpload(B, u, completed("k", 5, u, 1),
                List.of(part(1, "x")), new Precondition.IfNoneMatchAny()))).isInstanceOf(IndexException.PreconditionFailed.class);
        index.apply(new IndexCommand.AbortUpload(B, "k", u, T0));
        assertThat(freed()).contains(id("x"));
        assertThatThrownBy(() -> index.apply(new IndexCommand.AbortUpload(B, "k", u, T0)))
                .isInstanceOf(IndexException.NoSuchUpload.class);
        assertThatThrownBy(() -> index.apply(new IndexCommand.CompleteUpload(B, u, completed("k", 6, u, 1),
                List.of(part(1, "x")), Precondition.NONE))).isInstanceOf(IndexException.NoSuchUpload.class);
    }

    @Test
    void deleteBucketAbortsItsUploads() throws Exception {
        String u = uploadId(5);
        index.apply(new IndexCommand.CreateUpload(B, upload("k", u)));
        index.apply(new IndexCommand.PutPart(B, "k", u, part(1, "y")));
        index.apply(new IndexCommand.DeleteBucket("b", B));
        assertThat(freed()).contains(id("y"));
        assertThat(index.upload(B, "k", u)).isEmpty();
    }

    @Test
    void listsUploadsWithMarkersAndDelimiter() throws Exception {
        String[] keys = {"a/1", "a/2", "b", "b", "c/x/y"};
        for (int i = 0; i < keys.length; i++) {
            index.apply(new IndexCommand.CreateUpload(B, upload(keys[i], uploadId(10 + i))));
        }
        var all = index.uploads(B, "", null, null, null, 100);
        assertThat(all.uploads()).extracting(UploadRecord::key).containsExactly("a/1", "a/2", "b", "b", "c/x/y");
        assertThat(all.truncated()).isFalse();
        var page = index.uploads(B, "", null, null, null, 3);
        assertThat(page.truncated()).isTrue();
        assertThat(page.nextKeyMarker()).isEqualTo("b");
        assertThat(page.nextUploadIdMarker()).isEqualTo(uploadId(12));
        var rest = index.uploads(B, "", null, page.nextKeyMarker(), page.nextUploadIdMarker(), 3);
        assertThat(rest.uploads()).extracting(UploadRecord::uploadId).containsExactly(uploadId(13), uploadId(14));
        var afterKey = index.uploads(B, "", null, "b", null, 10);
        assertThat(afterKey.uploads()).extracting(UploadRecord::key).containsExactly("c/x/y");
        var rolled = index.uploads(B, "", "/", null, null, 10);
        assertThat(rolled.commonPrefixes()).containsExactly("a/", "c/");
        assertThat(rolled.uploads()).extracting(UploadRecord::key).containsExactly("b", "b");
        assertThat(index.uploads(B, "a/", null, null, null, 10).uploads()).hasSize(2);
    }

    @Test
    void tags() throws Exception {
        index.apply(new IndexCommand.PutObject(B, object("t", 1), Precondition.NONE));
        index.apply(new IndexCommand.PutObjectTags(B, "t", Map.of("k1", "v1")));
        assertThat(index.latest(B, "t")).get().extracting(ObjectRecord::tags).isEqualTo(Map.of("k1", "v1"));
        assertThatThrownBy(() -> index.apply(new IndexCommand.PutObjectTags(B, "absent", Map.of())))
                .isInstanceOf(IndexException.NoSuchKey.class);
        index.apply(new IndexCommand.PutBucketTags("b", B, Map.of("env", "dev")));
        assertThat(index.bucket("b")).get().extracting(r -> r.tags()).isEqualTo(Map.of("env", "dev"));
    }
}
