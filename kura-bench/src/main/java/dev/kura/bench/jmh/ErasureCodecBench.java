package dev.kura.bench.jmh;

import dev.kura.storage.erasure.ErasureCodec;
import dev.kura.storage.erasure.IsalErasureCodec;
import dev.kura.storage.erasure.ReedSolomon;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Reed-Solomon codec, pure Java ({@code backend=java}) and through Intel ISA-L
 * ({@code backend=isa-l}, {@code libisal.so.2} via FFM; fails its setup when the library is not
 * installed, the other runs go on), on 1 MiB stripes (the payload split over {@code k} data shards:
 * 256 KiB each for 4+2): encoding, and rebuilding after losing one or two data shards, the
 * degraded-read case. The {@code payloadBytes} counter reports payload bytes per second (the
 * stripe's data, not parity); divide by 10^6 for MB/s on one core.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ErasureCodecBench {
    private static final int STRIPE = 1 << 20;

    @Param({"4+2", "6+3"})
    String shape;

    @Param({"java", "isa-l"})
    String backend;

    ErasureCodec codec;
    int shardLength;
    byte[][] data;
    byte[][] parity;
    byte[][] shards;
    boolean[] oneLost;
    boolean[] twoLost;

    /** Payload bytes processed, as a rate: JMH divides the total by the measured time. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Payload {
        public long payloadBytes;

        @Setup(Level.Iteration)
        public void reset() {
            payloadBytes = 0;
        }
    }

    @Setup
    public void setup() {
        String[] km = shape.split("\\+");
        int k = Integer.parseInt(km[0]);
        int m = Integer.parseInt(km[1]);
        codec = switch (backend) {
            case "java" -> new ReedSolomon(k, m);
            case "isa-l" -> {
                if (!IsalErasureCodec.available()) {
                    throw new IllegalStateException("skipping isa-l: " + IsalErasureCodec.unavailableReason());
                }
                yield new IsalErasureCodec(k, m);
            }
            default -> throw new IllegalArgumentException("backend: " + backend);
        };
        shardLength = STRIPE / k; // 6+3: 174762 bytes a shard, 2 bytes short of 1 MiB in all
        data = new byte[k][shardLength];
        parity = new byte[m][shardLength];
        Random random = new Random(42);
        for (byte[] d : data) {
            random.nextBytes(d);
        }
        codec.encode(data, parity, 0, shardLength);
        shards = new byte[k + m][];
        System.arraycopy(data, 0, shards, 0, k);
        System.arraycopy(parity, 0, shards, k, m);
        oneLost = new boolean[k + m];
        Arrays.fill(oneLost, true);
        oneLost[1] = false;
        twoLost = oneLost.clone();
        twoLost[0] = false;
    }

    @Benchmark
    public byte[][] encode(Payload payload) {
        codec.encode(data, parity, 0, shardLength);
        payload.payloadBytes += (long) shardLength * codec.dataShards();
        return parity;
    }

    @Benchmark
    public byte[][] reconstructOneLost(Payload payload) {
        codec.reconstruct(shards, oneLost, 0, shardLength);
        payload.payloadBytes += (long) shardLength * codec.dataShards();
        return shards;
    }

    @Benchmark
    public byte[][] reconstructTwoLost(Payload payload) {
        codec.reconstruct(shards, twoLost, 0, shardLength);
        payload.payloadBytes += (long) shardLength * codec.dataShards();
        return shards;
    }
}
