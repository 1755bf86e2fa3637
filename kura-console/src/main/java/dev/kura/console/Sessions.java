package dev.kura.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The console's signed-in sessions, held only in this process's memory (a restart signs everyone
 * out). A session is created by checking an access key and its secret against the users (the same
 * store that verifies SigV4 signatures); the browser gets a random session id in an HttpOnly cookie
 * and a random CSRF token in the sign-in answer, never the secret. Sessions end after
 * {@link #IDLE} without use, after {@link #ABSOLUTE} in any case, at sign-out, or when the access key
 * stops existing (the user removed, its keys rotated).
 *
 * <p>Invariants: ids and tokens are 256 random bits from a {@link SecureRandom}; the map is keyed by
 * the SHA-256 of the id, so a lookup compares hashes, never the secret id itself; secrets and tokens
 * are compared in constant time ({@link MessageDigest#isEqual} of their hashes); at most
 * {@link #MAX_SESSIONS} live at once, at most {@link #MAX_PER_ACCESS_KEY} of them one access key's
 * (beyond that its oldest ends), so no single user can fill the table and lock the others out.
 */
public final class Sessions {
    public static final Duration IDLE = Duration.ofHours(1);
    public static final Duration ABSOLUTE = Duration.ofHours(12);
    public static final int MAX_SESSIONS = 10_000;
    /** One access key's share of {@link #MAX_SESSIONS}: past it, that key's oldest session ends. */
    public static final int MAX_PER_ACCESS_KEY = 100;

    /** One signed-in user. {@code lastUsed} moves on every request. */
    public static final class Session {
        private final String accessKeyId;
        private final byte[] csrfHash;
        private final String csrfToken;
        private final Instant created;
        private volatile Instant lastUsed;

        Session(String accessKeyId, String csrfToken, Instant created) {
            this.accessKeyId = accessKeyId;
            this.csrfToken = csrfToken;
            this.csrfHash = sha256(csrfToken);
            this.created = created;
            this.lastUsed = created;
        }

        public String accessKeyId() {
            return accessKeyId;
        }

        /** The token every write must carry (sent once, in the sign-in answer and to {@code GET session}). */
        public String csrfToken() {
            return csrfToken;
        }

        public Instant created() {
            return created;
        }

        public Instant expires() {
            Instant idle = lastUsed.plus(IDLE);
            Instant hard = created.plus(ABSOLUTE);
            return idle.isBefore(hard) ? idle : hard;
        }

        /** Constant-time: does this header value carry the session's CSRF token? */
        public boolean csrfMatches(String presented) {
            return presented != null && MessageDigest.isEqual(csrfHash, sha256(presented));
        }
    }

    /** What a sign-in created: the cookie value (the session id) and the session. */
    public record SignedIn(String sessionId, Session session) {
        @Override
        public String toString() {
            return "SignedIn[" + session.accessKeyId() + "]"; // never the id
        }
    }

    private static final byte[] NO_SECRET = sha256("\u0000no such user\u0000");

    private final Function<String, Optional<String>> secretOf;
    private final InstantSource clock;
    private final SecureRandom random;
    private final Map<String, Session> byIdHash = new ConcurrentHashMap<>();

    /**
     * @param secretOf the secret key of an access key (the users store), empty for an unknown key
     */
    public Sessions(Function<String, Optional<String>> secretOf, InstantSource clock, SecureRandom random) {
        this.secretOf = secretOf;
        this.clock = clock;
        this.random = random;
    }

    /**
     * Checks the key pair and opens a session; empty when the pair is wrong (the caller says no more
     * than that). The comparison takes the same path for an unknown key and a wrong secret.
     *
     * @throws IllegalStateException when {@link #MAX_SESSIONS} sessions are live
     */
    public Optional<SignedIn> signIn(String accessKeyId, String secret) {
        if (accessKeyId == null || secret == null || accessKeyId.isEmpty() || accessKeyId.length() > 128
                || secret.length() > 256) {
            return Optional.empty();
        }
        Optional<String> stored = secretOf.apply(accessKeyId);
        byte[] expected = stored.map(Sessions::sha256).orElse(NO_SECRET);
        boolean ok = MessageDigest.isEqual(expected, sha256(secret)) && stored.isPresent();
        if (!ok) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        String id = randomToken();
        Session session = new Session(accessKeyId, randomToken(), now);
        synchronized (this) { // the counts below and the insert are one step
            endOldestBeyondShare(accessKeyId);
            if (byIdHash.size() >= MAX_SESSIONS) {
                expire(now);
                if (byIdHash.size() >= MAX_SESSIONS) {
                    throw new IllegalStateException("too many console sessions");
                }
            }
            byIdHash.put(key(id), session);
        }
        return Optional.of(new SignedIn(id, session));
    }

    /**
     * Makes room for one more session of this access key within its share ({@link #MAX_PER_ACCESS_KEY}):
     * its oldest sessions end, so one key signing in over and over never fills the table for everyone.
     */
    private void endOldestBeyondShare(String accessKeyId) {
        List<Map.Entry<String, Session>> mine = new ArrayList<>();
        for (Map.Entry<String, Session> e : byIdHash.entrySet()) {
            if (e.getValue().accessKeyId.equals(accessKeyId)) {
                mine.add(e);
            }
        }
        if (mine.size() < MAX_PER_ACCESS_KEY) {
            return;
        }
        mine.sort(Comparator.comparing((Map.Entry<String, Session> e) -> e.getValue().created));
        for (Map.Entry<String, Session> e : mine.subList(0, mine.size() - MAX_PER_ACCESS_KEY + 1)) {
            byIdHash.remove(e.getKey(), e.getValue());
        }
    }

    /** The live session with this id (and marks it used), or empty: unknown, expired or signed out. */
    public Optional<Session> find(String sessionId) {
        if (sessionId == null || sessionId.isEmpty() || sessionId.length() > 100) {
            return Optional.empty();
        }
        String k = key(sessionId);
        Session s = byIdHash.get(k);
        if (s == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        if (!now.isBefore(s.expires())) {
            byIdHash.remove(k, s);
            return Optional.empty();
        }
        if (secretOf.apply(s.accessKeyId()).isEmpty()) {
            // The user was removed, or its keys rotated: the session ends with the access key.
            byIdHash.remove(k, s);
            return Optional.empty();
        }
        s.lastUsed = now;
        return Optional.of(s);
    }

    /** Ends the session with this id, if any. */
    public void signOut(String sessionId) {
        if (sessionId != null && sessionId.length() <= 100) {
            byIdHash.remove(key(sessionId));
        }
    }

    /** Drops expired sessions; returns how many are live. */
    public int expire(Instant now) {
        byIdHash.values().removeIf(s -> !now.isBefore(s.expires()));
        return byIdHash.size();
    }

    public int size() {
        return byIdHash.size();
    }

    private String randomToken() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static String key(String sessionId) {
        return Base64.getEncoder().encodeToString(sha256(sessionId));
    }

    static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is always present", e);
        }
    }
}
