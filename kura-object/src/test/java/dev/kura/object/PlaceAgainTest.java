package dev.kura.object;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.common.DataLocation;
import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import dev.kura.index.rocks.RocksObjectIndex;
import dev.kura.storage.BlobWriter;
import dev.kura.storage.ForwardingShardDrive;
import dev.kura.storage.ShardDrive;
import dev.kura.storage.erasure.ErasureBlobStore;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.storage.local.LocalBlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives that were writable when a write was placed and fail as its shards open (a node just cut off:
 * its drives' status is still fresh, the open times out, then they are marked unreachable) cost the write
 * its quorum before a byte of the body was read: the write is placed again on the drives left and
 * succeeds, and nothing of the first placement stays (no shard, no intent).
 */
class PlaceAgainTest {
    @TempDir
    Path dir;

    /** A drive cut off from this node: writable until an open fails on it, then known down. */
    private static final class CutOffDrive extends ForwardingShardDrive {
        final AtomicInteger refused = new AtomicInteger();
        private volatile boolean down;

        CutOffDrive(ShardDrive drive) {
            super(drive);
        }

        @Override
        public boolean isWritable() {
            return !down && drive.isWritable();
        }

        @Override
        public BlobWriter create(DataLocation planned, String label, boolean mayJournal) throws IOException {
            refused.incrementAndGet();
            down = true;
            throw new IOException("connect timed out (test: drive cut off)");
        }
    }

    @Test
    void aWriteThatLosesItsQuorumAsItsShardsOpenIsPlacedAgainOnTheDrivesLeft() throws Exception {
        List<LocalBlobStore> locals = new ArrayList<>();
        List<ShardDrive> drives = new ArrayList<>();
        List<CutOffDrive> cut = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            LocalBlobStore d = LocalBlobStore.open(dir.resolve("drive-" + i), new RealFileIo(), true);
            locals.add(d);
            if (i >= 3) {
                CutOffDrive c = new CutOffDrive(d);
                cut.add(c);
                drives.add(c);
            } else {
                drives.add(d);
            }
        }
        ErasureBlobStore store = ErasureBlobStore.open(drives, 2, 1);
        try (RocksObjectIndex index = RocksObjectIndex.open(dir.resolve("index"))) {
            ObjectService svc = new ObjectService(index, store, () -> Instant.parse("2026-12-07T00:00:00Z"),
                    new Random(11), "us-east-1");
            svc.createBucket("b", "owner");
            for (int i = 0; i < 8; i++) {
                byte[] data = new byte[(i % 2 == 0 ? 300_000 : 20_000) + i]; // large (2+1) and small (1+1) layouts
                new Random(i).nextBytes(data);
                svc.putObject(new PutObjectInput("b", "k" + i, data.length, null, null, null, Map.of(), Map.of(),
                        "STANDARD", Precondition.NONE), new ByteArrayInputStream(data));
                ObjectRecord r = svc.head("b", "k" + i);
                assertThat(r.location().drives()).as("k%d placed on drives that took it", i)
                        .doesNotContain(cut.get(0).driveId(), cut.get(1).driveId());
                try (InputStream in = svc.open("b", r, 0, r.size())) {
                    assertThat(in.readAllBytes()).isEqualTo(data);
                }
            }
            assertThat(cut.get(0).refused.get() + cut.get(1).refused.get())
                    .as("some first placement met a cut-off drive").isPositive();
            assertThat(index.intents(100)).as("no intent left behind").isEmpty();
            long shardFiles = 0;
            for (String cutDrive : List.of("drive-3", "drive-4")) {
                try (Stream<Path> files = Files.walk(dir.resolve(cutDrive).resolve("data"))) {
                    shardFiles += files.filter(Files::isRegularFile).count();
                }
            }
            assertThat(shardFiles).as("nothing on the cut-off drives").isZero();
        } finally {
            locals.forEach(LocalBlobStore::close);
        }
    }
}
