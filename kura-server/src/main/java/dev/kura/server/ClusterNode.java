package dev.kura.server;

import dev.kura.cluster.GroupedIndex;
import dev.kura.cluster.IndexReplica;
import dev.kura.cluster.RaftHost;
import dev.kura.cluster.ReplicatedIndex;
import dev.kura.cluster.shards.RemoteDrive;
import dev.kura.cluster.shards.ShardServer;
import dev.kura.cluster.shards.ShardTraffic;
import dev.kura.index.ObjectIndex;
import dev.kura.storage.ShardDrive;
import dev.kura.storage.drives.DriveSet;
import dev.kura.storage.local.LocalBlobStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part of a cluster: its members of the replicated index's Raft groups — the metadata group
 * (users; its configuration is the cluster's membership) and {@link #INDEX_GROUPS} data groups, each
 * holding whole buckets ({@link GroupedIndex} routes; each group is a {@link ReplicatedIndex}: writes go
 * to its leader through Ratis, reads pass its read index), all divisions of one Ratis server
 * ({@link RaftHost}) — its drives served to the other nodes ({@link ShardServer}, the cluster address's
 * next port), and the other nodes' drives, learned from them and placed into this node's {@link DriveSet}.
 *
 * <p>The members are the metadata group's configuration: the initial ones ({@code --bootstrap}) and any
 * added since (a node started without {@code --bootstrap} and without state joins the cluster at
 * {@code --join}); every data group has the same members (a join or removal changes every group).
 * Members are named by their cluster address ({@code HOST_PORT}), so every node, given the same
 * addresses, forms the same groups; the group ids are derived from the cluster secret, so nodes of two
 * clusters never join one group. Peer drives are asked every few seconds until every peer has answered,
 * then every 30 s, and remembered in {@code <data>/cluster/peer-drives.properties}, so a node started
 * while a peer is down still places its shards' slots on that peer's drives (as offline).
 */
final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
    static final String DIR = "cluster";
    private static final String PEER_DRIVES = "peer-drives.properties";
    private static final String REMOVED = "removed";
    private static final String FORMED = "formed";
    /** Data groups of the index: a bucket lives in the one its name hashes to ({@link GroupedIndex}). */
    static final int INDEX_GROUPS = 3;
    static final String META = "meta";

    private final ServerConfig.ClusterConfig config;
    private final Path home;
    private final RaftHost host;
    /** This node's member of the metadata group: its configuration is the cluster's membership. */
    private final IndexReplica replica;
    /** Every group's index as this node reaches it, by group name (the metadata group's first). */
    private final Map<String, ReplicatedIndex> groupIndexes;
    /** Where the data groups' replicas are, and moving them where they belong. */
    private final DataGroups dataGroups;
    private final GroupedIndex index;
    private volatile io.micrometer.core.instrument.MeterRegistry registry;
    /** Peers whose reachability gauge is registered. */
    private final Map<InetSocketAddress, List<io.micrometer.core.instrument.Meter>> gauged =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** A drive of another node: where that node is, and the drive as this node reaches it. */
    private record PeerDrive(InetSocketAddress peer, RemoteDrive drive) {
    }

    /** The other nodes' drives by drive id; guarded by itself. */
    private final Map<String, PeerDrive> remote = new LinkedHashMap<>();
    private final Map<InetSocketAddress, Boolean> answered = new java.util.concurrent.ConcurrentHashMap<>();
    /** What each peer said of itself at its last answer. */
    private final Map<InetSocketAddress, RemoteDrive.Listing> listings = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile List<String> s3Endpoints = List.of();
    private final ScheduledExecutorService discovery = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("kura-cluster-discovery").factory());
    private final ScheduledExecutorService placement = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("kura-cluster-placement").factory());
    private volatile ShardServer shards;
    private volatile DriveSet drives;

    private ClusterNode(ServerConfig.ClusterConfig config, Path home, RaftHost host, IndexReplica replica,
                        Map<String, ReplicatedIndex> groupIndexes, DataGroups dataGroups) {
        this.config = config;
        this.home = home;
        this.host = host;
        this.replica = replica;
        this.groupIndexes = groupIndexes;
        this.dataGroups = dataGroups;
        List<ReplicatedIndex> data = groupIndexes.entrySet().stream().filter(e -> !e.getKey().equals(META))
                .map(Map.Entry::getValue).toList();
        this.index = new GroupedIndex(groupIndexes.get(META), List.copyOf(data));
    }

    /** The other members' cluster addresses, from the group's configuration now (it changes as nodes join). */
    private List<InetSocketAddress> peers() {
        List<InetSocketAddress> out = new ArrayList<>();
        for (IndexReplica.Member m : replica.members()) {
            if (!m.id().equals(memberId(config.address()))) {
                out.add(m.address());
            }
        }
        return out.isEmpty() ? config.join() : out;
    }

    /** The Raft member id of the node whose cluster address is {@code a}. */
    static String memberId(InetSocketAddress a) {
        return a.getAddress().getHostAddress().replace(':', '_') + "_" + a.getPort();
    }

    /** The names of the cluster's Raft groups: the metadata group, then the data groups. */
    static List<String> groupNames() {
        List<String> names = new ArrayList<>();
        names.add(META);
        for (int i = 0; i < INDEX_GROUPS; i++) {
            names.add("index-" + i);
        }
        return names;
    }

    /** The group {@code name} of these members: the same on every node given the same addresses and secret. */
    static RaftGroup group(ServerConfig.ClusterConfig c, String name) {
        List<IndexReplica.Member> members = new ArrayList<>();
        members.add(new IndexReplica.Member(memberId(c.address()), c.address()));
        for (InetSocketAddress a : c.join()) {
            members.add(new IndexReplica.Member(memberId(a), a));
        }
        byte[] seed = ("kura group " + name + "\0" + new String(c.secret(), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        return IndexReplica.group(UUID.nameUUIDFromBytes(seed), members);
    }

    /**
     * Starts this node's index member: the first time, with {@code --bootstrap}, formatting the group of
     * the initial members; without it, joining the running cluster at {@code --join} (the group adds it
     * once it has caught up). Later starts recover the member's own state.
     */
    static ClusterNode start(ServerConfig.ClusterConfig config, Path dataDir) throws IOException {
        Path home = dataDir.resolve(DIR);
        if (Files.exists(home.resolve(REMOVED))) {
            throw new IllegalArgumentException("this node was removed from its cluster (kura admin node remove; "
                    + home.resolve(REMOVED) + "); to add it again, start it with an empty --data");
        }
        if (Files.exists(home.resolve("index"))) {
            throw new IllegalArgumentException(home + " holds a cluster index made by an earlier Kura (the whole index "
                    + "in one Raft group); this version splits it into groups and cannot take it over: use another --data");
        }
        Map<String, RaftGroup> groups = new LinkedHashMap<>();
        Map<org.apache.ratis.protocol.RaftGroupId, Path> homes = new LinkedHashMap<>();
        for (String name : groupNames()) {
            RaftGroup g = group(config, name);
            groups.put(name, g);
            homes.put(g.getGroupId(), home.resolve("groups").resolve(name));
        }
        Path raftDir = home.resolve("raft");
        if (Files.isDirectory(raftDir)) {
            try (var entries = Files.list(raftDir)) {
                java.util.Set<String> ours = new java.util.HashSet<>();
                homes.keySet().forEach(id -> ours.add(id.getUuid().toString()));
                if (entries.anyMatch(e -> !ours.contains(e.getFileName().toString()))) {
                    throw new IllegalArgumentException(home + " holds another cluster's state (a different secret "
                            + "or member list); use another --data directory");
                }
            }
        }
        Files.createDirectories(home);
        if (config.tls() != null) {
            LOG.info("cluster: Raft and shard traffic inside mutual TLS, this node as {}", config.tls().subject());
        } else {
            LOG.warn("cluster: no --cluster-cert/--cluster-key/--cluster-ca: traffic between nodes is not encrypted and "
                    + "Raft's own messages are not authenticated; keep the cluster ports reachable by the nodes only");
        }
        IndexReplica.Member self = new IndexReplica.Member(memberId(config.address()), config.address());
        // Until the first start has formed every group this node bootstraps (the marker), a start is a first start.
        boolean firstStart = !Files.exists(home.resolve(FORMED));
        RaftHost host = RaftHost.start(self, raftDir, homes, raftSettings(config), config.secret());
        IndexReplica meta;
        Map<String, ReplicatedIndex> indexes = new LinkedHashMap<>();
        Map<String, RaftGroup> data = new LinkedHashMap<>(groups);
        data.remove(META);
        try {
            // Without --bootstrap a node always starts as a joiner: a member's own log says it is one; a node with
            // no state, or whose join was cut short, asks the metadata group to add it. The data groups place
            // their replicas on members themselves (DataGroups).
            RaftGroup metaGroup = groups.get(META);
            if (config.bootstrap()) {
                meta = host.open(metaGroup, metaGroup);
            } else {
                LOG.info("cluster: starting as a member of the cluster at {} (asking to be added if not one yet)",
                        config.join());
                List<RaftPeer> existing = metaGroup.getPeers().stream()
                        .filter(p -> !p.getId().toString().equals(self.id())).toList();
                try {
                    meta = IndexReplica.join(host, RaftGroup.valueOf(metaGroup.getGroupId(), existing), self,
                            Duration.ofSeconds(60));
                } catch (IOException e) {
                    throw new IOException("could not join a cluster at " + config.join() + " (" + e.getMessage()
                            + "); to form a new cluster, start its initial members with --bootstrap", e);
                }
                LOG.info("cluster: joined; members now {}", meta.members().stream().map(IndexReplica.Member::id).toList());
            }
            // An S3 request waits at most about 10 s for a group (a node cut off from the majority then answers 503).
            indexes.put(META, new ReplicatedIndex(meta, Duration.ofSeconds(2), 4));
            List<IndexReplica.Member> members = meta.members();
            for (Map.Entry<String, RaftGroup> g : data.entrySet()) {
                RaftGroup group = g.getValue();
                // The initial members form every data group once, at the cluster's first start; DataGroups then
                // moves each to the replicas its placement names. Later starts recover what this node held.
                IndexReplica local = null;
                if (config.bootstrap() && firstStart) {
                    local = host.open(group, group);
                } else if (host.hosts(group.getGroupId())) {
                    local = host.replica(group);
                }
                List<IndexReplica.Member> at = local != null && !local.members().isEmpty() ? local.members() : members;
                ReplicatedIndex index = ReplicatedIndex.remote(RaftGroup.valueOf(group.getGroupId(),
                        at.stream().map(IndexReplica.Member::peer).toList()), config.secret(), raftSettings(config),
                        Duration.ofSeconds(2), 4);
                index.retarget(at, local != null && local.isMember() ? local : null);
                indexes.put(g.getKey(), index);
            }
        } catch (IOException | RuntimeException e) {
            for (ReplicatedIndex i : indexes.values()) {
                try {
                    i.close();
                } catch (RuntimeException closing) {
                    e.addSuppressed(closing);
                }
            }
            host.close();
            throw e;
        }
        DataGroups placed = new DataGroups(host, self, raftSettings(config), data, indexes);
        ClusterNode node = new ClusterNode(config, home, host, meta, indexes, placed);
        placed.locate(meta.members());
        if (firstStart) {
            Files.writeString(home.resolve(FORMED), "this node's groups were formed at " + java.time.Instant.now() + "\n");
        }
        node.awaitMajority();
        return node;
    }

    /**
     * Waits (as long as it takes, saying so every 10 s) until the index answers a linearizable read: a
     * majority of the members is up and has a leader. The server starts nothing before, since it reads
     * the index as it starts (users, buckets).
     */
    private void awaitMajority() {
        long started = System.nanoTime();
        long said = started;
        while (true) {
            try {
                if (replica.isHealthy()) {
                    index.users();
                    index.buckets();
                    return;
                }
            } catch (dev.kura.index.IndexUnavailableException e) {
                // no leader confirmed yet, or a data group not found where this node looked: look again
                dataGroups.locate(replica.members());
            }
            if (System.nanoTime() - said > TimeUnit.SECONDS.toNanos(10)) {
                said = System.nanoTime();
                LOG.info("cluster: waiting for a majority of the {} members in every group ({} s so far; the others: {}; "
                                + "groups with a known leader: {})", config.members(),
                        TimeUnit.NANOSECONDS.toSeconds(said - started), config.join(),
                        groupIndexes.entrySet().stream().filter(e -> e.getKey().equals(META) ? replica.isHealthy()
                                : dataGroups.view(e.getKey()).isPresent()).map(Map.Entry::getKey).toList());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the cluster", e);
            }
        }
    }

    /** Members of the index group now (this node included). */
    int memberCount() {
        return Math.max(1, replica.members().size());
    }

    /** The layout the first other member to answer writes with ({@code K+M}), or null when none says. */
    String peerLayout() {
        for (InetSocketAddress peer : peers()) {
            try {
                String l = listing(peer).layout();
                if (!l.isEmpty()) {
                    return l;
                }
            } catch (IOException | RuntimeException e) {
                // not up (yet): ask the next
            }
        }
        return null;
    }

    ObjectIndex index() {
        return index;
    }

    /**
     * True while this node's member leads the metadata group: it alone runs the cluster-wide background work
     * (which reaches every data group through the index, whichever node leads it).
     */
    boolean leads() {
        return replica.isLeader();
    }

    /**
     * Serves this node's online drives to the peers and starts learning theirs into {@code set}
     * (remembered ones first, so the store knows every shard slot from the start).
     */
    void attach(DriveSet set) throws IOException {
        this.drives = set;
        shards = ShardServer.start(config.node(), config.secret(), () -> {
            Map<String, LocalBlobStore> byId = new LinkedHashMap<>();
            for (LocalBlobStore d : set.online()) {
                byId.put(d.driveId(), d);
            }
            return byId;
        }, ServerConfig.ClusterConfig.shardAddress(config.address()),
                config.tls() != null ? config.tls().shardServerSockets() : ServerSocketFactory.getDefault());
        shards.describe(config.zone(), s3Endpoints, set.layout().toString());
        synchronized (remote) {
            loadKnown();
            if (!remote.isEmpty()) {
                set.peerDrives(peerDrives());
            }
        }
        refreshRetired(); // remembered drives of a node removed meanwhile are never written
        discovery.execute(this::discoverLoop);
        placement.schedule(this::placeLoop, 1, TimeUnit.SECONDS);
    }

    /**
     * Every 2 s: asks the members not yet fully known (new ones, ones that have not answered with their S3
     * endpoints) for their drives, and every member every 30 s. A node that joins is known to the others
     * within seconds, before they meet its drives in a location.
     */
    private void discoverLoop() {
        long now = System.nanoTime();
        boolean everyone = now - lastFullDiscovery > TimeUnit.SECONDS.toNanos(30);
        if (everyone) {
            lastFullDiscovery = now;
        }
        refreshRetired(); // first: a round of discovery may wait seconds on a peer that does not answer
        if (config.tls() != null && now - lastTlsCheck > TimeUnit.SECONDS.toNanos(10)) {
            lastTlsCheck = now;
            reloadTls();
        }
        discoverOnce(everyone);
        if (!discovery.isShutdown()) {
            discovery.schedule(this::discoverLoop, 2, TimeUnit.SECONDS);
        }
    }

    private long lastFullDiscovery = System.nanoTime() - TimeUnit.MINUTES.toNanos(1);
    private long lastTlsCheck = System.nanoTime();

    /**
     * Reads the TLS files again when they changed (a renewed certificate, a CA added to the trusted file):
     * new connections use them, open ones keep theirs; files that fail the checks are refused and said.
     */
    private void reloadTls() {
        try {
            if (config.tls().reloadIfChanged()) {
                LOG.info("cluster: the TLS files changed; new connections between nodes use them (this node as {})",
                        config.tls().subject());
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn("cluster: the TLS files changed but cannot be used ({}); the node keeps the ones it has",
                    e.getMessage());
        }
    }
    /** Peers that answered with their drives and S3 endpoints (asked again only in the 30 s round). */
    private final java.util.Set<InetSocketAddress> known = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Asks every peer ({@code everyone}) or those not fully known yet for its drives; true when all are known. */
    boolean discoverOnce(boolean everyone) {
        boolean all = true;
        boolean changed = false;
        List<InetSocketAddress> members = peers();
        ungaugeFormer(members);
        for (InetSocketAddress peer : members) {
            gauge(peer);
            if (!everyone && known.contains(peer)) {
                continue;
            }
            List<RemoteDrive.Listed> listed;
            try {
                RemoteDrive.Listing listing = listing(peer);
                listings.put(peer, listing);
                listed = listing.drives();
                answered.put(peer, true);
                if (listing.s3Endpoints().isEmpty()) {
                    known.remove(peer); // still starting: ask again soon for its endpoints
                    all = false;
                } else {
                    known.add(peer);
                }
            } catch (IOException | RuntimeException e) {
                answered.put(peer, false);
                known.remove(peer);
                all = false;
                continue;
            }
            synchronized (remote) {
                for (RemoteDrive.Listed d : listed) {
                    if (!remote.containsKey(d.driveId())) {
                        remote.put(d.driveId(), peerDrive(peer, d.driveId(), d.zone()));
                        changed = true;
                        LOG.info("cluster: drive {} (zone {}) of the node at {} is in use", d.driveId(), d.zone(), peer);
                    }
                }
            }
        }
        if (changed) {
            List<ShardDrive> now;
            synchronized (remote) {
                now = peerDrives();
                saveKnown();
            }
            drives.peerDrives(now);
        }
        return all;
    }

    private PeerDrive peerDrive(InetSocketAddress peer, String driveId, String zone) {
        return new PeerDrive(peer, new RemoteDrive(config.node(), config.secret(),
                ServerConfig.ClusterConfig.shardAddress(peer), driveId, zone, shardSockets()));
    }

    /** Under the lock of {@code remote}. */
    private List<ShardDrive> peerDrives() {
        return remote.values().stream().map(d -> (ShardDrive) d.drive()).toList();
    }

    /** The drives remembered from earlier discoveries ({@code drive id = HOST:PORT zone}); under the lock of {@code remote}. */
    private void loadKnown() {
        Path file = home.resolve(PEER_DRIVES);
        if (!Files.exists(file)) {
            return;
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("cannot read {} ({}); the peers' drives are asked again", file, e.toString());
            return;
        }
        for (String id : p.stringPropertyNames()) {
            String[] v = p.getProperty(id).split(" ", 2);
            try {
                if (v.length == 2) {
                    remote.put(id, peerDrive(ServerCommand.parseOne(v[0]), id, v[1]));
                }
            } catch (RuntimeException e) {
                LOG.warn("{}: ignoring drive {} ({})", file, id, e.toString());
            }
        }
    }

    /** Under the lock of {@code remote}. */
    private void saveKnown() {
        Properties p = new Properties();
        for (PeerDrive d : remote.values()) {
            p.setProperty(d.drive().driveId(), hostPort(d.peer()) + " " + d.drive().zone());
        }
        Path file = home.resolve(PEER_DRIVES);
        Path tmp = home.resolve(PEER_DRIVES + ".tmp");
        try {
            try (var out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(out, "Drives of the other nodes: drive id = node cluster address, zone");
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("cannot save {}: {}", file, e.toString());
        }
    }

    /**
     * Marks leaving the drives of nodes no longer members (and this node's own once it is not one): they
     * are read, never written, and repairs move their shards to the members' drives.
     */
    void refreshRetired() {
        DriveSet set = drives;
        if (set == null) {
            return;
        }
        java.util.Set<String> members = new java.util.HashSet<>();
        replica.members().forEach(m -> members.add(m.id()));
        if (members.isEmpty()) {
            return; // the configuration cannot be read now: leave things as they are
        }
        // By member id (the address a member was named by), never by a fresh lookup: a name that does not
        // resolve now must not retire a member's drives.
        java.util.Set<String> retired = new java.util.HashSet<>();
        synchronized (remote) {
            for (PeerDrive d : remote.values()) {
                String id = d.peer().isUnresolved() ? null : memberId(d.peer());
                if (id != null && !members.contains(id)) {
                    retired.add(d.drive().driveId());
                }
            }
        }
        if (!members.contains(memberId(config.address()))) {
            markRemoved();
            for (var d : set.drives()) {
                if (d.store() != null) {
                    retired.add(d.store().driveId());
                }
            }
        }
        if (!retired.equals(set.retired())) {
            LOG.info("cluster: drives leaving (their node is not a member): {}", retired);
            set.retire(retired);
        }
    }

    /**
     * Remembers that this node was removed from the cluster ({@code <data>/cluster/removed}): a later start
     * refuses rather than ask to be added again, which would silently undo the removal.
     */
    private void markRemoved() {
        Path marker = home.resolve(REMOVED);
        if (Files.exists(marker)) {
            return;
        }
        try {
            Files.writeString(marker, "removed from the cluster at " + java.time.Instant.now() + "\n");
            LOG.warn("cluster: this node was removed from the cluster; it serves nothing (stop it)");
        } catch (IOException e) {
            LOG.warn("cannot write {}: {}", marker, e.toString());
        }
    }

    /**
     * Removes a member from the cluster: {@code name} is its node name, member id or cluster address. Refused
     * for this node (ask another), for a name no member has, and when the drives left could not hold the
     * layout. Returns the removed member's id once the configuration without it is committed; its drives
     * are then leaving here at once, and on every other node at its next discovery (2 s).
     */
    String remove(String name) throws IOException {
        IndexReplica.Member target = null;
        for (IndexReplica.Member m : replica.members()) {
            RemoteDrive.Listing l = listings.get(m.address());
            if (m.id().equals(name) || hostPort(m.address()).equals(name) || (l != null && l.node().equals(name))
                    || (m.address().equals(config.address()) && config.node().equals(name))) {
                target = m;
            }
        }
        if (target == null) {
            throw new IllegalArgumentException("no member named " + name + " (kura admin nodes lists them)");
        }
        if (target.address().equals(config.address())) {
            throw new IllegalArgumentException(name + " is this node: ask another node to remove it, so that one moves "
                    + "its shards while it still serves them");
        }
        InetSocketAddress leaving = target.address();
        long left = drives.online().size();
        synchronized (remote) {
            left += remote.values().stream().filter(d -> !d.peer().equals(leaving) && !drives.retired()
                    .contains(d.drive().driveId())).count();
        }
        // Until the change commits, Raft needs a majority of the old members and of the new: refuse rather than
        // start a change that cannot finish (and would hold every write until the down members return).
        List<IndexReplica.Member> remaining = replica.members().stream().filter(m -> !m.address().equals(leaving)).toList();
        long up = remaining.stream().filter(m -> m.address().equals(config.address()) || answers(m.address())).count();
        if (up <= remaining.size() / 2) {
            throw new IllegalArgumentException("only " + up + " of the " + remaining.size() + " members that would remain "
                    + "answer now; a majority of them must be up to remove " + name);
        }
        var layout = drives.layout();
        if (left < layout.k() + layout.m()) {
            throw new IllegalArgumentException("without " + name + " the cluster would have " + left + " drives, and its "
                    + "layout " + layout + " puts each object on " + (layout.k() + layout.m()) + ": add a node first");
        }
        LOG.info("cluster: removing {} ({}) from the cluster", name, target.id());
        // The membership first (the metadata group's configuration): the placement then names other members for
        // the data groups it held; they join those groups, and the metadata group's leader takes it out of them.
        replica.removeMember(target.id(), Duration.ofSeconds(30));
        refreshRetired();
        awaitMovedOff(target.id(), Duration.ofSeconds(90));
        return target.id();
    }

    /** Waits until no data group has {@code id} among its members (said in the log when it takes longer). */
    private void awaitMovedOff(String id, Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        List<String> holding = List.of();
        while (System.nanoTime() < deadline) {
            dataGroups.locate(replica.members());
            holding = groupIndexes.keySet().stream().filter(g -> !g.equals(META))
                    .filter(g -> dataGroups.view(g).map(v -> v.includes(id)).orElse(true)).toList();
            if (holding.isEmpty()) {
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        LOG.warn("cluster: {} is no longer a member, but groups {} still have a replica on it: they move off as soon as "
                + "the members that replace it are up and caught up", id, holding);
    }

    /**
     * Every member's zone as far as known: this node's own, a peer's as it said itself, else as another peer
     * said it was (a member down since this node started is known that way), else the zone of its drives this
     * node remembers (a node's drives may name zones of their own: the last resort).
     */
    private Map<String, String> zones() {
        Map<String, String> out = new java.util.HashMap<>();
        out.put(memberId(config.address()), config.zone());
        List<IndexReplica.Member> members = replica.members();
        for (IndexReplica.Member m : members) {
            RemoteDrive.Listing l = listings.get(m.address());
            if (l != null) {
                out.putIfAbsent(m.id(), l.zone());
            }
        }
        out.values().removeIf(ClusterNode::unknownZone);
        Map<String, String> firstHand = Map.copyOf(out);
        for (IndexReplica.Member m : members) {
            for (RemoteDrive.Listing l : listings.values()) {
                String said = l.memberZones().get(m.id());
                if (!unknownZone(said)) {
                    out.putIfAbsent(m.id(), said);
                }
            }
        }
        for (IndexReplica.Member m : members) {
            synchronized (remote) {
                remote.values().stream().filter(d -> m.address().equals(d.peer()) && !unknownZone(d.drive().zone()))
                        .map(d -> d.drive().zone()).sorted().findFirst().ifPresent(z -> out.putIfAbsent(m.id(), z));
            }
        }
        ShardServer s = shards;
        if (s != null) {
            s.memberZones(firstHand); // told on as this node heard it, never from a guess
        }
        return out;
    }

    private static boolean unknownZone(String z) {
        return z == null || z.isEmpty() || z.equals("unknown");
    }

    /**
     * Every 3 s (0.5 s after a round that moved something): the data groups' replicas located, routed to and
     * moved where the placement says; on the
     * metadata group's leader, one leadership handed over when a member leads more than its share.
     */
    private void placeLoop() {
        try {
            java.util.Set<String> up = new java.util.HashSet<>();
            up.add(memberId(config.address()));
            answered.forEach((peer, yes) -> {
                if (yes) {
                    up.add(memberId(peer));
                }
            });
            // The membership as the metadata group's leader has it (this node's copy may be behind: one removed while
            // it was down never hears of it), so that every node places over the same members.
            var meta = host.leaderView(replica.group().getGroupId(), replica.members(), Duration.ofSeconds(1));
            if (meta.isEmpty()) {
                dataGroups.locate(replica.members()); // no leader: route as best known, change nothing
            } else {
                List<IndexReplica.Member> members = meta.get().members();
                dataGroups.reconcile(members, zones(), up, leads());
                if (leads()) {
                    dataGroups.balance(replica.leaderId(), members, up, id -> members.stream()
                            .filter(m -> m.id().equals(id)).anyMatch(m -> m.address().equals(config.address())
                                    || answers(m.address())));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("cluster: placing the data groups: {}", e.toString());
        }
        if (!placement.isShutdown()) {
            // One move often calls for the next (a join, then the shrink it allows, then a leadership): sooner.
            placement.schedule(this::placeLoop, dataGroups.movedSinceAsked() ? 500 : 3_000, TimeUnit.MILLISECONDS);
        }
    }

    /** What the node at cluster address {@code peer} says of itself now (its DRIVES answer; 5 s at most). */
    private RemoteDrive.Listing listing(InetSocketAddress peer) throws IOException {
        return RemoteDrive.drivesOf(config.node(), config.secret(), ServerConfig.ClusterConfig.shardAddress(peer),
                shardSockets());
    }

    /** The shard protocol's client sockets: inside mutual TLS when the node has its certificates. */
    private SocketFactory shardSockets() {
        return config.tls() != null ? config.tls().shardClientSockets() : SocketFactory.getDefault();
    }

    /** Raft's settings for this node: the defaults, inside mutual TLS when the node has its certificates. */
    private static IndexReplica.Settings raftSettings(ServerConfig.ClusterConfig config) {
        return config.tls() != null ? IndexReplica.Settings.DEFAULTS.withTls(config.tls()) : IndexReplica.Settings.DEFAULTS;
    }

    /** True when the node at cluster address {@code peer} answers a listing now. */
    private boolean answers(InetSocketAddress peer) {
        try {
            listing(peer);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Tells the peers (with this node's drives) where this node serves S3. */
    void advertise(List<InetSocketAddress> s3) {
        s3Endpoints = s3.stream().map(ClusterNode::hostPort).toList();
        ShardServer s = shards;
        if (s != null) {
            s.describe(config.zone(), s3Endpoints);
        }
    }

    /** The cluster as this node sees it now (kura admin nodes). */
    dev.kura.server.admin.ClusterView view() {
        List<dev.kura.server.admin.ClusterView.Member> members = new ArrayList<>();
        List<dev.kura.server.admin.ClusterView.Drive> mine = new ArrayList<>();
        for (LocalBlobStore d : drives.online()) {
            mine.add(new dev.kura.server.admin.ClusterView.Drive(d.driveId(), d.zone(), d.isPresent(), d.isWritable()));
        }
        members.add(new dev.kura.server.admin.ClusterView.Member(memberId(config.address()), hostPort(config.address()),
                config.node(), config.zone(), true, s3Endpoints, mine));
        for (InetSocketAddress p : peers()) {
            RemoteDrive.Listing l = listings.get(p);
            // The drives' state now (asked at most once a second), not as at the last discovery.
            List<dev.kura.server.admin.ClusterView.Drive> theirs = new ArrayList<>();
            List<RemoteDrive> at;
            synchronized (remote) {
                at = remote.values().stream().filter(d -> p.equals(d.peer())).map(PeerDrive::drive).toList();
            }
            boolean reachable = false;
            for (RemoteDrive d : at) {
                boolean present = d.isPresent();
                reachable |= present;
                theirs.add(new dev.kura.server.admin.ClusterView.Drive(d.driveId(), d.zone(), present, d.isWritable()));
            }
            members.add(new dev.kura.server.admin.ClusterView.Member(memberId(p), hostPort(p), l == null ? null : l.node(),
                    l == null ? null : l.zone(), at.isEmpty() ? answered.getOrDefault(p, false) : reachable,
                    l == null ? List.of() : l.s3Endpoints(), theirs));
        }
        List<dev.kura.server.admin.ClusterView.Group> groups = new ArrayList<>();
        groups.add(new dev.kura.server.admin.ClusterView.Group(META, replica.leaderId(), replica.term(),
                replica.members().stream().map(IndexReplica.Member::id).toList()));
        for (String name : groupIndexes.keySet()) {
            if (!name.equals(META)) {
                var v = dataGroups.view(name);
                groups.add(new dev.kura.server.admin.ClusterView.Group(name, v.map(RaftHost.GroupView::leader).orElse(null),
                        v.map(RaftHost.GroupView::term).orElse(0L),
                        v.map(g -> List.copyOf(g.memberIds())).orElse(List.of())));
            }
        }
        return new dev.kura.server.admin.ClusterView(memberId(config.address()), replica.leaderId(), replica.term(), members,
                groups);
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /**
     * The node's view of the cluster in {@code /metrics}: whether it leads the index group, the Raft term,
     * the last index entry it applied and the last it knows committed, on the leader each member's commit
     * lag, which peers answered the last drive discovery, and the shard protocol's bytes in and out.
     */
    void bindMetrics(io.micrometer.core.instrument.MeterRegistry registry) {
        groupIndexes.forEach((group, index) -> {
            io.micrometer.core.instrument.Gauge.builder("kura.cluster.leader", index, i -> held(i, r -> r.isLeader() ? 1 : 0))
                    .description("1 while this node leads the Raft group").tag("group", group).register(registry);
            io.micrometer.core.instrument.Gauge.builder("kura.cluster.term", index, i -> held(i, IndexReplica::term))
                    .description("The Raft group's current term as this node's replica knows it (NaN: it holds none)")
                    .tag("group", group).register(registry);
            io.micrometer.core.instrument.Gauge.builder("kura.cluster.applied.index", index,
                            i -> held(i, IndexReplica::appliedIndex))
                    .description("The last Raft log entry this node applied to its replica of the group (NaN: it holds none)")
                    .tag("group", group).register(registry);
            io.micrometer.core.instrument.Gauge.builder("kura.cluster.members", index, i -> groupMembers(group))
                    .description("Members of the Raft group").tag("group", group).register(registry);
            io.micrometer.core.instrument.Gauge.builder("kura.cluster.commit.index", index,
                            i -> held(i, IndexReplica::commitIndex))
                    .description("The last Raft log entry this node's replica knows to be committed (NaN: it holds none)")
                    .tag("group", group).register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder("kura.cluster.read.indexes", index,
                            ReplicatedIndex::readIndexes)
                    .description("Read indexes this node had the group's leader confirm before reading its own replica "
                            + "(once per group per S3 request)").tag("group", group).register(registry);
        });
        io.micrometer.core.instrument.FunctionCounter.builder("kura.cluster.shard.bytes", this, n -> ShardTraffic.sent())
                .description("Bytes of the shard protocol this node sent to or received from other nodes")
                .baseUnit("bytes").tag("direction", "out").register(registry);
        io.micrometer.core.instrument.FunctionCounter.builder("kura.cluster.shard.bytes", this, n -> ShardTraffic.received())
                .description("Bytes of the shard protocol this node sent to or received from other nodes")
                .baseUnit("bytes").tag("direction", "in").register(registry);
        this.registry = registry;
        peers().forEach(this::gauge);
        io.micrometer.core.instrument.Gauge.builder("kura.cluster.peer.drives", remote, r -> {
                    synchronized (r) {
                        return r.size();
                    }
                })
                .description("Drives of other nodes this node places shards on").register(registry);
    }

    /** {@code what} of this node's replica of the group {@code index} reaches, NaN when it holds none. */
    private static double held(ReplicatedIndex index, java.util.function.ToDoubleFunction<IndexReplica> what) {
        IndexReplica r = index.local();
        return r == null ? Double.NaN : what.applyAsDouble(r);
    }

    /** The group's members as this node knows them (NaN when no leader of a data group has answered yet). */
    private double groupMembers(String group) {
        if (group.equals(META)) {
            return replica.members().size();
        }
        return dataGroups.view(group).map(v -> (double) v.memberIds().size()).orElse(Double.NaN);
    }

    /** Registers a peer's gauges the first time it is seen (members join while running). */
    private void gauge(InetSocketAddress p) {
        io.micrometer.core.instrument.MeterRegistry r = registry;
        if (r != null && !gauged.containsKey(p)) {
            String id = memberId(p);
            List<io.micrometer.core.instrument.Meter> meters = new ArrayList<>();
            meters.add(io.micrometer.core.instrument.Gauge.builder("kura.cluster.peer.reachable", answered,
                            a -> a.getOrDefault(p, false) ? 1 : 0)
                    .description("1 when the peer answered the last drive discovery")
                    .tag("peer", id).register(r));
            groupIndexes.forEach((group, index) -> meters.add(
                    io.micrometer.core.instrument.Gauge.builder("kura.cluster.follower.lag", index, i -> {
                                IndexReplica rep = i.local();
                                Long lag = rep == null ? null : rep.followerLag().get(id);
                                return lag == null ? Double.NaN : lag;
                            })
                            .description("On the leader: committed Raft entries the member has yet to learn (NaN elsewhere)")
                            .tag("group", group).tag("peer", id).register(r)));
            gauged.put(p, meters);
        }
    }

    /** Drops the gauges of peers that are no longer members. */
    private void ungaugeFormer(List<InetSocketAddress> members) {
        io.micrometer.core.instrument.MeterRegistry r = registry;
        for (InetSocketAddress p : List.copyOf(gauged.keySet())) {
            if (r != null && !members.contains(p)) {
                gauged.remove(p).forEach(r::remove);
            }
        }
    }

    @Override
    public void close() {
        discovery.shutdownNow();
        placement.shutdownNow();
        try {
            // A move under way (a join, a replica being deleted) ends before the Raft server it uses closes.
            if (!placement.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("cluster: the data groups' placement did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ShardServer s = shards;
        if (s != null) {
            s.close();
        }
        synchronized (remote) {
            remote.values().forEach(d -> d.drive().close());
        }
        index.close();
        try {
            host.close();
        } catch (IOException e) {
            LOG.warn("closing the index members: {}", e.toString());
        }
    }
}
