package dev.kura.frontend.s3;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * GET/HEAD conditional headers as S3 evaluates them
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, RFC 7232): If-Match before
 * If-Unmodified-Since (412), If-None-Match before If-Modified-Since (304). Dates compare at second
 * precision; an unparsable date is ignored, as HTTP says.
 */
final class Conditionals {
    private Conditionals() {
    }

    /** Throws PreconditionFailed (412) or NotModified (304) when the request's conditions say so. */
    static void check(RequestHead head, String etag, Instant lastModified) {
        Instant modified = lastModified.truncatedTo(ChronoUnit.SECONDS);
        String ifMatch = head.header("if-match");
        String ifNoneMatch = head.header("if-none-match");
        Instant ifUnmodifiedSince = date(head.header("if-unmodified-since"));
        Instant ifModifiedSince = date(head.header("if-modified-since"));
        if (ifMatch != null) {
            if (!matches(ifMatch, etag)) {
                throw new S3Exception(S3ErrorCode.PreconditionFailed).with("Condition", "If-Match");
            }
        } else if (ifUnmodifiedSince != null && modified.isAfter(ifUnmodifiedSince)) {
            throw new S3Exception(S3ErrorCode.PreconditionFailed).with("Condition", "If-Unmodified-Since");
        }
        if (ifNoneMatch != null) {
            if (matches(ifNoneMatch, etag)) {
                throw notModified(etag, lastModified);
            }
        } else if (ifModifiedSince != null && !modified.isAfter(ifModifiedSince)) {
            throw notModified(etag, lastModified);
        }
    }

    /** A 304 still names the version it refers to (RFC 9110 15.4.5). */
    private static S3Exception notModified(String etag, Instant lastModified) {
        return new S3Exception(S3ErrorCode.NotModified).withHeader("ETag", Responses.quoted(etag))
                .withHeader("Last-Modified", Responses.httpDate(lastModified));
    }

    /**
     * CopyObject / UploadPartCopy source conditions ({@code x-amz-copy-source-if-*}): the same
     * rules, but every failed condition is 412 PreconditionFailed.
     */
    static void checkCopySource(RequestHead head, String etag, Instant lastModified) {
        RequestHead.Builder b = RequestHead.builder("GET", "/");
        for (String name : new String[] {"if-match", "if-none-match", "if-modified-since", "if-unmodified-since"}) {
            String v = head.header("x-amz-copy-source-" + name);
            if (v != null) {
                b.header(name, v);
            }
        }
        try {
            check(b.build(), etag, lastModified);
        } catch (S3Exception e) {
            throw new S3Exception(S3ErrorCode.PreconditionFailed).with("Condition", "x-amz-copy-source-if-*");
        }
    }

    /** True when the header's ETag list contains {@code etag} (or is {@code *}); weak tags compare by value. */
    static boolean matches(String header, String etag) {
        for (String part : header.split(",")) {
            String t = part.trim();
            if (t.equals("*")) {
                return true;
            }
            if (t.startsWith("W/")) {
                t = t.substring(2);
            }
            if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
                t = t.substring(1, t.length() - 1);
            }
            if (t.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    static Instant date(String value) {
        if (value == null) {
            return null;
        }
        try {
            return ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
