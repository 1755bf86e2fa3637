package dev.kura.cluster;

import dev.kura.common.DataId;
import dev.kura.index.BucketRecord;
import dev.kura.index.BucketSetting;
import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.IndexOutcome;
import dev.kura.index.IndexResult;
import dev.kura.index.ListPage;
import dev.kura.index.ListQuery;
import dev.kura.index.ObjectIndex;
import dev.kura.index.ObjectRecord;
import dev.kura.index.PartRecord;
import dev.kura.index.PartitionRecord;
import dev.kura.index.PendingFree;
import dev.kura.index.UploadPage;
import dev.kura.index.UploadRecord;
import dev.kura.index.UserRecord;
import dev.kura.index.VersionPage;
import dev.kura.index.VersionQuery;
import dev.kura.index.WriteIntent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

/**
 * One {@link ObjectIndex} over several groups (in the cluster each a Raft group's {@link ReplicatedIndex}):
 * a <em>metadata</em> group that holds the users, and G <em>data</em> groups (1 ≤ G ≤ 256) that each hold
 * whole buckets — the bucket record and its settings, lifecycle, partitions, objects, versions, uploads
 * and parts, the write intents and pending frees of its data, its inline data.
 *
 * <h2>Where a bucket lives</h2>
 * A bucket's group is a stable hash of its <em>name</em> ({@link #groupOfName}: the first four bytes of the
 * name's SHA-256, the same in every JVM and release), so CreateBucket and a lookup by name go to the one
 * group that can hold the name, and a taken name is refused there. Its random 64-bit id is made to carry
 * that group in its low byte ({@link #newBucketId}, which the object layer asks for every new bucket), so
 * every command and read naming only a bucket id finds the group without a lookup
 * ({@link #groupOfId}). An id whose low byte names no group is no bucket of this index: a command naming
 * it is refused ({@link IndexException.NoSuchBucket}), a read answers as for an unknown bucket.
 *
 * <h2>Routing</h2>
 * Users: the metadata group. CreateBucket: the name's group (its id must name the same group). Every other
 * command carries a bucket id (RecordIntent in its intent) and goes to that id's group. CancelIntent and
 * CompleteFree carry only a data id. A data id lives in one group only (its intent and its pending free are
 * written by commands of the bucket whose data it is), and the router remembers where it last saw one — a
 * RecordIntent it routed, an intent or pending free it listed (at most {@value #REMEMBERED} ids) — and
 * sends the command there; an id it never saw (another node's, or from before a restart) goes to every
 * data group, which is harmless: the command is idempotent and changes nothing where the row is not. {@link #applyAll}
 * hands each group its share of a batch at once, the groups in parallel. Reads of buckets, intents and
 * pending frees across all groups are merged in the single index's order.
 *
 * <h2>What is not atomic across groups</h2>
 * Nothing needs to be: every command touches one bucket, whose rows are all in one group, or is the
 * idempotent broadcast of a data id. Version sequences are assigned per group, so they order each
 * bucket's versions (all in one group) in commit order, as in the single index. What is lost is only a
 * global snapshot: {@link #buckets}, {@link #intents} and {@link #pendingFrees} read the groups one after
 * another, each group's answer current when read.
 */
public final class GroupedIndex implements ObjectIndex {
    /** The largest number of data groups: a bucket id names its group in one byte. */
    public static final int MAX_GROUPS = 256;

    private static final int META = -1;
    private static final int EVERY = -2;

    /** Bucket names in the single index's order: UTF-8 bytes, unsigned. */
    private static final Comparator<BucketRecord> BY_NAME = (a, b) -> Arrays.compareUnsigned(
            a.name().getBytes(StandardCharsets.UTF_8), b.name().getBytes(StandardCharsets.UTF_8));

    /** Intents in the single index's order: oldest first (by the millisecond), then by data id. */
    private static final Comparator<WriteIntent> BY_AGE = Comparator
            .comparingLong((WriteIntent i) -> i.createdAt().toEpochMilli())
            .thenComparing(i -> i.location().dataId().value());

    /** Pending frees in data id order: 32 lowercase hex digits sort as the id's bytes do. */
    private static final Comparator<PendingFree> BY_DATA_ID = Comparator.comparing(f -> f.location().dataId().value());

    /** Data ids remembered with their group at most; past it the memory starts over. */
    static final int REMEMBERED = 65_536;

    private final ObjectIndex meta;
    private final List<ObjectIndex> data;
    /** The group where a data id's intent or pending free was last seen. */
    private final Map<DataId, Integer> seen = new java.util.concurrent.ConcurrentHashMap<>();

    public GroupedIndex(ObjectIndex meta, List<ObjectIndex> data) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.data = List.copyOf(data);
        if (this.data.isEmpty() || this.data.size() > MAX_GROUPS) {
            throw new IllegalArgumentException("between 1 and " + MAX_GROUPS + " data groups, not " + data.size());
        }
    }

    /** The data group of a bucket name, in {@code [0, groups)}: stable across JVMs and releases. */
    public static int groupOfName(String bucketName, int groups) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(bucketName.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        int head = (hash[0] & 0xFF) << 24 | (hash[1] & 0xFF) << 16 | (hash[2] & 0xFF) << 8 | (hash[3] & 0xFF);
        return Math.floorMod(head, groups);
    }

    /** The data group a bucket id names (its low byte); at or above the number of groups: no bucket here. */
    public static int groupOfId(long bucketId) {
        return (int) (bucketId & 0xFF);
    }

    /** The random candidate's high bits, and the name's group in the low byte. */
    @Override
    public long newBucketId(String name, long random) {
        return (random & ~0xFFL) | groupOfName(name, data.size());
    }

    // ---- routing

    /** Where a command goes: a data group's number, {@link #META}, or {@link #EVERY} data group. */
    private int route(IndexCommand command) throws IndexException.NoSuchBucket {
        return switch (command) {
            case IndexCommand.PutUser _, IndexCommand.DeleteUser _ -> META;
            case IndexCommand.CreateBucket c -> createdIn(c.bucket());
            case IndexCommand.CancelIntent c -> seenIn(c.dataId());
            case IndexCommand.CompleteFree c -> seenIn(c.dataId());
            case IndexCommand.PutBucketSetting c -> group(c.bucketId(), c.name());
            case IndexCommand.DeleteBucket c -> group(c.bucketId(), c.name());
            case IndexCommand.PutObjectLockConfiguration c -> group(c.bucketId(), c.name());
            case IndexCommand.PutBucketLifecycle c -> group(c.bucketId(), c.name());
            case IndexCommand.SetBucketVersioning c -> group(c.bucketId(), c.name());
            case IndexCommand.PutBucketTags c -> group(c.bucketId(), c.name());
            case IndexCommand.RecordIntent c -> remember(c.intent().location().dataId(), group(c.intent().bucketId(), null));
            case IndexCommand.PutObjectAcl c -> group(c.bucketId(), null);
            case IndexCommand.PutObject c -> group(c.bucketId(), null);
            case IndexCommand.DeleteObject c -> group(c.bucketId(), null);
            case IndexCommand.DeleteVersion c -> group(c.bucketId(), null);
            case IndexCommand.PutObjectRetention c -> group(c.bucketId(), null);
            case IndexCommand.PutObjectLegalHold c -> group(c.bucketId(), null);
            case IndexCommand.CreateUpload c -> group(c.bucketId(), null);
            case IndexCommand.PutPart c -> group(c.bucketId(), null);
            case IndexCommand.CompleteUpload c -> group(c.bucketId(), null);
            case IndexCommand.AbortUpload c -> group(c.bucketId(), null);
            case IndexCommand.PutObjectTags c -> group(c.bucketId(), null);
            case IndexCommand.RelocateData c -> group(c.bucketId(), null);
            case IndexCommand.SplitPartition c -> group(c.bucketId(), null);
            case IndexCommand.MergePartitions c -> group(c.bucketId(), null);
        };
    }

    /** The group {@code id} was last seen in (forgotten then: its row is going), or every data group. */
    private int seenIn(DataId id) {
        Integer group = seen.remove(id);
        return group == null ? EVERY : group;
    }

    private int remember(DataId id, int group) {
        if (seen.size() >= REMEMBERED) {
            seen.clear();
        }
        seen.put(id, group);
        return group;
    }

    private int createdIn(BucketRecord bucket) {
        int group = groupOfName(bucket.name(), data.size());
        if (groupOfId(bucket.id()) != group) {
            throw new IllegalArgumentException("bucket id " + bucket.id() + " does not name the group of bucket "
                    + bucket.name() + " (" + group + "); new bucket ids come from newBucketId");
        }
        return group;
    }

    /** The id's group; NoSuchBucket (as the single index says it: by name when the command has one) when none. */
    private int group(long bucketId, String name) throws IndexException.NoSuchBucket {
        int group = groupOfId(bucketId);
        if (group >= data.size()) {
            throw new IndexException.NoSuchBucket(name != null ? name : "bucket id " + bucketId);
        }
        return group;
    }

    private ObjectIndex index(int group) {
        return group == META ? meta : data.get(group);
    }

    // ---- writes

    @Override
    public IndexResult apply(IndexCommand command) throws IndexException {
        int group = route(Objects.requireNonNull(command, "command"));
        return group == EVERY ? broadcast(command, true) : index(group).apply(command);
    }

    @Override
    public IndexResult applyUnsynced(IndexCommand command) throws IndexException {
        int group = route(Objects.requireNonNull(command, "command"));
        return group == EVERY ? broadcast(command, false) : index(group).applyUnsynced(command);
    }

    /**
     * A command keyed by a data id alone, applied to every data group: where the row is not, it changes
     * nothing and answers as the single index does for an absent id. The first failure is thrown once every
     * group was tried (a retry is harmless: the command is idempotent).
     */
    private IndexResult broadcast(IndexCommand command, boolean synced) throws IndexException {
        IndexResult result = null;
        Exception first = null;
        for (ObjectIndex group : data) {
            try {
                result = synced ? group.apply(command) : group.applyUnsynced(command);
            } catch (IndexException | RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first instanceof IndexException e) {
            throw e;
        }
        if (first != null) {
            throw (RuntimeException) first;
        }
        return result;
    }

    /**
     * Each group's share of the batch goes to it as one {@link ObjectIndex#applyAll} (group-committed there),
     * the groups in parallel; the broadcast commands one by one. Every command is routed before any is
     * applied, so a CreateBucket with a stray id throws before the batch does anything.
     */
    @Override
    public List<IndexOutcome> applyAll(List<IndexCommand> commands) {
        // The groups' shares may run on threads of their own, outside the request's ReadSession: the request's
        // thread says the writes begin and end.
        dev.kura.index.ReadSession.wrote();
        try {
            return applyAllInGroups(commands);
        } finally {
            dev.kura.index.ReadSession.wrote();
        }
    }

    private List<IndexOutcome> applyAllInGroups(List<IndexCommand> commands) {
        IndexOutcome[] outcomes = new IndexOutcome[commands.size()];
        Map<Integer, List<Integer>> shares = new LinkedHashMap<>();
        for (int i = 0; i < commands.size(); i++) {
            try {
                shares.computeIfAbsent(route(Objects.requireNonNull(commands.get(i), "command")),
                        g -> new ArrayList<>()).add(i);
            } catch (IndexException.NoSuchBucket e) {
                outcomes[i] = new IndexOutcome(null, e);
            }
        }
        List<Integer> everywhere = shares.remove(EVERY);
        Map<Integer, CompletableFuture<List<IndexOutcome>>> running = new LinkedHashMap<>();
        for (Map.Entry<Integer, List<Integer>> share : shares.entrySet()) {
            List<IndexCommand> part = share.getValue().stream().map(commands::get).toList();
            ObjectIndex group = index(share.getKey());
            running.put(share.getKey(), shares.size() == 1 && everywhere == null
                    ? CompletableFuture.completedFuture(group.applyAll(part))
                    : CompletableFuture.supplyAsync(() -> group.applyAll(part), r -> Thread.ofVirtual().start(r)));
        }
        for (int i : everywhere == null ? List.<Integer>of() : everywhere) {
            try {
                outcomes[i] = new IndexOutcome(apply(commands.get(i)), null);
            } catch (IndexException e) {
                outcomes[i] = new IndexOutcome(null, e);
            }
        }
        for (Map.Entry<Integer, CompletableFuture<List<IndexOutcome>>> r : running.entrySet()) {
            List<Integer> positions = shares.get(r.getKey());
            List<IndexOutcome> answered = await(r.getValue(), positions.size());
            for (int j = 0; j < positions.size(); j++) {
                outcomes[positions.get(j)] = answered.get(j);
            }
        }
        return List.of(outcomes);
    }

    /** A group's outcomes; when the wait is interrupted, every one of them is unknown. */
    private static List<IndexOutcome> await(CompletableFuture<List<IndexOutcome>> share, int size) {
        try {
            return share.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            IndexOutcome unknown = new IndexOutcome(null,
                    new IndexException.OutcomeUnknown("interrupted; the commands may still be applied", e));
            return java.util.Collections.nCopies(size, unknown);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void awaitDurable() throws IndexException {
        meta.awaitDurable();
        for (ObjectIndex group : data) {
            group.awaitDurable();
        }
    }

    // ---- reads by bucket: the bucket's group, or the single index's answer for an unknown bucket

    private <T> T read(long bucketId, Function<ObjectIndex, T> read, T unknown) {
        int group = groupOfId(bucketId);
        return group < data.size() ? read.apply(data.get(group)) : unknown;
    }

    @Override
    public Optional<byte[]> inlineData(long bucketId, DataId dataId) {
        return read(bucketId, g -> g.inlineData(bucketId, dataId), Optional.empty());
    }

    @Override
    public Optional<BucketRecord> bucket(String name) {
        return data.get(groupOfName(name, data.size())).bucket(name);
    }

    @Override
    public Optional<ObjectRecord> latest(long bucketId, String key) {
        return read(bucketId, g -> g.latest(bucketId, key), Optional.empty());
    }

    @Override
    public ListPage list(ListQuery query) {
        return read(query.bucketId(), g -> g.list(query), new ListPage(List.of(), List.of(), false, null));
    }

    @Override
    public Optional<ObjectRecord> version(long bucketId, String key, String versionId) {
        return read(bucketId, g -> g.version(bucketId, key, versionId), Optional.empty());
    }

    @Override
    public VersionPage listVersions(VersionQuery query) {
        return read(query.bucketId(), g -> g.listVersions(query),
                new VersionPage(List.of(), List.of(), false, null, null));
    }

    @Override
    public Optional<byte[]> lifecycle(long bucketId) {
        return read(bucketId, g -> g.lifecycle(bucketId), Optional.empty());
    }

    @Override
    public Optional<byte[]> bucketSetting(long bucketId, BucketSetting setting) {
        return read(bucketId, g -> g.bucketSetting(bucketId, setting), Optional.empty());
    }

    @Override
    public Map<BucketSetting, byte[]> bucketSettings(long bucketId) {
        return read(bucketId, g -> g.bucketSettings(bucketId), Map.of());
    }

    @Override
    public List<PartitionRecord> partitions(long bucketId) {
        return read(bucketId, g -> g.partitions(bucketId), List.of(PartitionRecord.whole()));
    }

    @Override
    public Optional<UploadRecord> upload(long bucketId, String key, String uploadId) {
        return read(bucketId, g -> g.upload(bucketId, key, uploadId), Optional.empty());
    }

    @Override
    public List<PartRecord> uploadParts(long bucketId, String key, String uploadId, int afterPart, int max) {
        return read(bucketId, g -> g.uploadParts(bucketId, key, uploadId, afterPart, max), List.of());
    }

    @Override
    public List<PartRecord> objectParts(long bucketId, String key, long sequence) {
        return read(bucketId, g -> g.objectParts(bucketId, key, sequence), List.of());
    }

    @Override
    public UploadPage uploads(long bucketId, String prefix, String delimiter, String keyMarker, String uploadIdMarker,
                              int max) {
        return read(bucketId, g -> g.uploads(bucketId, prefix, delimiter, keyMarker, uploadIdMarker, max),
                new UploadPage(List.of(), List.of(), false, null, null));
    }

    // ---- reads across the data groups, merged in the single index's order

    @Override
    public List<BucketRecord> buckets() {
        List<BucketRecord> all = new ArrayList<>();
        for (ObjectIndex group : data) {
            all.addAll(group.buckets());
        }
        all.sort(BY_NAME);
        return all;
    }

    @Override
    public List<WriteIntent> intents(int limit) {
        return merged(g -> g.intents(limit), i -> i.location().dataId(), BY_AGE, limit);
    }

    @Override
    public List<PendingFree> pendingFrees(DataId after, int limit) {
        return merged(g -> g.pendingFrees(after, limit), f -> f.location().dataId(), BY_DATA_ID, limit);
    }

    /**
     * Each group's first {@code limit} in {@code order}, merged: the first {@code limit} of all of them (each
     * one's data id remembered with its group).
     */
    private <T> List<T> merged(Function<ObjectIndex, List<T>> read, Function<T, DataId> id, Comparator<T> order,
                               int limit) {
        List<T> all = new ArrayList<>();
        for (int g = 0; g < data.size(); g++) {
            for (T item : read.apply(data.get(g))) {
                remember(id.apply(item), g);
                all.add(item);
            }
        }
        all.sort(order);
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
    }

    // ---- users: the metadata group

    @Override
    public Optional<UserRecord> user(String name) {
        return meta.user(name);
    }

    @Override
    public Optional<UserRecord> userByAccessKey(String accessKey) {
        return meta.userByAccessKey(accessKey);
    }

    @Override
    public List<UserRecord> users() {
        return meta.users();
    }

    // ---- health and lifecycle

    @Override
    public boolean isHealthy() {
        return meta.isHealthy() && data.stream().allMatch(ObjectIndex::isHealthy);
    }

    /** The metadata group's stats as they are, then each data group's as {@code index_<n>_<name>}. */
    @Override
    public Map<String, Long> stats() {
        Map<String, Long> stats = new LinkedHashMap<>(meta.stats());
        for (int i = 0; i < data.size(); i++) {
            for (Map.Entry<String, Long> s : data.get(i).stats().entrySet()) {
                stats.put("index_" + i + "_" + s.getKey(), s.getValue());
            }
        }
        return stats;
    }

    /** Closes the data groups, then the metadata group; a failure does not keep the others open. */
    @Override
    public void close() {
        RuntimeException first = null;
        List<ObjectIndex> all = new ArrayList<>(data);
        all.add(meta);
        for (ObjectIndex group : all) {
            try {
                group.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
