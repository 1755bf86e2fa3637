package dev.kura.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/** Everything a node needs to start; credentials may be null (then generated or loaded). */
public record ServerConfig(List<InetSocketAddress> s3Addresses, List<InetSocketAddress> adminAddresses, Path dataDir,
                           String region, String accessKey, String secretKey) {
}
