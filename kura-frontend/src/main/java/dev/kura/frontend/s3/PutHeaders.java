package dev.kura.frontend.s3;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.s3.http.RequestHead;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads what a PutObject request asks to store, and refuses — never silently ignores — the
 * headers asking for features Kura does not have yet.
 */
final class PutHeaders {
    static final int MAX_USER_METADATA = 2048;
    static final Set<String> STORED = Set.of("content-type", "content-encoding", "content-disposition",
            "content-language", "cache-control", "expires");
    static final Set<String> STORAGE_CLASSES = Set.of("STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA",
            "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE");

    private PutHeaders() {
    }

    /** System headers to store, by lower-case name; {@code aws-chunked} is a transfer detail, not stored. */
    static Map<String, String> systemHeaders(RequestHead head) {
        Map<String, String> out = new TreeMap<>();
        for (String name : STORED) {
            String v = head.header(name);
            if (v != null) {
                out.put(name, v);
            }
        }
        String enc = out.get("content-encoding");
        if (enc != null) {
            // aws-chunked describes the transfer, not the object: drop that token, keep the rest as sent.
            String rest = String.join(", ", java.util.Arrays.stream(enc.split(","))
                    .map(String::trim).filter(s -> !s.isEmpty() && !s.equalsIgnoreCase("aws-chunked")).toList());
            if (rest.isEmpty()) {
                out.remove("content-encoding");
            } else if (!enc.toLowerCase(java.util.Locale.ROOT).contains("aws-chunked")) {
                out.put("content-encoding", enc);
            } else {
                out.put("content-encoding", rest);
            }
        }
        out.putIfAbsent("content-type", "binary/octet-stream");
        return out;
    }

    /** x-amz-meta-* by lower-case name without the prefix; MetadataTooLarge above 2 KB (names + values, UTF-8). */
    static Map<String, String> userMetadata(RequestHead head) {
        Map<String, String> out = new TreeMap<>();
        int size = 0;
        for (String name : head.headerNames()) {
            if (name.startsWith("x-amz-meta-")) {
                String key = name.substring("x-amz-meta-".length());
                String value = String.join(",", head.headers(name));
                // header text is one char per wire byte: its length is the size S3 counts
                size += key.getBytes(StandardCharsets.UTF_8).length + value.length();
                out.put(key, value);
            }
        }
        if (size > MAX_USER_METADATA) {
            throw new S3Exception(S3ErrorCode.MetadataTooLarge).with("Size", Integer.toString(size))
                    .with("MaxSizeAllowed", Integer.toString(MAX_USER_METADATA));
        }
        return out;
    }

    static String storageClass(RequestHead head) {
        String v = head.header("x-amz-storage-class");
        if (v == null) {
            return "STANDARD";
        }
        if (!STORAGE_CLASSES.contains(v)) {
            throw new S3Exception(S3ErrorCode.InvalidStorageClass).with("StorageClassRequested", v);
        }
        return v;
    }

    /** The additional checksum the client declared (header, trailer or sdk algorithm), or null. */
    static ChecksumAlgorithm checksumAlgorithm(RequestHead head) {
        ChecksumAlgorithm found = null;
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            if (head.header(a.headerName()) != null) {
                if (found != null) {
                    throw new S3Exception(S3ErrorCode.InvalidRequest, "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
                }
                found = a;
            }
        }
        String trailer = head.header("x-amz-trailer");
        if (trailer != null) {
            ChecksumAlgorithm t = fromHeaderName(trailer.trim().toLowerCase(Locale.ROOT));
            if (found != null && t != found) {
                throw new S3Exception(S3ErrorCode.InvalidRequest, "Expecting a single x-amz-checksum- header");
            }
            found = t;
        }
        String sdk = head.header("x-amz-sdk-checksum-algorithm");
        if (sdk == null) {
            sdk = head.header("x-amz-checksum-algorithm");
        }
        if (sdk != null) {
            ChecksumAlgorithm s = ChecksumAlgorithm.fromName(sdk.trim()).orElseThrow(() -> new S3Exception(
                    S3ErrorCode.InvalidRequest, "Value for x-amz-sdk-checksum-algorithm header is invalid."));
            if (found == null) {
                found = s;
            } else if (found != s) {
                throw new S3Exception(S3ErrorCode.InvalidRequest, "Value for x-amz-sdk-checksum-algorithm header is invalid.");
            }
        }
        return found;
    }

    private static ChecksumAlgorithm fromHeaderName(String name) {
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            if (a.headerName().equals(name)) {
                return a;
            }
        }
        throw new S3Exception(S3ErrorCode.InvalidRequest, "The value specified in the x-amz-trailer header is not supported");
    }

    /** Refuses headers that ask for behaviour Kura does not implement yet. */
    static void refuseUnsupported(RequestHead head) {
        String sse = head.header("x-amz-server-side-encryption");
        if (sse != null || head.header("x-amz-server-side-encryption-customer-algorithm") != null
                || head.header("x-amz-server-side-encryption-aws-kms-key-id") != null) {
            throw new S3Exception(S3ErrorCode.NotImplemented, "Server-side encryption is not implemented")
                    .with("Header", sse != null ? "x-amz-server-side-encryption" : "x-amz-server-side-encryption-customer-algorithm");
        }
        if (head.header("x-amz-website-redirect-location") != null) {
            throw new S3Exception(S3ErrorCode.NotImplemented).with("Header", "x-amz-website-redirect-location");
        }
    }
}
