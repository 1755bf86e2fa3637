package dev.kura.server.admin;

import dev.kura.common.JsonReader;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.server.admin.StorageAdmin.DriveStatus;
import dev.kura.server.admin.StorageAdmin.RepairStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdminJsonTest {
    @Test
    void drivesAndRepairsRoundTrip() {
        List<DriveStatus> drives = List.of(
                new DriveStatus("/mnt/a \"quoted\"\\\n\u00e9\u2028", "id-1", null, "offline", "I/O error: \t eio",
                        Long.MAX_VALUE, 0, 7),
                new DriveStatus("/mnt/b", null, "z", "online", null, 1, 2, 3));
        assertThat(AdminJson.readDrives(AdminJson.drives(drives))).isEqualTo(drives);
        assertThat(AdminJson.readDrives("[]")).isEmpty();
        RepairStatus r = new RepairStatus("scrub", "done", 5, 1, 2, "2025-01-01T00:00:00Z", null);
        assertThat(AdminJson.readRepair(AdminJson.repair(r).toString())).isEqualTo(r);
    }

    @Test
    void partitionsRoundTripAndPrintWithTheAdvice() {
        var report = new dev.kura.object.PartitionReport("logs", 3500, 5500, List.of(
                new dev.kura.object.PartitionReport.Row(0, "", "2026-12-07/5", java.time.Instant.EPOCH, 1.5, 3400, 0,
                        0, 12),
                new dev.kura.object.PartitionReport.Row(1, "2026-12-07/5", null,
                        java.time.Instant.parse("2026-12-07T04:00:00Z"), 0, 3500, 120.5, 3, 4000)),
                "most requests (97%) go to keys starting with 2026-12-07/: put the high-cardinality part of the key "
                        + "first, dates last");
        assertThat(AdminJson.readPartitions(AdminJson.partitions(report).toString())).isEqualTo(report);
        String table = Tables.partitions(report);
        assertThat(table).contains("2 partition(s)").contains("(start)").contains("(end)").contains("2026-12-07/5")
                .contains("3400.0").contains("advice: most requests (97%) go to keys starting with 2026-12-07/");
    }

    @Test
    void theReaderIsStrict() {
        assertThat(JsonReader.parse(" {\"a\": [1, -2.5e1, true, false, null, \"\\u0041\\/\"]} "))
                .isEqualTo(Map.of("a", java.util.Arrays.asList(1L, -25.0, true, false, null, "A/")));
        for (String bad : new String[] {"", "{", "[1,]", "{\"a\" 1}", "\"open", "nul", "[1] x", "{\"a\":01x}"}) {
            assertThatThrownBy(() -> JsonReader.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(AdminJson.readError("{\"error\":\"no\"}")).isEqualTo("no");
        assertThat(AdminJson.readError("<html>")).isNull();
    }

    @Test
    void sizesAndIdsForTheTable() {
        assertThat(Tables.size(0)).isEqualTo("0 B");
        assertThat(Tables.size(1023)).isEqualTo("1023 B");
        assertThat(Tables.size(1024)).isEqualTo("1.0 KiB");
        assertThat(Tables.size(1_610_612_736L)).isEqualTo("1.5 GiB");
        assertThat(Tables.size(Long.MAX_VALUE)).isEqualTo("8.0 EiB");
        assertThat(Tables.shortId("3f2a9c1e-77aa")).isEqualTo("3f2a9c1e");
        assertThat(Tables.shortId(null)).isEqualTo("-");
    }
}
