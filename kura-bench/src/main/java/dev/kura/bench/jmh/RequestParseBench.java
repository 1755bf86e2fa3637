package dev.kura.bench.jmh;

import dev.kura.s3.http.RequestHead;
import dev.kura.s3.op.S3Operation;
import dev.kura.s3.op.S3Router;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Turning a decoded request head into a typed operation: building the {@link RequestHead} (header
 * names folded, query split) and routing it with {@link S3Router}, for a PutObject with the headers
 * an SDK sends, a GetObject and a ListObjectsV2. (Netty's HTTP/1.1 decoding before it is not Kura code.)
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class RequestParseBench {
    @Benchmark
    public S3Operation putObject() {
        return S3Router.route(RequestHead.builder("PUT", "/photos/2024/11/21/IMG%20000123.jpg")
                .header("Host", "127.0.0.1:9000")
                .header("User-Agent", "aws-sdk-java/2.56.0")
                .header("Content-Type", "image/jpeg")
                .header("Content-Length", "4096")
                .header("x-amz-date", "20261121T060000Z")
                .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
                .header("x-amz-checksum-crc32", "AAAAAA==")
                .header("x-amz-meta-owner", "alice")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIA/20261121/us-east-1/s3/aws4_request, "
                        + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0123456789abcdef")
                .build());
    }

    @Benchmark
    public S3Operation getObject() {
        return S3Router.route(RequestHead.builder("GET", "/photos/2024/11/21/IMG_000123.jpg")
                .header("Host", "127.0.0.1:9000")
                .header("x-amz-date", "20261121T060000Z")
                .header("x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
                .header("Authorization", "AWS4-HMAC-SHA256 Credential=AKIA/20261121/us-east-1/s3/aws4_request, "
                        + "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0123456789abcdef")
                .build());
    }

    @Benchmark
    public S3Operation listObjectsV2() {
        return S3Router.route(RequestHead.builder("GET",
                        "/photos?list-type=2&prefix=2024%2F11%2F&delimiter=%2F&max-keys=1000&encoding-type=url")
                .header("Host", "127.0.0.1:9000")
                .header("x-amz-date", "20261121T060000Z")
                .build());
    }
}
