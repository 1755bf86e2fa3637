package dev.kura.s3.op;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class S3RouterTest {
    private static S3Operation route(String method, String target) {
        return S3Router.route(RequestHead.builder(method, target).header("host", "localhost").build());
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
            "GET, /, ListBuckets",
            "PUT, /bucket, CreateBucket",
            "PUT, /bucket/, CreateBucket",
            "HEAD, /bucket, HeadBucket",
            "DELETE, /bucket, DeleteBucket",
            "GET, /bucket?location, GetBucketLocation",
            "GET, /bucket, ListObjects",
            "GET, /bucket?list-type=2, ListObjectsV2",
            "POST, /bucket?delete, DeleteObjects",
            "PUT, /bucket/key, PutObject",
            "GET, /bucket/a/b/c, GetObject",
            "HEAD, /bucket/key, HeadObject",
            "DELETE, /bucket/key, DeleteObject",
            "GET, /bucket?versioning, GetBucketVersioning",
            "GET, /bucket?policy, GetBucketPolicy",
            "PUT, /bucket/key?tagging, PutObjectTagging",
            "GET, /bucket/key?tagging, GetObjectTagging",
            "DELETE, /bucket/key?tagging, DeleteObjectTagging",
            "POST, /bucket/key?uploads, CreateMultipartUpload",
            "PUT, /bucket/key?partNumber=1&uploadId=x, UploadPart",
            "POST, /bucket/key?uploadId=x, CompleteMultipartUpload",
            "DELETE, /bucket/key?uploadId=x, AbortMultipartUpload",
            "GET, /bucket/key?uploadId=x, ListParts",
            "GET, /bucket?uploads, ListMultipartUploads",
            "GET, /bucket?versions, ListObjectVersions",
            "GET, /bucket?tagging, GetBucketTagging",
            "PUT, /bucket?tagging, PutBucketTagging",
            "GET, /bucket?acl, GetBucketAcl",
            "GET, /bucket/key?acl, GetObjectAcl",
            "DELETE, /bucket?policy, DeleteBucketPolicy",
            "PUT, /bucket?policy, PutBucketPolicy",
            "GET, /bucket?cors, GetBucketCors",
            "PUT, /bucket?cors, PutBucketCors",
            "DELETE, /bucket?cors, DeleteBucketCors",
            "POST, /bucket, PostObject",
            "GET, /bucket/key?attributes, GetObjectAttributes",
            "PUT, /bucket/key?retention, PutObjectRetention",
    })
    void routes(String method, String target, String operation) {
        assertThat(route(method, target).name()).isEqualTo(operation);
    }

    @Test
    void keysArePercentDecodedButNeverNormalised() {
        assertThat(route("GET", "/b/a/./b").key()).isEqualTo("a/./b");
        assertThat(route("GET", "/b/a//b").key()).isEqualTo("a//b");
        assertThat(route("GET", "/b/a%2Fb%20c+d").key()).isEqualTo("a/b c+d");
        assertThat(route("GET", "/b/caf%C3%A9").key()).isEqualTo("café");
        assertThat(route("GET", "/b/%3F%23").key()).isEqualTo("?#");
        assertThat(route("GET", "/b/k").bucket()).isEqualTo("b");
    }

    @Test
    void listParametersAreParsedOnce() {
        var v2 = (S3Operation.ListObjectsV2) route("GET",
                "/b?list-type=2&prefix=p%2F&delimiter=%2F&max-keys=5000&start-after=s&encoding-type=url&fetch-owner=true");
        assertThat(v2.prefix()).isEqualTo("p/");
        assertThat(v2.delimiter()).isEqualTo("/");
        assertThat(v2.maxKeys()).isEqualTo(1000);
        assertThat(v2.startAfter()).isEqualTo("s");
        assertThat(v2.urlEncoding()).isTrue();
        assertThat(v2.fetchOwner()).isTrue();
        var v1 = (S3Operation.ListObjects) route("GET", "/b?marker=m&max-keys=7");
        assertThat(v1.marker()).isEqualTo("m");
        assertThat(v1.maxKeys()).isEqualTo(7);
    }

    @Test
    void errors() {
        assertCode(() -> route("GET", "/b?max-keys=-1"), S3ErrorCode.InvalidArgument);
        assertCode(() -> route("GET", "/b?max-keys=abc"), S3ErrorCode.InvalidArgument);
        assertCode(() -> route("GET", "/b?encoding-type=xml"), S3ErrorCode.InvalidArgument);
        assertCode(() -> route("PUT", "/b/" + "k".repeat(1025)), S3ErrorCode.KeyTooLongError);
        assertCode(() -> route("PATCH", "/b/k"), S3ErrorCode.MethodNotAllowed);
        assertCode(() -> route("PUT", "/"), S3ErrorCode.MethodNotAllowed);
        assertCode(() -> route("GET", "/b/%zz"), S3ErrorCode.InvalidURI);
        assertCode(() -> route("GET", "relative"), S3ErrorCode.InvalidURI);
        // a malformed escape in the query (reached unsigned through the console's door): InvalidURI, not a 500
        assertCode(() -> route("GET", "/b?%ZZ"), S3ErrorCode.InvalidURI);
        assertCode(() -> route("GET", "/b/k?versionId=%"), S3ErrorCode.InvalidURI);
        assertCode(() -> route("GET", "/?x=%G0"), S3ErrorCode.InvalidURI);
        assertCode(() -> route("POST", "/b/k"), S3ErrorCode.MethodNotAllowed);
    }

    @Test
    void virtualHostedStyle() {
        var head = RequestHead.builder("GET", "/photos/cat.jpg").header("host", "my.bucket.s3.example.com:9000").build();
        var op = S3Router.route(head, "s3.example.com");
        assertThat(op.bucket()).isEqualTo("my.bucket");
        assertThat(op.key()).isEqualTo("photos/cat.jpg");
        var bucketOp = S3Router.route(RequestHead.builder("GET", "/?list-type=2").header("host", "b.s3.example.com").build(),
                "s3.example.com");
        assertThat(bucketOp).isInstanceOf(S3Operation.ListObjectsV2.class);
        // the bare domain, an IP or another host: path style
        var path = S3Router.route(RequestHead.builder("GET", "/b/k").header("host", "s3.example.com").build(), "s3.example.com");
        assertThat(path.bucket()).isEqualTo("b");
        var ip = S3Router.route(RequestHead.builder("GET", "/b/k").header("host", "127.0.0.1:9000").build(), "s3.example.com");
        assertThat(ip.key()).isEqualTo("k");
        assertThat(S3Router.route(RequestHead.builder("GET", "/").header("host", "s3.example.com").build(), "s3.example.com"))
                .isInstanceOf(S3Operation.ListBuckets.class);
    }

    @Test
    void multiByteKeyLengthCountsBytes() {
        String fourByteChars = "\uD83D\uDE00".repeat(256); // 1024 bytes
        assertThat(route("PUT", "/b/" + fourByteChars).key()).isEqualTo(fourByteChars);
        assertCode(() -> route("PUT", "/b/" + fourByteChars + "x"), S3ErrorCode.KeyTooLongError);
    }

    private static void assertCode(Runnable r, S3ErrorCode code) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
