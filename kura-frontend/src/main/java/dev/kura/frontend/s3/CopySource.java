package dev.kura.frontend.s3;

import dev.kura.index.ObjectRecord;
import dev.kura.object.ObjectService;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import dev.kura.s3.op.S3Router;
import java.nio.charset.StandardCharsets;

/**
 * The {@code x-amz-copy-source} header: {@code [/]bucket/key[?versionId=id]}, URL-encoded
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html).
 */
record CopySource(String bucket, String key, String versionId) {

    static CopySource parse(String header) {
        if (header == null || header.isBlank()) {
            throw invalid();
        }
        String raw = RequestHead.utf8View(header.trim());
        String version = null;
        int q = raw.indexOf('?');
        if (q >= 0) {
            String query = raw.substring(q + 1);
            raw = raw.substring(0, q);
            for (String p : query.split("&")) {
                if (p.startsWith("versionId=")) {
                    version = decode(p.substring("versionId=".length()));
                }
            }
        }
        String path = decode(raw);
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            throw invalid();
        }
        String key = path.substring(slash + 1);
        if (key.getBytes(StandardCharsets.UTF_8).length > S3Router.MAX_KEY_BYTES) {
            throw new S3Exception(S3ErrorCode.KeyTooLongError);
        }
        return new CopySource(path.substring(0, slash), key, version);
    }

    /**
     * The source: the version the header names, or the current version (NoSuchKey when that is a
     * delete marker; a named delete marker is refused as S3 does, with 400 InvalidRequest).
     */
    ObjectRecord resolve(ObjectService objects) {
        if (versionId == null) {
            return objects.head(bucket, key);
        }
        try {
            return objects.head(bucket, key, versionId);
        } catch (S3Exception e) {
            if (e.code() == S3ErrorCode.MethodNotAllowed) {
                throw new S3Exception(S3ErrorCode.InvalidRequest,
                        "The source of a copy request may not specifically refer to a delete marker by version id.");
            }
            throw e;
        }
    }

    /** x-amz-copy-source-range {@code bytes=first-last}, inside the source: {first, last}. */
    static long[] range(String header, long size) {
        String h = header.trim();
        int dash = h.indexOf('-');
        if (!h.startsWith("bytes=") || dash < 0) {
            throw badRange();
        }
        long first;
        long last;
        try {
            first = Long.parseLong(h.substring(6, dash).trim());
            last = Long.parseLong(h.substring(dash + 1).trim());
        } catch (NumberFormatException e) {
            throw badRange();
        }
        if (first < 0 || last < first) {
            throw badRange();
        }
        if (last >= size) {
            throw new S3Exception(S3ErrorCode.InvalidRange, "Range specified is not valid for source object of size: " + size)
                    .with("ActualObjectSize", Long.toString(size));
        }
        return new long[] {first, last};
    }

    private static S3Exception badRange() {
        return new S3Exception(S3ErrorCode.InvalidArgument, "The x-amz-copy-source-range value must be of the form "
                + "bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
                .with("ArgumentName", "x-amz-copy-source-range");
    }

    private static S3Exception invalid() {
        return new S3Exception(S3ErrorCode.InvalidArgument, "Invalid copy source object key")
                .with("ArgumentName", "x-amz-copy-source");
    }

    private static String decode(String s) {
        try {
            return RequestHead.decode(s);
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
    }
}
