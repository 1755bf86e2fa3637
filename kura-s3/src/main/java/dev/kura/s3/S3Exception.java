package dev.kura.s3;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An S3 error answer: a code from the catalogue, a message, and extra elements for the XML error
 * body (for example {@code BucketName}, {@code Key}, {@code ArgumentName}).
 */
public class S3Exception extends RuntimeException {
    private final S3ErrorCode code;
    private final Map<String, String> details = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    public S3Exception(S3ErrorCode code) {
        this(code, code.message());
    }

    public S3Exception(S3ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public S3ErrorCode code() {
        return code;
    }

    /** Adds an element to the error body; returns this for chaining. */
    public S3Exception with(String element, String value) {
        if (value != null) {
            details.put(element, value);
        }
        return this;
    }

    public Map<String, String> details() {
        return details;
    }

    /** Adds a response header to the error answer (a 304 still carries the ETag); returns this. */
    public S3Exception withHeader(String name, String value) {
        if (value != null) {
            headers.put(name, value);
        }
        return this;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
