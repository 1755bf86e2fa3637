package dev.kura.frontend.s3;

import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;

/**
 * A single byte range of an object ({@code Range: bytes=a-b | a- | -n}), resolved against the
 * object size. As S3 does, a header it cannot parse, or one asking for several ranges, is
 * ignored (the whole object is sent); an unsatisfiable range is 416 InvalidRange.
 */
record ByteRange(long start, long length) {

    /** The range to send, or null for the whole object. */
    static ByteRange parse(String header, long size) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (!h.startsWith("bytes=") || h.indexOf(',') >= 0) {
            return null;
        }
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            if (a.isEmpty()) {
                if (b.isEmpty()) {
                    return null;
                }
                long suffix = Long.parseLong(b);
                if (suffix < 0) {
                    return null;
                }
                if (suffix == 0 || size == 0) {
                    throw unsatisfiable(size);
                }
                long n = Math.min(suffix, size);
                return new ByteRange(size - n, n);
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? Long.MAX_VALUE : Long.parseLong(b);
            if (first < 0 || last < first) {
                return null;
            }
            if (first >= size) {
                throw unsatisfiable(size);
            }
            return new ByteRange(first, Math.min(last, size - 1) - first + 1);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static S3Exception unsatisfiable(long size) {
        return new S3Exception(S3ErrorCode.InvalidRange).with("ActualObjectSize", Long.toString(size));
    }

    String contentRange(long size) {
        return "bytes " + start + "-" + (start + length - 1) + "/" + size;
    }
}
