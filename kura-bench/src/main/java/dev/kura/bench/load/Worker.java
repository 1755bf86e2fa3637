package dev.kura.bench.load;

import dev.kura.bench.http.HttpConn.Progress;
import dev.kura.bench.http.HttpConn.Response;
import dev.kura.bench.load.Stats.Op;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One worker: one connection (plus one per part in flight for multipart), issuing the workload's
 * operations back to back until the run says stop. Workers share nothing mutable but the stats and
 * the run control; in the mixed workload each worker deletes and reads only the objects it owns, so
 * no operation races another worker's DELETE.
 */
final class Worker implements Runnable {
    private final int id;
    private final BenchConfig config;
    private final S3Client client;
    private final List<S3Client> partClients;
    private final Stats stats;
    private final OpBytes progress;
    private final Prepared prepared;
    private final Run.Control control;
    private final SplittableRandom random;
    private final List<Prepared.Obj> owned;
    private final String listPrefix;
    private long seq;
    private String listToken;

    Worker(int id, BenchConfig config, S3Client client, List<S3Client> partClients, Stats stats, Prepared prepared,
           Run.Control control) {
        this.id = id;
        this.config = config;
        this.client = client;
        this.partClients = partClients;
        this.stats = stats;
        this.progress = new OpBytes(stats);
        this.prepared = prepared;
        this.control = control;
        this.random = new SplittableRandom(config.seed() * 31 + id);
        this.owned = config.workload() == Workload.MIXED ? prepared.ownedBy(id, config.concurrency()) : List.of();
        this.listPrefix = Keys.runPrefix(config.runId());
    }

    @Override
    public void run() {
        while (control.next()) {
            progress.begin();
            try {
                switch (config.workload()) {
                    case PUT -> put(null);
                    case GET -> get(prepared.pick(random));
                    case MIXED -> mixed();
                    case LIST -> list();
                    case MULTIPART -> multipart();
                }
            } catch (IOException e) {
                stats.failed("io:" + e.getClass().getSimpleName());
                progress.discard();
            }
        }
    }

    /**
     * Counts an operation's body bytes into the stats as they move (so MiB/s stays exact while large
     * transfers are in flight) and takes them back out when the operation fails: throughput is
     * bytes of successful operations only.
     */
    private static final class OpBytes implements Progress {
        private final Stats stats;
        private final java.util.concurrent.atomic.AtomicLong current = new java.util.concurrent.atomic.AtomicLong();

        OpBytes(Stats stats) {
            this.stats = stats;
        }

        void begin() {
            current.set(0);
        }

        @Override
        public void add(long n) {
            current.addAndGet(n);
            stats.bytes(n);
        }

        void discard() {
            stats.bytes(-current.getAndSet(0));
        }
    }

    private void put(List<Prepared.Obj> into) throws IOException {
        String key = Keys.key(config, id, seq);
        int variant = (int) (seq + id);
        long size = config.size().next(random);
        seq++;
        long t0 = System.nanoTime();
        Response r = client.putObject(key, variant, size, progress);
        if (check(Op.PUT, t0, r) && into != null) {
            into.add(new Prepared.Obj(key, size));
        }
    }

    private void get(Prepared.Obj obj) throws IOException {
        long t0 = System.nanoTime();
        Response r = client.getObject(obj.key(), progress);
        if (r.status() == 200 && r.bodyBytes() != obj.size()) {
            stats.failed("ShortBody");
            progress.discard();
            return;
        }
        check(Op.GET, t0, r);
    }

    private void mixed() throws IOException {
        BenchConfig.Mix mix = config.mix();
        int r = random.nextInt(mix.total());
        if (owned.isEmpty() || r >= mix.get() + mix.delete() + mix.stat()) {
            put(owned);
            return;
        }
        int at = random.nextInt(owned.size());
        Prepared.Obj obj = owned.get(at);
        if (r < mix.get()) {
            get(obj);
        } else if (r < mix.get() + mix.stat()) {
            long t0 = System.nanoTime();
            check(Op.STAT, t0, client.headObject(obj.key()));
        } else {
            owned.set(at, owned.getLast());
            owned.removeLast();
            long t0 = System.nanoTime();
            check(Op.DELETE, t0, client.deleteObject(obj.key()));
        }
    }

    private void list() throws IOException {
        long t0 = System.nanoTime();
        Response r = client.listObjectsV2(listPrefix, listToken, config.maxKeys());
        if (!check(Op.LIST, t0, r)) {
            listToken = null;
            return;
        }
        String xml = r.bodyText();
        String keyCount = Xml.first(xml, "KeyCount");
        stats.items(keyCount != null ? Long.parseLong(keyCount) : Xml.all(xml, "Key").size());
        listToken = "true".equals(Xml.first(xml, "IsTruncated")) ? Xml.first(xml, "NextContinuationToken") : null;
    }

    private void multipart() throws IOException {
        String key = Keys.key(config, id, seq);
        long size = config.size().next(random);
        int base = (int) (seq + id);
        seq++;
        long t0 = System.nanoTime();
        Response created = client.createMultipartUpload(key);
        String uploadId = created.status() == 200 ? Xml.first(created.bodyText(), "UploadId") : null;
        if (uploadId == null) {
            stats.failed(errorCode(created));
            progress.discard();
            return;
        }
        int parts = (int) Math.max(1, (size + config.partSize() - 1) / config.partSize());
        String[] etags = new String[parts];
        String failure = uploadParts(key, uploadId, base, size, etags);
        if (failure != null) {
            stats.failed(failure);
            progress.discard();
            client.abortMultipartUpload(key, uploadId);
            return;
        }
        Response done = client.completeMultipartUpload(key, uploadId, List.of(etags));
        if (done.status() == 200 && done.bodyText().contains("<Error>")) {
            stats.failed(errorCode(done)); // CompleteMultipartUpload can fail after its 200 has started
            progress.discard();
            return;
        }
        check(Op.MULTIPART, t0, done);
    }

    /** Uploads every part, {@code partsInFlight} at a time; null when all succeeded, else the error code. */
    private String uploadParts(String key, String uploadId, int base, long size, String[] etags) throws IOException {
        AtomicInteger next = new AtomicInteger();
        if (partClients.isEmpty()) {
            return partLoop(client, key, uploadId, base, size, etags, next);
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> results = new ArrayList<>();
            for (S3Client c : partClients) {
                results.add(pool.submit(() -> partLoop(c, key, uploadId, base, size, etags, next)));
            }
            String failure = null;
            for (Future<String> f : results) {
                String r = get(f);
                failure = failure == null ? r : failure;
            }
            return failure;
        }
    }

    private String partLoop(S3Client c, String key, String uploadId, int base, long size, String[] etags,
                            AtomicInteger next) throws IOException {
        for (int i = next.getAndIncrement(); i < etags.length; i = next.getAndIncrement()) {
            if (control.stopped()) {
                return "Aborted";
            }
            long offset = i * config.partSize();
            long len = Math.min(config.partSize(), size - offset);
            Response r = c.uploadPart(key, uploadId, i + 1, base + i, len, progress);
            if (r.status() != 200 || r.etag() == null) {
                next.set(etags.length);
                return errorCode(r);
            }
            etags[i] = r.etag();
        }
        return null;
    }

    private static String get(Future<String> f) throws IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "Interrupted";
        }
    }

    private boolean check(Op op, long t0, Response r) {
        if (r.status() / 100 == 2) {
            stats.ok(op, System.nanoTime() - t0);
            return true;
        }
        stats.failed(errorCode(r));
        progress.discard();
        return false;
    }

    /** The S3 error code of an error response, or its HTTP status when the body names none. */
    static String errorCode(Response r) {
        String code = Xml.first(r.bodyText(), "Code");
        return code != null ? code : "HTTP" + r.status();
    }
}
