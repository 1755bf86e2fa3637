package dev.kura.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class GroupPlacementTest {
    static Map<String, String> members(int n, int zones) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            m.put("127.0.0." + (i + 2) + "_9400", "zone" + (i % zones));
        }
        return m;
    }

    @Test
    void threeReplicasInDistinctZonesWheneverThereAreThree() {
        Map<String, String> five = members(5, 5);
        for (int g = 0; g < 20; g++) {
            List<String> chosen = GroupPlacement.choose("index-" + g, five, 3);
            assertThat(chosen).hasSize(3).doesNotHaveDuplicates();
            assertThat(chosen.stream().map(five::get).distinct()).hasSize(3);
        }
        // Six members in three zones (two each): still one replica per zone.
        Map<String, String> six = members(6, 3);
        for (int g = 0; g < 20; g++) {
            assertThat(GroupPlacement.choose("index-" + g, six, 3).stream().map(six::get).distinct()).hasSize(3);
        }
    }

    @Test
    void fewerZonesOrMembersThanReplicas() {
        Map<String, String> twoZones = members(4, 2);
        List<String> chosen = GroupPlacement.choose("index-0", twoZones, 3);
        assertThat(chosen).hasSize(3).doesNotHaveDuplicates();
        assertThat(chosen.stream().map(twoZones::get).distinct()).hasSize(2); // both zones, then the best-ranked other
        Map<String, String> two = members(2, 2);
        assertThat(GroupPlacement.choose("index-0", two, 3)).containsExactlyInAnyOrderElementsOf(two.keySet());
        assertThat(GroupPlacement.choose("index-0", Map.of(), 3)).isEmpty();
        assertThatThrownBy(() -> GroupPlacement.choose("index-0", two, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSameAnswerWhateverTheOrderTheMembersAreGivenIn() {
        Map<String, String> five = members(5, 5);
        Map<String, String> reversed = new TreeMap<>(java.util.Comparator.reverseOrder());
        reversed.putAll(five);
        for (int g = 0; g < 10; g++) {
            assertThat(GroupPlacement.choose("index-" + g, reversed, 3)).isEqualTo(GroupPlacement.choose("index-" + g, five, 3));
        }
    }

    @Test
    void groupsSpreadOverTheMembers() {
        Map<String, String> five = members(5, 5);
        Map<String, Integer> load = new TreeMap<>();
        for (int g = 0; g < 300; g++) {
            GroupPlacement.choose("index-" + g, five, 3).forEach(m -> load.merge(m, 1, Integer::sum));
        }
        // 900 replicas over five members: 180 each on average; rendezvous hashing keeps each within a third of it.
        assertThat(load).hasSize(5);
        assertThat(load.values()).allSatisfy(n -> assertThat(n).isBetween(120, 240));
    }

    @Test
    void aJoiningMemberMovesOnlyTheGroupsItEnters() {
        Map<String, String> four = members(4, 4);
        Map<String, String> five = members(5, 5);
        String newcomer = "127.0.0.6_9400";
        int moved = 0;
        for (int g = 0; g < 200; g++) {
            Set<String> before = new HashSet<>(GroupPlacement.choose("index-" + g, four, 3));
            Set<String> after = new HashSet<>(GroupPlacement.choose("index-" + g, five, 3));
            Set<String> lost = new HashSet<>(before);
            lost.removeAll(after);
            if (after.contains(newcomer)) {
                moved++;
                assertThat(lost).as("index-%d gave exactly one replica to the newcomer", g).hasSize(1);
            } else {
                assertThat(after).as("index-%d stays where it was", g).isEqualTo(before);
            }
        }
        assertThat(moved).as("groups the fifth member takes").isBetween(80, 160); // 3/5 of 200 = 120 expected
    }

    @Test
    void leadershipsMoveFromTheMemberThatLeadsMostToOneThatLeadsFewerUntilNoneLeadsMoreThanItsShare() {
        List<String> three = List.of("a", "b", "c");
        Map<String, List<String>> members = Map.of("meta", three, "index-0", three, "index-1", three, "index-2", three);
        Map<String, String> leaders = new TreeMap<>(Map.of("meta", "a", "index-0", "a", "index-1", "a", "index-2", "a"));
        List<String> movable = List.of("index-0", "index-1", "index-2");
        int moves = 0;
        while (true) {
            var next = GroupPlacement.rebalance(leaders, members, movable, three, 3);
            if (next.isEmpty()) {
                break;
            }
            assertThat(next.get().from()).isEqualTo("a");
            assertThat(next.get().group()).isNotEqualTo("meta");
            leaders.put(next.get().group(), next.get().to());
            moves++;
        }
        // Four groups over three members: at most two each, reached in two moves, to b and to c.
        assertThat(moves).isEqualTo(2);
        Map<String, Long> leads = new TreeMap<>();
        leaders.values().forEach(l -> leads.merge(l, 1L, Long::sum));
        assertThat(leads).containsEntry("a", 2L).containsEntry("b", 1L).containsEntry("c", 1L);
    }

    @Test
    void noMoveToAMemberThatIsDownOrOutsideTheGroupOrWhenNothingIsMovable() {
        Map<String, List<String>> members = Map.of("meta", List.of("a", "b", "c", "d", "e"),
                "index-0", List.of("a", "b", "c"), "index-1", List.of("a", "d", "e"));
        Map<String, String> leaders = Map.of("meta", "a", "index-0", "a", "index-1", "a");
        // Five members: a share of one. index-0 may only go to b or c; b is down: c.
        var next = GroupPlacement.rebalance(leaders, members, List.of("index-0"), List.of("a", "c", "d", "e"), 5);
        assertThat(next).contains(new GroupPlacement.Handover("index-0", "a", "c"));
        assertThat(GroupPlacement.rebalance(leaders, members, List.of("index-0"), List.of("a", "d", "e"), 5)).isEmpty();
        assertThat(GroupPlacement.rebalance(leaders, members, List.of(), List.of("a", "b", "c", "d", "e"), 5)).isEmpty();
        // Spread already: nothing to do.
        Map<String, String> spread = Map.of("meta", "a", "index-0", "b", "index-1", "d");
        assertThat(GroupPlacement.rebalance(spread, members, List.of("index-0", "index-1"), List.of("a", "b", "c", "d", "e"), 5))
                .isEmpty();
        assertThat(GroupPlacement.rebalance(Map.of(), members, List.of("index-0"), List.of("a"), 5)).isEmpty();
    }
}
