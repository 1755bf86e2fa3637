package dev.kura.index;

import java.util.Optional;

/** What applying a command did. */
public sealed interface IndexResult {
    IndexResult DONE = new Done();

    record Done() implements IndexResult {
    }

    /** CompleteUpload retried after it succeeded: the version it created. */
    record AlreadyCompleted(ObjectRecord record) implements IndexResult {
    }

    /** PutObject / DeleteObject: the version that was replaced or removed, if any. */
    record Replaced(Optional<ObjectRecord> previous) implements IndexResult {
    }
}
