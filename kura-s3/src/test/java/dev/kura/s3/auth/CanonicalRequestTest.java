package dev.kura.s3.auth;

import static dev.kura.s3.auth.HeaderAuthTest.fails;
import static dev.kura.s3.auth.TestSigner.authenticator;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.http.RequestHead;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The canonical request pieces, per sig-v4-header-based-auth.html ("UriEncode", "CanonicalQueryString"). */
class CanonicalRequestTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/test.txt|/test.txt",
        "/test$file.text|/test%24file.text",
        "/a%20b|/a%20b",
        "/a b|/a%20b",
        "/a+b|/a%2Bb",
        "/a%2Bb|/a%2Bb",
        "/a%2fb|/a/b",
        "/a/./b|/a/./b",
        "/a//b/../c|/a//b/../c",
        "/%7Euser/~x|/~user/~x",
        "/caf%C3%A9|/caf%C3%A9",
        "/café|/caf%C3%A9",
        "/key%3Fwith%23|/key%3Fwith%23",
        "/a*b(c)!|/a%2Ab%28c%29%21"})
    void canonicalUriDecodesThenEncodesWithoutNormalising(String raw, String canonical) {
        assertThat(CanonicalRequest.canonicalUri(raw)).isEqualTo(canonical);
    }

    @Test
    void anEncodedSlashMayBeSignedEitherWay() {
        assertThat(CanonicalRequest.canonicalUris("/b/a%2fb c")).containsExactly("/b/a/b%20c", "/b/a%2Fb%20c");
        assertThat(CanonicalRequest.canonicalUris("/b/a b")).containsExactly("/b/a%20b");
    }

    /** A client that signs the path as it sent it, %2F included, is accepted too. */
    @Test
    void encodedSlashSignedAsSent() {
        TestSigner.Request r = new TestSigner.Request("GET", "/b/a/b");
        RequestHead signed = r.signHeader(TestSigner.EMPTY_SHA256);
        RequestHead.Builder asSent = RequestHead.builder("GET", "/b/a%2Fb");
        signed.headerNames().forEach(n -> signed.headers(n).forEach(v -> asSent.header(n, v)));
        assertThat(authenticator().authenticate(asSent.build()).isAnonymous()).isFalse();

        TestSigner.Request escaped = new TestSigner.Request("GET", "/b/a/b");
        escaped.encodedPath = "/b/a%2Fb";
        assertThat(authenticator().authenticate(escaped.signHeader(TestSigner.EMPTY_SHA256)).isAnonymous()).isFalse();
    }

    @Test
    void emptyPathIsSlash() {
        assertThat(CanonicalRequest.canonicalUri("")).isEqualTo("/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a%", "/a%2", "/a%zz", "/a%g0"})
    void malformedEscapeIsInvalidUri(String raw) {
        fails(() -> CanonicalRequest.canonicalUri(raw), S3ErrorCode.InvalidURI);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|''",
        "lifecycle|lifecycle=",
        "prefix=J&max-keys=2|max-keys=2&prefix=J",
        "b=2&a=1&a=0|a=0&a=1&b=2",
        "a&&b=|a=&b=",
        "prefix=a/b c|prefix=a%2Fb%20c",
        "prefix=a%2Fb%20c|prefix=a%2Fb%20c",
        "prefix=a+b|prefix=a%2Bb",
        "k=%e2%82%ac|k=%E2%82%AC",
        "Z=1&a=1&_=1|Z=1&_=1&a=1",
        "list-type=2&delimiter=%2F&encoding-type=url|delimiter=%2F&encoding-type=url&list-type=2"})
    void canonicalQuerySortsAndEncodes(String raw, String canonical) {
        assertThat(CanonicalRequest.canonicalQuery(CanonicalRequest.parseQuery(raw), null)).isEqualTo(canonical);
    }

    @Test
    void excludedParameterIsLeftOut() {
        assertThat(CanonicalRequest.canonicalQuery(CanonicalRequest.parseQuery("X-Amz-Signature=ab&x=1"),
                "X-Amz-Signature")).isEqualTo("x=1");
    }

    @Test
    void headerValuesAreTrimmedCollapsedAndJoined() {
        RequestHead head = RequestHead.builder("GET", "/").header("Host", " h ")
                .header("x-amz-meta-a", "  one   two \t three ").header("x-amz-meta-a", "four").build();
        assertThat(CanonicalRequest.canonicalHeaders(head, java.util.List.of("host", "x-amz-meta-a")))
                .isEqualTo("host:h\nx-amz-meta-a:one two three,four\n");
    }

    @Test
    void uriEncodeKeepsOnlyUnreserved() {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        String encoded = CanonicalRequest.uriEncode(all, false);
        assertThat(encoded).doesNotContain("/").contains("%2F", "%FF", "%00", "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        assertThat(CanonicalRequest.uriEncode("/".getBytes(StandardCharsets.US_ASCII), true)).isEqualTo("/");
        assertThat(encoded.replaceAll("%[0-9A-F]{2}", "")).isEqualTo("-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~");
    }

    /** End to end: the signer encodes keys the SDK way and the verifier rebuilds the same canonical request. */
    @ParameterizedTest
    @ValueSource(strings = {"/bucket/plain", "/bucket/with space", "/bucket/a+b", "/bucket/日本語/ключ",
        "/bucket/a//b/./c/../d", "/bucket/%literal", "/bucket/trailing/", "/bucket/!*'()[]{}&=;:@,$"})
    void keysRoundTrip(String key) {
        RequestHead head = new TestSigner.Request("GET", key).query("prefix", key).query("marker", "")
                .signHeader(TestSigner.EMPTY_SHA256);
        assertThat(authenticator().authenticate(head).accessKeyId()).isEqualTo(TestSigner.AKID);
    }
}
