package dev.kura.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster node shares the root credentials and the master key with the other nodes: started without
 * them it refuses, naming what is missing, and generates none of its own (a key of its own would leave
 * SSE objects and user secrets written through other nodes unreadable on this one).
 */
class ClusterSecretsTest {
    @TempDir
    Path dir;

    ServerConfig config(String accessKey, String secretKey, Path masterKeyFile) {
        ServerConfig.ClusterConfig cluster = new ServerConfig.ClusterConfig("n1", "z1", new InetSocketAddress("127.0.0.2", 7000),
                List.of(new InetSocketAddress("127.0.0.3", 7000)), true,
                "a cluster secret of at least 32 bytes, shared".getBytes(StandardCharsets.UTF_8));
        return new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0)), List.of(new InetSocketAddress("127.0.0.1", 0)),
                dir.resolve("data"), "us-east-1", accessKey, secretKey)
                .withMasterKey(new ServerConfig.MasterKeyConfig(null, masterKeyFile))
                .withCluster(cluster);
    }

    @Test
    void aNodeWithoutTheClustersMasterKeyRefusesToStartAndMakesNoneOfItsOwn() {
        Path key = dir.resolve("master-key");
        assertThatThrownBy(() -> KuraServer.start(config("AK", "SK-secret", key), new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("master key");
        assertThat(key).doesNotExist();
        assertThat(dir.resolve("data").resolve(ClusterNode.DIR)).as("no cluster state either").doesNotExist();
    }

    @Test
    void aNodeWithoutTheClustersRootCredentialsRefusesToStartAndMakesNoneOfItsOwn() throws Exception {
        Path key = dir.resolve("master-key");
        Files.writeString(key, "ignored: the check comes first\n");
        assertThatThrownBy(() -> KuraServer.start(config(null, null, key), new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KURA_ACCESS_KEY");
        assertThat(dir.resolve("data").resolve("credentials")).doesNotExist();
    }
}
