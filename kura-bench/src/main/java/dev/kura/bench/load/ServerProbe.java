package dev.kura.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Watches a server process on this machine through /proc ({@code --server-pid}): its CPU time and
 * resident memory (RSS: heap, direct buffers, code and native memory together), sampled by the run's
 * once-a-second sampler, so a run reports what the server spent alongside what the client saw.
 */
final class ServerProbe {
    private static final long CLOCK_TICKS_PER_SECOND = 100; // USER_HZ; 100 on every Linux architecture Kura targets

    private final Path stat;
    private final Path status;
    private long cpuStartTicks = -1;
    private long cpuLastTicks = -1;
    private long rssMaxKib;

    ServerProbe(long pid) {
        this.stat = Path.of("/proc", Long.toString(pid), "stat");
        this.status = Path.of("/proc", Long.toString(pid), "status");
    }

    /** Starts the measured window. */
    void start() {
        cpuStartTicks = cpuTicks();
        cpuLastTicks = cpuStartTicks;
        rssMaxKib = rssKib();
    }

    /** One sample inside the measured window. */
    void sample() {
        long t = cpuTicks();
        if (t >= 0) {
            cpuLastTicks = t;
        }
        rssMaxKib = Math.max(rssMaxKib, rssKib());
    }

    double cpuSeconds() {
        return cpuStartTicks < 0 || cpuLastTicks < 0 ? Double.NaN
                : (double) (cpuLastTicks - cpuStartTicks) / CLOCK_TICKS_PER_SECOND;
    }

    double rssMaxMib() {
        return rssMaxKib / 1024.0;
    }

    private long cpuTicks() {
        try {
            String s = Files.readString(stat);
            // fields after the parenthesised command name: state is field 3, utime 14, stime 15
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private long rssKib() {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // the process is gone
        }
        return 0;
    }
}
