package dev.kura.object;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.index.BucketRecord;
import dev.kura.index.ListQuery;
import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import dev.kura.index.rocks.RocksObjectIndex;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.storage.local.LocalBlobStore;
import dev.kura.testing.fs.PowerCutFileIo;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cuts the power at every step of every write path — each file operation (create, write, fsync,
 * rename, directory fsync, delete) and each index commit (before it is applied, and after it is
 * applied but before the caller hears) — then reboots (reopens index and drive, purges temp files,
 * sweeps) and checks what users rely on:
 * <ul>
 *   <li>each key holds its old value or its new one, never anything else, and the new one if the
 *       operation was acknowledged (and every byte still passes its block checksum);</li>
 *   <li>no garbage survives: no intents or pending frees, no temp files, and the data files on
 *       the drive are exactly those the index references.</li>
 * </ul>
 */
class CrashSafetyTest {
    private static final int BLOCK = 4096;
    private static final byte[] OLD = "the old value".getBytes(StandardCharsets.UTF_8);
    private static final byte[] NEW = bytes(3 * BLOCK + 100, 1); // several blocks: more steps to cut
    private static final int ON_DRIVE = -1;

    @TempDir
    Path dir;

    interface Action {
        void run(ObjectService s) throws Exception;
    }

    /**
     * What a key may hold after the cut: {@code before} if not acknowledged, {@code after} if it was.
     * {@code prepare} runs (uncut) after the initial content is written.
     */
    record Scenario(String name, Action prepare, Action action, Map<String, byte[]> before, Map<String, byte[]> after) {
        Scenario(String name, Action action, Map<String, byte[]> before, Map<String, byte[]> after) {
            this(name, s -> { }, action, before, after);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final byte[] PART1 = bytes((int) MultipartService.MIN_PART_SIZE, 2);
    private static final byte[] PART2 = bytes(2 * BLOCK + 7, 3);

    static String uploadId(ObjectService s) {
        return s.multipart().uploads("b", "", null, null, null, 10).uploads().getFirst().uploadId();
    }

    static void uploadPart(ObjectService s, int n, byte[] data) throws IOException {
        s.multipart().uploadPart("b", "k", uploadId(s), n, data.length, null, null, null, new ByteArrayInputStream(data));
    }

    static void createUpload(ObjectService s) {
        s.multipart().create("b", "k", Map.of(), Map.of(), "STANDARD", Map.of(), null, null);
    }

    static void complete(ObjectService s) {
        var parts = s.multipart().parts("b", "k", uploadId(s), 0, 100).stream()
                .map(p -> new MultipartService.RequestedPart(p.partNumber(), p.etag(), Map.of())).toList();
        s.multipart().complete("b", "k", uploadId(s), parts, Precondition.NONE, null);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static Stream<Arguments> scenarios() {
        Map<String, byte[]> initial = Map.of("k", OLD, "other", OLD);
        Stream<Scenario> s = Stream.of(
                new Scenario("overwrite", svc -> put(svc, "k", NEW, Precondition.NONE), initial, Map.of("k", NEW, "other", OLD)),
                new Scenario("create", svc -> put(svc, "fresh", NEW, Precondition.NONE), initial,
                        Map.of("k", OLD, "other", OLD, "fresh", NEW)),
                new Scenario("delete", svc -> svc.deleteObject("b", "k", Precondition.NONE), initial, Map.of("other", OLD)),
                new Scenario("failed-conditional", svc -> put(svc, "k", NEW, new Precondition.IfNoneMatchAny()), initial, initial),
                new Scenario("empty-object", svc -> put(svc, "k", new byte[0], Precondition.NONE), initial,
                        Map.of("k", new byte[0], "other", OLD)),
                new Scenario("copy", svc -> svc.copyObject(svc.head("b", "other"), new CopyInput("b", "b", "k", Map.of(),
                        Map.of(), "STANDARD", Map.of(), null, Precondition.NONE)), initial, Map.of("k", OLD, "other", OLD)),
                new Scenario("upload-part", CrashSafetyTest::createUpload, svc -> uploadPart(svc, 1, PART2), initial, initial),
                new Scenario("abort-upload", svc -> {
                    createUpload(svc);
                    uploadPart(svc, 1, PART2);
                }, svc -> svc.multipart().abort("b", "k", uploadId(svc)), initial, initial),
                new Scenario("complete-upload", svc -> {
                    createUpload(svc);
                    uploadPart(svc, 1, PART1);
                    uploadPart(svc, 2, PART2);
                }, CrashSafetyTest::complete, initial, Map.of("k", concat(PART1, PART2), "other", OLD)));
        // Objects kept on the drive (no inline), and small ones kept inline in the index (the default).
        return s.flatMap(sc -> Stream.of(PowerCutFileIo.CutMode.values()).flatMap(fm ->
                Stream.of(PowerCutIndex.Mode.values()).flatMap(im -> Stream.of(ON_DRIVE, ObjectService.DEFAULT_INLINE_THRESHOLD)
                        .map(inline -> Arguments.of(sc, fm, im, inline)))));
    }

    @ParameterizedTest(name = "{0} {1} {2} inline<={3}")
    @MethodSource("scenarios")
    void everyStepOfAWritePathSurvivesAPowerCut(Scenario sc, PowerCutFileIo.CutMode fileMode, PowerCutIndex.Mode indexMode,
                                                int inline) throws Exception {
        int completedAt = -1;
        for (int step = 1; step < 200 && completedAt < 0; step++) {
            Path run = Files.createDirectories(dir.resolve("run-" + step));
            TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
            setUp(run, clock, sc.before(), sc.prepare(), inline);
            clock.advance(Duration.ofSeconds(1));
            Outcome outcome = crashingRun(run, clock, sc, step, fileMode, indexMode, inline);
            if (outcome.finished()) {
                completedAt = step;
            }
            clock.advance(Duration.ofSeconds(1));
            recoverAndCheck(run, clock, outcome.acked() ? sc.after() : null, sc);
        }
        // A path that finished at step 1 would mean nothing was ever cut.
        assertThat(completedAt).as("the write path finished within the steps tried").isGreaterThan(1);
        if (inline == ON_DRIVE && (sc.name().equals("overwrite") || sc.name().equals("create") || sc.name().equals("copy"))) {
            // intent, temp file, several block writes, fsync, renames, directory fsyncs, commit
            assertThat(completedAt).isGreaterThan(8);
        }
    }

    private static void setUp(Path run, TestClock clock, Map<String, byte[]> content, Action prepare, int inline)
            throws Exception {
        try (RocksObjectIndex index = RocksObjectIndex.open(run.resolve("index"));
             LocalBlobStore store = LocalBlobStore.open(run.resolve("drive"), new RealFileIo(), true, BLOCK)) {
            ObjectService svc = new ObjectService(index, store, clock, new Random(1), "us-east-1", inline);
            svc.createBucket("b", "owner");
            for (var e : content.entrySet()) {
                put(svc, e.getKey(), e.getValue(), Precondition.NONE);
            }
            prepare.run(svc);
        }
    }

    /** finished: the action ran to its end before any cut; acked: and it succeeded. */
    record Outcome(boolean finished, boolean acked) {
    }

    /** Runs the action with the power cut planned at {@code step}, then cuts the power anyway. */
    private static Outcome crashingRun(Path run, TestClock clock, Scenario sc, int step, PowerCutFileIo.CutMode fileMode,
                                       PowerCutIndex.Mode indexMode, int inline) throws Exception {
        PowerCutFileIo files = new PowerCutFileIo(run.resolve("drive"), fileMode);
        try (RocksObjectIndex rocks = RocksObjectIndex.open(run.resolve("index"));
             LocalBlobStore store = LocalBlobStore.open(run.resolve("drive"), files, false, BLOCK)) {
            PowerCutIndex index = new PowerCutIndex(rocks, files, step, indexMode);
            ObjectService svc = new ObjectService(index, store, clock, new Random(step), "us-east-1", inline);
            Outcome outcome;
            try {
                sc.action().run(svc);
                outcome = new Outcome(!files.isPoweredOff(), !files.isPoweredOff());
            } catch (Exception e) {
                if (files.isPoweredOff()) {
                    outcome = new Outcome(false, false);
                } else if (sc.name().equals("failed-conditional") && e instanceof dev.kura.s3.S3Exception) {
                    outcome = new Outcome(true, false);
                } else {
                    throw new AssertionError("failed without a power cut at step " + step, e);
                }
            }
            files.powerCut(); // acknowledged data must survive a cut right after the acknowledgement
            return outcome;
        }
    }

    private static void recoverAndCheck(Path run, TestClock clock, Map<String, byte[]> expected, Scenario sc) throws Exception {
        try (RocksObjectIndex index = RocksObjectIndex.open(run.resolve("index"));
             LocalBlobStore store = LocalBlobStore.open(run.resolve("drive"), new RealFileIo(), false, BLOCK)) {
            store.purgeTemp();
            Sweeper sweeper = new Sweeper(index, store, clock, clock.instant(), new ActiveReads(clock));
            sweeper.sweepOnce();
            clock.advance(Duration.ofHours(1)); // past the grace period of pending frees
            sweeper.sweepOnce();
            ObjectService svc = new ObjectService(index, store, clock, new Random(0), "us-east-1");
            BucketRecord b = svc.bucket("b");
            Set<String> keys = new HashSet<>(sc.before().keySet());
            keys.addAll(sc.after().keySet());
            Set<String> referenced = new HashSet<>();
            for (String key : keys) {
                byte[] now = read(svc, key);
                byte[] before = sc.before().get(key);
                byte[] after = sc.after().get(key);
                if (expected != null) {
                    assertThat(now).as("acknowledged state of %s", key).isEqualTo(expected.get(key));
                } else {
                    assertThat(now == null ? null : new String(now, StandardCharsets.ISO_8859_1)).as("state of %s", key)
                            .isIn(str(before), str(after));
                }
            }
            for (ObjectRecord r : index.list(new ListQuery(b.id(), "", null, null, 1000, 10_000)).objects()) {
                if (r.isMultipart()) {
                    index.objectParts(b.id(), r.key(), r.sequence()).forEach(p -> referenced.add(p.location().dataId().value()));
                    assertThat(r.location()).as("a completed version references its manifest").isNotNull();
                    referenced.add(r.location().dataId().value()); // the manifest
                } else if (!r.location().isInline()) {
                    referenced.add(r.location().dataId().value());
                }
            }
            for (var u : index.uploads(b.id(), "", null, null, null, 100).uploads()) {
                index.uploadParts(b.id(), u.key(), u.uploadId(), 0, 100).forEach(p -> referenced.add(p.location().dataId().value()));
            }
            assertThat(index.intents(100)).as("intents left").isEmpty();
            assertThat(index.pendingFrees(100)).as("pending frees left").isEmpty();
            assertThat(filesUnder(run.resolve("drive/tmp"))).as("temp files").isEmpty();
            assertThat(filesUnder(run.resolve("drive/data"))).as("data files = referenced data").isEqualTo(referenced);
        }
    }

    private static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
    }

    private static byte[] read(ObjectService svc, String key) throws IOException {
        ObjectRecord r;
        try {
            r = svc.head("b", key);
        } catch (dev.kura.s3.S3Exception e) {
            return null;
        }
        try (InputStream in = svc.open("b", r, 0, r.size())) {
            return in.readAllBytes();
        }
    }

    private static Set<String> filesUnder(Path root) throws IOException {
        Set<String> out = new HashSet<>();
        if (!Files.exists(root)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile).forEach(p -> out.add(p.getFileName().toString()));
        }
        return out;
    }

    static void put(ObjectService svc, String key, byte[] data, Precondition pre) throws IOException {
        svc.putObject(new PutObjectInput("b", key, data.length, null, null, null, Map.of("content-type", "x/y"),
                Map.of(), "STANDARD", pre), new ByteArrayInputStream(data));
    }

    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }
}
