package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

class ListTest extends KuraTestBase {
    static String bucket;
    static final List<String> KEYS = List.of("a", "a/1", "a/2", "a/b/1", "a/b/2", "b", "b/x", "c/y/z", "d",
            "\uFFFD", "\uD83D\uDE00", "z");

    @BeforeAll
    static void fill() {
        bucket = newBucket();
        for (String k : KEYS) {
            s3.putObject(r -> r.bucket(bucket).key(k), RequestBody.fromString(k));
        }
    }

    @Test
    void listsEverythingInUtf8ByteOrder() {
        var keys = s3.listObjectsV2(r -> r.bucket(bucket)).contents().stream().map(S3Object::key).toList();
        // U+FFFD (EF BF BD) sorts before U+1F600 (F0 9F 98 80) in UTF-8, though after it in UTF-16.
        assertThat(keys).containsExactly("a", "a/1", "a/2", "a/b/1", "a/b/2", "b", "b/x", "c/y/z", "d", "z",
                "\uFFFD", "\uD83D\uDE00");
    }

    @Test
    void delimiterRollsUpCommonPrefixes() {
        var r = s3.listObjectsV2(q -> q.bucket(bucket).delimiter("/"));
        assertThat(r.contents().stream().map(S3Object::key)).containsExactly("a", "b", "d", "z", "\uFFFD", "\uD83D\uDE00");
        assertThat(r.commonPrefixes().stream().map(CommonPrefix::prefix)).containsExactly("a/", "b/", "c/");
        assertThat(r.keyCount()).isEqualTo(9);
        var sub = s3.listObjectsV2(q -> q.bucket(bucket).prefix("a/").delimiter("/"));
        assertThat(sub.contents().stream().map(S3Object::key)).containsExactly("a/1", "a/2");
        assertThat(sub.commonPrefixes().stream().map(CommonPrefix::prefix)).containsExactly("a/b/");
    }

    @Test
    void paginationV2VisitsEveryKeyOnce() {
        List<String> seen = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String t = token;
            var r = s3.listObjectsV2(q -> q.bucket(bucket).maxKeys(5).continuationToken(t));
            r.contents().forEach(o -> seen.add(o.key()));
            r.commonPrefixes().forEach(p -> seen.add(p.prefix()));
            token = r.isTruncated() ? r.nextContinuationToken() : null;
            pages++;
        } while (token != null);
        assertThat(pages).isEqualTo(3);
        assertThat(seen).hasSize(KEYS.size()).doesNotHaveDuplicates();
        // and the paginator agrees
        assertThat(s3.listObjectsV2Paginator(q -> q.bucket(bucket).maxKeys(2)).contents().stream().count()).isEqualTo(KEYS.size());
    }

    @Test
    void paginationWithDelimiter() {
        List<String> seen = new ArrayList<>();
        for (var page : s3.listObjectsV2Paginator(q -> q.bucket(bucket).delimiter("/").maxKeys(2))) {
            page.contents().forEach(o -> seen.add(o.key()));
            page.commonPrefixes().forEach(p -> seen.add(p.prefix()));
        }
        assertThat(seen).containsExactlyInAnyOrder("a", "a/", "b", "b/", "c/", "d", "z", "\uFFFD", "\uD83D\uDE00");
    }

    @Test
    void startAfter() {
        var r = s3.listObjectsV2(q -> q.bucket(bucket).startAfter("b/x"));
        assertThat(r.contents().stream().map(S3Object::key)).startsWith("c/y/z", "d");
        assertThat(r.startAfter()).isEqualTo("b/x");
    }

    @Test
    void listV1WithMarkerAndPaginator() {
        var r = s3.listObjects(q -> q.bucket(bucket).maxKeys(3));
        assertThat(r.isTruncated()).isTrue();
        assertThat(r.contents().stream().map(S3Object::key)).containsExactly("a", "a/1", "a/2");
        var next = s3.listObjects(q -> q.bucket(bucket).marker("a/2").maxKeys(3));
        assertThat(next.contents().stream().map(S3Object::key)).containsExactly("a/b/1", "a/b/2", "b");
        assertThat(next.contents().getFirst().owner()).isNotNull();
        var withDelim = s3.listObjects(q -> q.bucket(bucket).delimiter("/").maxKeys(2));
        assertThat(withDelim.nextMarker()).isEqualTo("a/");
    }

    @Test
    void maxKeysZeroAndCap() {
        var zero = s3.listObjectsV2(q -> q.bucket(bucket).maxKeys(0));
        assertThat(zero.contents()).isEmpty();
        var big = s3.listObjectsV2(q -> q.bucket(bucket).maxKeys(5000));
        assertThat(big.maxKeys()).isEqualTo(1000);
    }

    @Test
    void badMaxKeysIsInvalidArgument() throws Exception {
        var resp = RawHttp.signedGet("/" + bucket + "?max-keys=abc");
        assertThat(resp.status()).isEqualTo(400);
        assertThat(resp.body()).contains("<Code>InvalidArgument</Code>");
    }

    @Test
    void urlEncodingCarriesKeysXmlCannot() {
        String nasty = "ctl\u0001char";
        s3.putObject(r -> r.bucket(bucket).key(nasty), RequestBody.fromString("x"));
        try {
            var r = s3.listObjectsV2(q -> q.bucket(bucket).prefix("ctl").encodingType(EncodingType.URL));
            assertThat(r.contents().stream().map(S3Object::key)).containsExactly(nasty);
        } finally {
            s3.deleteObject(r -> r.bucket(bucket).key(nasty));
        }
    }

    @Test
    void urlEncodingMatchesS3() throws Exception {
        String b = newBucket();
        for (String k : new String[] {"foo+1/bar", "foo/bar/xyzzy", "quux ab/thud", "asdf+b"}) {
            s3.putObject(r -> r.bucket(b).key(k), RequestBody.fromString("x"));
        }
        // Raw XML: the SDK would decode what it reads.
        var raw = RawHttp.signedGet("/" + b + "?list-type=2&delimiter=%2F&encoding-type=url");
        assertThat(raw.body()).contains("<Key>asdf%2Bb</Key>").contains("<Prefix>foo%2B1/</Prefix>")
                .contains("<Prefix>foo/</Prefix>").contains("<Prefix>quux%20ab/</Prefix>").contains("<Delimiter>/</Delimiter>");
        assertThat(s3.listObjectsV2(r -> r.bucket(b).delimiter("/")).commonPrefixes()).extracting(CommonPrefix::prefix)
                .containsExactly("foo+1/", "foo/", "quux ab/");
    }

    @Test
    void emptyContinuationTokenStartsAtTheBeginning() throws Exception {
        var raw = RawHttp.signedGet("/" + bucket + "?list-type=2&continuation-token=");
        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.body()).contains("<Key>a</Key>");
    }

    @Test
    void badContinuationToken() {
        assertThatThrownBy(() -> s3.listObjectsV2(q -> q.bucket(bucket).continuationToken("not-a-token!")))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidArgument"));
    }

    @Test
    void listAfterWriteAndDelete() {
        String b = newBucket();
        s3.putObject(r -> r.bucket(b).key("k1"), RequestBody.fromString("x"));
        assertThat(s3.listObjectsV2(r -> r.bucket(b)).contents()).hasSize(1);
        s3.deleteObject(r -> r.bucket(b).key("k1"));
        assertThat(s3.listObjectsV2(r -> r.bucket(b)).contents()).isEmpty();
    }
}
