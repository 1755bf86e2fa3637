package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ListObjectVersionsResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * kill -9 of a real server while versioned PUTs and DELETEs are in flight: after a restart no
 * acknowledged version or delete marker is lost, none is duplicated, and each key's newest version
 * is its last acknowledged change (or the one in flight at the kill) — which is what GET returns.
 */
class VersionedKillNineTest {

    /** One acknowledged change of a key: a version (its MD5) or a delete marker (md5 null). */
    record Change(String versionId, String md5) {
    }

    @Test
    void versionsAndMarkersSurviveKillNine() throws Exception {
        Path data = Files.createTempDirectory("kura-kill9v");
        int port = ServerProcess.freePort();
        int admin = ServerProcess.freePort();
        Map<String, List<Change>> acked = new ConcurrentHashMap<>();
        Map<String, String> inFlight = new ConcurrentHashMap<>(); // key -> md5, or "" for a delete
        try {
            ServerProcess server = ServerProcess.start(data, port, admin, "-Xmx512m");
            try (S3Client s3 = server.client()) {
                s3.createBucket(b -> b.bucket("crashv"));
                s3.putBucketVersioning(b -> b.bucket("crashv")
                        .versioningConfiguration(c -> c.status(BucketVersioningStatus.ENABLED)));
                KillNineTest.writeThenKill9(server, 8, 2500, (writer, i, rnd) -> {
                    String key = "w" + writer + "/k" + (i % 6); // each key has one writer: its order is known
                    if (rnd.nextInt(5) == 0) {
                        inFlight.put(key, "");
                        var r = s3.deleteObject(d -> d.bucket("crashv").key(key));
                        acked.computeIfAbsent(key, k -> new ArrayList<>()).add(new Change(r.versionId(), null));
                    } else {
                        byte[] body = new byte[1 + rnd.nextInt(100_000)];
                        rnd.nextBytes(body);
                        String md5 = KillNineTest.md5(body);
                        inFlight.put(key, md5);
                        var r = s3.putObject(p -> p.bucket("crashv").key(key), RequestBody.fromBytes(body));
                        acked.computeIfAbsent(key, k -> new ArrayList<>()).add(new Change(r.versionId(), md5));
                    }
                    inFlight.remove(key);
                });
            }
            assertThat(acked.values().stream().mapToInt(List::size).sum()).as("changes acknowledged").isGreaterThan(20);

            try (ServerProcess again = ServerProcess.start(data, port, admin, "-Xmx512m"); S3Client after = again.client()) {
                for (var e : acked.entrySet()) {
                    String key = e.getKey();
                    List<Change> changes = e.getValue();
                    ListObjectVersionsResponse listed = after.listObjectVersions(r -> r.bucket("crashv").prefix(key));
                    Map<String, String> versions = new java.util.HashMap<>();
                    listed.versions().stream().filter(v -> v.key().equals(key))
                            .forEach(v -> versions.put(v.versionId(), v.eTag().replace("\"", "")));
                    List<String> markers = listed.deleteMarkers().stream().filter(m -> m.key().equals(key))
                            .map(m -> m.versionId()).toList();
                    for (Change c : changes) {
                        if (c.md5() == null) {
                            assertThat(markers).as("acknowledged delete marker of %s", key).contains(c.versionId());
                        } else {
                            assertThat(versions).as("acknowledged version of %s", key).containsEntry(c.versionId(), c.md5());
                        }
                    }
                    long ackedMarkers = changes.stream().filter(c -> c.md5() == null).count();
                    assertThat(markers).as("delete markers of %s", key).doesNotHaveDuplicates()
                            .hasSizeBetween((int) ackedMarkers, (int) ackedMarkers + 1);
                    assertThat(versions.size()).as("versions of %s", key)
                            .isBetween(changes.size() - (int) ackedMarkers, changes.size() - (int) ackedMarkers + 1);

                    // the newest is the last acknowledged change, unless the one in flight committed after it
                    Change last = changes.getLast();
                    String pending = inFlight.get(key);
                    String newestId = newest(listed, key);
                    if (!newestId.equals(last.versionId())) {
                        assertThat(pending).as("%s: a newer version than the last acknowledged one", key).isNotNull();
                    }
                    try {
                        byte[] got = after.getObjectAsBytes(r -> r.bucket("crashv").key(key)).asByteArray();
                        String md5 = KillNineTest.md5(got);
                        assertThat(versions.get(newestId)).as("GET of %s returns the newest version", key).isEqualTo(md5);
                    } catch (NoSuchKeyException gone) {
                        assertThat(markers).as("%s is hidden by its newest delete marker", key).contains(newestId);
                    }
                }
            }
        } finally {
            TestFiles.deleteTree(data);
        }
    }

    /** The version id of the key's newest version or marker (IsLatest). */
    private static String newest(ListObjectVersionsResponse listed, String key) {
        for (var v : listed.versions()) {
            if (v.key().equals(key) && v.isLatest()) {
                return v.versionId();
            }
        }
        for (var m : listed.deleteMarkers()) {
            if (m.key().equals(key) && m.isLatest()) {
                return m.versionId();
            }
        }
        throw new AssertionError("no latest version of " + key);
    }
}
