package dev.kura.server;

import dev.kura.frontend.http.HttpServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything a node needs to start; credentials may be null (then generated or loaded).
 *
 * @param limits the S3 port's HTTP limits (sizes, requests in flight, timeouts)
 */
public record ServerConfig(List<InetSocketAddress> s3Addresses, List<InetSocketAddress> adminAddresses, Path dataDir,
                           String region, String accessKey, String secretKey, HttpServer.Limits limits) {

    public ServerConfig(List<InetSocketAddress> s3Addresses, List<InetSocketAddress> adminAddresses, Path dataDir,
                        String region, String accessKey, String secretKey) {
        this(s3Addresses, adminAddresses, dataDir, region, accessKey, secretKey, HttpServer.Limits.defaults());
    }
}
