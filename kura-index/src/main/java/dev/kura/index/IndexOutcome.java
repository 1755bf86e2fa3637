package dev.kura.index;

/** What one command of {@link ObjectIndex#applyAll} did: its result, or the reason it was rejected. */
public record IndexOutcome(IndexResult result, IndexException failure) {
    public boolean ok() {
        return failure == null;
    }
}
