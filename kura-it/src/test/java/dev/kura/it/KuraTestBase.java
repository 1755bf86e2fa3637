package dev.kura.it;

import dev.kura.server.KuraServer;
import dev.kura.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Starts a real Kura server (real sockets, RocksDB, files) on ephemeral loopback ports once per
 * test class and hands out real AWS SDK for Java v2 clients pointed at it.
 */
abstract class KuraTestBase {
    static final String ACCESS_KEY = "KURATESTACCESSKEY01";
    static final String SECRET_KEY = "kura/test/secret/key/0123456789abcdefghij";

    static Path dataDir;
    static KuraServer server;
    static S3Client s3;
    static URI endpoint;

    @BeforeAll
    static void startServer() throws Exception {
        dataDir = Files.createTempDirectory("kura-it");
        server = KuraServer.start(new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
                List.of(new InetSocketAddress("127.0.0.1", 0)), dataDir, "us-east-1", ACCESS_KEY, SECRET_KEY),
                new PrintStream(new ByteArrayOutputStream()));
        endpoint = URI.create("http://127.0.0.1:" + server.s3Addresses().getFirst().getPort());
        s3 = client(ACCESS_KEY, SECRET_KEY);
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (s3 != null) {
            s3.close();
        }
        if (server != null) {
            server.close();
        }
        TestFiles.deleteTree(dataDir);
        Files.deleteIfExists(dev.kura.server.MasterKey.defaultFile(dataDir)); // generated next to the data directory
    }

    static S3Client client(String access, String secret) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(access, secret)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    static S3AsyncClient asyncClient() {
        return S3AsyncClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .forcePathStyle(true)
                .build();
    }

    static S3Presigner presigner() {
        return S3Presigner.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build())
                .build();
    }

    static String newBucket() {
        String name = "b-" + UUID.randomUUID().toString().substring(0, 13);
        s3.createBucket(b -> b.bucket(name));
        return name;
    }

    static int adminPort() {
        return server.adminAddresses().getFirst().getPort();
    }

    static int s3Port() {
        return server.s3Addresses().getFirst().getPort();
    }
}
