package dev.kura.server.admin;

import java.util.List;

/**
 * A cluster as one node sees it, for {@code kura admin nodes} and {@code kura admin endpoints}: every
 * member of the index group with its node name, zone, S3 endpoints and drives (what the node said of
 * itself at the last discovery), whether it answered then, and which member leads.
 *
 * @param self   the member id of the node that answered
 * @param leader the member id of the metadata group's leader as that node knows it, or null when it knows none
 * @param term   the metadata group's Raft term as that node knows it
 * @param groups every Raft group of the index with its leader and term, as that node knows them
 */
public record ClusterView(String self, String leader, long term, List<Member> members, List<Group> groups) {
    public ClusterView {
        members = List.copyOf(members);
        groups = List.copyOf(groups);
    }

    /**
     * One Raft group of the index ({@code meta}, {@code index-N}): its leader's member id (null: none known),
     * term, and the member ids of its replicas (empty: not known).
     */
    public record Group(String name, String leader, long term, List<String> members) {
        public Group {
            members = List.copyOf(members);
        }
    }

    /** One member; {@code node}, {@code zone} are null until it has answered once. */
    public record Member(String member, String address, String node, String zone, boolean reachable,
                         List<String> s3Endpoints, List<Drive> drives) {
        public Member {
            s3Endpoints = List.copyOf(s3Endpoints);
            drives = List.copyOf(drives);
        }
    }

    public record Drive(String id, String zone, boolean present, boolean writable) {
    }
}
