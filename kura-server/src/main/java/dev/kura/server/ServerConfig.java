package dev.kura.server;

import dev.kura.frontend.http.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything a node needs to start; credentials may be null (then generated or loaded).
 *
 * @param limits the S3 port's HTTP limits (sizes, requests in flight, timeouts)
 * @param telemetry metrics token, access log, bucket series, tracing
 * @param domain    base domain for virtual-hosted-style requests ({@code bucket.domain}), or null
 * @param masterKey where the master key ring comes from (see {@link MasterKey}); null: the default key file
 * @param partitions per-partition request budgets and the split delay ({@code --partition-write-rate},
 *                   {@code --partition-read-rate}, {@code --split-after}); null: S3's defaults
 * @param console   whether the admin port serves the web console under {@code /console/} ({@code --console on|off})
 * @param cluster   this node's place in a cluster ({@code --node}, {@code --cluster-address}, …); null: a single node
 */
public record ServerConfig(List<InetSocketAddress> s3Addresses, List<InetSocketAddress> adminAddresses, Path dataDir,
                           String region, String accessKey, String secretKey, HttpServer.Limits limits,
                           TelemetryConfig telemetry, String domain, StorageConfig storage, MasterKeyConfig masterKey,
                           dev.kura.object.PartitionBudgets.Settings partitions, boolean console,
                           ClusterConfig cluster) {

    public ServerConfig(List<InetSocketAddress> s3Addresses, List<InetSocketAddress> adminAddresses, Path dataDir,
                        String region, String accessKey, String secretKey, HttpServer.Limits limits,
                        TelemetryConfig telemetry, String domain, StorageConfig storage, MasterKeyConfig masterKey,
                        dev.kura.object.PartitionBudgets.Settings partitions, boolean console) {
        this(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, limits, telemetry, domain, storage,
                masterKey, partitions, console, null);
    }

    /**
     * A node of a cluster.
     *
     * @param node      this node's name ({@code --node}), shown in listings and told to peers
     * @param zone      its failure zone ({@code --zone}): the zone of its drives
     * @param address   where its Raft server listens ({@code --cluster-address}); the shard protocol listens
     *                  on the next port
     * @param join      the other initial members' cluster addresses ({@code --join})
     * @param bootstrap form the cluster from these members if this node holds no cluster state yet
     * @param secret    the cluster secret (at least 32 bytes) every node proves it holds
     * @param tls       mutual TLS between the nodes ({@code --cluster-cert}, {@code --cluster-key},
     *                  {@code --cluster-ca}), or null
     */
    public record ClusterConfig(String node, String zone, InetSocketAddress address, List<InetSocketAddress> join,
                                boolean bootstrap, byte[] secret, dev.kura.cluster.ClusterTls tls) {
        public ClusterConfig {
            join = List.copyOf(join);
            secret = secret.clone();
        }

        public ClusterConfig(String node, String zone, InetSocketAddress address, List<InetSocketAddress> join,
                             boolean bootstrap, byte[] secret) {
            this(node, zone, address, join, bootstrap, secret, null);
        }

        /** This node and those it names with {@code --join}. */
        public int members() {
            return 1 + join.size();
        }

        /** Where the shard protocol of the node whose cluster address is {@code a} listens: the next port. */
        public static InetSocketAddress shardAddress(InetSocketAddress a) {
            return new InetSocketAddress(a.getAddress(), a.getPort() + 1);
        }

        @Override
        public String toString() {
            return "ClusterConfig[node=" + node + ", zone=" + zone + ", address=" + address + ", join=" + join
                    + ", bootstrap=" + bootstrap + ", secret=<redacted>, tls=" + (tls == null ? "off" : tls.subject()) + "]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ClusterConfig c && node.equals(c.node) && zone.equals(c.zone) && address.equals(c.address)
                    && join.equals(c.join) && bootstrap == c.bootstrap && java.util.Arrays.equals(secret, c.secret)
                    && java.util.Objects.equals(tls, c.tls);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(node, zone, address, join, bootstrap, java.util.Arrays.hashCode(secret));
        }
    }

    /** The same configuration as one node of a cluster. */
    public ServerConfig withCluster(ClusterConfig newCluster) {
        return new ServerConfig(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, limits, telemetry, domain,
                storage, masterKey, partitions, console, newCluster);
    }

    public ServerConfig(List<InetSocketAddress> s3Addresses, List<InetSocketAddress> adminAddresses, Path dataDir,
                        String region, String accessKey, String secretKey, HttpServer.Limits limits,
                        TelemetryConfig telemetry, String domain, StorageConfig storage, MasterKeyConfig masterKey,
                        dev.kura.object.PartitionBudgets.Settings partitions) {
        this(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, limits, telemetry, domain, storage,
                masterKey, partitions, true);
    }

    /** The same configuration with the web console on or off. */
    public ServerConfig withConsole(boolean on) {
        return new ServerConfig(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, limits, telemetry, domain,
                storage, masterKey, partitions, on, cluster);
    }

    public ServerConfig(List<InetSocketAddress> s3Addresses, List<InetSocketAddress> adminAddresses, Path dataDir,
                        String region, String accessKey, String secretKey, HttpServer.Limits limits,
                        TelemetryConfig telemetry, String domain, StorageConfig storage, MasterKeyConfig masterKey) {
        this(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, limits, telemetry, domain, storage,
                masterKey, null);
    }

    /** The same configuration with these partition budgets. */
    public ServerConfig withPartitions(dev.kura.object.PartitionBudgets.Settings newPartitions) {
        return new ServerConfig(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, limits, telemetry, domain,
                storage, masterKey, newPartitions, console, cluster);
    }

    /** The partition budgets to enforce (S3's 3,500 writes and 5,500 reads a second, split after 60 s, unless set). */
    public dev.kura.object.PartitionBudgets.Settings partitionSettings() {
        return partitions != null ? partitions : dev.kura.object.PartitionBudgets.Settings.DEFAULTS;
    }

    /**
     * The master key's source: {@code fromEnv} (the value of {@code KURA_MASTER_KEY}) when set, else
     * {@code file} ({@code --master-key-file}; null: {@code <data>.master-key}, next to the data directory).
     */
    public record MasterKeyConfig(String fromEnv, Path file) {
        @Override
        public String toString() {
            return "MasterKeyConfig[fromEnv=" + (fromEnv == null ? "unset" : "<redacted>") + ", file=" + file + "]";
        }
    }

    public ServerConfig(List<InetSocketAddress> s3Addresses, List<InetSocketAddress> adminAddresses, Path dataDir,
                        String region, String accessKey, String secretKey, HttpServer.Limits limits,
                        TelemetryConfig telemetry, String domain, StorageConfig storage) {
        this(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, limits, telemetry, domain, storage, null);
    }

    /** The same configuration with this master key source. */
    public ServerConfig withMasterKey(MasterKeyConfig newMasterKey) {
        return new ServerConfig(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, limits, telemetry, domain,
                storage, newMasterKey, partitions, console, cluster);
    }

    /** The master key file this configuration reads (or creates). */
    public Path masterKeyFile() {
        return masterKey != null && masterKey.file() != null ? masterKey.file() : MasterKey.defaultFile(dataDir);
    }

    /**
     * How data is stored.
     *
     * @param inlineThreshold the largest object kept inside the index (-1: none)
     * @param drives          the data drives ({@code --drive}); empty: one drive under the data directory
     * @param layout          the erasure layout ({@code --ec}); null: the default for the number of drives
     * @param scrubInterval   how long one scrub pass over all data should take ({@code --scrub-interval});
     *                        null or zero: no periodic scrub
     * @param lifecycleInterval how often the lifecycle rules are applied ({@code --lifecycle-interval});
     *                        null or zero: never
     * @param lifecycleTesting count a lifecycle "day" as one interval ({@code --lifecycle-testing}), so
     *                        tests see rules of a few days act within seconds
     */
    public record StorageConfig(int inlineThreshold, java.util.List<dev.kura.storage.drives.DriveSet.DriveSpec> drives,
                                dev.kura.storage.drives.DriveSet.Layout layout, java.time.Duration scrubInterval,
                                java.time.Duration lifecycleInterval, boolean lifecycleTesting) {
        public static final java.time.Duration DEFAULT_LIFECYCLE_INTERVAL = java.time.Duration.ofHours(1);

        public StorageConfig {
            drives = java.util.List.copyOf(drives);
        }

        public StorageConfig(int inlineThreshold, java.util.List<dev.kura.storage.drives.DriveSet.DriveSpec> drives,
                             dev.kura.storage.drives.DriveSet.Layout layout, java.time.Duration scrubInterval) {
            this(inlineThreshold, drives, layout, scrubInterval, DEFAULT_LIFECYCLE_INTERVAL, false);
        }

        /** The same with this lifecycle schedule. */
        public StorageConfig withLifecycle(java.time.Duration interval, boolean testing) {
            return new StorageConfig(inlineThreshold, drives, layout, scrubInterval, interval, testing);
        }

        public StorageConfig(int inlineThreshold) {
            this(inlineThreshold, java.util.List.of(), null, null);
        }

        public static StorageConfig defaults() {
            return new StorageConfig(dev.kura.object.ObjectService.DEFAULT_INLINE_THRESHOLD);
        }

        /** The same with these drives and layout. */
        public StorageConfig withDrives(java.util.List<dev.kura.storage.drives.DriveSet.DriveSpec> newDrives,
                                        dev.kura.storage.drives.DriveSet.Layout newLayout) {
            return new StorageConfig(inlineThreshold, newDrives, newLayout, scrubInterval, lifecycleInterval,
                    lifecycleTesting);
        }
    }

    public ServerConfig(List<InetSocketAddress> s3Addresses, List<InetSocketAddress> adminAddresses, Path dataDir,
                        String region, String accessKey, String secretKey, HttpServer.Limits limits,
                        TelemetryConfig telemetry, String domain) {
        this(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, limits, telemetry, domain,
                StorageConfig.defaults());
    }

    public ServerConfig(List<InetSocketAddress> s3Addresses, List<InetSocketAddress> adminAddresses, Path dataDir,
                        String region, String accessKey, String secretKey, HttpServer.Limits limits,
                        TelemetryConfig telemetry) {
        this(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, limits, telemetry, null);
    }

    /** The same configuration serving virtual-hosted-style requests under {@code base}. */
    public ServerConfig withDomain(String base) {
        return new ServerConfig(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, limits, telemetry, base,
                storage, masterKey, partitions, console, cluster);
    }

    /** The same configuration with another storage configuration. */
    public ServerConfig withStorage(StorageConfig newStorage) {
        return new ServerConfig(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, limits, telemetry, domain,
                newStorage, masterKey, partitions, console, cluster);
    }

    public int inlineThreshold() {
        return storage.inlineThreshold();
    }

    public ServerConfig(List<InetSocketAddress> s3Addresses, List<InetSocketAddress> adminAddresses, Path dataDir,
                        String region, String accessKey, String secretKey, HttpServer.Limits limits) {
        this(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, limits, TelemetryConfig.defaults());
    }

    public ServerConfig(List<InetSocketAddress> s3Addresses, List<InetSocketAddress> adminAddresses, Path dataDir,
                        String region, String accessKey, String secretKey) {
        this(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, HttpServer.Limits.defaults());
    }
}
