package dev.kura.cluster;

import static dev.kura.cluster.TestCluster.versionedBucket;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.index.IndexCommand;
import dev.kura.index.IndexResult;
import dev.kura.index.codec.CommandCodec;
import dev.kura.cluster.LocalCertificates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Raft inside the cluster's mutual TLS: three members with certificates replicate as usual; a client
 * holding the cluster secret (its command properly sealed) but no trusted certificate — plain gRPC, or
 * TLS with a certificate the members do not trust — gets nothing into the index. And the PEM files an
 * operator gives are checked at start, with what is wrong said plainly.
 */
class ClusterTlsTest {
    @TempDir
    Path root;

    @Test
    void membersReplicateInsideMutualTlsAndAClientWithoutATrustedCertificateGetsNothingIn() throws Exception {
        LocalCertificates.Node node = LocalCertificates.make(root.resolve("certs"), "member", 2, "127.0.0.2", "127.0.0.3",
                "127.0.0.4");
        LocalCertificates.Node stranger = LocalCertificates.make(root.resolve("certs"), "stranger", 2, "127.0.0.5");
        ClusterTls tls = ClusterTls.load(node.certificate(), node.key(),
                LocalCertificates.trusting(root.resolve("trusted.pem"), List.of(node)));
        try (TestCluster cluster = TestCluster.start(root.resolve("members"), TestCluster.settings(0, 8L << 20, 1024).withTls(tls))) {
            cluster.awaitLeader();
            assertThat(cluster.client(cluster.aFollower()).apply(new IndexCommand.CreateBucket(versionedBucket("b", 1))))
                    .isEqualTo(IndexResult.DONE);
            cluster.awaitSameAppliedPosition();
            for (int i = 0; i < 3; i++) {
                assertThat(cluster.client(i).bucket("b")).as("member %s", i).isPresent();
            }
            // Sealed with the real secret: only TLS stands in the way.
            byte[] sealed = new CommandSeal(TestCluster.SECRET).seal(CommandCodec.encode(
                    new IndexCommand.CreateBucket(versionedBucket("intruder", 2))));
            ClusterTls untrusted = ClusterTls.load(stranger.certificate(), stranger.key(),
                    LocalCertificates.trusting(root.resolve("stranger-trusts.pem"), List.of(node, stranger)));
            Parameters strangersTls = new Parameters();
            GrpcConfigKeys.TLS.setConf(strangersTls, untrusted.raft());
            for (Parameters p : List.of(new Parameters(), strangersTls)) {
                try (RaftClient intruder = RaftClient.newBuilder().setProperties(new RaftProperties()).setParameters(p)
                        .setRaftGroup(cluster.group())
                        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(2,
                                TimeDuration.valueOf(100, TimeUnit.MILLISECONDS)))
                        .build()) {
                    boolean refused;
                    try {
                        refused = !intruder.io().send(Message.valueOf(ByteString.copyFrom(sealed))).isSuccess();
                    } catch (IOException e) {
                        refused = true;
                    }
                    assertThat(refused).isTrue();
                }
            }
            assertThat(cluster.client(0).bucket("intruder")).as("nothing from outside the TLS circle").isEmpty();
        }
    }

    @Test
    void renewedFilesAreTakenUpWithoutARestartAndUnusableOnesAreRefused() throws Exception {
        Path certs = root.resolve("certs");
        LocalCertificates.Node v1 = LocalCertificates.make(certs.resolve("v1"), "member", 2, "127.0.0.2", "127.0.0.3",
                "127.0.0.4");
        LocalCertificates.Node v2 = LocalCertificates.make(certs.resolve("v2"), "member-renewed", 2, "127.0.0.2",
                "127.0.0.3", "127.0.0.4");
        Path cert = Files.copy(v1.certificate(), root.resolve("node.crt"));
        Path key = Files.copy(v1.key(), root.resolve("node.key"));
        // Rotation's first step done: the renewed certificate is trusted already, the old one still presented.
        ClusterTls tls = ClusterTls.load(cert, key, LocalCertificates.trusting(root.resolve("trusted.pem"), List.of(v1, v2)));
        tls.requireNames("127.0.0.2");
        assertThat(tls.reloadIfChanged()).as("nothing changed").isFalse();
        ClusterTls trustsOnlyRenewed = ClusterTls.load(v2.certificate(), v2.key(),
                LocalCertificates.trusting(root.resolve("v2-only.pem"), List.of(v2)));
        try (TestCluster cluster = TestCluster.start(root.resolve("members"),
                TestCluster.settings(0, 8L << 20, 1024).withTls(tls))) {
            cluster.awaitLeader();
            cluster.client(0).apply(new IndexCommand.CreateBucket(versionedBucket("before", 1)));
            assertThat(reaches(cluster, trustsOnlyRenewed)).as("the members still present the old certificate").isFalse();

            // The files are renewed in place: the members present the new certificate to new connections.
            Files.copy(v2.certificate(), cert, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(v2.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            bumpModified(cert, key);
            assertThat(tls.reloadIfChanged()).isTrue();
            assertThat(tls.subject()).isEqualTo("CN=member-renewed");
            assertThat(reaches(cluster, trustsOnlyRenewed)).as("a client trusting only the renewed certificate").isTrue();

            // A half-written renewal (the old key under the new certificate) is refused; the node keeps what works.
            Files.copy(v1.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            bumpModified(key);
            assertThatThrownBy(tls::reloadIfChanged).hasMessageContaining("is not the private key of the certificate");
            assertThat(tls.reloadIfChanged()).as("the same broken files are not tried again").isFalse();
            assertThat(tls.subject()).isEqualTo("CN=member-renewed");
            assertThat(reaches(cluster, trustsOnlyRenewed)).isTrue();
            assertThat(cluster.client(cluster.aFollower()).apply(new IndexCommand.CreateBucket(versionedBucket("after", 2))))
                    .isEqualTo(IndexResult.DONE);

            // A CA added to the trusted file at runtime: a node holding a certificate from it gets in, although
            // the members' gRPC servers still name only the CAs they started with when they ask for one.
            LocalCertificates.Node v3 = LocalCertificates.make(certs.resolve("v3"), "newcomer", 2, "127.0.0.5");
            ClusterTls newcomer = ClusterTls.load(v3.certificate(), v3.key(),
                    LocalCertificates.trusting(root.resolve("v3-trusts.pem"), List.of(v2, v3)));
            assertThat(reaches(cluster, newcomer)).as("not trusted yet").isFalse();
            LocalCertificates.trusting(root.resolve("trusted.pem"), List.of(v1, v2, v3));
            bumpModified(root.resolve("trusted.pem"));
            Files.copy(v2.key(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING); // the renewal, finished
            bumpModified(key);
            assertThat(tls.reloadIfChanged()).isTrue();
            assertThat(reaches(cluster, newcomer)).as("a certificate from the CA added at runtime").isTrue();
        }
    }

    /** True when a client with {@code tls} gets a read index from the group (a new connection each time). */
    private static boolean reaches(TestCluster cluster, ClusterTls tls) throws IOException {
        Parameters p = new Parameters();
        GrpcConfigKeys.TLS.setConf(p, tls.raft());
        try (RaftClient client = RaftClient.newBuilder().setProperties(new RaftProperties()).setParameters(p)
                .setRaftGroup(cluster.group())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(2, TimeDuration.valueOf(100,
                        TimeUnit.MILLISECONDS)))
                .build()) {
            return client.io().sendReadOnly(Message.EMPTY).isSuccess();
        } catch (IOException e) {
            return false;
        }
    }

    private static void bumpModified(Path... files) throws IOException {
        for (Path f : files) {
            Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(
                    Files.getLastModifiedTime(f).toMillis() + 2_000));
        }
    }

    @Test
    void theFilesAreCheckedAtStartAndWhatIsWrongIsSaid() throws Exception {
        Path certs = root.resolve("certs");
        LocalCertificates.Node a = LocalCertificates.make(certs, "a", 2, "127.0.0.2");
        LocalCertificates.Node b = LocalCertificates.make(certs, "b", 2, "127.0.0.3");
        Path trusted = LocalCertificates.trusting(root.resolve("trusted.pem"), List.of(a, b));
        ClusterTls good = ClusterTls.load(a.certificate(), a.key(), trusted);
        assertThat(good.subject()).isEqualTo("CN=a");
        good.requireNames("127.0.0.2");
        assertThatThrownBy(() -> good.requireNames("127.0.0.3")).hasMessageContaining("does not name its cluster address 127.0.0.3")
                .hasMessageContaining("subject alternative names: 127.0.0.2");

        assertThatThrownBy(() -> ClusterTls.load(a.certificate(), b.key(), trusted))
                .isInstanceOf(IOException.class).hasMessageContaining("is not the private key of the certificate");
        Path onlyB = LocalCertificates.trusting(root.resolve("only-b.pem"), List.of(b));
        assertThatThrownBy(() -> ClusterTls.load(a.certificate(), a.key(), onlyB))
                .hasMessageContaining("do not verify this node's own");
        Path encrypted = Files.writeString(root.resolve("enc.key"), LocalCertificates.pem("ENCRYPTED PRIVATE KEY", new byte[64]));
        assertThatThrownBy(() -> ClusterTls.load(a.certificate(), encrypted, trusted))
                .hasMessageContaining("is encrypted").hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
        Path pkcs1 = Files.writeString(root.resolve("rsa.key"), LocalCertificates.pem("RSA PRIVATE KEY", new byte[64]));
        assertThatThrownBy(() -> ClusterTls.load(a.certificate(), pkcs1, trusted)).hasMessageContaining("PKCS#8");
        Path garbage = Files.writeString(root.resolve("garbage.key"), LocalCertificates.pem("PRIVATE KEY", new byte[64]));
        assertThatThrownBy(() -> ClusterTls.load(a.certificate(), garbage, trusted))
                .hasMessageContaining("algorithm Kura cannot use");
        Path empty = Files.writeString(root.resolve("empty.pem"), "no PEM here\n");
        assertThatThrownBy(() -> ClusterTls.load(empty, a.key(), trusted)).hasMessageContaining("holds no certificate");
        assertThatThrownBy(() -> ClusterTls.load(a.certificate(), a.key(), empty)).hasMessageContaining("holds no certificate");
        assertThatThrownBy(() -> ClusterTls.load(a.certificate(), empty, trusted)).hasMessageContaining("exactly one private key");
        Path badCert = Files.writeString(root.resolve("bad.crt"), LocalCertificates.pem("CERTIFICATE", new byte[64]));
        assertThatThrownBy(() -> ClusterTls.load(badCert, a.key(), trusted)).hasMessageContaining("cannot be read");
        assertThatThrownBy(() -> ClusterTls.load(root.resolve("missing.crt"), a.key(), trusted))
                .isInstanceOf(IOException.class);
    }
}
