package dev.kura.frontend.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ByteRangeAndConditionalsTest {

    @ParameterizedTest(name = "{0} of {1}")
    @CsvSource(nullValues = "null", value = {
            "bytes=0-9, 100, 0, 10",
            "bytes=90-, 100, 90, 10",
            "bytes=-10, 100, 90, 10",
            "bytes=-1000, 100, 0, 100",
            "bytes=50-5000, 100, 50, 50",
            "bytes=99-99, 100, 99, 1",
    })
    void ranges(String header, long size, long start, long length) {
        assertThat(ByteRange.parse(header, size)).isEqualTo(new ByteRange(start, length));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes=0-1,3-4", "items=0-1", "bytes=abc", "bytes=5-1", "bytes=-", "bytes"})
    void ignoredRanges(String header) {
        assertThat(ByteRange.parse(header, 100)).isNull();
    }

    @Test
    void unsatisfiable() {
        assertThatThrownBy(() -> ByteRange.parse("bytes=100-", 100)).isInstanceOfSatisfying(S3Exception.class,
                e -> assertThat(e.code()).isEqualTo(S3ErrorCode.InvalidRange));
        assertThatThrownBy(() -> ByteRange.parse("bytes=0-", 0)).isInstanceOf(S3Exception.class);
        assertThatThrownBy(() -> ByteRange.parse("bytes=-0", 10)).isInstanceOf(S3Exception.class);
        assertThat(new ByteRange(10, 10).contentRange(100)).isEqualTo("bytes 10-19/100");
    }

    private static final Instant MODIFIED = Instant.parse("2024-05-01T10:00:00.700Z");

    private static S3ErrorCode evaluate(String... headers) {
        RequestHead.Builder b = RequestHead.builder("GET", "/b/k");
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            Conditionals.check(b.build(), "abc", MODIFIED);
            return null;
        } catch (S3Exception e) {
            return e.code();
        }
    }

    @Test
    void conditionalTable() {
        String before = "Wed, 01 May 2024 09:59:59 GMT";
        String same = "Wed, 01 May 2024 10:00:00 GMT";
        assertThat(evaluate()).isNull();
        assertThat(evaluate("if-match", "\"abc\"")).isNull();
        assertThat(evaluate("if-match", "\"x\", \"abc\"")).isNull();
        assertThat(evaluate("if-match", "*")).isNull();
        assertThat(evaluate("if-match", "\"x\"")).isEqualTo(S3ErrorCode.PreconditionFailed);
        assertThat(evaluate("if-none-match", "\"abc\"")).isEqualTo(S3ErrorCode.NotModified);
        assertThat(evaluate("if-none-match", "W/\"abc\"")).isEqualTo(S3ErrorCode.NotModified);
        assertThat(evaluate("if-none-match", "\"x\"")).isNull();
        // second precision: modified 10:00:00.700 is "not modified since" 10:00:00
        assertThat(evaluate("if-modified-since", same)).isEqualTo(S3ErrorCode.NotModified);
        assertThat(evaluate("if-modified-since", before)).isNull();
        assertThat(evaluate("if-unmodified-since", same)).isNull();
        assertThat(evaluate("if-unmodified-since", before)).isEqualTo(S3ErrorCode.PreconditionFailed);
        // If-Match true overrides a failing If-Unmodified-Since
        assertThat(evaluate("if-match", "\"abc\"", "if-unmodified-since", before)).isNull();
        // If-None-Match false overrides If-Modified-Since
        assertThat(evaluate("if-none-match", "\"x\"", "if-modified-since", same)).isNull();
        // unparsable dates are ignored
        assertThat(evaluate("if-modified-since", "yesterday")).isNull();
    }
}
