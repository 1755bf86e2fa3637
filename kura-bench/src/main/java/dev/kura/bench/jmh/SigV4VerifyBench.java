package dev.kura.bench.jmh;

import dev.kura.bench.http.SigV4Signer;
import dev.kura.s3.auth.AuthContext;
import dev.kura.s3.auth.SigV4Authenticator;
import dev.kura.s3.http.RequestHead;
import java.time.Instant;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
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

/**
 * The server's SigV4 header verification ({@link SigV4Authenticator#authenticate}) of a GET and of a
 * ListObjectsV2 with a query, each signed by the load generator's independent signer; and, for
 * comparison, that signer's own cost (what the generator spends per request).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class SigV4VerifyBench {
    private static final String ACCESS = "AKIABENCHMARK000001";
    private static final String SECRET = "bench/secret/key/0123456789abcdefghijklmn";
    private static final Instant NOW = Instant.parse("2026-11-21T06:00:00Z");

    SigV4Authenticator authenticator;
    SigV4Signer signer;
    RequestHead get;
    RequestHead list;

    @Setup
    public void setup() {
        authenticator = new SigV4Authenticator(k -> k.equals(ACCESS) ? Optional.of(SECRET) : Optional.empty(),
                "us-east-1", InstantSource.fixed(NOW));
        signer = new SigV4Signer(ACCESS, SECRET, "us-east-1");
        get = signed("GET", "photos", "2024/11/cat.jpg", Map.of());
        Map<String, String> q = new LinkedHashMap<>();
        q.put("list-type", "2");
        q.put("prefix", "2024/");
        q.put("max-keys", "1000");
        list = signed("GET", "photos", null, q);
        authenticator.authenticate(get); // fails fast here, not in the measurement, if the two disagree
        authenticator.authenticate(list);
    }

    private RequestHead signed(String method, String bucket, String key, Map<String, String> query) {
        String path = SigV4Signer.encodePath(bucket, key);
        SigV4Signer.Signed s = signer.sign(method, "127.0.0.1:9000", path, query, Map.of(),
                SigV4Signer.EMPTY_SHA256, NOW);
        String target = query.isEmpty() ? path : path + "?" + SigV4Signer.queryString(query);
        return RequestHead.builder(method, target)
                .header("Host", "127.0.0.1:9000")
                .header("User-Agent", "kura-bench")
                .header("x-amz-date", s.amzDate())
                .header("x-amz-content-sha256", SigV4Signer.EMPTY_SHA256)
                .header("Authorization", s.authorization())
                .build();
    }

    @Benchmark
    public AuthContext verifyGetObject() {
        return authenticator.authenticate(get);
    }

    @Benchmark
    public AuthContext verifyListObjectsV2() {
        return authenticator.authenticate(list);
    }

    @Benchmark
    public SigV4Signer.Signed clientSign() {
        return signer.sign("GET", "127.0.0.1:9000", "/photos/2024/11/cat.jpg", Map.of(), Map.of(),
                SigV4Signer.EMPTY_SHA256, NOW);
    }
}
