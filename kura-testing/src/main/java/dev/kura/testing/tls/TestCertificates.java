package dev.kura.testing.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Certificates for tests of TLS between nodes, made with the JDK's own keytool: a self-signed EC
 * certificate per node naming its IP address, written as the PEM files an operator would give (the
 * certificate, its unencrypted PKCS#8 key), and a file trusting a chosen set of them.
 */
public final class TestCertificates {
    private static final String PASSWORD = "kura-test-only";

    /** One node's PEM files. */
    public record Node(Path certificate, Path key) {
    }

    private TestCertificates() {
    }

    /** A certificate for {@code name} valid for these IP addresses, in {@code dir/name.crt} and {@code dir/name.key}. */
    public static Node make(Path dir, String name, String... ips) throws IOException {
        Files.createDirectories(dir);
        Path store = dir.resolve(name + ".p12");
        Files.deleteIfExists(store);
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "node", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=" + name, "-ext", "SAN=" + String.join(",", java.util.Arrays.stream(ips).map(ip -> "ip:" + ip).toList()), "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("keytool failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASSWORD.toCharArray());
            Key key = ks.getKey("node", PASSWORD.toCharArray());
            Certificate cert = ks.getCertificate("node");
            Node node = new Node(dir.resolve(name + ".crt"), dir.resolve(name + ".key"));
            Files.writeString(node.certificate(), pem("CERTIFICATE", cert.getEncoded()));
            Files.writeString(node.key(), pem("PRIVATE KEY", key.getEncoded()));
            return node;
        } catch (GeneralSecurityException e) {
            throw new IOException(e);
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

    public static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
