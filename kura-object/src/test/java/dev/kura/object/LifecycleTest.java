package dev.kura.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.index.BucketRecord;
import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import dev.kura.index.rocks.RocksObjectIndex;
import dev.kura.s3.S3Exception;
import dev.kura.s3.xml.XmlParser;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.storage.local.LocalBlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lifecycle rules: validation, the expiry of a version, and the worker applying them on a test clock. */
class LifecycleTest {
    @TempDir
    Path dir;
    RocksObjectIndex index;
    LocalBlobStore store;
    ObjectService svc;
    final TestClock clock = new TestClock(Instant.parse("2026-03-10T15:30:00Z"));
    LifecycleWorker worker;

    @BeforeEach
    void open() throws IOException {
        index = RocksObjectIndex.open(dir.resolve("index"));
        store = LocalBlobStore.open(dir.resolve("drive"), new RealFileIo(), true);
        svc = new ObjectService(index, store, clock, new Random(7), "us-east-1");
        worker = new LifecycleWorker(svc, index, clock::instant, 10_000);
    }

    @AfterEach
    void close() {
        store.close();
        index.close();
    }

    static Lifecycle parse(String rules) {
        return Lifecycle.parse(XmlParser.parse(("<LifecycleConfiguration>" + rules + "</LifecycleConfiguration>")
                .getBytes(StandardCharsets.UTF_8), 1000));
    }

    ObjectRecord put(String bucket, String key) throws IOException {
        return svc.putObject(new PutObjectInput(bucket, key, 3, null, null, null, Map.of(), Map.of(), "STANDARD",
                Precondition.NONE), new ByteArrayInputStream(new byte[] {1, 2, 3}));
    }

    static String code(Throwable e) {
        return ((S3Exception) e).code().name();
    }

    @Test
    void configurationsAreValidatedAsS3Does() {
        assertThatThrownBy(() -> parse("<Rule><ID>r</ID><Status>enabled</Status><Prefix>a</Prefix>"
                + "<Expiration><Days>1</Days></Expiration></Rule>")).satisfies(e -> assertThat(code(e)).isEqualTo("MalformedXML"));
        assertThatThrownBy(() -> parse("<Rule><ID>" + "a".repeat(256) + "</ID><Status>Enabled</Status><Prefix>a</Prefix>"
                + "<Expiration><Days>1</Days></Expiration></Rule>")).satisfies(e -> assertThat(code(e)).isEqualTo("InvalidArgument"));
        String rule = "<Rule><ID>same</ID><Status>Enabled</Status><Prefix>a</Prefix><Expiration><Days>1</Days></Expiration></Rule>";
        assertThatThrownBy(() -> parse(rule + rule)).satisfies(e -> assertThat(code(e)).isEqualTo("InvalidArgument"));
        assertThatThrownBy(() -> parse("<Rule><Status>Enabled</Status><Prefix>a</Prefix><Expiration><Days>0</Days></Expiration></Rule>"))
                .satisfies(e -> assertThat(code(e)).isEqualTo("InvalidArgument"));
        assertThatThrownBy(() -> parse("<Rule><Status>Enabled</Status><Prefix>a</Prefix><Expiration><Date>20200101</Date></Expiration></Rule>"))
                .satisfies(e -> assertThat(code(e)).isEqualTo("InvalidArgument"));
        assertThatThrownBy(() -> parse("<Rule><Status>Enabled</Status><Filter/></Rule>"))
                .satisfies(e -> assertThat(code(e)).isEqualTo("InvalidRequest")); // no action
        assertThatThrownBy(() -> parse("<Rule><Status>Enabled</Status><Filter/><Transition><Days>1</Days>"
                + "<StorageClass>GLACIER</StorageClass></Transition></Rule>"))
                .satisfies(e -> assertThat(code(e)).isEqualTo("NotImplemented"));
        Lifecycle ok = parse("<Rule><Status>Enabled</Status><Filter/><Expiration><Date>2017-09-27</Date></Expiration></Rule>");
        assertThat(ok.rules().getFirst().id()).isNotEmpty(); // generated, as S3 does
        // the normalized document parses back to the same rules
        Lifecycle again = Lifecycle.parse(XmlParser.parse(ok.toXml().toBytes(), 1000));
        assertThat(again).isEqualTo(ok);
    }

    @Test
    void aRealDayRoundsUpToMidnightUtcAndAFilterMatchesPrefixTagsAndSize() {
        Lifecycle l = parse("<Rule><ID>small-logs</ID><Status>Enabled</Status><Filter><And><Prefix>logs/</Prefix>"
                + "<Tag><Key>kind</Key><Value>tmp</Value></Tag><ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter>"
                + "<Expiration><Days>1</Days></Expiration></Rule>");
        ObjectRecord r = new ObjectRecord("logs/a", "null", 1, false, null, 10, "e", clock.instant(), Map.of(), Map.of(),
                null, "STANDARD", "o", 0, null, Map.of("kind", "tmp"));
        Lifecycle.Expiry e = l.expiry(r, Duration.ofDays(1));
        assertThat(e.ruleId()).isEqualTo("small-logs");
        assertThat(e.at()).isEqualTo(Instant.parse("2026-03-12T00:00:00Z"));
        assertThat(l.expiry(r.withTags(Map.of()), Duration.ofDays(1))).isNull();
        assertThat(l.expiry(new ObjectRecord("logs/b", "null", 1, false, null, 500, "e", clock.instant(), Map.of(),
                Map.of(), null, "STANDARD", "o", 0, null, Map.of("kind", "tmp")), Duration.ofDays(1))).isNull();
    }

    @Test
    void theWorkerExpiresCurrentAndNoncurrentVersionsAndLeavesLockedOnes() throws IOException {
        svc.lifecycleDay(Duration.ofSeconds(10)); // a test "day"
        svc.createBucket("v", "owner", true); // Object Lock on, versioning on
        svc.putLifecycle("v", parse("<Rule><ID>tmp</ID><Status>Enabled</Status><Filter><Prefix>tmp/</Prefix></Filter>"
                + "<Expiration><Days>1</Days></Expiration><NoncurrentVersionExpiration><NoncurrentDays>2</NoncurrentDays>"
                + "</NoncurrentVersionExpiration></Rule>"));
        ObjectRecord first = put("v", "tmp/a");
        clock.advance(Duration.ofSeconds(1));
        ObjectRecord second = put("v", "tmp/a");
        ObjectRecord kept = put("v", "keep/b");
        ObjectRecord held = put("v", "tmp/held");
        svc.putObjectLegalHold("v", "tmp/held", held.versionId(), true);

        assertThat(worker.runOnce().actions()).isZero(); // nothing is a day old yet
        clock.advance(Duration.ofSeconds(10));
        LifecycleWorker.Pass pass = worker.runOnce();
        assertThat(pass.expired()).isEqualTo(2); // tmp/a and tmp/held get delete markers (a marker is always allowed)
        assertThatThrownBy(() -> svc.head("v", "tmp/a")).isInstanceOf(S3Exception.class);
        assertThat(svc.head("v", "keep/b")).isEqualTo(kept);
        assertThat(svc.head("v", "tmp/a", first.versionId())).isEqualTo(first); // noncurrent, not two days yet

        clock.advance(Duration.ofSeconds(25));
        pass = worker.runOnce();
        assertThat(pass.noncurrentExpired()).isEqualTo(2); // first and second of tmp/a, noncurrent long enough
        assertThat(pass.lockedSkipped()).isEqualTo(1); // tmp/held: its legal hold wins
        assertThatThrownBy(() -> svc.head("v", "tmp/a", second.versionId())).isInstanceOf(S3Exception.class);
        assertThat(svc.head("v", "tmp/held", held.versionId()).lockState().legalHold()).isTrue();
    }

    @Test
    void expiredDeleteMarkersAndIncompleteUploadsAreCleanedUp() throws IOException {
        svc.lifecycleDay(Duration.ofSeconds(10));
        svc.createBucket("b", "owner");
        svc.setVersioning("b", BucketRecord.Versioning.ENABLED);
        svc.putLifecycle("b", parse("<Rule><ID>markers</ID><Status>Enabled</Status><Filter/>"
                + "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>"
                + "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>"
                + "</Rule>"));
        ObjectRecord v = put("b", "k");
        svc.deleteObject("b", "k", Precondition.NONE); // a marker on top of v
        svc.multipart().create("b", "big", Map.of(), Map.of(), "STANDARD", Map.of(), null, null);
        clock.advance(Duration.ofSeconds(11));
        LifecycleWorker.Pass pass = worker.runOnce();
        assertThat(pass.markersRemoved()).isZero(); // the marker still hides a version
        assertThat(pass.uploadsAborted()).isEqualTo(1);
        svc.deleteObject("b", "k", v.versionId(), Precondition.NONE);
        assertThat(worker.runOnce().markersRemoved()).isEqualTo(1); // now it is the key's only version
        assertThat(svc.listVersions("b", "", null, null, null, 100).versions()).isEmpty();
    }
}
