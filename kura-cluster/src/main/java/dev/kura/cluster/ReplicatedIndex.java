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
import dev.kura.index.ReadSession;
import dev.kura.index.UploadPage;
import dev.kura.index.UploadRecord;
import dev.kura.index.UserRecord;
import dev.kura.index.VersionPage;
import dev.kura.index.VersionQuery;
import dev.kura.index.WriteIntent;
import dev.kura.index.codec.CommandCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;

/**
 * The {@link ObjectIndex} seam over a Raft group of {@link IndexStateMachine}s, on a node that runs one
 * of the group's members ({@code local}).
 *
 * <p><b>Writes</b>: the command's binary form goes through a Ratis client to the group's leader (the
 * client finds it and follows it when it changes); the answer is the outcome the leader's state machine
 * got applying it ({@link OutcomeCodec}), so results and rejections are exactly the single node's. A
 * command is answered only once committed — in the fsync'd logs of a majority — and applied, so
 * {@link #applyUnsynced} is {@link #apply} and {@link #awaitDurable} has nothing to wait for. When the
 * client gives up (leader lost and no new one within the retry budget, timeouts), the command may or may
 * not be committed: {@link IndexException.OutcomeUnknown}, as for a single node's interrupted apply.
 * Retries of one request carry the same call id, and Ratis's retry cache answers a retry of a
 * committed request without appending it again.
 *
 * <p><b>Reads are linearizable by the read index</b>: before reading its local index, a read passes a
 * barrier (once per group for a whole client request, {@link ReadSession}; before every read outside one) —
 * a read-only Raft request to the local member, which asks the leader for its commit index
 * (the leader confirms it still leads with a round of heartbeats to a majority; no clock-based lease),
 * waits until the local state machine has applied up to it, and only then answers. The local read that
 * follows sees every write acknowledged before the read began. A member cut off from the majority gets
 * no read index, so it never serves a stale read: the barrier fails
 * ({@link dev.kura.index.IndexUnavailableException}).
 *
 * <p><b>Without a local member</b> ({@link #remote}: a node that hosts no replica of the group), a read is
 * sent to the group's leader as a sealed {@link IndexRead}; the leader confirms its read index (a heartbeat
 * round to a majority), waits until it has applied up to it, runs the read on its own index and answers
 * with the result ({@link IndexStateMachine#query}). As linearizable as the local path, one round trip
 * more for the data.
 */
public final class ReplicatedIndex implements ObjectIndex {
    private static final Message BARRIER = Message.EMPTY;

    /**
     * This node's member of the group, or null when the node hosts none (reads go to the leader); changes as
     * the group's members move ({@link #retarget}).
     */
    private volatile IndexReplica local;
    /** A client whose peers are the group's members as last learned; replaced when they change. */
    private volatile RaftClient client;
    private volatile java.util.Set<String> clientPeers;
    private final org.apache.ratis.protocol.RaftGroupId groupId;
    private final org.apache.ratis.conf.Parameters parameters;
    private final Duration timeout;
    private final int attempts;
    private final CommandSeal seal;
    /** Read indexes this node asked the group's leader to confirm (one per read outside a request). */
    private final java.util.concurrent.atomic.AtomicLong readIndexes = new java.util.concurrent.atomic.AtomicLong();

    /**
     * {@code timeout}: one attempt's RPC timeout; the client retries (same call id) {@code attempts} times,
     * 200 ms apart, across leader changes, before the outcome is unknown.
     */
    public ReplicatedIndex(IndexReplica local, Duration timeout, int attempts) {
        this(Objects.requireNonNull(local, "local"), local.group(), local.seal(), local.clientParameters(), timeout,
                attempts);
    }

    private ReplicatedIndex(IndexReplica local, org.apache.ratis.protocol.RaftGroup group, CommandSeal seal,
                            org.apache.ratis.conf.Parameters parameters, Duration timeout, int attempts) {
        this.local = local;
        this.seal = seal;
        this.groupId = group.getGroupId();
        this.parameters = parameters;
        this.timeout = timeout;
        this.attempts = attempts;
        this.client = newClient(group);
        this.clientPeers = peerIds(group.getPeers());
    }

    private RaftClient newClient(org.apache.ratis.protocol.RaftGroup group) {
        RaftProperties properties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(timeout.toMillis(), TimeUnit.MILLISECONDS));
        return RaftClient.newBuilder()
                .setProperties(properties)
                .setParameters(parameters)
                .setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts,
                        TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build();
    }

    private static java.util.Set<String> peerIds(java.util.Collection<org.apache.ratis.protocol.RaftPeer> peers) {
        java.util.Set<String> ids = new java.util.TreeSet<>();
        peers.forEach(p -> ids.add(p.getId() + "@" + p.getAddress()));
        return ids;
    }

    /**
     * Points this index at the group's members now: {@code members} (where its client looks for the leader)
     * and {@code localMember}, this node's member when it is one of them (else null: reads go to the
     * leader). A client replaced is closed a minute later, once the calls it carries are answered.
     */
    public synchronized void retarget(List<IndexReplica.Member> members, IndexReplica localMember) {
        if (members.isEmpty()) {
            return;
        }
        List<org.apache.ratis.protocol.RaftPeer> peers = members.stream().map(IndexReplica.Member::peer).toList();
        java.util.Set<String> ids = peerIds(peers);
        if (!ids.equals(clientPeers)) {
            RaftClient old = client;
            client = newClient(org.apache.ratis.protocol.RaftGroup.valueOf(groupId, peers));
            clientPeers = ids;
            Thread.ofVirtual().name("kura-client-retire").start(() -> {
                try {
                    Thread.sleep(60_000);
                    old.close();
                } catch (InterruptedException | IOException e) {
                    // closing late: nothing depends on it
                }
            });
        }
        local = localMember;
    }

    /** This node's member of the group now, or null when it hosts none. */
    public IndexReplica local() {
        return local;
    }

    /**
     * The index of {@code group} on a node that hosts no member of it: writes as above, reads answered by the
     * group's leader. {@code secret}: the cluster secret; {@code settings}: the cluster's Raft settings (TLS).
     */
    public static ReplicatedIndex remote(org.apache.ratis.protocol.RaftGroup group, byte[] secret,
                                         IndexReplica.Settings settings, Duration timeout, int attempts) {
        return new ReplicatedIndex(null, group, new CommandSeal(secret), settings.parameters(), timeout, attempts);
    }

    public ReplicatedIndex(IndexReplica local) {
        this(local, Duration.ofSeconds(3), 20);
    }

    // ---- writes

    /**
     * A write leaves the request's reads of this group to confirm the read index again (before and after it:
     * the local member may not have applied it when the leader answers; {@link ReadSession}).
     */
    @Override
    public IndexResult apply(IndexCommand command) throws IndexException {
        ReadSession.wrote();
        Message message = encode(command);
        RaftClientReply reply;
        try {
            reply = client.io().send(message);
        } catch (IOException | RuntimeException e) {
            throw new IndexException.OutcomeUnknown("the replicated index did not answer: " + e, e);
        } finally {
            ReadSession.wrote();
        }
        return outcome(reply);
    }

    @Override
    public List<IndexOutcome> applyAll(List<IndexCommand> commands) {
        ReadSession.wrote();
        List<CompletableFuture<RaftClientReply>> sent = new ArrayList<>(commands.size());
        for (IndexCommand c : commands) {
            sent.add(client.async().send(encode(c)));
        }
        List<IndexOutcome> outcomes = new ArrayList<>(sent.size());
        for (CompletableFuture<RaftClientReply> f : sent) {
            try {
                outcomes.add(new IndexOutcome(outcome(join(f)), null));
            } catch (IndexException e) {
                outcomes.add(new IndexOutcome(null, e));
            }
        }
        ReadSession.wrote();
        return outcomes;
    }

    /** Every command is durable once answered (committed on a majority): the same as {@link #apply}. */
    @Override
    public IndexResult applyUnsynced(IndexCommand command) throws IndexException {
        return apply(command);
    }

    /** Nothing to wait for: an answered command is in the fsync'd logs of a majority. */
    @Override
    public void awaitDurable() {
    }

    private Message encode(IndexCommand command) {
        return Message.valueOf(ByteString.copyFrom(
                seal.seal(CommandCodec.encode(Objects.requireNonNull(command, "command")))));
    }

    private static RaftClientReply join(CompletableFuture<RaftClientReply> f) throws IndexException {
        try {
            return f.join();
        } catch (CompletionException | java.util.concurrent.CancellationException e) {
            throw new IndexException.OutcomeUnknown("the replicated index did not answer: " + e.getCause(), e);
        }
    }

    private static IndexResult outcome(RaftClientReply reply) throws IndexException {
        if (!reply.isSuccess()) {
            throw new IndexException.OutcomeUnknown("the replicated index failed the request", reply.getException());
        }
        return OutcomeCodec.decode(reply.getMessage().getContent().toByteArray());
    }

    // ---- linearizable reads

    /** Waits until the local member has applied everything committed before this call (the read index). */
    private void barrier(IndexReplica member) {
        readIndexes.incrementAndGet();
        RaftClientReply reply;
        try {
            reply = client.io().sendReadOnly(BARRIER, member.peerId());
        } catch (IOException e) {
            throw new dev.kura.index.IndexUnavailableException("no linearizable read: the read index is not available", e);
        }
        if (!reply.isSuccess()) {
            throw new dev.kura.index.IndexUnavailableException("no linearizable read", reply.getException());
        }
    }

    /**
     * Runs {@code read} linearizably: on the local member after the barrier (once per group for a whole
     * client request: {@link ReadSession}), or on the leader.
     */
    private <T> T read(IndexRead<T> read) {
        IndexReplica member = local;
        if (member != null) {
            IndexStateMachine machine;
            try {
                machine = member.stateMachine();
            } catch (IllegalStateException e) {
                // The member stopped (its index failed, it moved away, the node is closing): 503, not 500.
                throw new dev.kura.index.IndexUnavailableException("this node's replica stopped: " + e.getMessage(), e);
            }
            // Confirmed per state machine, not per group: a replica deleted and made again (the group moved away
            // and back) is a new machine, still catching up, and needs a barrier of its own. Should the replica
            // change during the barrier, the machine read here is the closed one: 503.
            if (!ReadSession.confirmed(machine)) {
                long begun = ReadSession.begin();
                barrier(member);
                ReadSession.confirm(machine, begun);
            }
            return machine.read(read::run);
        }
        RaftClientReply reply;
        try {
            reply = client.io().sendReadOnly(Message.valueOf(ByteString.copyFrom(seal.seal(IndexRead.encodeRequest(read)))));
        } catch (IOException e) {
            throw new dev.kura.index.IndexUnavailableException("no linearizable read: the group's leader did not answer", e);
        }
        if (!reply.isSuccess()) {
            throw new dev.kura.index.IndexUnavailableException("no linearizable read", reply.getException());
        }
        return IndexRead.decodeAnswer(read, reply.getMessage().getContent().toByteArray());
    }

    @Override
    public Optional<byte[]> inlineData(long bucketId, DataId dataId) {
        return read(new IndexRead.InlineData(bucketId, dataId));
    }

    @Override
    public Optional<BucketRecord> bucket(String name) {
        return read(new IndexRead.Bucket(name));
    }

    @Override
    public List<BucketRecord> buckets() {
        return read(new IndexRead.Buckets());
    }

    @Override
    public Optional<ObjectRecord> latest(long bucketId, String key) {
        return read(new IndexRead.Latest(bucketId, key));
    }

    @Override
    public ListPage list(ListQuery query) {
        return read(new IndexRead.ListObjects(query));
    }

    @Override
    public Optional<ObjectRecord> version(long bucketId, String key, String versionId) {
        return read(new IndexRead.Version(bucketId, key, versionId));
    }

    @Override
    public VersionPage listVersions(VersionQuery query) {
        return read(new IndexRead.ListVersions(query));
    }

    @Override
    public Optional<byte[]> lifecycle(long bucketId) {
        return read(new IndexRead.Lifecycle(bucketId));
    }

    @Override
    public Optional<byte[]> bucketSetting(long bucketId, BucketSetting setting) {
        return read(new IndexRead.Setting(bucketId, setting));
    }

    @Override
    public Map<BucketSetting, byte[]> bucketSettings(long bucketId) {
        return read(new IndexRead.Settings(bucketId));
    }

    @Override
    public List<PartitionRecord> partitions(long bucketId) {
        return read(new IndexRead.Partitions(bucketId));
    }

    @Override
    public Optional<UserRecord> user(String name) {
        return read(new IndexRead.User(name));
    }

    @Override
    public Optional<UserRecord> userByAccessKey(String accessKey) {
        return read(new IndexRead.UserByAccessKey(accessKey));
    }

    @Override
    public List<UserRecord> users() {
        return read(new IndexRead.Users());
    }

    @Override
    public Optional<UploadRecord> upload(long bucketId, String key, String uploadId) {
        return read(new IndexRead.Upload(bucketId, key, uploadId));
    }

    @Override
    public List<PartRecord> uploadParts(long bucketId, String key, String uploadId, int afterPart, int max) {
        return read(new IndexRead.UploadParts(bucketId, key, uploadId, afterPart, max));
    }

    @Override
    public List<PartRecord> objectParts(long bucketId, String key, long sequence) {
        return read(new IndexRead.ObjectParts(bucketId, key, sequence));
    }

    @Override
    public UploadPage uploads(long bucketId, String prefix, String delimiter, String keyMarker, String uploadIdMarker,
                              int max) {
        return read(new IndexRead.Uploads(bucketId, prefix, delimiter, keyMarker, uploadIdMarker, max));
    }

    @Override
    public List<WriteIntent> intents(int limit) {
        return read(new IndexRead.Intents(limit));
    }

    @Override
    public List<PendingFree> pendingFrees(DataId after, int limit) {
        return read(new IndexRead.PendingFrees(after, limit));
    }

    /** With a local member: that member's health; without: whether the group's leader confirms a read index now. */
    @Override
    public boolean isHealthy() {
        IndexReplica member = local;
        if (member != null) {
            return member.isHealthy();
        }
        try {
            return client.io().sendReadOnly(BARRIER).isSuccess();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public Map<String, Long> stats() {
        Map<String, Long> out = new LinkedHashMap<>();
        IndexReplica member = local;
        if (member == null) {
            return out;
        }
        out.put("raft_leader", member.isLeader() ? 1L : 0L);
        try {
            member.stateMachine().appliedPosition().ifPresent(p -> {
                out.put("raft_applied_index", p.index());
                out.put("raft_applied_term", p.term());
            });
        } catch (RuntimeException e) {
            // closed or being replaced: leave them out
        }
        return out;
    }

    /** How many read indexes this node has had the group confirm for its local reads (for metrics and tests). */
    public long readIndexes() {
        return readIndexes.get();
    }

    /** Closes the client; the local member is the caller's to close. */
    @Override
    public void close() {
        try {
            client.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
