package dev.kura.bench.jmh;

import dev.kura.s3.xml.XmlWriter;
import java.time.Instant;
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
 * Rendering a ListObjectsV2 page with {@link XmlWriter}, element for element as the front end's
 * list handler writes it (Key, LastModified, ETag, Size, StorageClass per object), to bytes.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ListXmlBench {
    @Param({"1000"})
    int keys;

    String[] names;
    Instant modified = Instant.parse("2026-11-21T06:00:00.123Z");

    @Setup
    public void setup() {
        names = new String[keys];
        for (int i = 0; i < keys; i++) {
            names[i] = "bench/p0000/object-" + i + "&<" + (i % 7 == 0 ? "é" : "");
        }
    }

    @Benchmark
    public byte[] listV2Page() {
        XmlWriter doc = XmlWriter.document("ListBucketResult")
                .element("Name", "bench")
                .element("Prefix", "bench/")
                .element("MaxKeys", 1000)
                .element("KeyCount", keys)
                .element("IsTruncated", true)
                .element("NextContinuationToken", "MTpiZW5jaC9wMDAwMC9vYmplY3QtOTk5");
        for (String k : names) {
            doc.start("Contents")
                    .element("Key", k)
                    .element("LastModified", modified)
                    .element("ETag", "\"9e107d9d372bb6826bd81d3542a419d6\"")
                    .element("Size", 4096L)
                    .element("StorageClass", "STANDARD")
                    .end();
        }
        return doc.toBytes();
    }
}
