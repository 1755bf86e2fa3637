package dev.kura.server;

import dev.kura.common.crypto.KeyWrapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The node's master key ring: seals data keys (SSE-S3) and other stored secrets with AES-256-GCM.
 * Kept outside the data directory and the drives, so a stolen drive or a copied data directory does
 * not carry the key that opens it (docs/encryption.md).
 *
 * <p>Where the keys come from: {@code KURA_MASTER_KEY} (one or more base64 keys of 32 bytes,
 * separated by commas or white space), else the key file ({@code --master-key-file}, default
 * {@code <data>.master-key} next to the data directory): one base64 key per line, {@code #}
 * comments, mode 600 — a file readable by group or others is refused. Neither: a key is generated
 * into the file on first start (its place is printed; the key never is, nor is it ever logged).
 *
 * <p><b>Rotation</b>: the <i>last</i> key listed seals new secrets; every key listed opens what it
 * sealed. Each key's id is derived from the key itself (the first 4 bytes of
 * HMAC-SHA256(key, "kura master key id")), so no id needs managing: append a new key line, restart,
 * and keep the old lines for as long as anything sealed by them exists.
 *
 * <p>Wrapped format, version 1: {@code 0x01 | key id (4) | nonce (12) | ciphertext | GCM tag (16)};
 * the GCM additional data is the first five bytes followed by the caller's {@code aad}.
 */
public final class MasterKey implements KeyWrapper {
    private static final int FORMAT = 1;
    private static final int KEY_BYTES = 32;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int HEADER = 1 + 4;

    private final Map<Integer, SecretKeySpec> keys;
    private final int activeId;
    private final SecureRandom random;

    private MasterKey(List<byte[]> rawKeys, SecureRandom random) {
        if (rawKeys.isEmpty()) {
            throw new IllegalArgumentException("no master key");
        }
        Map<Integer, SecretKeySpec> ring = new LinkedHashMap<>();
        int last = 0;
        for (byte[] raw : rawKeys) {
            if (raw.length != KEY_BYTES) {
                throw new IllegalArgumentException("a master key is " + KEY_BYTES + " bytes (base64), not " + raw.length);
            }
            last = idOf(raw);
            ring.put(last, new SecretKeySpec(raw, "AES"));
        }
        this.keys = Map.copyOf(ring);
        this.activeId = last;
        this.random = random;
    }

    /** A ring of these keys (raw, 32 bytes each); the last one seals. */
    public static MasterKey of(List<byte[]> rawKeys) {
        return new MasterKey(rawKeys, new SecureRandom());
    }

    /** A ring of one fresh random key, kept only in memory (tests, throw-away nodes). */
    public static MasterKey ephemeral() {
        byte[] k = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(k);
        return of(List.of(k));
    }

    /** The default key file: {@code <data>.master-key}, next to the data directory, never inside it. */
    public static Path defaultFile(Path dataDir) {
        Path abs = dataDir.toAbsolutePath().normalize();
        Path name = abs.getFileName();
        return abs.resolveSibling((name == null ? "kura-data" : name.toString()) + ".master-key");
    }

    /**
     * The ring from {@code fromEnv} when set (not empty), else from {@code file}, generating the
     * file with one new key when it does not exist.
     */
    public static MasterKey resolve(String fromEnv, Path file, PrintStream terminal) throws IOException {
        if (fromEnv != null && !fromEnv.isBlank()) {
            return of(parse(fromEnv, "KURA_MASTER_KEY"));
        }
        if (Files.exists(file)) {
            checkPrivate(file);
            return of(parse(Files.readString(file, StandardCharsets.UTF_8), file.toString()));
        }
        byte[] k = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(k);
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.writeString(tmp, "# Kura master key ring: one base64 AES-256 key per line; the last one seals new data.\n"
                + "# Keep this file (and a backup of it) away from the data drives: without it encrypted objects are lost.\n"
                + Base64.getEncoder().encodeToString(k) + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        terminal.println("  Generated a master key for server-side encryption in " + file + " (back it up; keep it off the drives)");
        return of(List.of(k));
    }

    private static void checkPrivate(Path file) throws IOException {
        Set<PosixFilePermission> p;
        try {
            p = Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return;
        }
        for (PosixFilePermission bit : p) {
            if (bit.name().startsWith("GROUP") || bit.name().startsWith("OTHERS")) {
                throw new IllegalArgumentException("the master key file " + file
                        + " is readable by others; make it private (chmod 600)");
            }
        }
    }

    private static List<byte[]> parse(String text, String where) {
        List<byte[]> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String t = line.strip();
            if (t.isEmpty() || t.startsWith("#")) {
                continue;
            }
            for (String token : t.split("[,\\s]+")) {
                if (token.isEmpty()) {
                    continue;
                }
                try {
                    out.add(Base64.getDecoder().decode(token));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("a master key in " + where + " is not base64");
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("no master key in " + where);
        }
        return out;
    }

    private static int idOf(byte[] raw) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(raw, "HmacSHA256"));
            return ByteBuffer.wrap(mac.doFinal("kura master key id".getBytes(StandardCharsets.US_ASCII))).getInt();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The id of the key that seals new secrets (for logs and docs: it reveals nothing of the key). */
    public String activeKeyId() {
        return HexFormat.of().toHexDigits(activeId);
    }

    /** How many keys the ring holds (the active one and older ones kept for unwrapping). */
    public int size() {
        return keys.size();
    }

    @Override
    public byte[] wrap(byte[] plain, byte[] aad) {
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        ByteBuffer out = ByteBuffer.allocate(HEADER + NONCE_BYTES + plain.length + TAG_BITS / 8);
        out.put((byte) FORMAT).putInt(activeId).put(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, keys.get(activeId), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(out.array(), 0, HEADER);
            c.updateAAD(aad);
            out.put(c.doFinal(plain));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
        return out.array();
    }

    @Override
    public byte[] unwrap(byte[] wrapped, byte[] aad) {
        if (wrapped.length < HEADER + NONCE_BYTES + TAG_BITS / 8 || wrapped[0] != FORMAT) {
            throw new WrongKeyException("not a wrapped key of a known format");
        }
        int id = ByteBuffer.wrap(wrapped, 1, 4).getInt();
        SecretKeySpec key = keys.get(id);
        if (key == null) {
            throw new WrongKeyException("sealed by master key " + HexFormat.of().toHexDigits(id)
                    + ", which is not in the key ring");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, wrapped, HEADER, NONCE_BYTES));
            c.updateAAD(wrapped, 0, HEADER);
            c.updateAAD(aad);
            return c.doFinal(wrapped, HEADER + NONCE_BYTES, wrapped.length - HEADER - NONCE_BYTES);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new WrongKeyException("the wrapped key does not open: altered, or sealed for another context");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "MasterKey[active=" + activeKeyId() + ", keys=" + keys.size() + "]";
    }
}
