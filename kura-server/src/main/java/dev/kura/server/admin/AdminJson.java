package dev.kura.server.admin;

import dev.kura.common.JsonReader;
import dev.kura.common.JsonWriter;
import dev.kura.server.admin.StorageAdmin.DriveStatus;
import dev.kura.server.admin.StorageAdmin.RepairStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The admin API's JSON shapes, both ways: written by the server with {@link JsonWriter}, read back
 * by {@code kura admin}. Field names are the record components' names.
 */
final class AdminJson {
    private AdminJson() {
    }

    static JsonWriter drive(DriveStatus d) {
        return new JsonWriter().field("path", d.path()).field("id", d.id()).field("zone", d.zone())
                .field("state", d.state()).field("reason", d.reason()).field("usedBytes", d.usedBytes())
                .field("freeBytes", d.freeBytes()).field("errors", d.errors());
    }

    /** A JSON array of drives (JsonWriter writes objects; the array around them is this). */
    static String drives(List<DriveStatus> drives) {
        StringBuilder sb = new StringBuilder("[");
        for (DriveStatus d : drives) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(drive(d));
        }
        return sb.append(']').toString();
    }

    static JsonWriter repair(RepairStatus r) {
        return new JsonWriter().field("kind", r.kind()).field("state", r.state()).field("checked", r.checked())
                .field("repaired", r.repaired()).field("failed", r.failed()).field("startedAt", r.startedAt())
                .field("finishedAt", r.finishedAt());
    }

    /** A user as {@code GET /admin/v1/users} lists it; {@code secretKey} only in an add or rotate answer. */
    record User(String name, String accessKey, String canonicalId, boolean root, String secretKey) {
        @Override
        public String toString() {
            return "User[name=" + name + ", accessKey=" + accessKey + "]";
        }
    }

    static JsonWriter user(User u) {
        JsonWriter w = new JsonWriter().field("name", u.name()).field("accessKey", u.accessKey())
                .field("canonicalId", u.canonicalId()).field("root", u.root());
        return u.secretKey() == null ? w : w.field("secretKey", u.secretKey());
    }

    static String users(List<User> users) {
        StringBuilder sb = new StringBuilder("[");
        for (User u : users) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(user(u));
        }
        return sb.append(']').toString();
    }

    static List<User> readUsers(String json) {
        if (!(JsonReader.parse(json) instanceof List<?> list)) {
            throw new IllegalArgumentException("not a JSON array of users");
        }
        List<User> out = new ArrayList<>(list.size());
        for (Object o : list) {
            out.add(user(object(o)));
        }
        return out;
    }

    static User readUser(String json) {
        return user(object(JsonReader.parse(json)));
    }

    private static User user(Map<?, ?> m) {
        return new User(text(m, "name"), text(m, "accessKey"), text(m, "canonicalId"), Boolean.TRUE.equals(m.get("root")),
                text(m, "secretKey"));
    }

    static JsonWriter error(String message) {
        return new JsonWriter().field("error", message);
    }

    static List<DriveStatus> readDrives(String json) {
        if (!(JsonReader.parse(json) instanceof List<?> list)) {
            throw new IllegalArgumentException("not a JSON array of drives");
        }
        List<DriveStatus> out = new ArrayList<>(list.size());
        for (Object o : list) {
            out.add(drive(object(o)));
        }
        return out;
    }

    static DriveStatus readDrive(String json) {
        return drive(object(JsonReader.parse(json)));
    }

    static RepairStatus readRepair(String json) {
        Map<?, ?> m = object(JsonReader.parse(json));
        return new RepairStatus(text(m, "kind"), text(m, "state"), number(m, "checked"), number(m, "repaired"),
                number(m, "failed"), text(m, "startedAt"), text(m, "finishedAt"));
    }

    /** The {@code error} field of an error answer, or null when the text is not one. */
    static String readError(String json) {
        try {
            return JsonReader.parse(json) instanceof Map<?, ?> m ? text(m, "error") : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static DriveStatus drive(Map<?, ?> m) {
        return new DriveStatus(text(m, "path"), text(m, "id"), text(m, "zone"), text(m, "state"), text(m, "reason"),
                number(m, "usedBytes"), number(m, "freeBytes"), number(m, "errors"));
    }

    private static Map<?, ?> object(Object o) {
        if (o instanceof Map<?, ?> m) {
            return m;
        }
        throw new IllegalArgumentException("not a JSON object");
    }

    private static String text(Map<?, ?> m, String name) {
        Object v = m.get(name);
        return v == null ? null : v.toString();
    }

    private static long number(Map<?, ?> m, String name) {
        return m.get(name) instanceof Number n ? n.longValue() : 0;
    }

    // ---- partitions (GET /admin/v1/partitions?bucket=B)

    static JsonWriter partitions(dev.kura.object.PartitionReport r) {
        List<JsonWriter> rows = new ArrayList<>();
        for (var p : r.partitions()) {
            JsonWriter w = new JsonWriter().field("id", p.id()).field("start", p.start()).field("end", p.end())
                    .field("since", p.since().toString()).field("readsPerSecond", p.readsPerSecond())
                    .field("writesPerSecond", p.writesPerSecond()).field("throttledPerSecond", p.throttledPerSecond())
                    .field("throttledReads", p.throttledReads()).field("throttledWrites", p.throttledWrites());
            rows.add(w);
        }
        return new JsonWriter().field("bucket", r.bucket()).field("writeBudget", r.writeBudget())
                .field("readBudget", r.readBudget()).array("partitions", rows).field("advice", r.advice());
    }

    static dev.kura.object.PartitionReport readPartitions(String json) {
        Map<?, ?> m = object(JsonReader.parse(json));
        List<dev.kura.object.PartitionReport.Row> rows = new ArrayList<>();
        if (m.get("partitions") instanceof List<?> list) {
            for (Object o : list) {
                Map<?, ?> p = object(o);
                rows.add(new dev.kura.object.PartitionReport.Row(number(p, "id"), text(p, "start"), text(p, "end"),
                        java.time.Instant.parse(text(p, "since")), decimal(p, "readsPerSecond"),
                        decimal(p, "writesPerSecond"), decimal(p, "throttledPerSecond"), number(p, "throttledReads"),
                        number(p, "throttledWrites")));
            }
        }
        return new dev.kura.object.PartitionReport(text(m, "bucket"), decimal(m, "writeBudget"), decimal(m, "readBudget"),
                rows, text(m, "advice"));
    }

    private static double decimal(Map<?, ?> m, String name) {
        return m.get(name) instanceof Number n ? n.doubleValue() : 0;
    }

    // ---- cluster (GET /admin/v1/cluster)

    static JsonWriter cluster(ClusterView v) {
        List<JsonWriter> members = new ArrayList<>();
        for (ClusterView.Member m : v.members()) {
            List<JsonWriter> drives = new ArrayList<>();
            for (ClusterView.Drive d : m.drives()) {
                drives.add(new JsonWriter().field("id", d.id()).field("zone", d.zone()).field("present", d.present())
                        .field("writable", d.writable()));
            }
            members.add(new JsonWriter().field("member", m.member()).field("address", m.address()).field("node", m.node())
                    .field("zone", m.zone()).field("reachable", m.reachable()).strings("s3Endpoints", m.s3Endpoints())
                    .array("drives", drives));
        }
        List<JsonWriter> groups = new ArrayList<>();
        for (ClusterView.Group g : v.groups()) {
            groups.add(new JsonWriter().field("name", g.name()).field("leader", g.leader()).field("term", g.term())
                    .strings("members", g.members()));
        }
        return new JsonWriter().field("self", v.self()).field("leader", v.leader()).field("term", v.term())
                .array("members", members).array("groups", groups);
    }

    static ClusterView readCluster(String json) {
        Map<?, ?> m = object(JsonReader.parse(json));
        List<ClusterView.Member> members = new ArrayList<>();
        if (m.get("members") instanceof List<?> list) {
            for (Object o : list) {
                Map<?, ?> e = object(o);
                List<ClusterView.Drive> drives = new ArrayList<>();
                if (e.get("drives") instanceof List<?> ds) {
                    for (Object d : ds) {
                        Map<?, ?> dm = object(d);
                        drives.add(new ClusterView.Drive(text(dm, "id"), text(dm, "zone"),
                                Boolean.TRUE.equals(dm.get("present")), Boolean.TRUE.equals(dm.get("writable"))));
                    }
                }
                List<String> endpoints = new ArrayList<>();
                if (e.get("s3Endpoints") instanceof List<?> es) {
                    for (Object x : es) {
                        endpoints.add(String.valueOf(x));
                    }
                }
                members.add(new ClusterView.Member(text(e, "member"), text(e, "address"), text(e, "node"), text(e, "zone"),
                        Boolean.TRUE.equals(e.get("reachable")), endpoints, drives));
            }
        }
        List<ClusterView.Group> groups = new ArrayList<>();
        if (m.get("groups") instanceof List<?> gs) {
            for (Object o : gs) {
                Map<?, ?> g = object(o);
                List<String> ids = new ArrayList<>();
                if (g.get("members") instanceof List<?> ms) {
                    for (Object x : ms) {
                        ids.add(String.valueOf(x));
                    }
                }
                groups.add(new ClusterView.Group(text(g, "name"), text(g, "leader"), number(g, "term"), ids));
            }
        }
        return new ClusterView(text(m, "self"), text(m, "leader"), number(m, "term"), members, groups);
    }
}
