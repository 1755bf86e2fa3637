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
 */
public record ServerConfig(List<InetSocketAddress> s3Addresses, List<InetSocketAddress> adminAddresses, Path dataDir,
                           String region, String accessKey, String secretKey, HttpServer.Limits limits,
                           TelemetryConfig telemetry, String domain, StorageConfig storage) {

    /**
     * How data is stored.
     *
     * @param inlineThreshold the largest object kept inside the index (-1: none)
     */
    public record StorageConfig(int inlineThreshold) {
        public static StorageConfig defaults() {
            return new StorageConfig(dev.kura.object.ObjectService.DEFAULT_INLINE_THRESHOLD);
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
                storage);
    }

    /** The same configuration with another storage configuration. */
    public ServerConfig withStorage(StorageConfig newStorage) {
        return new ServerConfig(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, limits, telemetry, domain,
                newStorage);
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
