package dev.kura.server;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code kura server}: runs one node on its defaults or the given flags. */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Runs the Kura server (S3 API and admin port).")
final class ServerCommand implements Callable<Integer> {
    @Option(names = "--address", paramLabel = "HOST:PORT",
            description = "S3 listen address; repeatable; [::]:PORT serves every interface, IPv4 and IPv6 "
                    + "(default: 127.0.0.1:9000 and [::1]:9000)")
    List<String> addresses = new ArrayList<>();

    @Option(names = "--admin-address", paramLabel = "HOST:PORT",
            description = "Admin listen address (health, metrics; default: 127.0.0.1:9001 and [::1]:9001)")
    List<String> adminAddresses = new ArrayList<>();

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default: ./kura-data)")
    Path data = Path.of("kura-data");

    @Option(names = "--region", paramLabel = "NAME", description = "Region name (default: us-east-1)")
    String region = "us-east-1";

    @Override
    public Integer call() throws Exception {
        ServerConfig config = new ServerConfig(
                parse(addresses, 9000), parse(adminAddresses, 9001), data, region,
                System.getenv("KURA_ACCESS_KEY"), System.getenv("KURA_SECRET_KEY"));
        KuraServer server = KuraServer.start(config, System.out);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "kura-shutdown"));
        stopped.await();
        return 0;
    }

    static List<InetSocketAddress> parse(List<String> given, int defaultPort) {
        if (given.isEmpty()) {
            return List.of(new InetSocketAddress("127.0.0.1", defaultPort), new InetSocketAddress("::1", defaultPort));
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (String a : given) {
            out.add(parseOne(a));
        }
        return out;
    }

    static InetSocketAddress parseOne(String a) {
        int colon = a.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("address must be HOST:PORT: " + a);
        }
        String host = a.substring(0, colon);
        int port = Integer.parseInt(a.substring(colon + 1));
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || host.equals("::") || host.equals("*")) {
            return new InetSocketAddress(port); // the wildcard: one socket for IPv4 and IPv6
        }
        return new InetSocketAddress(host, port);
    }
}
