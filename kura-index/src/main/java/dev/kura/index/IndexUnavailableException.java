package dev.kura.index;

/**
 * The index cannot answer a read now — a replicated index whose member is cut off from the majority,
 * so it cannot prove its copy is current — and answers nothing rather than something stale. The
 * caller should try again later (S3: 503 ServiceUnavailable).
 */
public final class IndexUnavailableException extends RuntimeException {
    public IndexUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
