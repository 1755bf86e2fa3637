package dev.kura.server;

import dev.kura.common.Hex;
import dev.kura.frontend.http.HttpServer;
import dev.kura.frontend.s3.S3Handler;
import dev.kura.index.ObjectIndex;
import dev.kura.index.rocks.RocksObjectIndex;
import dev.kura.object.ObjectService;
import dev.kura.object.Users;
import dev.kura.object.Repairer;
import dev.kura.object.Sweeper;
import dev.kura.s3.auth.SigV4Authenticator;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: builds every component of one node, wires them through constructors
 * and owns their lifecycle. Nothing else constructs a service; there is no global state.
 */
public final class KuraServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KuraServer.class);

    private final ObjectIndex index;
    private final Storage store;
    private final StorageAdminService storageAdmin;
    private final HttpServer s3;
    private final HttpServer admin;
    private final ScheduledExecutorService background;
    private final List<InetSocketAddress> s3Bound;
    private final List<InetSocketAddress> adminBound;
    private final Credentials credentials;
    private final Telemetry telemetry;
    private final ClusterNode cluster; // null: a single node

    private KuraServer(ObjectIndex index, Storage store, StorageAdminService storageAdmin, HttpServer s3, HttpServer admin,
                       ScheduledExecutorService background, List<InetSocketAddress> s3Bound,
                       List<InetSocketAddress> adminBound, Credentials credentials, Telemetry telemetry,
                       ClusterNode cluster) {
        this.cluster = cluster;
        this.index = index;
        this.store = store;
        this.storageAdmin = storageAdmin;
        this.s3 = s3;
        this.admin = admin;
        this.background = background;
        this.s3Bound = s3Bound;
        this.adminBound = adminBound;
        this.credentials = credentials;
        this.telemetry = telemetry;
    }

    /** Opens the data directory, recovers from any crash, and starts serving. */
    public static KuraServer start(ServerConfig config, PrintStream terminal) throws Exception {
        return start(config, terminal, e -> { }, 0);
    }

    /**
     * As above; {@code onIndexWriterDeath} is told if the index's writer thread dies (the process
     * stops: see {@link Fatal}); {@code testingIndexWriterDiesAfter} > 0 makes it die, for tests.
     */
    static KuraServer start(ServerConfig config, PrintStream terminal, java.util.function.Consumer<Throwable> onIndexWriterDeath,
                            long testingIndexWriterDiesAfter) throws Exception {
        InstantSource clock = InstantSource.system();
        Instant boot = clock.instant();
        Files.createDirectories(config.dataDir());
        checkClusterSecrets(config);
        Credentials creds = Credentials.resolve(config, config.dataDir(), terminal);
        // The master key ring (docs/encryption.md): SSE-S3 data keys and stored user secrets are sealed by it.
        MasterKey masterKey = MasterKey.resolve(masterKeyFromEnv(config), config.masterKeyFile(), terminal);
        // One node: its own RocksDB index. A cluster node: its member of the replicated index.
        ClusterNode cluster = config.cluster() == null ? null : ClusterNode.start(config.cluster(), config.dataDir());
        ObjectIndex index = cluster != null ? cluster.index() : RocksObjectIndex.open(config.dataDir().resolve("index"),
                onIndexWriterDeath, testingIndexWriterDiesAfter);
        // Work done once for the whole store (sweeping, lifecycle, splits, scrubs): by the index leader in a cluster.
        java.util.function.BooleanSupplier leads = cluster == null ? () -> true : cluster::leads;
        Storage storage;
        Telemetry telemetry;
        ObjectService objects;
        Sweeper sweeper;
        try {
            storage = Storage.open(config, cluster);
            if (cluster != null) {
                cluster.attach(storage.driveSet());
            }
            telemetry = Telemetry.start(config.telemetry(), config.dataDir(), terminal, clock, boot, index, storage.store(),
                    storage::onlineDrives);
            if (cluster != null) {
                cluster.bindMetrics(telemetry.registry());
            }
            objects = new ObjectService(telemetry.index(), telemetry.drive(), clock, new SecureRandom(), config.region(),
                    config.inlineThreshold(), masterKey);
            // In a cluster an intent older than this node's start may be another node's write in progress:
            // only the intents' lifetime applies there.
            sweeper = new Sweeper(index, storage.store(), clock, cluster == null ? boot : Instant.EPOCH,
                    objects.activeReads());
            if (cluster == null) {
                sweeper.sweepOnce(); // garbage of writes the previous process never finished
            }
            telemetry.bindSweeper(sweeper);
        } catch (Exception e) {
            if (cluster != null) {
                cluster.close();
            } else {
                index.close();
            }
            throw e;
        }
        LOG.info("storage: {}", storage.describe());
        LOG.info("server-side encryption: master key {} ({} in the ring)", masterKey.activeKeyId(), masterKey.size());
        // The root user's canonical id: the SHA-256 of its access key (what its buckets carry as owner).
        String ownerId = Hex.encode(MessageDigest.getInstance("SHA-256")
                .digest(creds.accessKey().getBytes(StandardCharsets.UTF_8)));
        Users users = new Users(telemetry.index(), masterKey, clock, creds.accessKey(), creds.secretKey(), ownerId, "kura");
        SigV4Authenticator auth = new SigV4Authenticator(users::secretKey, config.region(), clock);
        dev.kura.object.PartitionBudgets budgets = new dev.kura.object.PartitionBudgets(telemetry.index(),
                config.partitionSettings(), System::nanoTime, clock);
        telemetry.bindPartitions(budgets);
        S3Handler s3Handler = new S3Handler(objects, auth, users, config.domain(), budgets);
        HttpServer s3 = new HttpServer(telemetry.observe(s3Handler), config.limits());
        telemetry.bindFrontEnd(s3);
        StorageAdminService storageAdmin = new StorageAdminService(storage, new Repairer(index, storage.store(), clock),
                clock, config.storage().scrubInterval());
        storageAdmin.startPeriodicScrub(leads);
        telemetry.bindRepairs(storageAdmin);
        if (storage.driveSet() != null) {
            storageAdmin.startRepairQueue(storage.store());
            storage.driveSet().onDegradedRead(storageAdmin::queueRepair);
        }
        // Its own listener, event loops and limits: an S3 flood never starves /health and /metrics.
        AdminHandler adminHandler = new AdminHandler(telemetry.health(), telemetry::scrape, telemetry.metricsToken(),
                storageAdmin, users, auth, creds.accessKey()).withPartitions(budgets);
        if (cluster != null) {
            adminHandler.withCluster(cluster::view, cluster::remove);
        }
        ConsoleDashboard dashboard = null;
        if (config.console()) {
            // The web console (kura-console): its S3 calls enter the S3 handler's door for requests a session
            // authenticated, observed like the S3 port's (metrics, access log), as the session's user.
            dashboard = new ConsoleDashboard(telemetry.registry(), telemetry.health(), storageAdmin,
                    storageAdmin::queuedRepairs, budgets,
                    () -> objects.buckets().stream().map(dev.kura.index.BucketRecord::name).toList(), clock, boot);
            adminHandler.withConsole(new dev.kura.console.Console(
                    new dev.kura.console.Sessions(users::secretKey, clock, new SecureRandom()), dashboard,
                    telemetry.observe(s3Handler.authenticatedDoor()), clock, creds.accessKey()::equals));
        }
        HttpServer admin = new HttpServer(adminHandler, HttpServer.Limits.defaults());
        // Two threads: a long lifecycle pass never holds up the sweeper's once-a-second pass.
        ScheduledExecutorService background = Executors.newScheduledThreadPool(2,
                Thread.ofVirtual().name("kura-background-", 0).factory());
        background.scheduleWithFixedDelay(() -> {
            if (!leads.getAsBoolean()) {
                return;
            }
            try {
                sweeper.sweepOnce();
            } catch (Exception e) {
                LOG.warn("sweeper pass failed: {}", e.toString());
            }
        }, 1, 1, TimeUnit.SECONDS); // a pass over nothing is two short index scans; space comes back within seconds
        background.scheduleWithFixedDelay(() -> {
            try {
                budgets.tick(leads.getAsBoolean()); // rates are this node's; splits and merges the leader's
            } catch (RuntimeException e) {
                LOG.warn("partition pass failed: {}", e.toString());
            }
        }, 1, 1, TimeUnit.SECONDS); // rates are measured over a second; splits and merges are index commands
        if (dashboard != null) {
            ConsoleDashboard sampled = dashboard;
            background.scheduleAtFixedRate(() -> {
                try {
                    sampled.sample();
                } catch (RuntimeException e) {
                    LOG.warn("dashboard sample failed: {}", e.toString());
                }
            }, 0, ConsoleDashboard.STEP_SECONDS, TimeUnit.SECONDS);
        }
        java.time.Duration lifecycleEvery = config.storage().lifecycleInterval();
        if (lifecycleEvery != null && !lifecycleEvery.isZero() && !lifecycleEvery.isNegative()) {
            if (config.storage().lifecycleTesting()) {
                objects.lifecycleDay(lifecycleEvery);
            }
            dev.kura.object.LifecycleWorker lifecycle = new dev.kura.object.LifecycleWorker(objects, index,
                    () -> clock.instant(), 10_000);
            background.scheduleWithFixedDelay(() -> {
                if (!leads.getAsBoolean()) {
                    return;
                }
                try {
                    var pass = lifecycle.runOnce();
                    if (pass.actions() > 0) {
                        LOG.info("lifecycle pass: {} expired, {} delete markers removed, {} noncurrent versions expired, "
                                + "{} uploads aborted, {} kept by Object Lock", pass.expired(), pass.markersRemoved(),
                                pass.noncurrentExpired(), pass.uploadsAborted(), pass.lockedSkipped());
                    }
                } catch (Exception e) {
                    LOG.warn("lifecycle pass failed: {}", e.toString());
                }
            }, lifecycleEvery.toMillis(), lifecycleEvery.toMillis(), TimeUnit.MILLISECONDS);
        }
        List<InetSocketAddress> s3Bound = bindAll(s3, config.s3Addresses());
        List<InetSocketAddress> adminBound = bindAll(admin, config.adminAddresses());
        if (cluster != null) {
            cluster.advertise(s3Bound);
        }
        KuraServer server = new KuraServer(index, storage, storageAdmin, s3, admin, background, s3Bound, adminBound, creds,
                telemetry, cluster);
        terminal.println("Kura is serving S3 on " + describe(s3Bound) + " (region " + config.region() + "), admin on "
                + describe(adminBound) + ", data in " + config.dataDir().toAbsolutePath() + "; " + storage.describe()
                + (cluster == null ? "" : "; cluster node " + config.cluster().node() + " (zone " + config.cluster().zone()
                        + ") at " + config.cluster().address().getAddress().getHostAddress() + ":"
                        + config.cluster().address().getPort() + " with " + (cluster.memberCount() - 1) + " other members"));
        return server;
    }

    private static String masterKeyFromEnv(ServerConfig config) {
        return config.masterKey() == null ? System.getenv("KURA_MASTER_KEY") : config.masterKey().fromEnv();
    }

    /**
     * A cluster node must share the root credentials and the master key with the others (SSE data keys
     * and user secrets written through one node are opened by another): it refuses to start without them
     * given, before it would generate its own.
     */
    private static void checkClusterSecrets(ServerConfig config) {
        if (config.cluster() == null) {
            return;
        }
        if (config.accessKey() == null || config.accessKey().isEmpty()
                || config.secretKey() == null || config.secretKey().isEmpty()) {
            throw new IllegalArgumentException("a cluster node needs the cluster's root credentials: set KURA_ACCESS_KEY "
                    + "and KURA_SECRET_KEY to the same values on every node");
        }
        if (masterKeyFromEnv(config) == null && !Files.exists(config.masterKeyFile())) {
            throw new IllegalArgumentException("a cluster node needs the cluster's master key: give every node the same "
                    + "--master-key-file (or KURA_MASTER_KEY); none at " + config.masterKeyFile());
        }
    }

    /** Binds each address; an address family the machine lacks (no IPv6) is skipped when others bind. */
    private static List<InetSocketAddress> bindAll(HttpServer server, List<InetSocketAddress> addresses) throws Exception {
        List<InetSocketAddress> bound = new ArrayList<>();
        Exception first = null;
        for (InetSocketAddress a : addresses) {
            try {
                bound.addAll(server.bind(List.of(a)));
            } catch (Exception e) {
                LOG.warn("cannot listen on {}: {}", a, e.toString());
                first = first == null ? e : first;
            }
        }
        if (bound.isEmpty()) {
            throw first != null ? first : new IOException("no address to listen on");
        }
        return bound;
    }

    private static String describe(List<InetSocketAddress> addresses) {
        List<String> out = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            String host = a.getAddress().getHostAddress().replace("0:0:0:0:0:0:0:1", "::1").replace("0:0:0:0:0:0:0:0", "::");
            out.add((host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort());
        }
        return String.join(", ", out);
    }

    /** The storage admin (drives, heal, scrub), as the admin API serves it. */
    public dev.kura.server.admin.StorageAdmin storageAdmin() {
        return storageAdmin;
    }

    public List<InetSocketAddress> s3Addresses() {
        return s3Bound;
    }

    public List<InetSocketAddress> adminAddresses() {
        return adminBound;
    }

    public String accessKey() {
        return credentials.accessKey();
    }

    public String secretKey() {
        return credentials.secretKey();
    }

    @Override
    public void close() {
        s3.close();
        admin.close();
        background.shutdownNow();
        storageAdmin.close();
        telemetry.close();
        store.close();
        if (cluster != null) {
            cluster.close();
        } else {
            index.close();
        }
    }
}
