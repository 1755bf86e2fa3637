package dev.kura.storage;

import java.io.IOException;

/**
 * Too few drives are present and writable to lay out new data with the redundancy the store
 * promises (for erasure coding: fewer than {@code k + 1} drives, so not even one parity shard).
 * Nothing was written. Bringing drives back makes writes possible again without a restart.
 */
public final class InsufficientDrivesException extends IOException {
    public InsufficientDrivesException(String message) {
        super(message);
    }
}
