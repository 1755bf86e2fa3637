package dev.kura.server;

import dev.kura.storage.BlobStore;
import dev.kura.storage.drives.DriveSet;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.storage.local.LocalBlobStore;
import java.io.IOException;
import java.util.List;

/**
 * The node's data drives as configured: without {@code --drive}, one drive under the data directory
 * ({@code <data>/drive0}, formatted on first start, as Kura always did); with {@code --drive}, a
 * {@link DriveSet} erasure-coded with {@code --ec} or the default layout for its size.
 */
final class Storage implements AutoCloseable {
    private final LocalBlobStore single; // without --drive
    private final DriveSet set;          // with --drive

    private Storage(LocalBlobStore single, DriveSet set) {
        this.single = single;
        this.set = set;
    }

    static Storage open(ServerConfig config) throws IOException {
        return open(config, null);
    }

    /** {@code cluster}: this node's part of its cluster (null for a single node). */
    static Storage open(ServerConfig config, ClusterNode cluster) throws IOException {
        ServerConfig.StorageConfig sc = config.storage();
        if (config.cluster() != null) {
            // A cluster node: its drives and, once known, the other nodes' (ClusterNode tells the set).
            int members = cluster != null ? cluster.memberCount() : config.cluster().members();
            int all = sc.drives().size() * members;
            DriveSet.Layout layout = clusterLayout(sc.layout(), sc.layout() == null && cluster != null
                    ? cluster.peerLayout() : null, all);
            return new Storage(null, DriveSet.openClustered(config.dataDir(), sc.drives(), layout, all,
                    new RealFileIo()));
        }
        if (sc.drives().isEmpty()) {
            LocalBlobStore drive = LocalBlobStore.open(config.dataDir().resolve("drive0"), new RealFileIo(), true);
            drive.purgeTemp();
            return new Storage(drive, null);
        }
        DriveSet.Layout layout = sc.layout() != null ? sc.layout() : DriveSet.Layout.defaultFor(sc.drives().size());
        return new Storage(null, DriveSet.open(config.dataDir(), sc.drives(), layout, new RealFileIo()));
    }

    /** The store the object service writes to. */
    BlobStore store() {
        return single != null ? single : set.store();
    }

    /** The drives online now. */
    List<LocalBlobStore> onlineDrives() {
        return single != null ? List.of(single) : set.online();
    }

    /** The drive set, or null when Kura runs on its one default drive. */
    DriveSet driveSet() {
        return set;
    }

    /** One line for the log and the terminal. */
    /**
     * The layout a cluster node writes with: {@code --ec} when given; else the one the other members say
     * they write with (a node added to a running cluster takes it up, so every node writes alike); else,
     * the cluster forming, the default for all the members' drives ({@code drives}: this node's times the
     * members).
     */
    static DriveSet.Layout clusterLayout(DriveSet.Layout given, String peers, int drives) {
        if (given != null) {
            return given;
        }
        if (peers != null && !peers.isBlank()) {
            try {
                DriveSet.Layout theirs = DriveSet.Layout.parse(peers);
                theirs.check(drives);
                return theirs;
            } catch (IllegalArgumentException e) {
                // a layout these drives cannot serve (or garbled): the default
            }
        }
        return DriveSet.Layout.defaultFor(drives);
    }

    String describe() {
        if (single != null) {
            return "1 drive (" + single.root() + ")";
        }
        long online = set.drives().stream().filter(d -> d.state() == DriveSet.State.ONLINE).count();
        long zones = set.drives().stream().map(d -> d.spec().zone()).distinct().count();
        String text = set.drives().size() + " drives in " + zones + " zones, erasure coding " + set.layout()
                + ", " + online + " online";
        if (!set.peerDrives().isEmpty()) {
            text += ", and " + set.peerDrives().size() + " drives of other nodes";
        }
        for (DriveSet.Drive d : set.drives()) {
            if (d.state() != DriveSet.State.ONLINE) {
                text += "; " + d.spec().path() + " is " + d.state().label() + ": " + d.reason();
            }
        }
        return text;
    }

    @Override
    public void close() {
        if (single != null) {
            single.close();
        } else {
            set.close();
        }
    }
}
