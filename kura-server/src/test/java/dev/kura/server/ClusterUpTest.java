package dev.kura.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kura cluster up --tls}: every node's command line carries its own certificate, key and the file
 * trusting every node's, and each node's server accepts them (its certificate names its cluster address,
 * the trusted file verifies it); they are made once and kept, and made again for other addresses.
 */
class ClusterUpTest {
    @TempDir
    Path dir;

    @Test
    void aLocalClusterWithTlsGivesEveryNodeItsOwnCertificateAndTheTrustOfAll() throws Exception {
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream());
        ClusterCommand.Plan plan = ClusterCommand.plan(dir, 3, InetAddress.getByName("127.0.0.2"), 9000, List.of(),
                quiet, true);
        Path tls = dir.resolve(ClusterCommand.TLS_DIR);
        for (int i = 0; i < 3; i++) {
            List<String> command = plan.command(i);
            List<String> serverArgs = command.subList(command.indexOf("server") + 1, command.size());
            assertThat(serverArgs).containsSubsequence("--cluster-cert", tls.resolve("node" + (i + 1) + ".crt").toString())
                    .containsSubsequence("--cluster-key", tls.resolve("node" + (i + 1) + ".key").toString())
                    .containsSubsequence("--cluster-ca", tls.resolve("trusted.pem").toString());
            // The node's own parse: loads the three files, checks the key, the trust and its address in the SANs.
            ServerConfig config = ServerCommandTest.parse(Map.of(), serverArgs.toArray(String[]::new));
            assertThat(config.cluster().tls().subject()).isEqualTo("CN=node" + (i + 1));
            assertThat(Files.getPosixFilePermissions(tls.resolve("node" + (i + 1) + ".key")))
                    .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
        String first = Files.readString(tls.resolve("node1.crt"));
        ClusterCommand.plan(dir, 3, InetAddress.getByName("127.0.0.2"), 9000, List.of(), quiet, true);
        assertThat(Files.readString(tls.resolve("node1.crt"))).as("kept across starts").isEqualTo(first);
        ClusterCommand.Plan moved = ClusterCommand.plan(dir, 3, InetAddress.getByName("127.0.0.12"), 9000, List.of(),
                quiet, true);
        assertThat(Files.readString(tls.resolve("node1.crt"))).as("made again for another address").isNotEqualTo(first);
        List<String> args = moved.command(0).subList(moved.command(0).indexOf("server") + 1, moved.command(0).size());
        assertThat(ServerCommandTest.parse(Map.of(), args.toArray(String[]::new)).cluster().tls()).isNotNull();
        assertThat(ClusterCommand.plan(dir, 3, InetAddress.getByName("127.0.0.2"), 9000, List.of(), quiet, false)
                .command(0)).doesNotContain("--cluster-cert");
    }
}
