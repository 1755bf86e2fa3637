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
import dev.kura.index.codec.CommandCodec;
import dev.kura.index.rocks.RocksObjectIndex;
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
import java.util.function.Function;
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
 * barrier — a read-only Raft request to the local member, which asks the leader for its commit index
 * (the leader confirms it still leads with a round of heartbeats to a majority; no clock-based lease),
 * waits until the local state machine has applied up to it, and only then answers. The local read that
 * follows sees every write acknowledged before the read began. A member cut off from the majority gets
 * no read index, so it never serves a stale read: the barrier fails
 * ({@link dev.kura.index.IndexUnavailableException}).
 */
public final class ReplicatedIndex implements ObjectIndex {
    private static final Message BARRIER = Message.EMPTY;

    private final IndexReplica local;
    private final RaftClient client;

    /**
     * {@code timeout}: one attempt's RPC timeout; the client retries (same call id) {@code attempts} times,
     * 200 ms apart, across leader changes, before the outcome is unknown.
     */
    public ReplicatedIndex(IndexReplica local, Duration timeout, int attempts) {
        this.local = Objects.requireNonNull(local, "local");
        RaftProperties properties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(timeout.toMillis(), TimeUnit.MILLISECONDS));
        this.client = RaftClient.newBuilder()
                .setProperties(properties)
                .setParameters(local.clientParameters())
                .setRaftGroup(local.group())
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(attempts,
                        TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build();
    }

    public ReplicatedIndex(IndexReplica local) {
        this(local, Duration.ofSeconds(3), 20);
    }

    // ---- writes

    @Override
    public IndexResult apply(IndexCommand command) throws IndexException {
        Message message = encode(command);
        RaftClientReply reply;
        try {
            reply = client.io().send(message);
        } catch (IOException | RuntimeException e) {
            throw new IndexException.OutcomeUnknown("the replicated index did not answer: " + e, e);
        }
        return outcome(reply);
    }

    @Override
    public List<IndexOutcome> applyAll(List<IndexCommand> commands) {
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
                local.seal().seal(CommandCodec.encode(Objects.requireNonNull(command, "command")))));
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
    private void barrier() {
        RaftClientReply reply;
        try {
            reply = client.io().sendReadOnly(BARRIER, local.peerId());
        } catch (IOException e) {
            throw new dev.kura.index.IndexUnavailableException("no linearizable read: the read index is not available", e);
        }
        if (!reply.isSuccess()) {
            throw new dev.kura.index.IndexUnavailableException("no linearizable read", reply.getException());
        }
    }

    private <T> T read(Function<RocksObjectIndex, T> read) {
        barrier();
        return local.stateMachine().read(read);
    }

    @Override
    public Optional<byte[]> inlineData(long bucketId, DataId dataId) {
        return read(i -> i.inlineData(bucketId, dataId));
    }

    @Override
    public Optional<BucketRecord> bucket(String name) {
        return read(i -> i.bucket(name));
    }

    @Override
    public List<BucketRecord> buckets() {
        return read(RocksObjectIndex::buckets);
    }

    @Override
    public Optional<ObjectRecord> latest(long bucketId, String key) {
        return read(i -> i.latest(bucketId, key));
    }

    @Override
    public ListPage list(ListQuery query) {
        return read(i -> i.list(query));
    }

    @Override
    public Optional<ObjectRecord> version(long bucketId, String key, String versionId) {
        return read(i -> i.version(bucketId, key, versionId));
    }

    @Override
    public VersionPage listVersions(VersionQuery query) {
        return read(i -> i.listVersions(query));
    }

    @Override
    public Optional<byte[]> lifecycle(long bucketId) {
        return read(i -> i.lifecycle(bucketId));
    }

    @Override
    public Optional<byte[]> bucketSetting(long bucketId, BucketSetting setting) {
        return read(i -> i.bucketSetting(bucketId, setting));
    }

    @Override
    public Map<BucketSetting, byte[]> bucketSettings(long bucketId) {
        return read(i -> i.bucketSettings(bucketId));
    }

    @Override
    public List<PartitionRecord> partitions(long bucketId) {
        return read(i -> i.partitions(bucketId));
    }

    @Override
    public Optional<UserRecord> user(String name) {
        return read(i -> i.user(name));
    }

    @Override
    public Optional<UserRecord> userByAccessKey(String accessKey) {
        return read(i -> i.userByAccessKey(accessKey));
    }

    @Override
    public List<UserRecord> users() {
        return read(RocksObjectIndex::users);
    }

    @Override
    public Optional<UploadRecord> upload(long bucketId, String key, String uploadId) {
        return read(i -> i.upload(bucketId, key, uploadId));
    }

    @Override
    public List<PartRecord> uploadParts(long bucketId, String key, String uploadId, int afterPart, int max) {
        return read(i -> i.uploadParts(bucketId, key, uploadId, afterPart, max));
    }

    @Override
    public List<PartRecord> objectParts(long bucketId, String key, long sequence) {
        return read(i -> i.objectParts(bucketId, key, sequence));
    }

    @Override
    public UploadPage uploads(long bucketId, String prefix, String delimiter, String keyMarker, String uploadIdMarker,
                              int max) {
        return read(i -> i.uploads(bucketId, prefix, delimiter, keyMarker, uploadIdMarker, max));
    }

    @Override
    public List<WriteIntent> intents(int limit) {
        return read(i -> i.intents(limit));
    }

    @Override
    public List<PendingFree> pendingFrees(DataId after, int limit) {
        return read(i -> i.pendingFrees(after, limit));
    }

    @Override
    public boolean isHealthy() {
        return local.isHealthy();
    }

    @Override
    public Map<String, Long> stats() {
        Map<String, Long> out = new LinkedHashMap<>();
        out.put("raft_leader", local.isLeader() ? 1L : 0L);
        try {
            local.stateMachine().appliedPosition().ifPresent(p -> {
                out.put("raft_applied_index", p.index());
                out.put("raft_applied_term", p.term());
            });
        } catch (RuntimeException e) {
            // closed or being replaced: leave them out
        }
        return out;
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
