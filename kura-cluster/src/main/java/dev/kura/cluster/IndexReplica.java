package dev.kura.cluster;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;

/**
 * This node's member of one replicated index group: a division of the node's {@link RaftHost} (one Ratis
 * server, gRPC transport, for all its groups) whose state machine is an {@link IndexStateMachine} keeping
 * its RocksDB index and snapshots in the group's home ({@code index/}, {@code snapshots/}).
 *
 * <p>The first start formats the group's Raft storage; a later start (the storage holds the group)
 * recovers it — log, term and vote — as Raft requires of a restarted member. {@link #start} and
 * {@link #join} run a member on a server of its own (one group, everything under one home).
 */
public final class IndexReplica implements AutoCloseable {

    /** A member of the group: a stable id and the address its Raft server listens on. */
    public record Member(String id, InetSocketAddress address) {
        public Member {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(address, "address");
        }

        public RaftPeer peer() {
            return RaftPeer.newBuilder().setId(id).setAddress(address.getHostString() + ":" + address.getPort()).build();
        }
    }

    /**
     * Raft tuning. {@code snapshotEvery}: entries applied between automatic snapshots (0: only on
     * demand); {@code segmentSize}: the Raft log's segment size (the log is purged a closed segment at
     * a time, up to the snapshot); {@code purgeGap}: entries a snapshot must be ahead of the last purge;
     * {@code tls}: mutual TLS for the Raft traffic, servers and clients alike (null: plain gRPC).
     */
    public record Settings(Duration electionTimeoutMin, Duration electionTimeoutMax, Duration requestTimeout,
                           long snapshotEvery, long segmentSize, int purgeGap, ClusterTls tls) {
        public static final Settings DEFAULTS = new Settings(Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(5), 100_000, 8L << 20, 1024);

        public Settings(Duration electionTimeoutMin, Duration electionTimeoutMax, Duration requestTimeout,
                        long snapshotEvery, long segmentSize, int purgeGap) {
            this(electionTimeoutMin, electionTimeoutMax, requestTimeout, snapshotEvery, segmentSize, purgeGap, null);
        }

        /** These settings with the Raft traffic inside mutual TLS. */
        public Settings withTls(ClusterTls clusterTls) {
            return new Settings(electionTimeoutMin, electionTimeoutMax, requestTimeout, snapshotEvery, segmentSize,
                    purgeGap, clusterTls);
        }

        /** What Ratis takes besides properties: the TLS configuration of its servers and clients. */
        Parameters parameters() {
            Parameters p = new Parameters();
            if (tls != null) {
                GrpcConfigKeys.TLS.setConf(p, tls.raft());
            }
            return p;
        }

        RaftProperties properties() {
            RaftProperties p = new RaftProperties();
            // Ratis's gRPC, with the commit index pushed to followers at once (CommitPushRpc).
            RaftConfigKeys.Rpc.setType(p, new CommitPushRpc());
            RaftServerConfigKeys.Rpc.setTimeoutMin(p, millis(electionTimeoutMin));
            RaftServerConfigKeys.Rpc.setTimeoutMax(p, millis(electionTimeoutMax));
            // A group with no leader yet (a fresh start) need not wait a whole election timeout.
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMin(p, millis(electionTimeoutMin.dividedBy(4)));
            RaftServerConfigKeys.Rpc.setFirstElectionTimeoutMax(p, millis(electionTimeoutMin.dividedBy(2)));
            RaftServerConfigKeys.Rpc.setRequestTimeout(p, millis(requestTimeout));
            // Linearizable reads by the read index (ReplicatedIndex's read barrier); no leader lease.
            RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
            RaftServerConfigKeys.Read.setTimeout(p, millis(requestTimeout));
            RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, snapshotEvery > 0);
            if (snapshotEvery > 0) {
                RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, snapshotEvery);
            }
            // A snapshot is a checkpoint of the live index; nothing is gained by one at every stop.
            RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(p, false);
            RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
            RaftServerConfigKeys.Log.setPurgeGap(p, purgeGap);
            RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(segmentSize));
            RaftServerConfigKeys.Log.setPreallocatedSize(p, SizeInBytes.valueOf(Math.min(segmentSize, 4L << 20)));
            RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
            // Send each new entry to the followers at once (Ratis waits 10 ms between AppendEntries by
            // default, which every index write paid in full).
            RaftServerConfigKeys.Log.Appender.setWaitTimeMin(p, TimeDuration.ZERO);
            // Acknowledged means durable: an entry counts towards the commit only once fsync'd (the
            // defaults, stated here because the index's own applies are not synced and rely on it).
            RaftServerConfigKeys.Log.setUnsafeFlushEnabled(p, false);
            // No metadata entry after every commit: it was one more append per write, in flight when a
            // read index was asked, and made a follower's acknowledgement of the read miss the commit
            // (CommitPushRpc). A restarted member learns the commit index from the leader instead.
            RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
            RaftServerConfigKeys.Log.setAsyncFlushEnabled(p, false);
            return p;
        }

        private static TimeDuration millis(Duration d) {
            return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private final RaftHost host;
    private final RaftGroup group;
    private final RaftPeerId self;
    /** True for a member started alone ({@link #start}, {@link #join}): closing it stops its server. */
    private volatile boolean ownsHost;

    IndexReplica(RaftHost host, RaftGroup group, RaftPeerId self) {
        this.host = host;
        this.group = group;
        this.self = self;
    }

    /** The Raft group of these members; {@code groupId} names the group (the same on every member). */
    public static RaftGroup group(UUID groupId, List<Member> members) {
        return RaftGroup.valueOf(RaftGroupId.valueOf(groupId), members.stream().map(Member::peer).toList());
    }

    /**
     * Starts this node's member {@code selfId} of {@code group} on a server of its own, storing everything
     * under {@code home} ({@code index/}, {@code snapshots/}, {@code raft/}). {@code secret}: the cluster
     * secret (at least 32 bytes, the same on every member); commands are sealed with a key derived from it,
     * and a request or entry without a valid seal is refused ({@link CommandSeal}).
     */
    public static IndexReplica start(RaftGroup group, String selfId, Path home, Settings settings, byte[] secret)
            throws IOException {
        return start(group, selfId, home, settings, secret, 0);
    }

    /** As above; {@code testingWriterDiesAfter} > 0 makes the index writer die (tests of a failing replica). */
    static IndexReplica start(RaftGroup group, String selfId, Path home, Settings settings, byte[] secret,
                              long testingWriterDiesAfter) throws IOException {
        RaftHost host = alone(group, selfId, home, settings, secret, testingWriterDiesAfter);
        try {
            IndexReplica replica = host.open(group, group);
            replica.ownsHost = true;
            return replica;
        } catch (IOException | RuntimeException e) {
            host.close();
            throw e;
        }
    }

    /** A server hosting only {@code group}, with the group's home and Raft storage under {@code home}. */
    private static RaftHost alone(RaftGroup group, String selfId, Path home, Settings settings, byte[] secret,
                                  long testingWriterDiesAfter) throws IOException {
        RaftPeer me = group.getPeer(RaftPeerId.valueOf(selfId));
        if (me == null) {
            throw new IllegalArgumentException(selfId + " is not a member of " + group);
        }
        return RaftHost.start(member(me), home.resolve("raft"), Map.of(group.getGroupId(), home), settings, secret,
                testingWriterDiesAfter);
    }

    /**
     * Starts {@code self} as a new member of the running group {@code existing} (its id and some of its
     * members: enough to reach one) on a server of its own, storing everything under {@code home}; see
     * {@link #join(RaftHost, RaftGroup, Member, Duration)}.
     */
    public static IndexReplica join(RaftGroup existing, Member self, Path home, Settings settings, byte[] secret,
                                    Duration patience) throws IOException {
        RaftHost host = alone(withSelf(existing, self), self.id(), home, settings, secret, 0);
        try {
            IndexReplica replica = join(host, existing, self, patience);
            replica.ownsHost = true;
            return replica;
        } catch (IOException | RuntimeException e) {
            host.close();
            throw e;
        }
    }

    private static RaftGroup withSelf(RaftGroup existing, Member self) {
        List<RaftPeer> peers = new java.util.ArrayList<>(existing.getPeers());
        peers.removeIf(p -> p.getId().toString().equals(self.id()));
        peers.add(self.peer());
        return RaftGroup.valueOf(existing.getGroupId(), peers);
    }

    /**
     * Starts {@code self}'s member of the running group {@code existing} on {@code host}. The first time,
     * the member starts with no configuration (it cannot elect itself or vote) and asks the group to add
     * it; the leader brings it up to date (log or snapshot) before the new configuration is committed, and
     * this returns once it is. Later starts recover the member like any other: its log holds the
     * configuration. Returns the member with {@link #group()} = {@code existing} plus itself (where its
     * client looks for the leader; the leader's answers lead it on from there).
     */
    public static IndexReplica join(RaftHost host, RaftGroup existing, Member self, Duration patience)
            throws IOException {
        RaftGroup withSelf = withSelf(existing, self);
        RaftGroupId gid = existing.getGroupId();
        boolean fresh = !host.holds(gid);
        // Always started with no configuration of its own: a member's log holds the configurations it was
        // part of, so a restarted member knows it is one, and a member whose join was cut short knows it
        // is not (rather than believe the --join list) and asks again.
        IndexReplica replica;
        try {
            replica = host.open(withSelf, RaftGroup.valueOf(gid));
        } catch (IOException | RuntimeException e) {
            if (fresh) {
                host.remove(gid, true);
            }
            throw e;
        }
        if (replica.isMember()) {
            return replica;
        }
        try {
            requestAdd(existing, self, patience, host.settings());
        } catch (IOException | RuntimeException e) {
            // Forgotten only when nothing can depend on it: freshly made and never sent an entry. A member that
            // has entries may already count towards the group's majority (the add may have committed while
            // its answer was lost), so its state stays and the next start asks again.
            boolean forget = fresh && replica.logIsEmpty();
            host.remove(gid, forget);
            throw e instanceof IOException io ? io : new IOException("joining the cluster: " + e, e);
        }
        return replica;
    }

    /** Asks the group (through any of {@code existing}'s members) to add {@code self} to its configuration. */
    private static void requestAdd(RaftGroup existing, Member self, Duration patience, Settings settings)
            throws IOException {
        try (RaftClient client = adminClient(existing, patience, settings)) {
            RaftClientReply reply = client.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                    .setServersInNewConf(List.of(self.peer()))
                    .setMode(SetConfigurationRequest.Mode.ADD)
                    .build());
            if (!reply.isSuccess()) {
                throw new IOException("the cluster did not add " + self.id() + ": " + reply.getException());
            }
        }
    }

    /** A client for configuration changes of {@code group}: {@code patience} per attempt, five attempts 1 s apart. */
    private static RaftClient adminClient(RaftGroup group, Duration patience, Settings settings) {
        RaftProperties properties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties, TimeDuration.valueOf(patience.toMillis(), TimeUnit.MILLISECONDS));
        return RaftClient.newBuilder().setProperties(properties).setParameters(settings.parameters()).setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(5, TimeDuration.valueOf(1, TimeUnit.SECONDS)))
                .build();
    }

    private RaftServer.Division division() throws IOException {
        return host.division(group.getGroupId());
    }

    /** True while this member's Raft log holds no entry (it never received one). */
    boolean logIsEmpty() {
        try {
            return division().getRaftLog().getLastEntryTermIndex() == null;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Asks the group to drop member {@code id} from its configuration (the leader commits the change; the
     * member is then no longer asked for votes or sent entries, and its own reads fail). Refuses the
     * last member. Returns once the new configuration is committed.
     */
    public void removeMember(String id, Duration patience) throws IOException {
        List<Member> now = members();
        if (now.stream().noneMatch(m -> m.id().equals(id))) {
            throw new IllegalArgumentException(id + " is not a member");
        }
        List<Member> remaining = now.stream().filter(m -> !m.id().equals(id)).toList();
        if (remaining.isEmpty()) {
            throw new IllegalArgumentException("the last member cannot be removed");
        }
        try {
            changeMembers(group.getGroupId(), now, remaining, host.settings(), patience); // not over a change made meanwhile
        } catch (IOException | RuntimeException e) {
            // A first attempt may have committed with its answer lost, and the retry's compare-and-set then fails
            // against the new configuration: gone is gone.
            if (!awaitGone(id, Duration.ofSeconds(3))) {
                throw e;
            }
        }
        // Committed; this member applies the new configuration when it learns the commit (a follower a moment
        // later): the caller acts on the configuration this member sees.
        awaitGone(id, Duration.ofSeconds(10));
    }

    /**
     * Sets the members of group {@code gid} to {@code next}, provided they are {@code current} now (a
     * compare-and-set: a change made meanwhile fails this one), through the group's leader (found among
     * {@code current}); Ratis brings members new to the group up to date before the change commits. Returns
     * once it is committed; an IOException when it was refused or its outcome is unknown.
     */
    public static void changeMembers(RaftGroupId gid, List<Member> current, List<Member> next, Settings settings,
                                     Duration patience) throws IOException {
        if (next.isEmpty()) {
            throw new IllegalArgumentException("a group needs a member");
        }
        List<RaftPeer> now = current.stream().map(Member::peer).toList();
        try (RaftClient client = adminClient(RaftGroup.valueOf(gid, now), patience, settings)) {
            RaftClientReply reply = client.admin().setConfiguration(SetConfigurationRequest.Arguments.newBuilder()
                    .setServersInNewConf(next.stream().map(Member::peer).toList())
                    .setServersInCurrentConf(now)
                    .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                    .build());
            if (!reply.isSuccess()) {
                throw new IOException("the group did not change its members to " + next.stream().map(Member::id).toList()
                        + ": " + reply.getException(), reply.getException());
            }
        }
    }

    /**
     * Asks group {@code gid}'s leader {@code from} (one of {@code members}) to hand its leadership to member {@code to}:
     * it brings {@code to} up to date, has it start an election at once, and steps down. Returns once
     * {@code to} leads; an IOException when it did not within {@code patience} (the leader refuses writes
     * meanwhile: keep it short). One attempt.
     */
    public static void transferLeadership(RaftGroupId gid, List<Member> members, String from, String to,
                                          Settings settings, Duration patience) throws IOException {
        RaftProperties properties = new RaftProperties();
        RaftClientConfigKeys.Rpc.setRequestTimeout(properties,
                TimeDuration.valueOf(patience.toMillis() + 1_000, TimeUnit.MILLISECONDS));
        // One attempt: the leader refuses writes while it hands over, so a failed transfer is not repeated at once.
        try (RaftClient client = RaftClient.newBuilder().setProperties(properties).setParameters(settings.parameters())
                .setRaftGroup(RaftGroup.valueOf(gid, members.stream().map(Member::peer).toList()))
                .setRetryPolicy(RetryPolicies.noRetry()).build()) {
            // Sent to the leader itself: with one attempt, a request to another member would only be told who leads.
            RaftClientReply reply = client.admin().transferLeadership(RaftPeerId.valueOf(to), RaftPeerId.valueOf(from),
                    patience.toMillis());
            if (!reply.isSuccess()) {
                throw new IOException("the group did not hand its leadership to " + to + ": " + reply.getException(),
                        reply.getException());
            }
        }
    }

    /** Waits until this member's configuration no longer names {@code id}; false if it still does after {@code max}. */
    public boolean awaitGone(String id, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        while (members().stream().anyMatch(m -> m.id().equals(id))) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** True while this member is in the group's configuration (false once removed, or before it joined). */
    public boolean isMember() {
        return members().stream().anyMatch(m -> m.id().equals(self.toString()));
    }

    /** The group's members now (its committed configuration), as this member knows them. */
    public List<Member> members() {
        try {
            return division().getRaftConf().getCurrentPeers().stream().map(IndexReplica::member).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    static Member member(RaftPeer p) {
        String address = p.getAddress();
        int colon = address.lastIndexOf(':');
        return new Member(p.getId().toString(), new InetSocketAddress(address.substring(0, colon),
                Integer.parseInt(address.substring(colon + 1))));
    }

    public RaftGroup group() {
        return group;
    }

    public String id() {
        return self.toString();
    }

    RaftPeerId peerId() {
        return self;
    }

    /** What this member's clients give Ratis besides properties (TLS). */
    Parameters clientParameters() {
        return host.settings().parameters();
    }

    /** Seals the commands this member's clients send. */
    CommandSeal seal() {
        return host.seal();
    }

    /** This member's state machine: its local index, for reads after a barrier and for tests. */
    public IndexStateMachine stateMachine() {
        return host.machine(group.getGroupId());
    }

    /** True once the member is stopped (by its owner, or by itself after a failure). */
    public boolean isClosed() {
        if (host.isClosed()) {
            return true;
        }
        try {
            division();
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    public boolean isLeader() {
        try {
            return division().getInfo().isLeader();
        } catch (IOException e) {
            return false;
        }
    }

    /** The member this one believes leads now, or null when it knows of none. */
    public String leaderId() {
        try {
            RaftPeerId leader = division().getInfo().getLeaderId();
            return leader == null ? null : leader.toString();
        } catch (IOException e) {
            return null;
        }
    }

    /** The member's current Raft term (0 when it cannot say). */
    public long term() {
        try {
            return division().getInfo().getCurrentTerm();
        } catch (IOException e) {
            return 0;
        }
    }

    /** The index of the last entry this member has applied to its index (-1 when it cannot say). */
    public long appliedIndex() {
        try {
            return division().getInfo().getLastAppliedIndex();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The last log index this member knows to be committed (-1 when it cannot say). */
    public long commitIndex() {
        try {
            return division().getRaftLog().getLastCommittedIndex();
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * On the leader: for each other member, how many committed entries it has yet to learn (the leader's
     * commit index minus the member's, as the member last told it). Empty on a follower.
     */
    public Map<String, Long> followerLag() {
        try {
            var division = division();
            if (!division.getInfo().isLeader()) {
                return Map.of();
            }
            long committed = division.getRaftLog().getLastCommittedIndex();
            Map<String, Long> lag = new java.util.HashMap<>();
            for (var info : division.getCommitInfos()) {
                String id = RaftPeerId.valueOf(info.getServer().getId()).toString();
                if (!id.equals(self.toString())) {
                    lag.put(id, Math.max(0, committed - info.getCommitIndex()));
                }
            }
            return lag;
        } catch (IOException e) {
            return Map.of();
        }
    }

    /** True while the member runs and knows of a leader (itself or another). */
    public boolean isHealthy() {
        try {
            var division = division();
            return !stateMachine().hasFailed() && division.getInfo().isAlive() && division.getInfo().getLeaderId() != null
                    && isMember();
        } catch (IOException | IllegalStateException e) {
            return false;
        }
    }

    /** The first index still in this member's Raft log (above 0 once the log was purged after a snapshot). */
    public long logStartIndex() throws IOException {
        return division().getRaftLog().getStartIndex();
    }

    /**
     * Stops this member: the whole server when it was started alone, else only its group on the node's
     * server (applies handed over are finished first).
     */
    @Override
    public void close() throws IOException {
        if (ownsHost) {
            host.close();
        } else if (!host.isClosed()) {
            host.remove(group.getGroupId(), false);
        }
    }
}
