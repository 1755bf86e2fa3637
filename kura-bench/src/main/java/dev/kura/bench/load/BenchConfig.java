package dev.kura.bench.load;

import java.nio.file.Path;

/**
 * One run of the load generator.
 *
 * @param durationSeconds measured seconds (after the warm-up); with {@code ops > 0}, the upper bound
 * @param ops             stop after this many measured operations (0: run for the duration)
 * @param objects         objects prepared for get/mixed/list (0: chosen from the workload and size)
 * @param mix             shares of GET, PUT, DELETE and STAT in the mixed workload
 * @param timeseries      where to write one JSON line per second, or null
 * @param serverPid       a server process on this machine to watch (CPU, RSS), or 0
 * @param label           a free-form name carried into the JSON (e.g. which server), or null
 * @param prepareConcurrency workers uploading the prepared objects (0: the run's, between 16 and 64)
 */
public record BenchConfig(Workload workload, Endpoint endpoint, String bucket, String accessKey, String secretKey,
                          String region, SizeSpec size, int concurrency, int durationSeconds, long ops,
                          int warmupSeconds, int prefixes, int objects, PayloadMode payload, int chunkSize, Mix mix,
                          int maxKeys, long partSize, int partsInFlight, int timeoutSeconds, boolean cleanup,
                          String runId, Path timeseries, long seed, long serverPid, String label,
                          int prepareConcurrency) {

    /** Shares (weights) of the mixed workload's operations; warp's defaults. */
    public record Mix(int get, int put, int delete, int stat) {
        public static final Mix DEFAULT = new Mix(45, 15, 10, 30);

        public Mix {
            if (get < 0 || put < 0 || delete < 0 || stat < 0 || get + put + delete + stat == 0) {
                throw new IllegalArgumentException("mix shares must be >= 0 and not all 0");
            }
        }

        /** Parses {@code get=45,put=15,delete=10,stat=30}; omitted operations get 0. */
        public static Mix parse(String text) {
            int g = 0;
            int p = 0;
            int d = 0;
            int s = 0;
            for (String part : text.split(",")) {
                String[] kv = part.trim().split("=");
                if (kv.length != 2) {
                    throw new IllegalArgumentException("mix entries look like get=45: " + part);
                }
                int v = Integer.parseInt(kv[1].trim());
                switch (kv[0].trim().toLowerCase(java.util.Locale.ROOT)) {
                    case "get" -> g = v;
                    case "put" -> p = v;
                    case "delete" -> d = v;
                    case "stat", "head" -> s = v;
                    default -> throw new IllegalArgumentException("unknown mix operation " + kv[0]);
                }
            }
            return new Mix(g, p, d, s);
        }

        public int total() {
            return get + put + delete + stat;
        }

        @Override
        public String toString() {
            return "get=" + get + ",put=" + put + ",delete=" + delete + ",stat=" + stat;
        }
    }

    /** Objects to prepare: explicit, or enough to spread over workers within a modest data budget. */
    public int preparedObjects() {
        if (objects > 0) {
            return objects;
        }
        return switch (workload) {
            case LIST -> 10_000;
            case GET, MIXED -> (int) Math.clamp((long) ((256L << 20) / Math.max(1.0, size.mean())), concurrency,
                    Math.max(concurrency, 1000));
            case PUT, MULTIPART -> 0;
        };
    }
}
