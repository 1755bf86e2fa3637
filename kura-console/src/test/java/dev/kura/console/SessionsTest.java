package dev.kura.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Sessions with an injected clock: sign-in, idle and absolute expiry, CSRF tokens, sign-out. */
class SessionsTest {
    private final Map<String, String> users = new java.util.concurrent.ConcurrentHashMap<>(
            Map.of("AKROOT", "root-secret", "AKALICE", "alice-secret"));

    private Instant now = Instant.parse("2026-12-07T06:00:00Z");
    private final InstantSource clock = () -> now;
    private final Sessions sessions = new Sessions(k -> Optional.ofNullable(users.get(k)), clock, new SecureRandom());

    @Test
    void theRightKeyPairOpensASessionFoundByItsId() {
        Sessions.SignedIn in = sessions.signIn("AKALICE", "alice-secret").orElseThrow();
        assertThat(sessions.find(in.sessionId())).get().extracting(Sessions.Session::accessKeyId).isEqualTo("AKALICE");
        assertThat(in.sessionId()).hasSize(43).isNotEqualTo(in.session().csrfToken());
        assertThat(in.toString()).doesNotContain(in.sessionId());
    }

    @Test
    void aWrongSecretAnUnknownKeyOrEmptyFieldsAreRefused() {
        assertThat(sessions.signIn("AKALICE", "root-secret")).isEmpty();
        assertThat(sessions.signIn("AKALICE", "alice-secret ")).isEmpty();
        assertThat(sessions.signIn("AKNOBODY", "alice-secret")).isEmpty();
        assertThat(sessions.signIn("", "")).isEmpty();
        assertThat(sessions.signIn(null, "x")).isEmpty();
        assertThat(sessions.signIn("AKALICE", "x".repeat(10_000))).isEmpty();
        assertThat(sessions.size()).isZero();
    }

    @Test
    void unknownOrForgedIdsFindNothing() {
        sessions.signIn("AKROOT", "root-secret").orElseThrow();
        assertThat(sessions.find(null)).isEmpty();
        assertThat(sessions.find("")).isEmpty();
        assertThat(sessions.find("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).isEmpty();
        assertThat(sessions.find("x".repeat(5000))).isEmpty();
    }

    @Test
    void aSessionEndsAfterAnHourIdleButUseKeepsItAlive() {
        String id = sessions.signIn("AKROOT", "root-secret").orElseThrow().sessionId();
        now = now.plus(Duration.ofMinutes(59));
        assertThat(sessions.find(id)).isPresent(); // used: the idle clock restarts
        now = now.plus(Duration.ofMinutes(59));
        assertThat(sessions.find(id)).isPresent();
        now = now.plus(Sessions.IDLE);
        assertThat(sessions.find(id)).isEmpty();
        assertThat(sessions.size()).isZero();
    }

    @Test
    void aSessionEndsAfterTwelveHoursHoweverBusy() {
        String id = sessions.signIn("AKROOT", "root-secret").orElseThrow().sessionId();
        Instant start = now;
        while (now.isBefore(start.plus(Sessions.ABSOLUTE).minusSeconds(60))) {
            assertThat(sessions.find(id)).isPresent();
            now = now.plus(Duration.ofMinutes(30));
        }
        now = start.plus(Sessions.ABSOLUTE);
        assertThat(sessions.find(id)).isEmpty();
    }

    @Test
    void theCsrfTokenMatchesOnlyItself() {
        Sessions.Session s = sessions.signIn("AKROOT", "root-secret").orElseThrow().session();
        assertThat(s.csrfMatches(s.csrfToken())).isTrue();
        assertThat(s.csrfMatches(null)).isFalse();
        assertThat(s.csrfMatches("")).isFalse();
        assertThat(s.csrfMatches(s.csrfToken() + "x")).isFalse();
        Sessions.Session other = sessions.signIn("AKROOT", "root-secret").orElseThrow().session();
        assertThat(s.csrfMatches(other.csrfToken())).isFalse();
    }

    @Test
    void signOutEndsOnlyThatSession() {
        String a = sessions.signIn("AKALICE", "alice-secret").orElseThrow().sessionId();
        String b = sessions.signIn("AKALICE", "alice-secret").orElseThrow().sessionId();
        sessions.signOut(a);
        assertThat(sessions.find(a)).isEmpty();
        assertThat(sessions.find(b)).isPresent();
        sessions.signOut(null);
        sessions.signOut("unknown");
        assertThat(sessions.size()).isEqualTo(1);
    }

    @Test
    void aSessionEndsWhenItsAccessKeyIsGone() {
        String id = sessions.signIn("AKALICE", "alice-secret").orElseThrow().sessionId();
        assertThat(sessions.find(id)).isPresent();
        users.remove("AKALICE"); // the user removed, or its key pair rotated
        assertThat(sessions.find(id)).isEmpty();
        users.put("AKALICE", "alice-secret");
        assertThat(sessions.find(id)).as("ended for good").isEmpty();
    }

    @Test
    void idsAndTokensAreFreshEachTime() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            Sessions.SignedIn in = sessions.signIn("AKROOT", "root-secret").orElseThrow();
            assertThat(seen.add(in.sessionId())).isTrue();
            assertThat(seen.add(in.session().csrfToken())).isTrue();
        }
    }

    @Test
    void theNumberOfLiveSessionsIsBounded() {
        int keys = Sessions.MAX_SESSIONS / Sessions.MAX_PER_ACCESS_KEY;
        for (int k = 0; k < keys; k++) {
            users.put("AKUSER" + k, "secret-" + k);
            for (int i = 0; i < Sessions.MAX_PER_ACCESS_KEY; i++) {
                sessions.signIn("AKUSER" + k, "secret-" + k).orElseThrow();
            }
        }
        assertThat(sessions.size()).isEqualTo(Sessions.MAX_SESSIONS);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sessions.signIn("AKROOT", "root-secret"))
                .isInstanceOf(IllegalStateException.class);
        now = now.plus(Sessions.IDLE); // all expired: room again
        assertThat(sessions.signIn("AKROOT", "root-secret")).isPresent();
        assertThat(sessions.size()).isEqualTo(1);
    }

    /**
     * One user signing in over and over (a script, or someone holding a low-privilege key) must not
     * fill the node-wide table and lock every other user, the operator included, out of the console:
     * past {@link Sessions#MAX_PER_ACCESS_KEY}, that key's oldest session makes room.
     */
    @Test
    void oneAccessKeyCannotTakeEverySession() {
        String first = sessions.signIn("AKALICE", "alice-secret").orElseThrow().sessionId();
        String last = null;
        for (int i = 0; i < Sessions.MAX_SESSIONS + 10; i++) {
            now = now.plusMillis(1);
            last = sessions.signIn("AKALICE", "alice-secret").orElseThrow().sessionId();
        }
        assertThat(sessions.size()).isEqualTo(Sessions.MAX_PER_ACCESS_KEY);
        assertThat(sessions.find(first)).as("the oldest made room").isEmpty();
        assertThat(sessions.find(last)).isPresent();
        assertThat(sessions.signIn("AKROOT", "root-secret")).as("another user still signs in").isPresent();
    }
}
