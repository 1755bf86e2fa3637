package dev.kura.cluster;

import dev.kura.index.IndexCommand;
import dev.kura.index.IndexException;
import dev.kura.index.codec.CommandCodec;
import dev.kura.index.rocks.DuplicateLogCall;
import dev.kura.index.rocks.LogPosition;
import dev.kura.index.rocks.RocksObjectIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;

/**
 * The index as a Raft state machine: each log entry is one {@link IndexCommand} in its binary form
 * ({@link CommandCodec}), and the state is the same RocksDB index a single node runs
 * ({@link RocksObjectIndex}, in {@code <home>/index}), applied through the same code.
 *
 * <h2>Applying</h2>
 * Ratis calls {@link #applyTransaction} once per committed entry, in log order, on one thread, without
 * waiting for the previous future; each command goes to the index's single applier with its log
 * position ({@link RocksObjectIndex#applyLogged}), so consecutive entries are group-committed into one
 * RocksDB batch which also records the last position. The batch is not synced: the Raft log (fsync'd on
 * a majority before the entry commits) is the durable record, and a crash loses a suffix of applies
 * together with their recorded position. The reply is the command's outcome ({@link OutcomeCodec}):
 * a rejection (precondition, missing bucket…) is an answer like a result, the same on every replica.
 *
 * <h2>Restart and idempotence</h2>
 * Ratis replays the log from the latest snapshot. The index skips every entry at or before the position
 * it recorded, so no command is applied twice, whatever the distance between snapshot and state.
 *
 * <h2>Snapshots</h2>
 * {@link #takeSnapshot} makes the index durable, writes a RocksDB checkpoint and publishes it as
 * {@code snapshots/<term>_<index>} ({@link CheckpointSnapshots}); Ratis may then purge the log up to
 * it. A replica too far behind receives the leader's checkpoint files; {@link #reinitialize} then
 * replaces its index by the checkpoint when the checkpoint is ahead of it, and the log continues from
 * there. Reads served meanwhile wait on a lock ({@link #read}).
 */
public final class IndexStateMachine extends BaseStateMachine {
    private static final System.Logger LOG = System.getLogger(IndexStateMachine.class.getName());

    private final Path home;
    private final Path live;
    private final CheckpointSnapshots snapshots;
    /** Reads hold it shared; replacing the index (install, close) holds it exclusively. */
    private final ReentrantReadWriteLock swap = new ReentrantReadWriteLock();
    private volatile RocksObjectIndex index;

    /** Verifies that a command was sealed by a holder of the cluster secret. */
    private final CommandSeal seal;
    /** Told once when this replica can no longer apply the log (its index write failed, its writer died). */
    private final java.util.function.Consumer<Throwable> onFailure;
    private final long testingWriterDiesAfter;
    /** Set when an apply failed here: the state lacks a committed command and must not be read. */
    private volatile Throwable failed;

    /**
     * {@code onFailure} is told (once) when this replica's own index write fails: it is then behind the
     * others for good, refuses reads and applies, and should be stopped ({@link IndexReplica} stops its
     * member). {@code testingWriterDiesAfter} > 0 makes the index writer die before that many batch
     * writes, for tests of exactly that path; 0 in production.
     */
    public IndexStateMachine(Path home, CommandSeal seal, java.util.function.Consumer<Throwable> onFailure,
                             long testingWriterDiesAfter) {
        this.seal = seal;
        this.home = home;
        this.live = home.resolve("index");
        this.snapshots = new CheckpointSnapshots(home);
        this.onFailure = onFailure;
        this.testingWriterDiesAfter = testingWriterDiesAfter;
    }

    private RocksObjectIndex open() throws IOException {
        return RocksObjectIndex.open(live, this::fail, testingWriterDiesAfter);
    }

    private void fail(Throwable cause) {
        boolean first;
        synchronized (this) {
            first = failed == null;
            if (first) {
                failed = cause;
            }
        }
        if (first) {
            LOG.log(System.Logger.Level.ERROR, "this replica can no longer apply the log; it stops", cause);
            onFailure.accept(cause);
        }
    }

    /** True once an apply failed on this replica (see the constructor). */
    public boolean hasFailed() {
        return failed != null;
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return snapshots;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage storage) throws IOException {
        super.initialize(server, groupId, storage);
        snapshots.init(storage);
        getLifeCycle().transition(LifeCycle.State.STARTING);
        load();
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    @Override
    public void pause() {
        LifeCycle lc = getLifeCycle();
        if (lc.getCurrentState() == LifeCycle.State.RUNNING) {
            lc.transition(LifeCycle.State.PAUSING);
            lc.transition(LifeCycle.State.PAUSED);
        }
    }

    /** After a snapshot was installed from the leader: take it when it is ahead of the index. */
    @Override
    public void reinitialize() throws IOException {
        getLifeCycle().transition(LifeCycle.State.STARTING);
        load();
        getLifeCycle().transition(LifeCycle.State.RUNNING);
    }

    /**
     * Opens the live index, first replacing it by the newest snapshot when that is ahead of it (or it is
     * missing: a new or wiped replica, a crash half-way through a replacement).
     */
    private void load() throws IOException {
        swap.writeLock().lock();
        try {
            closeIndex();
            Optional<CheckpointSnapshots.Snapshot> snapshot = snapshots.latest();
            RocksObjectIndex opened = Files.isDirectory(live) ? open() : null;
            long liveIndex = opened == null ? -1 : opened.appliedLogPosition().map(LogPosition::index).orElse(-1L);
            if (snapshot.isPresent() && snapshot.get().termIndex().getIndex() > liveIndex) {
                if (opened != null) {
                    opened.close();
                }
                restore(snapshot.get().dir());
                opened = open();
                LOG.log(System.Logger.Level.INFO, "index restored from snapshot {0}", snapshot.get().termIndex());
            } else if (opened == null) {
                opened = open();
            }
            index = opened;
            // Ratis resumes applying after the snapshot; the entries up to the index's own position
            // are then skipped by the index (applyLogged), and the applied term-index moves on with them.
            setLastAppliedTermIndex(snapshot.map(CheckpointSnapshots.Snapshot::termIndex).orElse(TermIndex.INITIAL_VALUE));
        } finally {
            swap.writeLock().unlock();
        }
    }

    /** Builds a copy of the checkpoint beside the live index, then swaps it in with renames. */
    private void restore(Path checkpoint) throws IOException {
        Path staging = home.resolve("index.restoring");
        Path old = home.resolve("index.old");
        CheckpointSnapshots.deleteTree(staging);
        CheckpointSnapshots.deleteTree(old);
        Files.createDirectories(staging);
        for (Path f : CheckpointSnapshots.checkpointFiles(checkpoint)) {
            Path to = staging.resolve(f.getFileName().toString());
            if (f.getFileName().toString().endsWith(".sst")) {
                Files.createLink(to, f); // immutable: RocksDB never rewrites an SST file
            } else {
                Files.copy(f, to);
            }
        }
        CheckpointSnapshots.syncDirectory(staging);
        if (Files.exists(live)) {
            Files.move(live, old, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, live, StandardCopyOption.ATOMIC_MOVE);
        CheckpointSnapshots.syncDirectory(home);
        CheckpointSnapshots.deleteTree(old);
    }

    /**
     * A client request enters the log only when its command's seal verifies: a process that reaches the
     * Raft port without the cluster secret cannot write to the index.
     */
    @Override
    public TransactionContext startTransaction(org.apache.ratis.protocol.RaftClientRequest request) throws IOException {
        try {
            seal.open(request.getMessage().getContent().toByteArray());
        } catch (SecurityException e) {
            LOG.log(System.Logger.Level.WARNING, "refused an index request from client " + request.getClientId()
                    + ": " + e.getMessage());
            throw new IOException("refused: " + e.getMessage());
        }
        return super.startTransaction(request);
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        return inOrder(entry.getTerm(), entry.getIndex(), apply(entry));
    }

    private CompletableFuture<Message> apply(LogEntryProto entry) {
        LogPosition position = new LogPosition(entry.getTerm(), entry.getIndex());
        IndexCommand command;
        try {
            command = CommandCodec.decode(seal.open(entry.getStateMachineLogEntry().getLogData().toByteArray()));
        } catch (RuntimeException e) { // a bad seal too (an entry no member sealed): refused, the same everywhere
            // The same bytes fail alike on every replica: an answer, not a divergence.
            return CompletableFuture.completedFuture(reply(OutcomeCodec.encodeFailure(
                    new IllegalArgumentException("unreadable command: " + e.getMessage()))));
        }
        if (failed != null) {
            return CompletableFuture.failedFuture(new IOException("this replica failed", failed));
        }
        Optional<CompletableFuture<dev.kura.index.IndexResult>> applying =
                index.applyLogged(position, command, callKey(entry));
        if (applying.isEmpty()) {
            return CompletableFuture.completedFuture(reply(OutcomeCodec.SKIPPED));
        }
        return applying.get().handle((result, failure) -> {
            if (failure == null) {
                return reply(OutcomeCodec.encode(result));
            }
            Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
            if (cause instanceof DuplicateLogCall) {
                return reply(OutcomeCodec.DUPLICATE); // the client got the first copy's answer already
            }
            if (cause instanceof IndexException.EngineFailure || cause instanceof IndexException.OutcomeUnknown) {
                // This replica failed to write what the others apply: its state can no longer be trusted.
                fail(new IOException("index apply failed at " + position, cause));
                throw new CompletionException(cause);
            }
            return reply(OutcomeCodec.encodeFailure(cause));
        });
    }

    /**
     * The Raft client's id and the call's number: the same for every copy of one request, so a retry that
     * a new leader appended again is recognised by the index and not applied twice.
     */
    private static byte[] callKey(LogEntryProto entry) {
        var smEntry = entry.getStateMachineLogEntry();
        byte[] client = smEntry.getClientId().toByteArray();
        return java.nio.ByteBuffer.allocate(client.length + 8).put(client).putLong(smEntry.getCallId()).array();
    }

    /**
     * Entries without a command (configuration, a new leader's no-op): applied once every entry before
     * them is (see {@link #inOrder}).
     */
    @Override
    public void notifyTermIndexUpdated(long term, long index) {
        inOrder(term, index, CompletableFuture.completedFuture(null));
    }

    /** Completes once every entry handed over before the latest is applied; only Ratis's apply thread sets it. */
    private CompletableFuture<?> lastInOrder = CompletableFuture.completedFuture(null);

    /**
     * The applied position moves only when an entry's apply is written and every entry before it is:
     * Ratis lets a linearizable read through as soon as {@link #getLastAppliedTermIndex()} reaches the read
     * index, and also when the future of that entry completes, so neither may run ahead of the index
     * (moving it when an apply was merely handed over let a read miss a write the client had seen
     * acknowledged: a read that went back in time). Returns {@code mine}, completing in log order.
     */
    private synchronized <T> CompletableFuture<T> inOrder(long term, long index, CompletableFuture<T> mine) {
        CompletableFuture<T> ordered = lastInOrder.handle((x, e) -> null).thenCompose(x -> mine);
        ordered.whenComplete((m, e) -> {
            synchronized (this) {
                if (index > getLastAppliedTermIndex().getIndex()) {
                    updateLastAppliedTermIndex(term, index);
                }
            }
        });
        lastInOrder = ordered;
        return ordered;
    }

    private static Message reply(byte[] bytes) {
        return Message.valueOf(ByteString.copyFrom(bytes));
    }

    /**
     * A read-only request: Ratis calls this only once the replica has applied everything committed when the
     * read began (the read index), so reading the local index here is linearizable. Two kinds: the read
     * barrier of {@link ReplicatedIndex} (an empty message), answered with the applied position, after which
     * the caller reads its own replica; and a sealed {@link IndexRead} from a node with no replica of this
     * group, run here and answered with its result. A read whose seal does not verify is refused: the index
     * (users' secrets among it) is read by holders of the cluster secret only.
     */
    @Override
    public CompletableFuture<Message> query(Message request) {
        byte[] bytes = request.getContent().toByteArray();
        if (bytes.length == 0) {
            long applied = getLastAppliedTermIndex().getIndex();
            return CompletableFuture.completedFuture(reply(java.nio.ByteBuffer.allocate(8).putLong(applied).array()));
        }
        try {
            IndexRead<?> read = IndexRead.decodeRequest(seal.open(bytes));
            // Not on the thread that completes the read index (the index's applier, which a read must not hold
            // up, and which a close waits for while holding the lock the read takes).
            return CompletableFuture.supplyAsync(() -> reply(read(index -> IndexRead.answer(read, index))),
                    r -> Thread.ofVirtual().name("kura-index-query").start(r));
        } catch (SecurityException e) {
            LOG.log(System.Logger.Level.WARNING, "refused an index read: " + e.getMessage());
            return CompletableFuture.failedFuture(new IOException("refused: " + e.getMessage()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public long takeSnapshot() throws IOException {
        swap.readLock().lock();
        try {
            RocksObjectIndex current = index;
            Optional<LogPosition> applied = current.appliedLogPosition();
            if (applied.isEmpty()) {
                return RaftLog.INVALID_LOG_INDEX;
            }
            Optional<CheckpointSnapshots.Snapshot> latest = snapshots.latest();
            if (latest.isPresent() && latest.get().termIndex().getIndex() >= applied.get().index()) {
                return latest.get().termIndex().getIndex();
            }
            Path tmp = snapshots.newTemporary();
            LogPosition taken = current.checkpoint(tmp).orElseThrow();
            snapshots.publish(tmp, TermIndex.valueOf(taken.term(), taken.index()));
            return taken.index();
        } finally {
            swap.readLock().unlock();
        }
    }

    /**
     * Runs a read on this replica's index (not linearizable by itself: {@link ReplicatedIndex} first
     * passes a read barrier). Waits while a snapshot is being installed. A failed or closed replica answers
     * {@link dev.kura.index.IndexUnavailableException} (S3's 503): never a read from a state missing commands.
     */
    public <T> T read(Function<RocksObjectIndex, T> read) {
        swap.readLock().lock();
        try {
            RocksObjectIndex current = index;
            if (failed != null) {
                throw new dev.kura.index.IndexUnavailableException("this replica failed and serves no reads", failed);
            }
            if (current == null) {
                throw new dev.kura.index.IndexUnavailableException("the replica's index is closed", null);
            }
            return read.apply(current);
        } finally {
            swap.readLock().unlock();
        }
    }

    /** The last log position this replica applied and committed to its index (for tests and metrics). */
    public Optional<LogPosition> appliedPosition() {
        return read(RocksObjectIndex::appliedLogPosition);
    }

    /** Waits for every apply handed to the index so far (for a clean close). */
    private void closeIndex() {
        RocksObjectIndex current = index;
        index = null;
        if (current != null) {
            current.close();
        }
    }

    @Override
    public void close() throws IOException {
        swap.writeLock().lock();
        try {
            closeIndex();
        } finally {
            swap.writeLock().unlock();
        }
        super.close();
    }
}
