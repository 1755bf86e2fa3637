package dev.kura.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import dev.kura.index.rocks.RocksObjectIndex;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.storage.local.LocalBlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small objects kept in the index, batched deletes, the sweeper's pace, and a full drive. */
class SmallObjectsAndSpaceTest {
    static final int T = ObjectService.DEFAULT_INLINE_THRESHOLD;

    @TempDir
    Path dir;
    RocksObjectIndex index;
    LocalBlobStore store;
    ObjectService svc;
    Sweeper sweeper;
    final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));

    @BeforeEach
    void open() throws IOException {
        index = RocksObjectIndex.open(dir.resolve("index"));
        store = LocalBlobStore.open(dir.resolve("drive"), new RealFileIo(), true);
        svc = new ObjectService(index, store, clock, new Random(7), "us-east-1");
        sweeper = new Sweeper(index, store, clock, clock.instant().minusSeconds(1), svc.activeReads());
        svc.createBucket("b", "owner");
    }

    @AfterEach
    void close() {
        store.close();
        index.close();
    }

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    ObjectRecord put(String key, byte[] data, long declared) throws IOException {
        return svc.putObject(new PutObjectInput("b", key, declared, null, null, null, Map.of(), Map.of(), "STANDARD",
                Precondition.NONE), new ByteArrayInputStream(data));
    }

    byte[] read(String key, long offset, long length) throws IOException {
        try (InputStream in = svc.open("b", svc.head("b", key), offset, length)) {
            return in.readAllBytes();
        }
    }

    long dataFiles() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("drive/data"))) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void objectsUpToTheThresholdLiveInTheIndexAndLargerOnesOnTheDrive() throws IOException {
        for (int size : new int[] {0, 1, 4096, T}) {
            byte[] data = bytes(size, size);
            assertThat(put("k" + size, data, size).location().isInline()).as("size %d", size).isTrue();
            assertThat(read("k" + size, 0, size)).isEqualTo(data);
        }
        assertThat(dataFiles()).isZero();
        byte[] big = bytes(T + 1, 1);
        assertThat(put("big", big, big.length).location().isInline()).isFalse();
        assertThat(read("big", 0, big.length)).isEqualTo(big);
        assertThat(dataFiles()).isEqualTo(1);
        assertThat(index.intents(10)).isEmpty();
    }

    @Test
    void anUnknownLengthIsDecidedByWhatArrives() throws IOException {
        byte[] small = bytes(1000, 3);
        byte[] large = bytes(T + 10, 4);
        assertThat(put("small", small, -1).location().isInline()).isTrue();
        assertThat(put("large", large, -1).location().isInline()).isFalse();
        assertThat(read("small", 0, small.length)).isEqualTo(small);
        assertThat(read("large", 0, large.length)).isEqualTo(large);
    }

    @Test
    void rangesCopiesAndWrongLengthsOfInlineObjects() throws IOException {
        byte[] data = bytes(5000, 5);
        put("k", data, data.length);
        assertThat(read("k", 100, 50)).isEqualTo(java.util.Arrays.copyOfRange(data, 100, 150));
        svc.copyObject(svc.head("b", "k"), new CopyInput("b", "b", "copy", Map.of(), Map.of(), "STANDARD", Map.of(), null,
                Precondition.NONE));
        assertThat(read("copy", 0, data.length)).isEqualTo(data);
        assertThat(svc.head("b", "copy").location().dataId()).isNotEqualTo(svc.head("b", "k").location().dataId());
        assertThatThrownBy(() -> put("short", data, data.length + 1))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.IncompleteBody));
        assertThatThrownBy(() -> put("long", data, data.length - 1))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.code()).isEqualTo(S3ErrorCode.IncompleteBody));
        assertThatThrownBy(() -> svc.head("b", "short")).isInstanceOf(S3Exception.class);
    }

    @Test
    void overwrittenAndDeletedDataIsFreedWithinSecondsBothInlineAndOnTheDrive() throws Exception {
        put("a", bytes(100, 1), 100);
        put("a", bytes(T + 1, 2), T + 1); // inline replaced by a data file
        put("b", bytes(T + 1, 3), T + 1);
        put("b", bytes(10, 4), 10);       // data file replaced by inline
        svc.deleteObject("b", "a", Precondition.NONE);
        assertThat(index.pendingFrees(10)).hasSize(3);
        assertThat(sweeper.sweepOnce()).isZero(); // within the grace period a reader may still open them
        clock.advance(Sweeper.FREE_GRACE.plusSeconds(1));
        assertThat(sweeper.sweepOnce()).isEqualTo(3);
        assertThat(index.pendingFrees(10)).isEmpty();
        assertThat(dataFiles()).isZero();
        assertThat(read("b", 0, 10)).isEqualTo(bytes(10, 4));
    }

    @Test
    void aMultipartReadInProgressHoldsBackFreesRecordedAfterItBegan() throws Exception {
        put("x", bytes(T + 1, 1), T + 1);
        ActiveReads.Ticket reading = svc.activeReads().begin();
        clock.advance(Duration.ofSeconds(1));
        svc.deleteObject("b", "x", Precondition.NONE);
        clock.advance(Sweeper.FREE_GRACE.plusSeconds(1));
        assertThat(sweeper.sweepOnce()).isZero();
        svc.activeReads().end(reading);
        assertThat(sweeper.sweepOnce()).isEqualTo(1);
    }

    @Test
    void deleteObjectsOfAThousandKeysIsAFewSyncedWrites() throws Exception {
        List<ObjectService.KeyVersion> keys = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            put("k" + i, bytes(10, i), 10);
            keys.add(new ObjectService.KeyVersion("k" + i, null));
        }
        long before = index.stats().get("synced_writes");
        List<ObjectService.DeleteResult> results = svc.deleteObjects("b", keys);
        assertThat(results).hasSize(1000).extracting(ObjectService.DeleteResult::error).containsOnlyNulls();
        assertThat(index.stats().get("synced_writes") - before).isLessThan(100);
        assertThat(svc.list("b", "", null, null, 1000).objects()).isEmpty();
    }

    @Test
    void aFullDriveRefusesWritesWithAClearErrorLeavesNothingBehindAndRecoversWithoutARestart() throws Exception {
        long normal = store.reserve();
        store.setReserve(store.reserve() + Files.getFileStore(dir).getUsableSpace()); // as if nearly full
        for (int size : new int[] {10, T + 1, 5 << 20}) {
            assertThatThrownBy(() -> put("k", bytes(size, 1), size)).as("size %d", size)
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.code()).isEqualTo(S3ErrorCode.InsufficientStorage);
                        assertThat(e.code().status()).isEqualTo(507);
                    });
        }
        assertThat(dataFiles()).isZero();
        try (Stream<Path> tmp = Files.list(dir.resolve("drive/tmp"))) {
            assertThat(tmp).isEmpty();
        }
        assertThat(index.intents(10)).isEmpty();
        store.setReserve(normal); // space was freed
        byte[] data = bytes(T + 1, 9);
        put("k", data, data.length);
        assertThat(read("k", 0, data.length)).isEqualTo(data);
    }
}
