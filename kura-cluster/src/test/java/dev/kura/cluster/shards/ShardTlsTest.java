package dev.kura.cluster.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.cluster.ClusterTls;
import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.storage.local.LocalBlobStore;
import dev.kura.cluster.LocalCertificates;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shard protocol inside the cluster's mutual TLS ({@link ClusterTls}, from PEM files as an operator
 * gives them): a shard written and read back byte-exact; a peer without a certificate, one whose
 * certificate the server does not trust, a server whose certificate does not name the address dialled,
 * and plain TCP are all refused before the shard protocol begins.
 */
class ShardTlsTest {
    @TempDir
    Path dir;

    private ClusterTls tls(LocalCertificates.Node node, List<LocalCertificates.Node> trusted, String name) throws IOException {
        return ClusterTls.load(node.certificate(), node.key(), LocalCertificates.trusting(dir.resolve(name + "-trusts.pem"),
                trusted));
    }

    @Test
    void shardsTravelInsideMutualTlsAndEveryoneElseIsRefused() throws Exception {
        LocalCertificates.Node b = LocalCertificates.make(dir, "node-b", 2, "127.0.0.1");
        LocalCertificates.Node a = LocalCertificates.make(dir, "node-a", 2, "127.0.0.2");
        LocalCertificates.Node stranger = LocalCertificates.make(dir, "stranger", 2, "127.0.0.3");
        LocalCertificates.Node elsewhere = LocalCertificates.make(dir, "elsewhere", 2, "127.0.0.9");
        ClusterTls serverSide = tls(b, List.of(a, b), "b");
        ClusterTls clientSide = tls(a, List.of(a, b, elsewhere), "a");
        try (LocalBlobStore drive = LocalBlobStore.open(dir.resolve("drive"), new RealFileIo(), true);
             ShardServer server = ShardServer.start("node-b", ShardProtocolTest.SECRET, Map.of(drive.driveId(), drive),
                     new InetSocketAddress("127.0.0.1", 0), serverSide.shardServerSockets());
             RemoteDrive remote = new RemoteDrive("node-a", ShardProtocolTest.SECRET, server.address(), drive.driveId(),
                     clientSide.shardClientSockets())) {
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
            // a client with a certificate the server does not trust (it trusts the server's, and has the secret)
            assertRefused(server, drive, tls(stranger, List.of(b, stranger), "stranger").shardClientSockets());
            // a client with no certificate at all: the server requires one
            javax.net.ssl.SSLContext anonymous = javax.net.ssl.SSLContext.getInstance("TLSv1.3");
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
            java.security.KeyStore anchors = java.security.KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            anchors.setCertificateEntry("b", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(java.nio.file.Files.newInputStream(b.certificate())));
            tmf.init(anchors);
            anonymous.init(null, tmf.getTrustManagers(), null);
            assertRefused(server, drive, anonymous.getSocketFactory());
            // plain TCP to the TLS port
            assertRefused(server, drive, SocketFactory.getDefault());
        }
        // a server whose certificate is trusted but names another address than the one dialled
        try (LocalBlobStore drive = LocalBlobStore.open(dir.resolve("drive2"), new RealFileIo(), true);
             ShardServer server = ShardServer.start("node-e", ShardProtocolTest.SECRET, Map.of(drive.driveId(), drive),
                     new InetSocketAddress("127.0.0.1", 0), tls(elsewhere, List.of(a, elsewhere), "e").shardServerSockets())) {
            assertRefused(server, drive, clientSide.shardClientSockets());
        }
    }

    private static void assertRefused(ShardServer server, LocalBlobStore drive, SocketFactory sockets) throws Exception {
        try (RemoteDrive r = new RemoteDrive("node-x", ShardProtocolTest.SECRET, server.address(), drive.driveId(), sockets)) {
            assertThatThrownBy(r::status).isInstanceOf(IOException.class);
        }
    }
}
