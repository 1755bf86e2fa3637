package dev.kura.server;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.index.BucketRecord;
import dev.kura.index.DataAnnotation;
import dev.kura.index.IndexCommand;
import dev.kura.index.ObjectIndex;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.Precondition;
import dev.kura.index.UploadRecord;
import dev.kura.index.rocks.RocksObjectIndex;
import dev.kura.storage.local.LocalBlobStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kura admin rebuild-index}: rebuilds a lost index from the drives alone, offline (the server
 * must not be running). Every data file carries an annotation — the bucket and the record its write
 * committed (see {@link DataAnnotation}) — so a scan of every drive finds every object written to the
 * drives and every part of a multipart upload.
 *
 * <p>What comes back: buckets that hold data on the drives (name, id, owner, region, creation time);
 * for each key its newest version — written whole (PutObject, CopyObject) with its size, ETag, headers,
 * user metadata, checksum and tags, or completed from parts (CompleteMultipartUpload, from the manifest
 * it wrote, with the parts it names, through the same CreateUpload, PutPart and CompleteUpload commands);
 * multipart uploads in progress with their parts (an upload that a manifest names as completed does not
 * come back; one completed before manifests existed comes back in progress). What cannot come back: objects
 * kept inline in the index (small objects on the one default drive, unless {@code --inline-threshold -1}),
 * empty buckets, bucket tags and versioning settings, deletes (data deleted but not yet swept, within
 * seconds of the delete, comes back) and data written before annotations existed (reported, left
 * on the drives).
 */
@Command(name = "rebuild-index", mixinStandardHelpOptions = true,
        description = "Rebuilds the index from the drives alone (offline: the server must not be running). "
                + "Takes the same --data, --drive and --ec flags as the server.")
public final class RebuildIndex implements Callable<Integer> {
    private static final Pattern SHARD_LABEL = Pattern.compile("^shard (\\d+) of rs-\\d+-\\d+: ");

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default: ./kura-data)")
    Path data = Path.of("kura-data");

    @Option(names = "--drive", paramLabel = "PATH[,zone=NAME]", description = "A data drive, as given to the server")
    List<String> drives = new ArrayList<>();

    @Option(names = "--ec", paramLabel = "K+M", description = "Erasure coding, as given to the server")
    String ec;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--force", description = "Move an existing index aside (to index.broken-<time>) and rebuild")
    boolean force;

    /** What a rebuild found and restored. */
    public record Summary(int buckets, int objects, int multipartObjects, int uploads, int parts, long dataFiles,
                          long withoutAnnotation, long superseded) {
    }

    @Override
    public Integer call() throws Exception {
        ServerCommand flags = new ServerCommand();
        flags.data = data;
        flags.drives = drives;
        flags.ec = ec;
        ServerConfig config;
        try {
            config = flags.config(Map.of());
            java.io.PrintWriter out = spec.commandLine().getOut();
            Summary s = rebuild(config, force, out);
            out.println("rebuilt the index: " + s.buckets() + " buckets, " + s.objects() + " objects ("
                    + s.multipartObjects() + " of them multipart), " + s.uploads() + " multipart uploads with " + s.parts() + " parts, from " + s.dataFiles()
                    + " data files; " + s.withoutAnnotation() + " without an annotation and " + s.superseded()
                    + " older versions left on the drives");
            if (drives.isEmpty()) {
                out.println("note: objects kept inline in the index (up to --inline-threshold, 64 KiB by default on "
                        + "the one default drive) were never on the drive and are not restored");
            }
            return 0;
        } catch (IllegalArgumentException | IllegalStateException e) {
            spec.commandLine().getErr().println("kura: " + e.getMessage());
            return 2;
        }
    }

    /** One data id as found: its annotation and, per shard index, the drive holding that shard. */
    private static final class Found {
        DataAnnotation annotation;
        final Map<Integer, String> shards = new TreeMap<>();
        String singleDrive;
    }

    static Summary rebuild(ServerConfig config, boolean force, java.io.PrintWriter out) throws IOException {
        Path indexDir = config.dataDir().resolve("index");
        if (Files.isDirectory(indexDir) && !isEmpty(indexDir)) {
            if (!force) {
                throw new IllegalStateException(indexDir + " exists and is not empty; stop the server and use "
                        + "--force to move it aside and rebuild");
            }
            Path aside = indexDir.resolveSibling("index.broken-" + System.currentTimeMillis());
            Files.move(indexDir, aside);
            out.println("moved the old index to " + aside);
        }
        Map<DataId, Found> found = new LinkedHashMap<>();
        long[] files = new long[1];
        long withoutAnnotation = 0;
        try (Storage storage = Storage.open(config)) {
            for (LocalBlobStore drive : storage.onlineDrives()) {
                List<DataId> ids = new ArrayList<>();
                drive.forEachData(ids::add);
                for (DataId id : ids) {
                    files[0]++;
                    dev.kura.storage.StoredData stored;
                    try {
                        stored = drive.inspect(id).orElse(null);
                    } catch (IOException e) {
                        out.println("skipped " + id + " on drive " + drive.driveId() + ": " + e.getMessage());
                        continue;
                    }
                    if (stored == null || stored.annotation().length == 0) {
                        continue;
                    }
                    DataAnnotation annotation;
                    try {
                        annotation = DataAnnotation.decode(stored.annotation());
                    } catch (RuntimeException e) {
                        out.println("skipped " + id + " on drive " + drive.driveId() + ": " + e.getMessage());
                        continue;
                    }
                    Found f = found.computeIfAbsent(id, k -> new Found());
                    f.annotation = annotation;
                    Matcher m = SHARD_LABEL.matcher(stored.label());
                    if (m.find()) {
                        f.shards.put(Integer.parseInt(m.group(1)), drive.driveId());
                    } else {
                        f.singleDrive = drive.driveId();
                    }
                }
            }
        }
        Map<Long, BucketRecord> buckets = new TreeMap<>();
        Map<List<Object>, Newest> versions = new HashMap<>();
        Map<List<Object>, UploadRecord> uploads = new LinkedHashMap<>();
        Map<List<Object>, Map<Integer, PartRecord>> parts = new HashMap<>();
        java.util.Set<List<Object>> completedUploads = new java.util.HashSet<>();
        long superseded = 0;
        for (Map.Entry<DataId, Found> e : found.entrySet()) {
            Found f = e.getValue();
            BucketRecord bucket = f.annotation.bucket();
            buckets.putIfAbsent(bucket.id(), bucket);
            switch (f.annotation) {
                case DataAnnotation.Version v -> {
                    ObjectRecord r = withLocation(v.record(), located(v.record().location(), f));
                    superseded += keepNewest(versions, bucket.id(), new Newest(r, null));
                }
                case DataAnnotation.Completed c -> {
                    ObjectRecord r = withLocation(c.record(), located(c.record().location(), f));
                    completedUploads.add(List.of(bucket.id(), r.key(), r.uploadId()));
                    superseded += keepNewest(versions, bucket.id(), new Newest(r, c));
                }
                case DataAnnotation.UploadPart p -> {
                    List<Object> key = List.of(bucket.id(), p.upload().key(), p.upload().uploadId());
                    uploads.putIfAbsent(key, p.upload());
                    PartRecord part = withLocation(p.part(), located(p.part().location(), f));
                    Map<Integer, PartRecord> ofUpload = parts.computeIfAbsent(key, k -> new TreeMap<>());
                    PartRecord had = ofUpload.get(part.partNumber());
                    if (had != null) {
                        superseded++; // a part uploaded again under the same number: the newest wins
                    }
                    if (had == null || part.lastModified().isAfter(had.lastModified())) {
                        ofUpload.put(part.partNumber(), part);
                    }
                }
            }
        }
        // A completed multipart object comes back from its manifest with the parts it names, each taken
        // (record and drives) from that part's own data; an upload that was completed does not come back.
        Map<List<Object>, List<PartRecord>> chosenParts = new HashMap<>();
        for (var it = versions.entrySet().iterator(); it.hasNext(); ) {
            var v = it.next();
            DataAnnotation.Completed c = v.getValue().manifest();
            if (c == null) {
                continue;
            }
            List<PartRecord> chosen = new ArrayList<>(c.parts().size());
            for (DataAnnotation.CompletedPart cp : c.parts()) {
                Found pf = found.get(cp.dataId());
                if (pf != null && pf.annotation instanceof DataAnnotation.UploadPart up
                        && up.part().partNumber() == cp.partNumber()) {
                    chosen.add(withLocation(up.part(), located(up.part().location(), pf)).at(cp.offset()));
                } else {
                    chosen = null;
                    out.println("cannot restore " + c.bucket().name() + "/" + c.record().key() + ": the data of part "
                            + cp.partNumber() + " (" + cp.dataId() + ") was not found; its upload comes back in progress");
                    break;
                }
            }
            if (chosen == null) {
                completedUploads.remove(List.of(v.getKey().get(0), c.record().key(), c.record().uploadId()));
                it.remove();
            } else {
                chosenParts.put(v.getKey(), chosen);
            }
        }
        for (List<Object> done : completedUploads) {
            uploads.remove(done);
            Map<Integer, PartRecord> left = parts.remove(done);
            superseded += left == null ? 0 : left.size(); // restored parts are counted back below
        }
        for (List<PartRecord> chosen : chosenParts.values()) {
            superseded -= chosen.size();
        }
        long dataIds = found.size();
        withoutAnnotation = countWithoutAnnotation(files[0], found);
        int partCount = 0;
        int multipart = 0;
        try (ObjectIndex index = RocksObjectIndex.open(indexDir)) {
            for (BucketRecord b : buckets.values()) {
                index.apply(new IndexCommand.CreateBucket(b));
            }
            for (Map.Entry<List<Object>, Newest> v : versions.entrySet()) {
                long bucketId = (Long) v.getKey().get(0);
                ObjectRecord r = v.getValue().record();
                List<PartRecord> chosen = chosenParts.get(v.getKey());
                if (chosen == null) {
                    index.apply(new IndexCommand.PutObject(bucketId, r, Precondition.NONE, null));
                    continue;
                }
                // The path a Complete takes: the upload with its chosen parts, then completing it.
                DataAnnotation.UploadPart first = (DataAnnotation.UploadPart) found.get(
                        chosen.getFirst().location().dataId()).annotation;
                index.apply(new IndexCommand.CreateUpload(bucketId, first.upload()));
                for (PartRecord p : chosen) {
                    index.apply(new IndexCommand.PutPart(bucketId, r.key(), r.uploadId(), p.at(0)));
                }
                index.apply(new IndexCommand.CompleteUpload(bucketId, r.uploadId(), r, chosen, Precondition.NONE));
                multipart++;
            }
            for (Map.Entry<List<Object>, UploadRecord> u : uploads.entrySet()) {
                long bucketId = (Long) u.getKey().get(0);
                index.apply(new IndexCommand.CreateUpload(bucketId, u.getValue()));
                for (PartRecord p : parts.getOrDefault(u.getKey(), Collections.emptyMap()).values()) {
                    index.apply(new IndexCommand.PutPart(bucketId, u.getValue().key(), u.getValue().uploadId(), p));
                    partCount++;
                }
            }
        } catch (Exception e) {
            if (e instanceof IOException io) {
                throw io;
            }
            throw new IOException("rebuilding the index failed: " + e.getMessage(), e);
        }
        return new Summary(buckets.size(), versions.size(), multipart, uploads.size(), partCount, dataIds,
                withoutAnnotation, superseded);
    }

    /** A key's newest version found so far: written whole, or completed from parts ({@code manifest}). */
    private record Newest(ObjectRecord record, DataAnnotation.Completed manifest) {
    }

    /** Keeps the newer of the key's version so far and {@code candidate}; 1 when one was superseded. */
    private static int keepNewest(Map<List<Object>, Newest> versions, long bucketId, Newest candidate) {
        List<Object> key = List.of(bucketId, candidate.record().key());
        Newest had = versions.get(key);
        if (had == null || had.record().sequence() < candidate.record().sequence()) {
            versions.put(key, candidate);
        }
        return had == null ? 0 : 1;
    }

    /** Data files (counting shards once per data id) whose data had no annotation anywhere. */
    private static long countWithoutAnnotation(long files, Map<DataId, Found> found) {
        long annotatedFiles = 0;
        for (Found f : found.values()) {
            annotatedFiles += f.singleDrive != null ? 1 : f.shards.size();
        }
        return files - annotatedFiles;
    }

    /** The location the index records: the planned one, with the drives where the shards were found. */
    private static DataLocation located(DataLocation planned, Found f) {
        List<String> drives;
        if (f.singleDrive != null && f.shards.isEmpty()) {
            drives = List.of(f.singleDrive);
        } else {
            drives = new ArrayList<>(Collections.nCopies(planned.drives().size(), "-"));
            for (Map.Entry<Integer, String> s : f.shards.entrySet()) {
                if (s.getKey() < drives.size()) {
                    drives.set(s.getKey(), s.getValue());
                }
            }
        }
        return new DataLocation(planned.dataId(), planned.layoutEpoch(), planned.scheme(), drives,
                planned.blockSize(), planned.length());
    }

    private static ObjectRecord withLocation(ObjectRecord r, DataLocation location) {
        return r.withLocation(location);
    }

    private static PartRecord withLocation(PartRecord p, DataLocation location) {
        return new PartRecord(p.partNumber(), location, p.size(), p.etag(), p.lastModified(), p.checksum(), p.offset());
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }
}
