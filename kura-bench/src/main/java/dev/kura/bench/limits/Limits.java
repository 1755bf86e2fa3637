package dev.kura.bench.limits;

import dev.kura.bench.load.SizeSpec;
import dev.kura.common.JsonWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32C;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kura bench limits}: what this machine can do at best, measured the simple way, so that each
 * server figure can be stated as a fraction of its limit. Loopback TCP with one sender and one
 * receiver thread (both on this machine's cores, as a client and server share them); a file written
 * in 1 MiB pieces then fsync'd; small fsync'd writes (the floor under every acknowledged small PUT);
 * the same file read with O_DIRECT (the device, not the page cache) and again through the cache;
 * MD5, SHA-256 and CRC32C on one core, with the JDK's implementations the server uses.
 */
@Command(name = "kura bench limits", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measures loopback TCP, disk write+fsync, small fsyncs, disk read, MD5/SHA-256/CRC32C per core.")
public final class Limits implements Callable<Integer> {
    @Option(names = "--dir", paramLabel = "DIR", description = "directory on the disk to measure (default: the temp dir)")
    Path dir = Path.of(System.getProperty("java.io.tmpdir"));

    @Option(names = "--disk-size", paramLabel = "SIZE", description = "bytes written and read (default: ${DEFAULT-VALUE})")
    String diskSize = "1GiB";

    @Option(names = "--seconds", paramLabel = "N", description = "seconds per timed probe (default: ${DEFAULT-VALUE})")
    int seconds = 3;

    @Option(names = "--json", description = "print one JSON object as the last line")
    boolean json;

    private final PrintStream out;

    public Limits(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception {
        JsonWriter j = new JsonWriter();
        double tcp = loopback(seconds);
        report(j, "loopback_tcp_mib_per_s", tcp, "loopback TCP, 1 stream (MiB/s)");
        Path file = dir.resolve("kura-limits-" + ProcessHandle.current().pid() + ".bin");
        try {
            long size = SizeSpec.parseBytes(diskSize);
            report(j, "disk_write_fsync_mib_per_s", writeFsync(file, size), "disk write " + SizeSpec.format(size)
                    + " in 1 MiB pieces + fsync (MiB/s)");
            report(j, "fsync_4k_per_s", smallFsyncs(dir, seconds), "4 KiB write + fsync, one after another (per s)");
            report(j, "disk_read_direct_mib_per_s", readDirect(file), "disk read, O_DIRECT, 1 MiB reads (MiB/s)");
            report(j, "disk_read_cached_mib_per_s", readCached(file), "read through the page cache (MiB/s)");
        } finally {
            Files.deleteIfExists(file);
        }
        report(j, "md5_mib_per_s", digest("MD5", seconds), "MD5, one core, JDK (MiB/s)");
        report(j, "sha256_mib_per_s", digest("SHA-256", seconds), "SHA-256, one core, JDK (MiB/s)");
        report(j, "crc32c_mib_per_s", crc32c(seconds), "CRC32C, one core, JDK (MiB/s)");
        j.field("cores", Runtime.getRuntime().availableProcessors());
        if (json) {
            out.println(j);
        }
        return 0;
    }

    private void report(JsonWriter j, String key, double value, String label) {
        out.printf(Locale.ROOT, "%-62s %10.1f%n", label, value);
        j.field(key, value);
    }

    static double loopback(int seconds) throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            AtomicLong received = new AtomicLong();
            Thread receiver = Thread.ofPlatform().name("limits-receiver").start(() -> {
                try (SocketChannel s = server.accept()) {
                    ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
                    int n;
                    while ((n = s.read(buf)) >= 0) {
                        received.addAndGet(n);
                        buf.clear();
                    }
                } catch (IOException ignored) {
                    // the sender closed
                }
            });
            ByteBuffer data = ByteBuffer.allocateDirect(1 << 20);
            long start;
            long bytesAtStart;
            try (SocketChannel c = SocketChannel.open(server.getLocalAddress())) {
                long warmEnd = System.nanoTime() + 500_000_000L;
                while (System.nanoTime() < warmEnd) {
                    data.clear();
                    c.write(data);
                }
                start = System.nanoTime();
                bytesAtStart = received.get();
                long end = start + seconds * 1_000_000_000L;
                while (System.nanoTime() < end) {
                    data.clear();
                    c.write(data);
                }
            }
            long elapsed = System.nanoTime() - start;
            receiver.join();
            return (received.get() - bytesAtStart) / (elapsed / 1e9) / (1 << 20);
        }
    }

    static double writeFsync(Path file, long size) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        byte[] random = new byte[1 << 20];
        new Random(1).nextBytes(random);
        buf.put(random).flip();
        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            for (long done = 0; done < size; done += buf.capacity()) {
                buf.rewind();
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            ch.force(true);
        }
        return size / ((System.nanoTime() - t0) / 1e9) / (1 << 20);
    }

    static double smallFsyncs(Path dir, int seconds) throws IOException {
        Path f = dir.resolve("kura-limits-fsync-" + ProcessHandle.current().pid() + ".bin");
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocateDirect(4096);
            long n = 0;
            long t0 = System.nanoTime();
            long end = t0 + seconds * 1_000_000_000L;
            while (System.nanoTime() < end) {
                b.clear();
                ch.write(b, (n % 256) * 4096);
                ch.force(false);
                n++;
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    static double readDirect(Path file) throws IOException {
        int block = 1 << 20;
        ByteBuffer raw = ByteBuffer.allocateDirect(block + 4096);
        ByteBuffer buf = raw.alignedSlice(4096);
        buf.limit(block);
        long total = 0;
        long t0 = System.nanoTime();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            int n;
            while ((n = ch.read(buf)) > 0) {
                total += n;
                buf.clear().limit(block);
            }
        }
        return total / ((System.nanoTime() - t0) / 1e9) / (1 << 20);
    }

    static double readCached(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        long total = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) > 0) { // first pass loads the cache
                buf.clear();
            }
            long t0 = System.nanoTime();
            ch.position(0);
            int n;
            while ((n = ch.read(buf)) > 0) {
                total += n;
                buf.clear();
            }
            return total / ((System.nanoTime() - t0) / 1e9) / (1 << 20);
        }
    }

    static double digest(String algorithm, int seconds) throws Exception {
        MessageDigest md = MessageDigest.getInstance(algorithm);
        byte[] data = new byte[1 << 20];
        new Random(2).nextBytes(data);
        return timed(seconds, () -> md.update(data), data.length, md::digest);
    }

    static double crc32c(int seconds) {
        CRC32C crc = new CRC32C();
        byte[] data = new byte[1 << 20];
        new Random(3).nextBytes(data);
        return timed(seconds, () -> crc.update(data), data.length, crc::getValue);
    }

    private static double timed(int seconds, Runnable step, int bytesPerStep, Runnable finish) {
        long warmEnd = System.nanoTime() + 500_000_000L;
        while (System.nanoTime() < warmEnd) {
            step.run();
        }
        long n = 0;
        long t0 = System.nanoTime();
        long end = t0 + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            step.run();
            n++;
        }
        finish.run();
        return (double) n * bytesPerStep / ((System.nanoTime() - t0) / 1e9) / (1 << 20);
    }
}
