package dev.kura.cluster.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.storage.local.LocalBlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shard protocol over TLS: a node's certificate (made here with the JDK's keytool), the server on an
 * SSL server socket, the client trusting that certificate — a shard written and read back byte-exact
 * inside TLS; a client that does not trust the certificate never reaches the handshake.
 */
class ShardTlsTest {
    static final char[] PASSWORD = "changeit-test".toCharArray();

    @TempDir
    Path dir;

    private Path keystore() throws Exception {
        Path ks = dir.resolve("node.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "node", "-keyalg", "EC",
                "-groupname", "secp256r1", "-dname", "CN=node-b", "-ext", "SAN=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return ks;
    }

    private static SSLContext context(Path keystore, boolean withKey, boolean trusting) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASSWORD);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        KeyStore none = KeyStore.getInstance("PKCS12");
        none.load(null, null);
        tmf.init(trusting ? ks : none);
        SSLContext c = SSLContext.getInstance("TLSv1.3");
        c.init(withKey ? kmf.getKeyManagers() : null, tmf.getTrustManagers(), null);
        return c;
    }

    @Test
    void shardsTravelInsideTlsAndAnUntrustedCertificateIsRefused() throws Exception {
        Path ks = keystore();
        try (LocalBlobStore drive = LocalBlobStore.open(dir.resolve("drive"), new RealFileIo(), true);
             ShardServer server = ShardServer.start("node-b", ShardProtocolTest.SECRET, Map.of(drive.driveId(), drive),
                     new InetSocketAddress("127.0.0.1", 0), context(ks, true, true).getServerSocketFactory());
             RemoteDrive remote = new RemoteDrive("node-a", ShardProtocolTest.SECRET, server.address(), drive.driveId(),
                     context(ks, false, true).getSocketFactory())) {
            byte[] data = new byte[2 * 1024 * 1024 + 5];
            new Random(1).nextBytes(data);
            DataId id = DataId.random(new Random(2));
            BlobWriter w = remote.create(new DataLocation(id, LocalBlobStore.LAYOUT_EPOCH, LocalBlobStore.SCHEME,
                    List.of(drive.driveId()), 64 * 1024, 0), "shard", false);
            w.write(data, 0, data.length);
            DataLocation committed = w.commit(() -> { }, null);
            try (InputStream in = remote.open(committed, 0, data.length)) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
            // a client that does not trust the node's certificate fails in TLS, before any shard protocol
            try (RemoteDrive wary = new RemoteDrive("node-a", ShardProtocolTest.SECRET, server.address(),
                    drive.driveId(), context(ks, false, false).getSocketFactory())) {
                assertThatThrownBy(wary::status).isInstanceOf(IOException.class);
            }
            // and one speaking plain TCP to the TLS port gets nowhere either
            try (RemoteDrive plain = new RemoteDrive("node-a", ShardProtocolTest.SECRET, server.address(),
                    drive.driveId(), SocketFactory.getDefault())) {
                assertThatThrownBy(plain::status).isInstanceOf(IOException.class);
            }
        }
    }
}
