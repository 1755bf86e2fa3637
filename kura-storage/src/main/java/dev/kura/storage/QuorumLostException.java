package dev.kura.storage;

import java.io.IOException;

/**
 * A write lost its quorum: fewer of its shards than the layout's write quorum could be written (their
 * drives failed, vanished or stopped answering). Nothing of it stays on any drive. When it happens as the
 * writer opens — no byte of the data taken yet — the caller may place the data again: a drive that failed
 * then is out of placement (a remote one marked unreachable), so the new placement avoids it.
 */
public final class QuorumLostException extends IOException {
    public QuorumLostException(String message) {
        super(message);
    }
}
