package dev.kura.index;

/** A write precondition, decided inside the index apply. */
public sealed interface Precondition {
    Precondition NONE = new None();

    record None() implements Precondition {
    }

    /** {@code If-None-Match: *}: the key must have no current (non-delete-marker) version. */
    record IfNoneMatchAny() implements Precondition {
    }

    /** {@code If-Match: "etag"}: the key's current version must have this ETag (unquoted), or {@code *} for any. */
    record IfMatch(String etag) implements Precondition {
    }
}
