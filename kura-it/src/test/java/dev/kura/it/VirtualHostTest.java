package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.server.KuraServer;
import dev.kura.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Virtual-hosted-style addressing with {@code --domain s3.kura.test}: the SDK in its default
 * (virtual-hosted) mode talks to {@code bucket.s3.kura.test} (resolved to loopback by the test
 * JVM's hosts file), and path-style requests to the same server keep working.
 */
class VirtualHostTest {
    static KuraServer server;
    static Path data;
    static S3Client virtual;
    static S3Client pathStyle;

    @BeforeAll
    static void start() throws Exception {
        data = Files.createTempDirectory("kura-vhost");
        server = KuraServer.start(new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
                List.of(new InetSocketAddress("127.0.0.1", 0)), data, "us-east-1", KuraTestBase.ACCESS_KEY,
                KuraTestBase.SECRET_KEY).withDomain("s3.kura.test"), new PrintStream(new ByteArrayOutputStream()));
        int port = server.s3Addresses().getFirst().getPort();
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create(KuraTestBase.ACCESS_KEY, KuraTestBase.SECRET_KEY));
        virtual = S3Client.builder().endpointOverride(URI.create("http://s3.kura.test:" + port)).region(Region.US_EAST_1)
                .credentialsProvider(creds).build();
        pathStyle = S3Client.builder().endpointOverride(URI.create("http://127.0.0.1:" + port)).region(Region.US_EAST_1)
                .credentialsProvider(creds).forcePathStyle(true).build();
    }

    @AfterAll
    static void stop() throws Exception {
        virtual.close();
        pathStyle.close();
        server.close();
        TestFiles.deleteTree(data);
    }

    @Test
    void bucketFromHostHeader() {
        virtual.createBucket(b -> b.bucket("vhost-one"));
        virtual.putObject(b -> b.bucket("vhost-one").key("dir/a b.txt"), RequestBody.fromString("virtual"));
        assertThat(virtual.getObjectAsBytes(b -> b.bucket("vhost-one").key("dir/a b.txt")).asUtf8String()).isEqualTo("virtual");
        assertThat(virtual.listObjectsV2(b -> b.bucket("vhost-one")).contents()).extracting(S3Object::key)
                .containsExactly("dir/a b.txt");
        // the same bucket and object through path-style requests
        assertThat(pathStyle.getObjectAsBytes(b -> b.bucket("vhost-one").key("dir/a b.txt")).asUtf8String()).isEqualTo("virtual");
        pathStyle.createBucket(b -> b.bucket("vhost-two"));
        assertThat(virtual.headBucket(b -> b.bucket("vhost-two")).sdkHttpResponse().isSuccessful()).isTrue();
        assertThat(virtual.listBuckets().buckets()).extracting(bk -> bk.name()).contains("vhost-one", "vhost-two");
        virtual.deleteObject(b -> b.bucket("vhost-one").key("dir/a b.txt"));
        virtual.deleteBucket(b -> b.bucket("vhost-one"));
        pathStyle.deleteBucket(b -> b.bucket("vhost-two"));
    }
}
