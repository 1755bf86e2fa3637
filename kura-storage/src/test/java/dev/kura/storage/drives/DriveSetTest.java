package dev.kura.storage.drives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.common.DataId;
import dev.kura.common.DataLocation;
import dev.kura.storage.BlobStore;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.fs.RealFileIo;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which directories a drive set trusts, formats and writes. */
class DriveSetTest {
    @TempDir
    Path dir;
    final Random rnd = new Random(3);

    List<DriveSet.DriveSpec> six() {
        List<DriveSet.DriveSpec> specs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            specs.add(DriveSet.DriveSpec.parse(dir.resolve("d" + i) + ",zone=z" + (i / 2), i));
        }
        return specs;
    }

    DriveSet open(List<DriveSet.DriveSpec> specs) throws IOException {
        return DriveSet.open(dir.resolve("home"), specs, DriveSet.Layout.parse("4+2"), new RealFileIo());
    }

    static DataLocation write(BlobStore s, byte[] data, Random rnd) throws IOException {
        DataLocation planned = s.place(DataId.random(rnd));
        try (BlobWriter w = s.create(planned, "test")) {
            w.write(data, 0, data.length);
            return w.commit();
        }
    }

    static byte[] read(BlobStore s, DataLocation loc) throws IOException {
        try (InputStream in = s.open(loc, 0, loc.length())) {
            return in.readAllBytes();
        }
    }

    @Test
    void parsesDrivesAndLayoutsAndRefusesWhatCannotBeServed() {
        assertThat(DriveSet.DriveSpec.parse("/srv/a,zone=rack-1", 0)).isEqualTo(new DriveSet.DriveSpec(Path.of("/srv/a"), "rack-1"));
        assertThat(DriveSet.DriveSpec.parse("/srv/b", 4).zone()).isEqualTo("zone5");
        assertThatThrownBy(() -> DriveSet.DriveSpec.parse("/srv/a,rack=1", 0)).hasMessageContaining("PATH[,zone=NAME]");
        assertThat(DriveSet.Layout.defaultFor(1)).isEqualTo(new DriveSet.Layout(1, 0));
        assertThat(DriveSet.Layout.defaultFor(4)).isEqualTo(new DriveSet.Layout(2, 2));
        assertThat(DriveSet.Layout.defaultFor(5)).isEqualTo(new DriveSet.Layout(2, 2));
        assertThat(DriveSet.Layout.defaultFor(6)).isEqualTo(new DriveSet.Layout(4, 2));
        assertThat(DriveSet.Layout.defaultFor(12)).isEqualTo(new DriveSet.Layout(4, 2));
        assertThatThrownBy(() -> DriveSet.Layout.parse("4+2").check(3))
                .hasMessage("--ec 4+2 needs at least 6 drives (one per shard, each on its own drive); 3 given");
        assertThatThrownBy(() -> DriveSet.Layout.parse("four")).hasMessageContaining("expects K+M");
        assertThatThrownBy(() -> DriveSet.Layout.parse("0+2")).hasMessageContaining("K >= 1");
    }

    @Test
    void aNewSetFormatsItsEmptyDrivesOnceAndLaterOnlyOnRequest() throws IOException {
        byte[] data = new byte[300_000];
        rnd.nextBytes(data);
        DataLocation loc;
        try (DriveSet set = open(six())) {
            assertThat(set.drives()).allMatch(d -> d.state() == DriveSet.State.ONLINE);
            assertThat(set.online()).extracting(d -> d.zone()).containsExactly("z0", "z0", "z1", "z1", "z2", "z2");
            loc = write(set.store(), data, rnd);
            assertThat(loc.scheme()).isEqualTo("rs-4-2");
        }
        // A drive replaced by an empty directory: never formatted on its own.
        String oldId;
        try (DriveSet set = open(six())) {
            oldId = set.drives().get(3).id();
        }
        deleteTree(dir.resolve("d3"));
        Files.createDirectories(dir.resolve("d3"));
        try (DriveSet set = open(six())) {
            assertThat(set.drives().get(3).state()).isEqualTo(DriveSet.State.UNFORMATTED);
            assertThat(set.drives().get(3).reason()).contains("kura admin drives format");
            assertThat(dir.resolve("d3")).isEmptyDirectory();
            assertThat(read(set.store(), loc)).isEqualTo(data); // rebuilt from parity
            DriveSet.Drive formatted = set.format(dir.resolve("d3"));
            assertThat(formatted.state()).isEqualTo(DriveSet.State.ONLINE);
            assertThat(formatted.store().zone()).isEqualTo("z1");
            assertThat(formatted.id()).as("the replacement takes the dead drive's id").isEqualTo(oldId);
            int rebuilt = loc.drives().contains(oldId) ? 1 : 0;
            assertThat(set.store().repair(loc).shardsRebuilt()).isEqualTo(rebuilt);
            assertThat(set.store().repair(loc).shardsRebuilt()).isZero();
            assertThat(read(set.store(), loc)).isEqualTo(data);
            assertThatThrownBy(() -> set.format(dir.resolve("d3"))).hasMessageContaining("is online");
            assertThatThrownBy(() -> set.format(dir.resolve("elsewhere"))).hasMessageContaining("not one of the configured drives");
        }
    }

    @Test
    void aDriveOfAnotherKuraOrANonEmptyDirectoryIsNeverUsed() throws IOException {
        Path otherHome = dir.resolve("other-home");
        List<DriveSet.DriveSpec> foreign = List.of(DriveSet.DriveSpec.parse(dir.resolve("x0").toString(), 0),
                DriveSet.DriveSpec.parse(dir.resolve("x1").toString(), 1));
        try (DriveSet other = DriveSet.open(otherHome, foreign, DriveSet.Layout.parse("1+1"), new RealFileIo())) {
            assertThat(other.online()).hasSize(2);
        }
        try (DriveSet set = open(six())) {
            assertThat(set.online()).hasSize(6);
        }
        // Swap in the other Kura's drive: never used, and writes narrow their parity.
        deleteTree(dir.resolve("d0"));
        Files.move(dir.resolve("x0"), dir.resolve("d0"));
        try (DriveSet set = open(six())) {
            assertThat(set.drives().get(0).state()).isEqualTo(DriveSet.State.FOREIGN);
            assertThat(set.drives().get(0).reason()).contains("belongs to drive set");
            assertThat(set.online()).hasSize(5);
            assertThat(write(set.store(), new byte[10], rnd).scheme()).isEqualTo("rs-3-2");
        }
        // And a directory holding someone's files: left alone; 4 drives still take new data, as 2+2.
        deleteTree(dir.resolve("d1"));
        Files.createDirectories(dir.resolve("d1"));
        Files.writeString(dir.resolve("d1/notes.txt"), "mine");
        try (DriveSet set = open(six())) {
            assertThat(set.drives().get(1).state()).isEqualTo(DriveSet.State.OFFLINE);
            assertThat(set.drives().get(1).reason()).contains("not empty");
            assertThat(write(set.store(), new byte[10], rnd).scheme()).isEqualTo("rs-2-2");
        }
        assertThat(dir.resolve("d1").toFile().list()).containsExactly("notes.txt");
    }

    static void deleteTree(Path p) throws IOException {
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    @Test
    void aClusterNodesSetRefusesWritesUntilItKnowsEnoughDrivesThenSpreadsShardsOverThem() throws IOException {
        // This node's one drive, and two drives standing for two other nodes' (ShardDrives all).
        DriveSet set = DriveSet.openClustered(dir.resolve("home"),
                List.of(DriveSet.DriveSpec.parse(dir.resolve("mine") + ",zone=a", 0)), DriveSet.Layout.parse("2+1"), 3,
                new RealFileIo());
        dev.kura.storage.local.LocalBlobStore b = dev.kura.storage.local.LocalBlobStore.open(dir.resolve("b"),
                new RealFileIo(), new dev.kura.storage.local.LocalBlobStore.Format("b", java.util.UUID.randomUUID().toString(), null),
                dev.kura.storage.local.LocalBlobStore.DEFAULT_BLOCK_SIZE);
        dev.kura.storage.local.LocalBlobStore c = dev.kura.storage.local.LocalBlobStore.open(dir.resolve("c"),
                new RealFileIo(), new dev.kura.storage.local.LocalBlobStore.Format("c", java.util.UUID.randomUUID().toString(), null),
                dev.kura.storage.local.LocalBlobStore.DEFAULT_BLOCK_SIZE);
        try {
            assertThat(set.store().isWritable()).isFalse();
            assertThatThrownBy(() -> write(set.store(), new byte[10], rnd))
                    .isInstanceOf(dev.kura.storage.InsufficientDrivesException.class)
                    .hasMessageContaining("waiting for the other nodes");
            set.peerDrives(List.of(b, c));
            assertThat(set.store().isWritable()).isTrue();
            byte[] data = new byte[3 << 20];
            rnd.nextBytes(data);
            DataLocation loc = write(set.store(), data, rnd);
            assertThat(loc.drives()).containsExactlyInAnyOrder(set.online().getFirst().driveId(), b.driveId(), c.driveId());
            assertThat(read(set.store(), loc)).isEqualTo(data);
            assertThat(set.peerDrives()).containsExactly(b, c);
            DriveSet alone = DriveSet.open(dir.resolve("home-alone"), six(), DriveSet.Layout.parse("4+2"), new RealFileIo());
            assertThatThrownBy(() -> alone.peerDrives(List.of(b)))
                    .as("only a cluster node's set takes other nodes' drives").isInstanceOf(IllegalStateException.class);
            alone.close();
        } finally {
            set.close();
            b.close();
            c.close();
        }
    }

    @Test
    void aOneNodeClusterWithOneDriveIsWritableAtOnce() throws IOException {
        DriveSet set = DriveSet.openClustered(dir.resolve("home"),
                List.of(DriveSet.DriveSpec.parse(dir.resolve("only") + ",zone=a", 0)), DriveSet.Layout.parse("1+0"), 1,
                new RealFileIo());
        try {
            assertThat(set.store().isWritable()).isTrue();
            byte[] data = new byte[70_000];
            rnd.nextBytes(data);
            assertThat(read(set.store(), write(set.store(), data, rnd))).isEqualTo(data);
        } finally {
            set.close();
        }
    }
}
