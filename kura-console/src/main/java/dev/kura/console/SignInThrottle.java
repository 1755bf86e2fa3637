package dev.kura.console;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Slows down guessing: a client address with {@value #MAX_FAILURES} failed sign-ins within
 * {@link #WINDOW} is refused (429) until that window has passed. Bounded: past {@value #MAX_CLIENTS}
 * addresses, old windows are dropped first, and if still full, everyone's are.
 */
final class SignInThrottle {
    static final int MAX_FAILURES = 20;
    static final Duration WINDOW = Duration.ofMinutes(1);
    private static final int MAX_CLIENTS = 10_000;

    private record Window(Instant start, int failures) {
    }

    private final InstantSource clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    SignInThrottle(InstantSource clock) {
        this.clock = clock;
    }

    boolean mayTry(String client) {
        Window w = windows.get(client);
        return w == null || w.failures() < MAX_FAILURES || !clock.instant().isBefore(w.start().plus(WINDOW));
    }

    void failed(String client) {
        Instant now = clock.instant();
        if (windows.size() >= MAX_CLIENTS) {
            windows.values().removeIf(w -> !now.isBefore(w.start().plus(WINDOW)));
            if (windows.size() >= MAX_CLIENTS) {
                windows.clear();
            }
        }
        windows.compute(client, (k, w) -> w == null || !now.isBefore(w.start().plus(WINDOW))
                ? new Window(now, 1) : new Window(w.start(), w.failures() + 1));
    }
}
