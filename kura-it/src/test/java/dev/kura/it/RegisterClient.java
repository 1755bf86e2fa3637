package dev.kura.it;

import dev.kura.testing.linearizability.History;
import dev.kura.testing.linearizability.Op;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * One client of a linearizability test: until stopped, races PUT, conditional PUT
 * ({@code If-None-Match: *}, {@code If-Match}), GET and DELETE on a few keys of one bucket through an
 * AWS SDK client (give it no retries), recording each request with its instants and what came back.
 * A 412 (or If-Match's 404) is an answer with no effect; a 5xx, a timeout or a connection lost mid-request
 * is "unknown"; a refused connection sent nothing and is not recorded.
 */
final class RegisterClient {
    static final String[] KEYS = {"k0", "k1", "k2"};

    private RegisterClient() {
    }

    static void run(int client, S3Client s3, String bucket, History history, AtomicBoolean stop) {
        Random random = new Random(client);
        String[] lastRead = new String[KEYS.length]; // the value this client last saw per key, for If-Match
        while (!stop.get()) {
            int k = random.nextInt(KEYS.length);
            String key = KEYS[k];
            int dice = random.nextInt(100);
            Op.Kind kind = dice < 30 ? Op.Kind.GET : dice < 50 ? Op.Kind.PUT : dice < 65 ? Op.Kind.PUT_IF_ABSENT
                    : dice < 85 ? Op.Kind.PUT_IF_MATCH : Op.Kind.DELETE;
            if (kind == Op.Kind.PUT_IF_MATCH && lastRead[k] == null) {
                kind = Op.Kind.GET;
            }
            String value = kind == Op.Kind.GET || kind == Op.Kind.DELETE ? null : history.uniqueValue(client);
            String expected = kind == Op.Kind.PUT_IF_MATCH ? lastRead[k] : null;
            History.Pending p = history.invoke(client, kind, key, value, expected);
            try {
                switch (kind) {
                    case GET -> {
                        String read = get(s3, bucket, key);
                        lastRead[k] = read;
                        p.ok(read);
                    }
                    case PUT -> {
                        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(value));
                        p.ok();
                        lastRead[k] = value;
                    }
                    case PUT_IF_ABSENT -> {
                        s3.putObject(b -> b.bucket(bucket).key(key).ifNoneMatch("*"), RequestBody.fromString(value));
                        p.ok();
                        lastRead[k] = value;
                    }
                    case PUT_IF_MATCH -> {
                        s3.putObject(b -> b.bucket(bucket).key(key).ifMatch(etag(expected)), RequestBody.fromString(value));
                        p.ok();
                        lastRead[k] = value;
                    }
                    case DELETE -> {
                        s3.deleteObject(b -> b.bucket(bucket).key(key));
                        p.ok();
                    }
                }
            } catch (S3Exception e) {
                boolean conditional = kind == Op.Kind.PUT_IF_ABSENT || kind == Op.Kind.PUT_IF_MATCH;
                // 412, or If-Match's 404 NoSuchKey: answered, and nothing was written
                if (conditional && (e.statusCode() == 412 || (kind == Op.Kind.PUT_IF_MATCH && e.statusCode() == 404))) {
                    p.preconditionFailed();
                } else {
                    p.unknown();
                    sleep(20);
                }
            } catch (RuntimeException e) { // the server is being killed, stopped or restarted
                if (!refused(e)) {
                    p.unknown(); // cut off mid-request: it may have taken effect
                } // a refused connection sent nothing: the operation did not happen, and is not recorded
                sleep(50);
            }
        }
    }

    private static boolean refused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.net.ConnectException) {
                return true;
            }
        }
        return false;
    }

    private static String get(S3Client s3, String bucket, String key) {
        try {
            return s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asString(StandardCharsets.UTF_8);
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    static String etag(String value) {
        try {
            byte[] md5 = MessageDigest.getInstance("MD5").digest(value.getBytes(StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(md5) + "\"";
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
