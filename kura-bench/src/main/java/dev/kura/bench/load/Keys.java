package dev.kura.bench.load;

/**
 * Key names: {@code <run id>/p<NNNN>/<name>}. Every key of a run shares the run prefix (so one
 * listing finds them all and cleanup removes exactly them); {@code --prefixes N} spreads keys
 * round-robin over N sub-prefixes, i.e. over N key ranges, to exercise partitioning.
 */
final class Keys {
    private Keys() {
    }

    static String runPrefix(String runId) {
        return runId + "/";
    }

    /** A worker's {@code seq}-th new key. */
    static String key(BenchConfig c, int worker, long seq) {
        long n = seq * c.concurrency() + worker;
        return c.runId() + "/" + prefix(n, c.prefixes()) + "/w" + worker + "-" + seq;
    }

    /** The {@code n}-th prepared object's key. */
    static String prepared(BenchConfig c, long n) {
        return c.runId() + "/" + prefix(n, c.prefixes()) + "/o" + n;
    }

    private static String prefix(long n, int prefixes) {
        return "p" + String.format("%04d", n % Math.max(1, prefixes));
    }
}
