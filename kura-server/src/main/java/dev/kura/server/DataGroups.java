package dev.kura.server;

import dev.kura.cluster.GroupPlacement;
import dev.kura.cluster.IndexReplica;
import dev.kura.cluster.RaftHost;
import dev.kura.cluster.ReplicatedIndex;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.ratis.protocol.RaftGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data groups of the index on this node: where each group's replicas are, which of them this node
 * holds, and moving them to where {@link GroupPlacement} says they belong.
 *
 * <p>Every node, every few seconds ({@link #reconcile}): asks each group's leader for its members (the
 * leader's configuration, not this node's copy, which a member removed while it was down never hears
 * about) and points the group's {@link ReplicatedIndex} at them — at this node's member when it is one,
 * else at the leader. Then, when every member's zone is known: a node the placement names and the group
 * lacks asks the group to add it (Ratis brings it up to date from a snapshot and the log before the
 * change commits); the metadata group's leader alone takes out members the placement no longer names,
 * and only once every named member is in (a group never drops below its replicas to move); a node that
 * is no longer a member stops its replica and deletes its state. Each step is one Raft configuration
 * change, compare-and-set against the configuration it was decided on (a shrink only while a majority of
 * the members it keeps answers: they must commit it); a step that fails is decided again
 * on the next round (one decided on the members of a change still under way is refused by Ratis).
 */
final class DataGroups {
    private static final Logger LOG = LoggerFactory.getLogger(DataGroups.class);
    private static final Duration ASK = Duration.ofSeconds(1);
    /** How long a join may take, its catching up included (one attempt; the next round tries again). */
    private static final Duration JOIN = Duration.ofSeconds(30);

    private final RaftHost host;
    private final IndexReplica.Member self;
    private final IndexReplica.Settings settings;
    /** Each data group by name: its id (the peers are the initial members, for reference only). */
    private final Map<String, RaftGroup> groups;
    private final Map<String, ReplicatedIndex> indexes;
    /** Each group as its leader last described it (absent until one answered). */
    private final Map<String, RaftHost.GroupView> views = new ConcurrentHashMap<>();

    DataGroups(RaftHost host, IndexReplica.Member self, IndexReplica.Settings settings, Map<String, RaftGroup> groups,
               Map<String, ReplicatedIndex> indexes) {
        this.host = host;
        this.self = self;
        this.settings = settings;
        this.groups = Map.copyOf(groups);
        this.indexes = Map.copyOf(indexes);
    }

    /** The group {@code name} as its leader last described it. */
    Optional<RaftHost.GroupView> view(String name) {
        return Optional.ofNullable(views.get(name));
    }

    /**
     * Learns where every group's replicas are now (from its leader, found among {@code members} and the
     * members last known) and routes the group's reads and writes there.
     */
    synchronized void locate(List<IndexReplica.Member> members) {
        for (String name : groups.keySet()) {
            locate(name, members);
        }
    }

    private RaftHost.GroupView locate(String name, List<IndexReplica.Member> members) {
        RaftGroup group = groups.get(name);
        RaftHost.GroupView last = views.get(name);
        Map<String, IndexReplica.Member> ask = new LinkedHashMap<>();
        if (last != null) {
            last.members().stream().filter(m -> m.id().equals(last.leader())).forEach(m -> ask.put(m.id(), m));
            last.members().forEach(m -> ask.putIfAbsent(m.id(), m));
        }
        ReplicatedIndex index = indexes.get(name);
        IndexReplica mine = index.local();
        if (mine != null) {
            mine.members().forEach(m -> ask.putIfAbsent(m.id(), m));
        }
        members.forEach(m -> ask.putIfAbsent(m.id(), m));
        Optional<RaftHost.GroupView> asked = host.leaderView(group.getGroupId(), ask.values(), ASK);
        if (asked.isEmpty()) {
            return last; // no leader answered: route as before (the client follows leader changes by itself)
        }
        RaftHost.GroupView view = asked.get();
        views.put(name, view);
        List<IndexReplica.Member> all = view.members();
        IndexReplica local = null;
        if (view.includes(self.id()) && host.hosts(group.getGroupId())) {
            try {
                local = host.replica(RaftGroup.valueOf(group.getGroupId(),
                        all.stream().map(IndexReplica.Member::peer).toList()));
            } catch (IllegalStateException stoppedMeanwhile) {
                // its replica stopped between the two calls: reads go to the leader until it runs again
            }
        }
        index.retarget(all, local);
        return view;
    }

    /**
     * One round (see the class comment): {@code members}: the cluster's members, as the metadata group's
     * leader has them (so every node places over the same members); {@code self} is among them unless this
     * node was removed, and then it places nothing; {@code zones}: their zones by member id, as far as known;
     * {@code up}: the members that answer now; {@code leadsMeta}: this node leads the metadata group.
     */
    synchronized void reconcile(List<IndexReplica.Member> members, Map<String, String> zones, Set<String> up,
                                boolean leadsMeta) {
        boolean member = members.stream().anyMatch(m -> m.id().equals(self.id()));
        boolean placeable = member && members.stream().allMatch(m -> zones.get(m.id()) != null);
        for (String name : groups.keySet()) {
            try {
                RaftHost.GroupView view = locate(name, members);
                if (view == null) {
                    continue;
                }
                if (holdsFormer(name, view)) {
                    continue;
                }
                if (view.includes(self.id()) && !host.hosts(groups.get(name).getGroupId())) {
                    restart(name, view);
                    moved = true;
                    continue;
                }
                if (!placeable) {
                    continue;
                }
                Map<String, String> byMember = new LinkedHashMap<>();
                members.forEach(m -> byMember.put(m.id(), zones.get(m.id())));
                List<String> desired = GroupPlacement.choose(name, byMember, GroupPlacement.REPLICAS);
                if (desired.contains(self.id()) && !view.includes(self.id())) {
                    Long left = leftAt.get(name);
                    if (left == null || System.nanoTime() - left > java.util.concurrent.TimeUnit.MINUTES.toNanos(1)) {
                        join(name, view);
                        moved = true;
                    }
                } else if (leadsMeta && view.memberIds().containsAll(desired)
                        && !Set.copyOf(desired).containsAll(view.memberIds())) {
                    if (desired.stream().filter(up::contains).count() > desired.size() / 2) {
                        shrink(name, view, members, desired);
                        moved = true;
                    } // else: the new configuration's majority is not up; the extra replica costs nothing
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("cluster: placing group {}: {} (tried again in a few seconds)", name, e.toString());
            }
        }
    }

    /** Set when a round moved something (a replica, a leadership): the next round comes sooner. */
    private boolean moved;

    /** True when a round since the last call moved a replica or a leadership (and clears it). */
    synchronized boolean movedSinceAsked() {
        boolean m = moved;
        moved = false;
        return m;
    }

    /** When this node last left each group (System.nanoTime): it does not join one again within a minute. */
    private final Map<String, Long> leftAt = new ConcurrentHashMap<>();

    /**
     * A group that has this node as a member while it runs no replica of it (a join whose answer was lost, a
     * replica stopped by a failure): started again, from its storage or, holding none, empty for the
     * leader to fill.
     */
    private void restart(String name, RaftHost.GroupView view) throws IOException {
        RaftGroup group = groups.get(name);
        LOG.info("cluster: {} has this node as a member but it runs no replica of it; starting it again", name);
        host.reopen(group.getGroupId());
        indexes.get(name).retarget(view.members(), host.replica(RaftGroup.valueOf(group.getGroupId(),
                view.members().stream().map(IndexReplica.Member::peer).toList())));
    }

    /**
     * Stops a member this node still runs but the group's leader no longer has, and deletes its state; true
     * when one is left running (the leader that answered is behind it: not believed this round).
     */
    private boolean holdsFormer(String name, RaftHost.GroupView view) throws IOException {
        RaftGroup group = groups.get(name);
        if (view.includes(self.id())) {
            return false;
        }
        if (!host.hosts(group.getGroupId())) {
            if (host.holds(group.getGroupId())) {
                // State a join cut short left behind (not a member: the group's leader says so): deleted, so that
                // a later join starts clean.
                LOG.info("cluster: deleting the state of an unfinished join of {}", name);
                moved = true;
                host.forget(group.getGroupId());
            }
            return false;
        }
        IndexReplica stale = host.replica(group);
        if (stale.term() > view.term()) {
            return true; // that "leader" is behind this member: a stale one, not to be believed
        }
        LOG.info("cluster: this node is no longer a member of {} (its members: {}); deleting its replica", name,
                view.memberIds());
        indexes.get(name).retarget(view.members(), null);
        moved = true;
        host.forget(group.getGroupId());
        leftAt.put(name, System.nanoTime());
        return false;
    }

    private void join(String name, RaftHost.GroupView view) throws IOException {
        RaftGroup group = groups.get(name);
        LOG.info("cluster: placing a replica of {} on this node (its members now: {})", name, view.memberIds());
        RaftGroup existing = RaftGroup.valueOf(group.getGroupId(),
                view.members().stream().map(IndexReplica.Member::peer).toList());
        IndexReplica replica = IndexReplica.join(host, existing, self, JOIN);
        List<IndexReplica.Member> now = new ArrayList<>(view.members());
        now.add(self);
        indexes.get(name).retarget(now, replica);
        LOG.info("cluster: this node now holds a replica of {}", name);
    }

    private void shrink(String name, RaftHost.GroupView view, List<IndexReplica.Member> members, List<String> desired)
            throws IOException {
        Map<String, IndexReplica.Member> byId = new LinkedHashMap<>();
        view.members().forEach(m -> byId.put(m.id(), m));
        members.forEach(m -> byId.putIfAbsent(m.id(), m));
        List<IndexReplica.Member> next = desired.stream().map(byId::get).toList();
        Set<String> leaving = new LinkedHashSet<>(view.memberIds());
        desired.forEach(leaving::remove);
        LOG.info("cluster: moving {} off {} (its members become {})", name, leaving, desired);
        IndexReplica.changeMembers(groups.get(name).getGroupId(), view.members(), next, settings, Duration.ofSeconds(10));
        locate(name, members); // the members it has now
    }

    /** When each group's leadership was last handed over (System.nanoTime), so that it is not moved again at once. */
    private final Map<String, Long> handedOver = new ConcurrentHashMap<>();

    /**
     * On the metadata group's leader, each round: hands one data group's leadership from a member that leads
     * more than its share of the groups to a member of the group that leads fewer
     * ({@link GroupPlacement#rebalance}), so that the groups' writes are ordered, fsync'd and applied on
     * different nodes. A group is moved at most once a minute. {@code up}: the members answering now.
     */
    synchronized void balance(String metaLeader, List<IndexReplica.Member> members, Set<String> up,
                              java.util.function.Predicate<String> answersNow) {
        Map<String, String> leaders = new LinkedHashMap<>();
        Map<String, List<String>> groupMembers = new LinkedHashMap<>();
        if (metaLeader != null) {
            leaders.put(ClusterNode.META, metaLeader);
            groupMembers.put(ClusterNode.META, members.stream().map(IndexReplica.Member::id).toList());
        }
        long now = System.nanoTime();
        List<String> movable = new ArrayList<>();
        views.forEach((name, view) -> {
            leaders.put(name, view.leader());
            groupMembers.put(name, List.copyOf(view.memberIds()));
            Long last = handedOver.get(name);
            if (last == null || now - last > java.util.concurrent.TimeUnit.MINUTES.toNanos(1)) {
                movable.add(name);
            }
        });
        Optional<GroupPlacement.Handover> next = GroupPlacement.rebalance(leaders, groupMembers, movable, up, members.size());
        if (next.isEmpty()) {
            return;
        }
        GroupPlacement.Handover h = next.get();
        RaftHost.GroupView view = views.get(h.group());
        handedOver.put(h.group(), now);
        // While a leadership is being handed over, the leader refuses writes (Ratis: stepping down): never to a
        // member that does not answer now, and for a few seconds at most.
        if (!answersNow.test(h.to())) {
            LOG.info("cluster: not handing the leadership of {} to {}: it does not answer", h.group(), h.to());
            return;
        }
        LOG.info("cluster: handing the leadership of {} from {} to {} (leaders now: {})", h.group(), h.from(), h.to(),
                leaders);
        try {
            IndexReplica.transferLeadership(groups.get(h.group()).getGroupId(), view.members(), h.from(), h.to(),
                    settings, Duration.ofSeconds(3));
            moved = true;
        } catch (IOException | RuntimeException e) {
            LOG.warn("cluster: handing the leadership of {} to {}: {}", h.group(), h.to(), e.toString());
        }
        locate(h.group(), members); // its leader now
    }
}
