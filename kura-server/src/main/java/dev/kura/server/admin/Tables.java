package dev.kura.server.admin;

import dev.kura.server.admin.StorageAdmin.DriveStatus;
import dev.kura.server.admin.StorageAdmin.RepairStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The text tables {@code kura admin} prints: aligned columns, sizes in binary units, "-" for none. */
final class Tables {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private Tables() {
    }

    static String drives(List<DriveStatus> drives) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"PATH", "ID", "ZONE", "STATE", "USED", "FREE", "ERRORS", "REASON"});
        for (DriveStatus d : drives) {
            rows.add(new String[] {or(d.path()), shortId(d.id()), or(d.zone()), or(d.state()), size(d.usedBytes()),
                size(d.freeBytes()), Long.toString(d.errors()), or(d.reason())});
        }
        return render(rows, 4, 5, 6);
    }

    /**
     * The members of a cluster: one row each, the metadata group's leader and the node that answered marked,
     * the groups each member holds a replica of and those it leads.
     */
    static String nodes(ClusterView v) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NODE", "ZONE", "MEMBER", "ROLE", "GROUPS", "LEADS", "STATE", "S3", "DRIVES"});
        for (ClusterView.Member m : v.members()) {
            long up = m.drives().stream().filter(ClusterView.Drive::present).count();
            String role = (m.member().equals(v.leader()) ? "leader" : "follower") + (m.member().equals(v.self()) ? " (this node)" : "");
            List<String> leads = v.groups().stream().filter(g -> m.member().equals(g.leader())).map(ClusterView.Group::name)
                    .toList();
            List<String> holds = v.groups().stream().filter(g -> g.members().contains(m.member()))
                    .map(ClusterView.Group::name).toList();
            rows.add(new String[] {or(m.node()), or(m.zone()), m.address(), v.leader() == null ? "no leader known" : role,
                holds.isEmpty() ? "-" : String.join(",", holds), leads.isEmpty() ? "-" : String.join(",", leads),
                m.reachable() ? "up" : "unreachable", m.s3Endpoints().isEmpty() ? "-" : String.join(" ", m.s3Endpoints()),
                up + " of " + m.drives().size() + " present"});
        }
        List<String> leaderless = v.groups().stream().filter(g -> g.leader() == null).map(ClusterView.Group::name).toList();
        return render(rows) + "term " + v.term() + (v.leader() == null ? "; no leader known to this node" : "")
                + (leaderless.isEmpty() ? "" : "; groups without a known leader: " + String.join(", ", leaderless)) + "\n";
    }

    static String users(List<AdminJson.User> users) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "ACCESS KEY", "CANONICAL ID", "ROOT"});
        for (AdminJson.User u : users) {
            rows.add(new String[] {or(u.name()), or(u.accessKey()), or(u.canonicalId()), u.root() ? "yes" : "no"});
        }
        return render(rows);
    }

    /** A new key pair, shown once. */
    static String newKeys(AdminJson.User u) {
        return "user:          " + u.name() + "\n"
                + "access key:    " + u.accessKey() + "\n"
                + "secret key:    " + u.secretKey() + "\n"
                + "canonical id:  " + u.canonicalId() + "\n"
                + "(the secret key is shown only now; it cannot be shown again)\n";
    }

    /** A bucket's partitions, their rates over the last second and throttled totals, then the advice. */
    static String partitions(dev.kura.object.PartitionReport r) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "FROM", "TO", "READS/S", "WRITES/S", "THROTTLED/S", "THROTTLED READS",
            "THROTTLED WRITES", "SINCE"});
        for (var p : r.partitions()) {
            rows.add(new String[] {Long.toString(p.id()), p.start().isEmpty() ? "(start)" : p.start(),
                p.end() == null ? "(end)" : p.end(), rate(p.readsPerSecond()), rate(p.writesPerSecond()),
                rate(p.throttledPerSecond()), Long.toString(p.throttledReads()), Long.toString(p.throttledWrites()),
                p.since().equals(java.time.Instant.EPOCH) ? "-" : p.since().toString()});
        }
        String out = "bucket " + r.bucket() + ": " + r.partitions().size() + " partition(s), each "
                + rate(r.writeBudget()) + " writes/s and " + rate(r.readBudget()) + " reads/s\n" + render(rows, 3, 4, 5, 6, 7);
        return r.advice() == null ? out : out + "advice: " + r.advice() + "\n";
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%.1f", perSecond);
    }

    static String repair(RepairStatus r) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"KIND", "STATE", "CHECKED", "REPAIRED", "FAILED", "STARTED", "FINISHED"});
        rows.add(new String[] {or(r.kind()), or(r.state()), Long.toString(r.checked()), Long.toString(r.repaired()),
            Long.toString(r.failed()), or(r.startedAt()), or(r.finishedAt())});
        return render(rows, 2, 3, 4);
    }

    /** 1023 B, 1.0 KiB, 20.5 GiB: one decimal from KiB up. */
    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        int unit = 0;
        double v = bytes;
        while (v >= 1024 && unit < UNITS.length - 1) {
            v /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, UNITS[unit]);
    }

    /** Enough of a drive id to tell drives apart on screen. */
    static String shortId(String id) {
        return id == null ? "-" : id.length() <= 8 ? id : id.substring(0, 8);
    }

    private static String or(String s) {
        return s == null || s.isEmpty() ? "-" : s;
    }

    /** Columns two spaces apart; the given columns right-aligned; the last column not padded. */
    private static String render(List<String[]> rows, int... rightAligned) {
        int columns = rows.getFirst().length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                if (c > 0) {
                    line.append("  ");
                }
                String cell = row[c];
                String pad = " ".repeat(width[c] - cell.length());
                boolean right = false;
                for (int r : rightAligned) {
                    right |= r == c;
                }
                line.append(right ? pad + cell : c == columns - 1 ? cell : cell + pad);
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }
}
