package dev.kura.bench.load;

import java.net.InetSocketAddress;
import java.net.URI;

/** An {@code http://host:port} S3 endpoint. */
public record Endpoint(String host, int port) {
    public static Endpoint parse(String url) {
        URI uri = URI.create(url.trim());
        if (!"http".equalsIgnoreCase(uri.getScheme())) {
            // the generator measures the server, not a TLS stack; https would need its own client path
            throw new IllegalArgumentException("only http:// endpoints are supported: " + url);
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException("no host in " + url);
        }
        return new Endpoint(uri.getHost(), uri.getPort() < 0 ? 80 : uri.getPort());
    }

    public InetSocketAddress address() {
        String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        return new InetSocketAddress(h, port);
    }

    public String hostHeader() {
        return port == 80 ? host : host + ":" + port;
    }

    @Override
    public String toString() {
        return "http://" + hostHeader();
    }
}
