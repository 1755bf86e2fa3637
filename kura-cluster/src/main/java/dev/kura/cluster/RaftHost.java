package dev.kura.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;

/**
 * The one Ratis server of a node, hosting every Raft group the node is a member of (its divisions): one
 * gRPC port, one Raft storage directory ({@code raftDir/<group id>/}), and one {@link IndexStateMachine}
 * per group with a home of its own ({@code index/}, {@code snapshots/}) given by the caller.
 *
 * <p>At start the server recovers every group found in its storage; {@link #open} adds one that is not
 * there yet (formatted with the given members, or with none for a member about to join). A group whose
 * state machine fails is removed from the server (its storage kept): the others go on.
 */
public final class RaftHost implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RaftHost.class.getName());

    private final RaftServer server;
    private final RaftPeerId self;
    private final IndexReplica.Settings settings;
    private final CommandSeal seal;
    private final Path raftDir;
    /** Each group's home, fixed before the server starts (the registry needs it when it recovers a group). */
    private final Map<RaftGroupId, Path> homes;
    private final Map<RaftGroupId, IndexStateMachine> machines;
    private final ClientId managementClient = ClientId.randomId();
    private final AtomicLong managementCalls = new AtomicLong();

    private RaftHost(RaftServer server, RaftPeerId self, IndexReplica.Settings settings, CommandSeal seal, Path raftDir,
                     Map<RaftGroupId, Path> homes, Map<RaftGroupId, IndexStateMachine> machines) {
        this.machines = machines;
        this.server = server;
        this.self = self;
        this.settings = settings;
        this.seal = seal;
        this.raftDir = raftDir;
        this.homes = homes;
    }

    /**
     * Starts the server of member {@code self} (listening on its address), recovering the groups of
     * {@code homes} found in {@code raftDir}. {@code homes}: the home of every group this node may host.
     */
    public static RaftHost start(IndexReplica.Member self, Path raftDir, Map<RaftGroupId, Path> homes,
                                 IndexReplica.Settings settings, byte[] secret) throws IOException {
        return start(self, raftDir, homes, settings, secret, 0);
    }

    /** As above; {@code testingWriterDiesAfter} > 0 makes every index writer die (tests of a failing replica). */
    static RaftHost start(IndexReplica.Member self, Path raftDir, Map<RaftGroupId, Path> homes,
                          IndexReplica.Settings settings, byte[] secret, long testingWriterDiesAfter) throws IOException {
        CommandSeal seal = new CommandSeal(secret);
        for (Map.Entry<RaftGroupId, Path> e : homes.entrySet()) {
            if (Files.exists(e.getValue().resolve(FORGETTING))) {
                deleteState(raftDir, e.getKey(), e.getValue()); // a deletion cut short: finished first
            }
        }
        for (Map.Entry<RaftGroupId, Path> e : homes.entrySet()) {
            Path home = e.getValue();
            if (!Files.isDirectory(raftDir.resolve(e.getKey().getUuid().toString()))
                    && (Files.exists(home.resolve("index")) || Files.exists(home.resolve("snapshots")))) {
                // A fresh Raft log numbers its entries from the start again, and the index would skip every one
                // up to the position it recorded in its earlier life: refuse rather than diverge silently.
                throw new IOException("the member's Raft storage is missing but its index is present in " + home
                        + "; remove the whole directory to rejoin empty (it then catches up from the others)");
            }
        }
        Files.createDirectories(raftDir);
        RaftProperties properties = settings.properties();
        RaftServerConfigKeys.setStorageDir(properties, List.of(raftDir.toFile()));
        GrpcConfigKeys.Server.setHost(properties, self.address().getHostString());
        GrpcConfigKeys.Server.setPort(properties, self.address().getPort());
        RaftPeerId id = RaftPeerId.valueOf(self.id());
        java.util.concurrent.atomic.AtomicReference<RaftHost> host = new java.util.concurrent.atomic.AtomicReference<>();
        Map<RaftGroupId, Path> fixed = Map.copyOf(homes);
        // Filled by the registry, which Ratis calls while it builds the server (for the groups it recovers).
        Map<RaftGroupId, IndexStateMachine> machines = new ConcurrentHashMap<>();
        RaftServer server = RaftServer.newBuilder()
                .setServerId(id)
                .setProperties(properties)
                .setParameters(settings.parameters())
                .setStateMachineRegistry(gid -> {
                    Path home = fixed.get(gid);
                    if (home == null) {
                        throw new IllegalArgumentException("group " + gid + " is not one this node hosts");
                    }
                    IndexStateMachine machine = new IndexStateMachine(home, seal, failure -> {
                        RaftHost h = host.get();
                        if (h != null) {
                            h.dropLater(gid);
                        }
                    }, testingWriterDiesAfter);
                    machines.put(gid, machine);
                    return machine;
                })
                .setOption(RaftStorage.StartupOption.RECOVER)
                .build();
        RaftHost started = new RaftHost(server, id, settings, seal, raftDir, fixed, machines);
        host.set(started);
        try {
            server.start();
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        return started;
    }

    /** True when this node's Raft storage holds {@code group} from an earlier start (running or not). */
    public boolean holds(RaftGroupId group) {
        return Files.isDirectory(raftDir.resolve(group.getUuid().toString()));
    }

    /**
     * Starts this node's member of {@code gid} again from the Raft storage it holds (after it stopped without
     * the group removing it), or, holding none, as a new member with no configuration of its own, which the
     * group's leader brings up to date: for a node the group has as a member but that runs no replica of it.
     */
    public void reopen(RaftGroupId gid) throws IOException {
        if (hasDivision(gid)) {
            return;
        }
        boolean recover = holds(gid);
        RaftClientReply reply = server.groupManagement(GroupManagementRequest.newAdd(managementClient, self,
                managementCalls.incrementAndGet(), RaftGroup.valueOf(gid), !recover));
        if (!reply.isSuccess()) {
            throw new IOException("could not start group " + gid + " again: " + reply.getException(), reply.getException());
        }
    }

    /**
     * This node's member of {@code group}: recovered at start when the storage held it, else added now,
     * formatted with {@code initial} ({@code group} itself to bootstrap, or no members to join).
     */
    public IndexReplica open(RaftGroup group, RaftGroup initial) throws IOException {
        RaftGroupId gid = group.getGroupId();
        if (!homes.containsKey(gid)) {
            throw new IllegalArgumentException("group " + gid + " is not one this node hosts");
        }
        if (!hasDivision(gid)) {
            if (holds(gid)) {
                throw new IOException("the Raft storage of group " + gid + " is in " + raftDir
                        + " but the server could not recover it (see the log above)");
            }
            RaftClientReply reply = server.groupManagement(GroupManagementRequest.newAdd(managementClient, self,
                    managementCalls.incrementAndGet(), initial, true));
            if (!reply.isSuccess()) {
                throw new IOException("could not start group " + gid + ": " + reply.getException(), reply.getException());
            }
        }
        return new IndexReplica(this, group, self);
    }

    /** True while this node runs a member (a division) of {@code gid}, current or stale. */
    public boolean hosts(RaftGroupId gid) {
        return hasDivision(gid);
    }

    /**
     * This node's running member of {@code group} (recovered at start or added since); its client looks for
     * the leader among {@code group}'s members.
     */
    public IndexReplica replica(RaftGroup group) {
        if (!hasDivision(group.getGroupId())) {
            throw new IllegalStateException("group " + group.getGroupId() + " is not running on this node");
        }
        return new IndexReplica(this, group, self);
    }

    /**
     * Stops this node's member of {@code gid} and deletes its state (Raft storage, index, snapshots): for a
     * member the group no longer has. Its next member of the group, if any, starts empty and catches up.
     */
    public void forget(RaftGroupId gid) throws IOException {
        remove(gid, true);
    }

    /**
     * The group as its leader sees it now, asked of {@code candidates} (members or former members, the
     * likeliest leader first) until one answers as leader; empty when none does within {@code timeout} each.
     * A deposed leader that has not heard of its successor may answer: callers that act on the answer
     * compare its term with their own, or act by compare-and-set.
     */
    public java.util.Optional<GroupView> leaderView(RaftGroupId gid, java.util.Collection<IndexReplica.Member> candidates,
                                                    java.time.Duration timeout) {
        if (candidates.isEmpty()) {
            return java.util.Optional.empty();
        }
        RaftProperties properties = new RaftProperties();
        org.apache.ratis.client.RaftClientConfigKeys.Rpc.setRequestTimeout(properties,
                org.apache.ratis.util.TimeDuration.valueOf(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
        RaftGroup all = RaftGroup.valueOf(gid, candidates.stream().map(IndexReplica.Member::peer).distinct().toList());
        GroupView best = null;
        try (org.apache.ratis.client.RaftClient client = org.apache.ratis.client.RaftClient.newBuilder()
                .setProperties(properties).setParameters(settings.parameters()).setRaftGroup(all)
                .setRetryPolicy(org.apache.ratis.retry.RetryPolicies.noRetry()).build()) {
            for (var peer : all.getPeers()) {
                try {
                    var info = client.getGroupManagementApi(peer.getId()).info(gid);
                    if (!info.isSuccess()
                            || info.getRoleInfoProto().getRole() != org.apache.ratis.proto.RaftProtos.RaftPeerRole.LEADER) {
                        continue;
                    }
                    // The group of the leader's configuration (mid-change: of the old one and the new together;
                    // the reply carries no configuration of its own over gRPC in Ratis 3.2).
                    List<IndexReplica.Member> members = info.getGroup().getPeers().stream().map(IndexReplica::member)
                            .toList();
                    best = new GroupView(peer.getId().toString(), info.getRoleInfoProto().getLeaderInfo().getTerm(),
                            members);
                    break; // the first to answer as leader (asked first: the leader last known)
                } catch (IOException | RuntimeException e) {
                    // not a member, not up, not the leader: ask the next
                }
            }
        } catch (IOException e) {
            // closing the client
        }
        return java.util.Optional.ofNullable(best);
    }

    /**
     * A Raft group as its leader saw it: the leader's member id, its term, and the members of its latest
     * configuration (while a change is under way, those of the configuration before and after together).
     */
    public record GroupView(String leader, long term, List<IndexReplica.Member> members) {
        public GroupView {
            members = List.copyOf(members);
        }

        /** True when {@code id} is a member. */
        public boolean includes(String id) {
            return members.stream().anyMatch(m -> m.id().equals(id));
        }

        public java.util.Set<String> memberIds() {
            java.util.Set<String> ids = new java.util.LinkedHashSet<>();
            members.forEach(m -> ids.add(m.id()));
            return ids;
        }
    }

    private boolean hasDivision(RaftGroupId gid) {
        try {
            server.getDivision(gid);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Stops this node's member of {@code gid} (its storage kept, or deleted with {@code forget}: a member that
     * never joined, whose next start must be a first start again).
     */
    void remove(RaftGroupId gid, boolean forget) throws IOException {
        if (hasDivision(gid)) {
            RaftClientReply reply = server.groupManagement(GroupManagementRequest.newRemove(managementClient, self,
                    managementCalls.incrementAndGet(), gid, false, false));
            if (!reply.isSuccess() && hasDivision(gid)) {
                throw new IOException("could not stop group " + gid + ": " + reply.getException(), reply.getException());
            }
        }
        machines.remove(gid);
        if (forget) {
            deleteState(raftDir, gid, homes.get(gid));
        }
    }

    private static final String FORGETTING = "forgetting";

    /**
     * Deletes a member's Raft storage and index. A marker written first makes a deletion cut short (a crash,
     * a stop) finish at the next start, rather than leave an index without its Raft storage.
     */
    private static void deleteState(Path raftDir, RaftGroupId gid, Path home) throws IOException {
        Files.createDirectories(home);
        Path marker = home.resolve(FORGETTING);
        if (!Files.exists(marker)) {
            Files.writeString(marker, "deleting this member's state\n");
            CheckpointSnapshots.syncDirectory(home);
        }
        for (Path p : List.of(raftDir.resolve(gid.getUuid().toString()), home.resolve("index"),
                home.resolve("snapshots"), home.resolve("snapshot-tmp"))) {
            deleteTree(p);
        }
        Files.delete(marker);
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.exists(p)) {
            try (var walk = Files.walk(p)) {
                for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
    }

    /**
     * A member whose index failed stops taking part (no votes, no reads, no applies): the others go on
     * without it, and it is rebuilt by restarting the node (from a snapshot when its index is unusable).
     * Removed from a thread of its own, since the failure is reported on the index's writer thread, which
     * closing the state machine waits for.
     */
    private void dropLater(RaftGroupId gid) {
        Thread.ofPlatform().name("kura-replica-stop").daemon(true).start(() -> {
            try {
                remove(gid, false);
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "stopping the failed member of " + gid, e);
            }
        });
    }

    RaftServer.Division division(RaftGroupId gid) throws IOException {
        return server.getDivision(gid);
    }

    IndexStateMachine machine(RaftGroupId gid) {
        IndexStateMachine m = machines.get(gid);
        if (m == null) {
            throw new IllegalStateException("group " + gid + " is not running on this node");
        }
        return m;
    }

    IndexReplica.Settings settings() {
        return settings;
    }

    CommandSeal seal() {
        return seal;
    }

    /** True once the server is closed. */
    boolean isClosed() {
        return server.getLifeCycleState() == org.apache.ratis.util.LifeCycle.State.CLOSED;
    }

    /** Stops the server and every group's index (applies handed over are finished first). */
    @Override
    public void close() throws IOException {
        server.close();
    }
}
