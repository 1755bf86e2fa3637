package dev.kura.cluster;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which members of the cluster hold a data group's replicas: a pure function of the group's name and the
 * members with their zones, so every node that knows the same members computes the same answer.
 *
 * <p>Members are ranked per group by a hash of (group, member) — rendezvous hashing: each group gets its
 * own order, so the groups spread over the members, and a member joining or leaving moves only the groups
 * whose choice it enters or leaves. The choice walks the ranking and takes members of zones not chosen
 * yet, then (when there are fewer zones than replicas) the best-ranked of the rest: replicas in distinct
 * zones whenever the cluster has enough zones.
 */
public final class GroupPlacement {
    /** Replicas of a data group (S3's own index keeps three, one per zone). */
    public static final int REPLICAS = 3;

    private GroupPlacement() {
    }

    /**
     * The members (ids of {@code zones}) that should hold {@code group}: {@code replicas} of them, or every
     * member when there are fewer; in rank order.
     */
    public static List<String> choose(String group, Map<String, String> zones, int replicas) {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1");
        }
        Map<String, String> ranks = new java.util.HashMap<>();
        zones.keySet().forEach(m -> ranks.put(m, rank(group, m))); // one digest per member, not per comparison
        List<String> ranked = new ArrayList<>(zones.keySet());
        ranked.sort(Comparator.comparing((String m) -> ranks.get(m)).reversed().thenComparing(m -> m));
        List<String> chosen = new ArrayList<>();
        Set<String> zonesTaken = new HashSet<>();
        for (String m : ranked) {
            if (chosen.size() < replicas && zonesTaken.add(zones.get(m))) {
                chosen.add(m);
            }
        }
        for (String m : ranked) {
            if (chosen.size() < replicas && !chosen.contains(m)) {
                chosen.add(m);
            }
        }
        return List.copyOf(chosen);
    }

    private static String rank(String group, String member) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest((group + "\0" + member).getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A leadership to hand over: group {@code group}'s, from {@code from} to {@code to}. */
    public record Handover(String group, String from, String to) {
    }

    /**
     * The next leadership to move so that no member leads more than its share of the groups (the number
     * of groups over the number of members, rounded up), or empty when none leads more than that or no
     * move helps. {@code leaders}: each group's leader (groups without one are left out);
     * {@code members}: each group's members; {@code movable}: the groups that may be moved; {@code up}:
     * the members a leadership may go to. Moves from the member that leads most, to the member of the group
     * that leads least (ties by name).
     */
    public static java.util.Optional<Handover> rebalance(Map<String, String> leaders, Map<String, ? extends java.util.Collection<String>> members,
                                                         java.util.Collection<String> movable, java.util.Collection<String> up,
                                                         int memberCount) {
        if (memberCount < 1 || leaders.isEmpty()) {
            return java.util.Optional.empty();
        }
        int share = (leaders.size() + memberCount - 1) / memberCount;
        Map<String, Integer> leads = new java.util.TreeMap<>();
        up.forEach(m -> leads.put(m, 0));
        leaders.values().forEach(l -> leads.merge(l, 1, Integer::sum));
        List<String> groups = new ArrayList<>(leaders.keySet());
        groups.sort(Comparator.comparing((String g) -> -leads.get(leaders.get(g))).thenComparing(g -> g));
        for (String g : groups) {
            String from = leaders.get(g);
            if (!movable.contains(g) || leads.get(from) <= share) {
                continue;
            }
            java.util.Collection<String> in = members.containsKey(g) ? members.get(g) : List.of();
            java.util.Optional<String> to = in.stream()
                    .filter(m -> !m.equals(from) && up.contains(m) && leads.getOrDefault(m, 0) + 1 <= share)
                    .min(Comparator.comparing((String m) -> leads.getOrDefault(m, 0)).thenComparing(m -> m));
            if (to.isPresent()) {
                return java.util.Optional.of(new Handover(g, from, to.get()));
            }
        }
        return java.util.Optional.empty();
    }
}
