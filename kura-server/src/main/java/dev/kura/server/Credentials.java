package dev.kura.server;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Properties;

/**
 * The root credentials: from the environment when set; else generated on first start, kept in
 * the data directory (mode 600) and shown once on the terminal — never written to a log.
 */
record Credentials(String accessKey, String secretKey) {
    private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static final String SECRET = ALNUM + "abcdefghijklmnopqrstuvwxyz+/";

    static Credentials resolve(ServerConfig config, Path dataDir, PrintStream terminal) throws IOException {
        if (config.accessKey() != null && !config.accessKey().isEmpty()
                && config.secretKey() != null && !config.secretKey().isEmpty()) {
            return new Credentials(config.accessKey(), config.secretKey());
        }
        Path file = dataDir.resolve("credentials");
        if (Files.exists(file)) {
            Properties p = new Properties();
            try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            }
            return new Credentials(p.getProperty("access_key"), p.getProperty("secret_key"));
        }
        SecureRandom rnd = new SecureRandom();
        Credentials c = new Credentials("KURA" + random(rnd, ALNUM, 16), random(rnd, SECRET, 40));
        Path tmp = dataDir.resolve("credentials.tmp");
        Files.writeString(tmp, "# Kura root credentials, generated on first start\naccess_key=" + c.accessKey()
                + "\nsecret_key=" + c.secretKey() + "\n", StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        terminal.println();
        terminal.println("  Generated root credentials (shown once; kept in " + file + "):");
        terminal.println("    KURA_ACCESS_KEY=" + c.accessKey());
        terminal.println("    KURA_SECRET_KEY=" + c.secretKey());
        terminal.println();
        return c;
    }

    private static String random(SecureRandom rnd, String alphabet, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "Credentials[accessKey=" + accessKey + ", secretKey=<redacted>]";
    }
}
