package dev.kura.bench.load;

import dev.kura.bench.http.HttpConn;
import dev.kura.bench.http.SigV4Signer;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Object bodies cut from one random buffer, allocated once: no per-operation allocation, whatever the
 * object size. An object is {@code size} bytes read from the buffer starting at one of
 * {@link #VARIANTS} offsets and wrapping around, so consecutive objects differ and objects larger
 * than the buffer (up to any size) still cost no memory.
 *
 * <p>Signed payloads need the body's SHA-256 before the head is sent: for a given (variant, size) it
 * is computed once and cached, so signing does not make the generator the bottleneck at fixed sizes.
 */
public final class Payload {
    public static final int VARIANTS = 16;
    private static final int VARIANT_STRIDE = 4099;
    private static final int WRITE_PIECE = 1 << 20;
    private static final int MAX_BUFFER = 64 << 20;

    private final byte[] data;
    private final ConcurrentHashMap<Long, String> sha256Cache = new ConcurrentHashMap<>();

    public Payload(long maxObjectSize, long seed) {
        long want = Math.clamp(maxObjectSize, 1L << 20, MAX_BUFFER) + (long) VARIANTS * VARIANT_STRIDE;
        data = new byte[(int) want];
        new Random(seed).nextBytes(data);
    }

    public byte[] data() {
        return data;
    }

    public static int offset(int variant) {
        return Math.floorMod(variant, VARIANTS) * VARIANT_STRIDE;
    }

    /** A body of {@code size} bytes starting at the variant's offset. */
    public HttpConn.Body body(int variant, long size) {
        int start = offset(variant);
        return new HttpConn.Body() {
            @Override
            public long length() {
                return size;
            }

            @Override
            public void writeTo(OutputStream out, HttpConn.Progress progress) throws IOException {
                long left = size;
                int at = start;
                while (left > 0) {
                    int n = (int) Math.min(Math.min(left, WRITE_PIECE), data.length - at);
                    out.write(data, at, n);
                    progress.add(n);
                    left -= n;
                    at += n;
                    if (at == data.length) {
                        at = 0;
                    }
                }
            }
        };
    }

    /** Copies {@code len} body bytes starting at {@code position} within the object into {@code dst}. */
    public void copy(int variant, long position, byte[] dst, int len) {
        long at = (offset(variant) + position) % data.length;
        int done = 0;
        while (done < len) {
            int n = (int) Math.min(len - done, data.length - at);
            System.arraycopy(data, (int) at, dst, done, n);
            done += n;
            at = (at + n) % data.length;
        }
    }

    /** Hex SHA-256 of the body, cached per (variant, size). */
    public String sha256Hex(int variant, long size, SigV4Signer signer) {
        long cacheKey = size * VARIANTS + Math.floorMod(variant, VARIANTS);
        String cached = sha256Cache.get(cacheKey);
        if (cached != null) {
            return cached;
        }
        MessageDigest md = signer.digest();
        long left = size;
        int at = offset(variant);
        while (left > 0) {
            int n = (int) Math.min(left, data.length - at);
            md.update(data, at, n);
            left -= n;
            at = (at + n) % data.length;
        }
        String hex = SigV4Signer.finishHex(md);
        if (sha256Cache.size() < 4096) {
            sha256Cache.put(cacheKey, hex);
        }
        return hex;
    }
}
