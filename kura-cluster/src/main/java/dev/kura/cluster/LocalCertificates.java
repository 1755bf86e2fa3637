package dev.kura.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates for nodes on one machine or in tests, made with the JDK's own keytool (no other
 * tool or library): an EC P-256 key and certificate per node naming its IP addresses, written as the PEM
 * files an operator would give {@code --cluster-cert} and {@code --cluster-key} (the key unencrypted
 * PKCS#8, mode 600), and a file trusting a chosen set of them ({@code --cluster-ca}). For real machines,
 * docs/cluster.md shows a CA made with OpenSSL instead.
 */
public final class LocalCertificates {
    /** One node's PEM files. */
    public record Node(Path certificate, Path key) {
    }

    private LocalCertificates() {
    }

    /**
     * A certificate for {@code name} valid for {@code days} days and for these IP addresses, in
     * {@code dir/name.crt} and {@code dir/name.key}.
     */
    public static Node make(Path dir, String name, int days, String... ips) throws IOException {
        Files.createDirectories(dir);
        Path store = dir.resolve(name + ".p12");
        Files.deleteIfExists(store);
        char[] password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16)).toCharArray();
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        try {
            ProcessBuilder keytoolRun = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "node",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                    "-ext", "SAN=" + String.join(",", Arrays.stream(ips).map(ip -> "ip:" + ip).toList()),
                    "-validity", Integer.toString(days), "-storetype", "PKCS12", "-keystore", store.toString(),
                    "-storepass:env", "KURA_KEYTOOL_PASS")
                    .redirectErrorStream(true);
            keytoolRun.environment().put("KURA_KEYTOOL_PASS", new String(password)); // never on a command line
            Process p = keytoolRun.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + out);
            }
            try (InputStream in = Files.newInputStream(store)) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(in, password);
                Key key = ks.getKey("node", password);
                Certificate cert = ks.getCertificate("node");
                Node node = new Node(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
                Files.writeString(node.certificate(), pem("CERTIFICATE", cert.getEncoded()));
                writePrivate(node.key(), pem("PRIVATE KEY", key.getEncoded()));
                return node;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the key keytool made: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(store);
        }
    }

    /** Writes {@code file} trusting exactly these nodes' certificates. */
    public static Path trusting(Path file, List<Node> nodes) throws IOException {
        List<String> all = new ArrayList<>();
        for (Node n : nodes) {
            all.add(Files.readString(n.certificate()));
        }
        Files.writeString(file, String.join("", all));
        return file;
    }

    /** DER bytes as a PEM block of {@code type}. */
    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    private static void writePrivate(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(tmp, text, StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
