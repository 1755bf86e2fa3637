package dev.kura.bench.jmh;

import dev.kura.index.codec.KeyCodec;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** Index key encoding: the object row of (bucket id, key, sequence) and back, ASCII and non-ASCII keys. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class KeyCodecBench {
    String ascii = "photos/2024/11/21/IMG_000123.jpg";
    String unicode = "写真/2024/café/Ünïcødé-000123.jpg";
    byte[] asciiRow;

    @Setup
    public void setup() {
        asciiRow = KeyCodec.objectRow(42, ascii, 7);
    }

    @Benchmark
    public byte[] encodeAscii() {
        return KeyCodec.objectRow(42, ascii, 7);
    }

    @Benchmark
    public byte[] encodeUnicode() {
        return KeyCodec.objectRow(42, unicode, 7);
    }

    @Benchmark
    public String decodeAscii() {
        return KeyCodec.objectKey(asciiRow);
    }
}
