package dev.kura.object;

import dev.kura.common.crypto.KeyWrapper;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.ObjectIndex;
import dev.kura.index.UserRecord;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The identities that may sign requests: the root user (the key pair the server was started with,
 * never stored) and the users kept in the index, whose secret keys are sealed by the master key
 * ({@link KeyWrapper}, bound to the user's name and access key) — SigV4 needs the secret itself, so it
 * cannot be hashed. Lookups (every request) read an in-memory copy, refreshed by every change made
 * through this service.
 */
public final class Users {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Users.class);
    /** IAM's user name rule. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9+=,.@_-]{1,64}");
    private static final String KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String SECRET_ALPHABET = KEY_ALPHABET + "abcdefghijklmnopqrstuvwxyz+/";

    /** One identity: its name, canonical user id, current access key, and whether it is the root user. */
    public record Identity(String name, String canonicalId, String accessKey, boolean root) {
    }

    /** A user's new key pair, shown once. */
    public record NewKeys(Identity user, String secretKey) {
        @Override
        public String toString() {
            return "NewKeys[user=" + user + ", secretKey=<redacted>]";
        }
    }

    private record Entry(Identity identity, String secret) {
    }

    private final ObjectIndex index;
    private final KeyWrapper sealer;
    private final InstantSource clock;
    private final SecureRandom random = new SecureRandom();
    private final Identity root;
    private final String rootSecret;
    private final Map<String, Entry> byAccessKey = new ConcurrentHashMap<>();
    private final Map<String, Identity> byCanonicalId = new ConcurrentHashMap<>();

    /**
     * @param rootCanonicalId the canonical id the root user's buckets carry
     * @param rootDisplayName its display name
     */
    public Users(ObjectIndex index, KeyWrapper sealer, InstantSource clock, String rootAccessKey, String rootSecret,
                 String rootCanonicalId, String rootDisplayName) {
        this.index = index;
        this.sealer = sealer;
        this.clock = clock;
        this.root = new Identity(rootDisplayName, rootCanonicalId, rootAccessKey, true);
        this.rootSecret = rootSecret;
        byCanonicalId.put(rootCanonicalId, root);
        for (UserRecord u : index.users()) {
            try {
                remember(u);
            } catch (KeyWrapper.WrongKeyException e) {
                // Not with this master key: the user cannot sign until rotated (kura admin user rotate).
                LOG.warn("user {}: the stored secret key does not open with the master key; rotate the user's keys",
                        u.name());
            }
        }
    }

    public Identity root() {
        return root;
    }

    /** The secret of an access key id, for SigV4. */
    public Optional<String> secretKey(String accessKey) {
        if (root.accessKey().equals(accessKey)) {
            return Optional.of(rootSecret);
        }
        return Optional.ofNullable(byAccessKey.get(accessKey)).map(Entry::secret);
    }

    public Optional<Identity> byAccessKey(String accessKey) {
        if (root.accessKey().equals(accessKey)) {
            return Optional.of(root);
        }
        return Optional.ofNullable(byAccessKey.get(accessKey)).map(Entry::identity);
    }

    public Optional<Identity> byCanonicalId(String canonicalId) {
        return canonicalId == null ? Optional.empty() : Optional.ofNullable(byCanonicalId.get(canonicalId));
    }

    /** The root user first, then the users in name order. */
    public List<Identity> list() {
        List<Identity> out = new ArrayList<>();
        out.add(root);
        index.users().forEach(u -> out.add(identity(u)));
        return out;
    }

    /** Adds a user with a new key pair. */
    public synchronized NewKeys add(String name) {
        checkName(name);
        if (name.equals(root.name())) {
            throw new IllegalArgumentException("the name " + name + " is the root user's");
        }
        String canonicalId = HexFormat.of().formatHex(randomBytes(32));
        return write(name, canonicalId, false);
    }

    /** A new key pair for a user; the old access key stops working at once. */
    public synchronized NewKeys rotate(String name) {
        UserRecord old = index.user(name).orElseThrow(() -> new IllegalArgumentException("no user " + name));
        return write(name, old.canonicalId(), true);
    }

    public synchronized void remove(String name) {
        UserRecord old = index.user(name).orElseThrow(() -> new IllegalArgumentException("no user " + name));
        apply(new IndexCommand.DeleteUser(name));
        byAccessKey.remove(old.accessKey());
        byCanonicalId.remove(old.canonicalId());
    }

    private NewKeys write(String name, String canonicalId, boolean replace) {
        String accessKey = "KU" + random(KEY_ALPHABET, 18);
        String secret = random(SECRET_ALPHABET, 40);
        UserRecord record = new UserRecord(name, accessKey, sealer.wrap(secret.getBytes(StandardCharsets.UTF_8),
                aad(name, accessKey)), canonicalId, clock.instant());
        Optional<UserRecord> old = replace ? index.user(name) : Optional.empty();
        apply(new IndexCommand.PutUser(record, replace));
        old.ifPresent(o -> byAccessKey.remove(o.accessKey()));
        remember(record);
        return new NewKeys(identity(record), secret);
    }

    private void remember(UserRecord u) {
        String secret = new String(sealer.unwrap(u.sealedSecret(), aad(u.name(), u.accessKey())), StandardCharsets.UTF_8);
        Identity id = identity(u);
        byAccessKey.put(u.accessKey(), new Entry(id, secret));
        byCanonicalId.put(u.canonicalId(), id);
    }

    private static Identity identity(UserRecord u) {
        return new Identity(u.name(), u.canonicalId(), u.accessKey(), false);
    }

    private static byte[] aad(String name, String accessKey) {
        return ("kura user " + name + " " + accessKey).getBytes(StandardCharsets.UTF_8);
    }

    private void apply(IndexCommand c) {
        try {
            index.apply(c);
        } catch (IndexException.UserAlreadyExists e) {
            throw new IllegalArgumentException(e.getMessage());
        } catch (IndexException.NoSuchUser e) {
            throw new IllegalArgumentException("no user " + e.getMessage());
        } catch (IndexException e) {
            throw new S3Exception(S3ErrorCode.InternalError, e.getMessage());
        }
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a user name is 1 to 64 of A-Z a-z 0-9 + = , . @ _ -");
        }
    }

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private String random(String alphabet, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
