package dev.kura.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class ServerCommandTest {
    static ServerConfig parse(Map<String, String> env, String... args) {
        ServerCommand cmd = new ServerCommand();
        new CommandLine(cmd).parseArgs(args);
        return cmd.config(env);
    }

    static final String SECRET = "a cluster secret of at least 32 bytes, shared";

    @Test
    void aNodeRunsAloneUnlessGivenAClusterAddress() {
        assertThat(parse(Map.of()).cluster()).isNull();
        assertThatThrownBy(() -> parse(Map.of(), "--join", "127.0.0.3:7000")).hasMessageContaining("--cluster-address");
    }

    @Test
    void clusterFlagsNameTheMembersTheSecretAndTheZoneOfTheDrives() {
        ServerConfig c = parse(Map.of("KURA_CLUSTER_SECRET", SECRET), "--cluster-address", "127.0.0.2:7000",
                "--join", "127.0.0.3:7000,127.0.0.4:7000", "--join", "127.0.0.2:7000", "--bootstrap", "--zone", "rack-1",
                "--drive", "/srv/a", "--drive", "/srv/b,zone=other");
        ServerConfig.ClusterConfig cluster = c.cluster();
        assertThat(cluster.node()).isEqualTo("node-127.0.0.2-7000");
        assertThat(cluster.zone()).isEqualTo("rack-1");
        assertThat(cluster.bootstrap()).isTrue();
        assertThat(cluster.join()).as("the others, itself left out").extracting(a -> a.getHostString() + ":" + a.getPort())
                .containsExactly("127.0.0.3:7000", "127.0.0.4:7000");
        assertThat(cluster.secret()).isEqualTo(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(cluster.toString()).doesNotContain("shared");
        assertThat(c.storage().drives()).extracting(dev.kura.storage.drives.DriveSet.DriveSpec::zone)
                .containsExactly("rack-1", "other");
        // No --ec: the cluster's layout, decided at start (Storage.clusterLayout).
        assertThat(c.storage().layout()).isNull();
        assertThat(ServerConfig.ClusterConfig.shardAddress(cluster.address()).getPort()).isEqualTo(7001);
    }

    @Test
    void tlsBetweenNodesNeedsAllThreeFilesAndAClusterAddress() {
        assertThatThrownBy(() -> parse(Map.of(), "--cluster-cert", "/x.crt")).hasMessageContaining("need --cluster-address");
        assertThatThrownBy(() -> parse(Map.of("KURA_CLUSTER_SECRET", SECRET), "--cluster-address", "127.0.0.2:7000",
                "--join", "127.0.0.3:7000", "--cluster-cert", "/x.crt", "--cluster-key", "/x.key"))
                .hasMessageContaining("all three of --cluster-cert, --cluster-key and --cluster-ca");
        assertThatThrownBy(() -> parse(Map.of("KURA_CLUSTER_SECRET", SECRET), "--cluster-address", "127.0.0.2:7000",
                "--join", "127.0.0.3:7000", "--cluster-cert", "/nonexistent/x.crt", "--cluster-key", "/nonexistent/x.key",
                "--cluster-ca", "/nonexistent/ca.pem")).hasMessageContaining("/nonexistent/x.crt does not exist");
        assertThat(parse(Map.of("KURA_CLUSTER_SECRET", SECRET), "--cluster-address", "127.0.0.2:7000",
                "--join", "127.0.0.3:7000").cluster().tls()).isNull();
    }

    @Test
    void aClusterNodeWithoutDrivesHasOneUnderItsDataDirectoryInItsZone() {
        ServerConfig c = parse(Map.of("KURA_CLUSTER_SECRET", SECRET), "--cluster-address", "127.0.0.2:7000",
                "--join", "127.0.0.3:7000,127.0.0.4:7000", "--node", "n1", "--data", "/var/kura");
        assertThat(c.cluster().zone()).as("the node's own zone by default").isEqualTo("n1");
        assertThat(c.storage().drives()).containsExactly(
                new dev.kura.storage.drives.DriveSet.DriveSpec(java.nio.file.Path.of("/var/kura/drive"), "n1"));
        assertThat(c.storage().layout()).isNull();
        assertThat(parse(Map.of("KURA_CLUSTER_SECRET", SECRET), "--cluster-address", "127.0.0.2:7000",
                "--join", "127.0.0.3:7000", "--ec", "1+1").storage().layout())
                .isEqualTo(new dev.kura.storage.drives.DriveSet.Layout(1, 1));
    }

    @Test
    void aClusterNodeWritesWithEcWhenGivenElseWithTheOtherMembersLayoutElseTheDefaultForAllDrives() {
        var l21 = new dev.kura.storage.drives.DriveSet.Layout(2, 1);
        var l42 = new dev.kura.storage.drives.DriveSet.Layout(4, 2);
        // Two drives on each of three members: six in all, so 4+2 by default.
        assertThat(Storage.clusterLayout(null, null, 6)).isEqualTo(l42);
        assertThat(Storage.clusterLayout(null, "", 6)).isEqualTo(l42);
        // A fourth node joining a 2+1 cluster writes 2+1, not the default for four drives (2+2).
        assertThat(Storage.clusterLayout(null, "2+1", 4)).isEqualTo(l21);
        assertThat(Storage.clusterLayout(l42, "2+1", 6)).as("--ec wins").isEqualTo(l42);
        assertThat(Storage.clusterLayout(null, "8+4", 4)).as("more shards than drives: the default")
                .isEqualTo(new dev.kura.storage.drives.DriveSet.Layout(2, 2));
        assertThat(Storage.clusterLayout(null, "garbled", 3)).isEqualTo(l21);
    }

    @Test
    void badClusterFlagsAreRefusedWithTheReason() {
        assertThatThrownBy(() -> parse(Map.of(), "--cluster-address", "127.0.0.2:7000"))
                .hasMessageContaining("cluster secret");
        assertThatThrownBy(() -> parse(Map.of("KURA_CLUSTER_SECRET", "too short"), "--cluster-address", "127.0.0.2:7000"))
                .hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> parse(Map.of("KURA_CLUSTER_SECRET", SECRET), "--cluster-address", "0.0.0.0:7000"))
                .hasMessageContaining("wildcard");
        assertThatThrownBy(() -> parse(Map.of("KURA_CLUSTER_SECRET", SECRET), "--cluster-address", "127.0.0.2:7000",
                "--node", "bad name")).hasMessageContaining("--node");
        assertThatThrownBy(() -> parse(Map.of("KURA_CLUSTER_SECRET", SECRET), "--cluster-address", "127.0.0.2:7000",
                "--join", "127.0.0.3:7000", "--ec", "4+2")).hasMessageContaining("needs at least 6 drives");
    }

    @Test
    void telemetryDefaultsWhenTheServerRuns() {
        TelemetryConfig t = parse(Map.of()).telemetry();
        assertThat(t.metricsToken()).isNull();
        assertThat(t.accessLog()).isEqualTo(TelemetryConfig.AccessLogTarget.STDOUT);
        assertThat(t.accessLogTimings()).isFalse();
        assertThat(t.topBuckets()).isEqualTo(20);
        assertThat(t.metricsBuckets()).isEmpty();
        assertThat(t.openTelemetry()).isNull();
    }

    @Test
    void theConsoleIsOnUnlessTurnedOff() {
        assertThat(parse(Map.of()).console()).isTrue();
        assertThat(parse(Map.of(), "--console", "on").console()).isTrue();
        assertThat(parse(Map.of(), "--console", "OFF").console()).isFalse();
        assertThat(parse(Map.of(), "--console", "off").withDomain("example.com").console()).as("kept by with*").isFalse();
        assertThatThrownBy(() -> parse(Map.of(), "--console", "maybe")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--console takes on or off");
    }

    @Test
    void partitionBudgetFlags() {
        assertThat(parse(Map.of()).partitionSettings()).isEqualTo(dev.kura.object.PartitionBudgets.Settings.DEFAULTS);
        var p = parse(Map.of(), "--partition-write-rate", "20", "--partition-read-rate", "30", "--split-after", "2.5")
                .partitionSettings();
        assertThat(p.writeRate()).isEqualTo(20);
        assertThat(p.readRate()).isEqualTo(30);
        assertThat(p.splitAfter()).isEqualTo(java.time.Duration.ofMillis(2500));
        assertThat(parse(Map.of(), "--split-after", "1m").partitionSettings().splitAfter())
                .isEqualTo(java.time.Duration.ofMinutes(1));
        assertThatThrownBy(() -> parse(Map.of(), "--partition-write-rate", "0")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void admissionFlags() {
        var d = dev.kura.frontend.http.HttpServer.Limits.defaults();
        assertThat(parse(Map.of()).limits()).isEqualTo(d);
        var l = parse(Map.of(), "--request-head-timeout", "5s", "--idle-timeout", "2m", "--max-connections", "100",
                "--max-connections-per-client", "10", "--max-in-flight", "8", "--admission-wait", "500ms",
                "--outbound-budget", "16").limits();
        assertThat(l.headTimeoutMillis()).isEqualTo(5_000);
        assertThat(l.idleTimeoutMillis()).isEqualTo(120_000);
        assertThat(l.maxConnections()).isEqualTo(100);
        assertThat(l.maxConnectionsPerClient()).isEqualTo(10);
        assertThat(l.maxInFlight()).isEqualTo(8);
        assertThat(l.queueWaitMillis()).isEqualTo(500);
        assertThat(l.outboundBudgetBytes()).isEqualTo(16L << 20);
        assertThat(l.stallTimeoutMillis()).isEqualTo(d.stallTimeoutMillis());
        assertThatThrownBy(() -> parse(Map.of(), "--max-connections-per-client", "0"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void telemetryFlags() {
        TelemetryConfig t = parse(Map.of(), "--metrics-token", "s3cr3t", "--access-log", "FILE", "--access-log-timings",
                "--metrics-bucket", "a", "--metrics-bucket", "b", "--metrics-top-buckets", "5").telemetry();
        assertThat(t.metricsToken()).isEqualTo("s3cr3t");
        assertThat(t.accessLog()).isEqualTo(TelemetryConfig.AccessLogTarget.FILE);
        assertThat(t.accessLogTimings()).isTrue();
        assertThat(t.metricsBuckets()).containsExactly("a", "b");
        assertThat(t.topBuckets()).isEqualTo(5);
        assertThat(t.toString()).doesNotContain("s3cr3t");
        assertThat(parse(Map.of(), "--access-log", "off").telemetry().accessLog()).isEqualTo(TelemetryConfig.AccessLogTarget.OFF);
    }

    @Test
    void theTokenMayComeFromTheEnvironmentAndTheFlagWins() {
        assertThat(parse(Map.of("KURA_METRICS_TOKEN", "from-env")).telemetry().metricsToken()).isEqualTo("from-env");
        assertThat(parse(Map.of("KURA_METRICS_TOKEN", "from-env"), "--metrics-token", "flag").telemetry().metricsToken())
                .isEqualTo("flag");
        assertThat(parse(Map.of("KURA_METRICS_TOKEN", "")).telemetry().metricsToken()).isNull();
    }

    @Test
    void aBadAccessLogTargetIsRefused() {
        assertThatThrownBy(() -> parse(Map.of(), "--access-log", "syslog"))
                .isInstanceOf(CommandLine.ParameterException.class).hasMessageContaining("stdout, file or off");
    }

    @Test
    void credentialsStillComeFromTheEnvironment() {
        ServerConfig c = parse(Map.of("KURA_ACCESS_KEY", "ak", "KURA_SECRET_KEY", "sk"), "--data", "/tmp/x");
        assertThat(c.accessKey()).isEqualTo("ak");
        assertThat(c.secretKey()).isEqualTo("sk");
        assertThat(c.s3Addresses()).hasSize(2);
        assertThat(List.of(c.dataDir().toString())).containsExactly("/tmp/x");
    }
}
