package dev.kura.index;

import java.util.Optional;

/** What applying a command did. */
public sealed interface IndexResult {
    IndexResult DONE = new Done();

    record Done() implements IndexResult {
    }

    /** Nothing to do, nothing done: RelocateData whose data was moved meanwhile by another repair. */
    IndexResult UNCHANGED = new Unchanged();

    record Unchanged() implements IndexResult {
    }

    /** CompleteUpload retried after it succeeded: the version it created. */
    record AlreadyCompleted(ObjectRecord record) implements IndexResult {
    }

    /**
     * PutObject / CompleteUpload / DeleteObject / DeleteVersion: the version that was replaced or
     * removed, if any, and the version the command created as the index committed it — with the
     * sequence and version id the index assigned (a delete marker for DeleteObject in a versioned
     * bucket) — or null when it created none.
     */
    record Replaced(Optional<ObjectRecord> previous, ObjectRecord current) implements IndexResult {
        public Replaced(Optional<ObjectRecord> previous) {
            this(previous, null);
        }
    }
}
