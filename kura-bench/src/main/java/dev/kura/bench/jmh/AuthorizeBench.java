package dev.kura.bench.jmh;

import dev.kura.s3.access.Acl;
import dev.kura.s3.access.Authorizer;
import dev.kura.s3.access.Policy;
import dev.kura.s3.access.Principal;
import dev.kura.s3.access.RequestContext;
import java.nio.charset.StandardCharsets;
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
 * What every request's authorization costs besides its index reads: {@link Authorizer#decide} for the
 * bucket owner (the common case), for another user through a three-statement policy with conditions,
 * and parsing that policy (done per request while the front end does not cache parsed policies).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class AuthorizeBench {
    static final String OWNER = "a".repeat(64);
    static final byte[] POLICY = ("""
            {"Version":"2012-10-17","Statement":[
             {"Sid":"Read","Effect":"Allow","Principal":{"AWS":"%s"},"Action":["s3:GetObject","s3:ListBucket"],
              "Resource":["arn:aws:s3:::photos","arn:aws:s3:::photos/shared/*"],
              "Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"},"StringLike":{"aws:UserAgent":"*"}}},
             {"Sid":"NoDeletes","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::photos/*"},
             {"Sid":"Public","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::photos/public/*"}]}
            """.formatted("b".repeat(64))).getBytes(StandardCharsets.UTF_8);

    final Principal owner = new Principal(OWNER, "kura", "kura", "AKOWNER");
    final Principal alice = new Principal("b".repeat(64), "alice", "alice", "AKALICE");
    final Authorizer.BucketAccess plain = new Authorizer.BucketAccess(OWNER, null, null, null, null);
    final Authorizer.BucketAccess withPolicy = new Authorizer.BucketAccess(OWNER,
            Acl.canned("private", OWNER, OWNER), Policy.parse(POLICY, "photos"), null, null);
    final Authorizer.ObjectAccess object = new Authorizer.ObjectAccess(OWNER, null);
    final RequestContext context = new RequestContext().put("aws:SourceIp", "127.0.0.1")
            .put("aws:UserAgent", "aws-sdk-java/2.56.0");

    @Benchmark
    public Authorizer.Decision ownerPutObject() {
        return Authorizer.decide(new Authorizer.Request(owner, "s3:PutObject", Authorizer.Need.BUCKET_WRITE, "photos",
                "2024/a.jpg", context), plain, null);
    }

    @Benchmark
    public Authorizer.Decision ownerGetObject() {
        return Authorizer.decide(new Authorizer.Request(owner, "s3:GetObject", Authorizer.Need.OBJECT_READ, "photos",
                "2024/a.jpg", context), plain, object);
    }

    @Benchmark
    public Authorizer.Decision userThroughPolicy() {
        return Authorizer.decide(new Authorizer.Request(alice, "s3:GetObject", Authorizer.Need.OBJECT_READ, "photos",
                "shared/a.jpg", context), withPolicy, object);
    }

    @Benchmark
    public Policy parsePolicy() {
        return Policy.parse(POLICY, "photos");
    }
}
