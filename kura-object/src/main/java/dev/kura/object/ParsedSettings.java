package dev.kura.object;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A bucket configuration document parsed once per stored version: the parsed form is kept with the
 * bytes it came from and reused while the stored bytes are the same (the index caches the bytes; this
 * saves the parse). Bounded: beyond {@code max} buckets it starts over.
 */
final class ParsedSettings<T> {
    private final Map<Long, Map.Entry<byte[], T>> parsed = new ConcurrentHashMap<>();
    private final Function<byte[], T> parser;
    private final int max;

    ParsedSettings(Function<byte[], T> parser, int max) {
        this.parser = parser;
        this.max = max;
    }

    /** The parsed form of {@code raw}, the document stored for the bucket now (empty: none stored). */
    Optional<T> get(long bucketId, Optional<byte[]> raw) {
        if (raw.isEmpty()) {
            parsed.remove(bucketId);
            return Optional.empty();
        }
        Map.Entry<byte[], T> cached = parsed.get(bucketId);
        if (cached != null && Arrays.equals(cached.getKey(), raw.get())) {
            return Optional.of(cached.getValue());
        }
        T value = parser.apply(raw.get());
        if (parsed.size() >= max) {
            parsed.clear();
        }
        parsed.put(bucketId, Map.entry(raw.get(), value));
        return Optional.of(value);
    }
}
