package dev.kura.bench.jmh;

import dev.kura.common.ChecksumAlgorithm;
import dev.kura.common.Digest;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The checksums on the write path: MD5 (every ETag), and the {@code x-amz-checksum-*} algorithms
 * through Kura's own {@link ChecksumAlgorithm} digests (CRC64NVME is Kura's table-driven Java code).
 * Throughput in bytes is {@code size} / score: JMH reports operations (one digest of {@code size}
 * bytes) per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ChecksumBench {
    @Param({"4096", "1048576"})
    int size;

    byte[] data;

    @Setup
    public void setup() {
        data = new byte[size];
        new Random(7).nextBytes(data);
    }

    @Benchmark
    public byte[] md5() {
        Digest d = Digest.md5();
        d.update(data, 0, data.length);
        return d.finish();
    }

    @Benchmark
    public byte[] sha256() {
        return digest(ChecksumAlgorithm.SHA256);
    }

    @Benchmark
    public byte[] crc32c() {
        return digest(ChecksumAlgorithm.CRC32C);
    }

    @Benchmark
    public byte[] crc64nvme() {
        return digest(ChecksumAlgorithm.CRC64NVME);
    }

    @Benchmark
    public byte[] crc32() {
        return digest(ChecksumAlgorithm.CRC32);
    }

    private byte[] digest(ChecksumAlgorithm a) {
        Digest d = a.newDigest();
        d.update(data, 0, data.length);
        return d.finish();
    }
}
