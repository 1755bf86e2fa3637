package dev.kura.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;

/** Guessing is slowed per client address: 20 failures in a minute, then refusals until the minute is over. */
class SignInThrottleTest {
    private Instant now = Instant.parse("2026-12-07T06:00:00Z");
    private final SignInThrottle throttle = new SignInThrottle((InstantSource) () -> now);

    @Test
    void twentyFailuresInAMinuteStopTheNextTryUntilTheMinuteEnds() {
        for (int i = 0; i < SignInThrottle.MAX_FAILURES; i++) {
            assertThat(throttle.mayTry("10.0.0.1")).isTrue();
            throttle.failed("10.0.0.1");
            now = now.plusMillis(100);
        }
        assertThat(throttle.mayTry("10.0.0.1")).isFalse();
        assertThat(throttle.mayTry("10.0.0.2")).as("another address").isTrue();
        now = Instant.parse("2026-12-07T06:00:00Z").plus(SignInThrottle.WINDOW);
        assertThat(throttle.mayTry("10.0.0.1")).isTrue();
        throttle.failed("10.0.0.1"); // a new window
        assertThat(throttle.mayTry("10.0.0.1")).isTrue();
    }

    @Test
    void failuresSpreadOverMinutesNeverBlock() {
        for (int i = 0; i < 100; i++) {
            throttle.failed("10.0.0.1");
            now = now.plusSeconds(10);
            if (i % 6 == 5) {
                now = now.plus(SignInThrottle.WINDOW);
            }
        }
        assertThat(throttle.mayTry("10.0.0.1")).isTrue();
    }
}
