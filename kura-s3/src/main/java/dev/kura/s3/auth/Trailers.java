package dev.kura.s3.auth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The trailing headers of an aws-chunked body ("Signature calculations for trailing headers",
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html), collected line by
 * line, plus the x-amz-trailer-signature line when there is one.
 *
 * <p>What the trailer signature covers is not spelled out byte for byte by the AWS page; the SDKs
 * agree on the canonical-headers form: lower-case names sorted, {@code name:value\n} each, values
 * trimmed (aws-sdk-java-v2 {@code SigV4TrailerProvider} hashes
 * {@code V4CanonicalRequest.getCanonicalHeadersString}; the .NET SDK uses
 * {@code AWS4Signer.CanonicalizeHeaders}). For one trailer this is exactly the trailer line with
 * "\n" for its CRLF, which is what AWS's published example (x-amz-checksum-crc32c:sOO8/Q==,
 * signature d81f82fc…) signs.
 */
final class Trailers {
    static final String SIGNATURE = "x-amz-trailer-signature";
    /** S3 sends one checksum trailer; a few more are harmless, thousands are an attack. */
    static final int MAX_TRAILERS = 16;

    private final Map<String, List<String>> values = new TreeMap<>();
    private int count;
    private String signature;

    /** Adds one "name:value" line (whitespace around both tolerated, as S3 does). */
    void addLine(String line) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
            throw LineInput.incomplete("Malformed trailing header line in the aws-chunked body.");
        }
        String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = CanonicalRequest.trimAll(line.substring(colon + 1));
        if (name.isEmpty()) {
            throw LineInput.incomplete("Malformed trailing header line in the aws-chunked body.");
        }
        if (signature != null) {
            throw LineInput.incomplete("Trailing headers after x-amz-trailer-signature.");
        }
        if (name.equals(SIGNATURE)) {
            signature = value;
            return;
        }
        if (++count > MAX_TRAILERS) {
            throw LineInput.incomplete("Too many trailing headers in the aws-chunked body.");
        }
        values.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
    }

    boolean isEmpty() {
        return count == 0 && signature == null;
    }

    /** The x-amz-trailer-signature value, or null when the body had none. */
    String signature() {
        return signature;
    }

    /** What the trailer signature signs: sorted {@code name:value\n} lines, repeated names joined by ','. */
    String canonical() {
        StringBuilder sb = new StringBuilder();
        values.forEach((name, vs) -> sb.append(name).append(':').append(String.join(",", vs)).append('\n'));
        return sb.toString();
    }

    /**
     * When the request announced its trailers in x-amz-trailer, the body must carry exactly those.
     *
     * @param declared lower-case names, or null when x-amz-trailer was absent (nothing to check)
     */
    void checkDeclared(Set<String> declared) {
        if (declared != null && !declared.equals(values.keySet())) {
            throw LineInput.incomplete("The trailing headers " + values.keySet()
                    + " do not match those declared in x-amz-trailer " + declared + ".");
        }
    }

    Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        values.forEach((name, vs) -> m.put(name, String.join(",", vs)));
        return Collections.unmodifiableMap(m);
    }
}
