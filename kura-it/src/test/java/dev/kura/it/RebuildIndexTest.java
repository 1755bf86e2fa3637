package dev.kura.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.server.admin.AdminCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Losing the index does not lose the data: against a {@code kura server} process, objects of mixed
 * sizes (one overwritten, one copied), a completed multipart object and a multipart upload in progress
 * are written, the server is stopped, its index deleted, {@code kura admin rebuild-index} rebuilds it
 * from the drives, and the restarted server serves every object byte-exact with its ETag, content type
 * and user metadata (the multipart one from its manifest, with its multipart ETag and parts, its upload
 * gone), and the upload in progress with its parts, which then completes.
 */
class RebuildIndexTest {
    static final int[] SIZES = {0, 1, 700, 20_000, 90_000, 200_000, 400_003, 1_300_000};

    @TempDir
    Path dir;

    record Written(int size, String etag, long seed) {
    }

    final Map<String, Written> written = new TreeMap<>();

    static byte[] content(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void sixDrivesFourPlusTwo() throws Exception {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            args.addAll(List.of("--drive", dir.resolve("d" + i) + ",zone=z" + (i / 2)));
        }
        args.addAll(List.of("--ec", "4+2"));
        scenario(args);
    }

    @Test
    void defaultDriveWithoutInlining() throws Exception {
        scenario(List.of("--inline-threshold", "-1"));
    }

    void scenario(List<String> storageArgs) throws Exception {
        Path home = dir.resolve("home");
        List<String> args = new ArrayList<>(storageArgs);
        args.addAll(List.of("--scrub-interval", "0", "--access-log", "off"));
        String uploadId;
        byte[] part1 = content(77, 5 * 1024 * 1024);
        byte[] part2 = content(78, 1234);
        String e1;
        byte[] done1 = content(80, 5 * 1024 * 1024);
        byte[] done2 = content(81, 70_001);
        String doneEtag;
        try (ServerProcess server = ServerProcess.start(home, ServerProcess.freePort(), ServerProcess.freePort(), args);
             S3Client s3 = server.client()) {
            s3.createBucket(r -> r.bucket("rebuilt"));
            s3.createBucket(r -> r.bucket("other"));
            for (int i = 0; i < SIZES.length; i++) {
                put(s3, i % 3 == 0 ? "other" : "rebuilt", "k/" + i, SIZES[i], i);
            }
            put(s3, "rebuilt", "over", 90_000, 100);
            put(s3, "rebuilt", "over", 20_000, 101); // the newest version wins
            s3.copyObject(r -> r.sourceBucket("rebuilt").sourceKey("k/4").destinationBucket("rebuilt").destinationKey("copy"));
            written.put("rebuilt/copy", written.get("rebuilt/k/4"));
            uploadId = s3.createMultipartUpload(r -> r.bucket("rebuilt").key("mp").contentType("application/x-mp")
                    .metadata(Map.of("m", "p"))).uploadId();
            e1 = s3.uploadPart(r -> r.bucket("rebuilt").key("mp").uploadId(uploadId).partNumber(1),
                    RequestBody.fromBytes(part1)).eTag();
            s3.uploadPart(r -> r.bucket("rebuilt").key("mp").uploadId(uploadId).partNumber(2),
                    RequestBody.fromBytes(part2));
            // A completed multipart object (its parts uploaded out of order, one part re-uploaded).
            String doneId = s3.createMultipartUpload(r -> r.bucket("rebuilt").key("done").contentType("application/x-done")
                    .metadata(Map.of("d", "one"))).uploadId();
            s3.uploadPart(r -> r.bucket("rebuilt").key("done").uploadId(doneId).partNumber(2),
                    RequestBody.fromBytes(done2));
            s3.uploadPart(r -> r.bucket("rebuilt").key("done").uploadId(doneId).partNumber(1),
                    RequestBody.fromBytes(content(79, 5 * 1024 * 1024)));
            String d1 = s3.uploadPart(r -> r.bucket("rebuilt").key("done").uploadId(doneId).partNumber(1),
                    RequestBody.fromBytes(done1)).eTag();
            String d2 = s3.listParts(r -> r.bucket("rebuilt").key("done").uploadId(doneId)).parts().get(1).eTag();
            doneEtag = s3.completeMultipartUpload(r -> r.bucket("rebuilt").key("done").uploadId(doneId)
                    .multipartUpload(m -> m.parts(CompletedPart.builder().partNumber(1).eTag(d1).build(),
                            CompletedPart.builder().partNumber(2).eTag(d2).build()))).eTag();
            assertThat(doneEtag).endsWith("-2\"");
            readAll(s3);
        }
        deleteTree(home.resolve("index"));

        List<String> rebuild = new ArrayList<>(List.of("rebuild-index", "--data", home.toString()));
        rebuild.addAll(storageArgs.stream().filter(a -> !a.equals("--inline-threshold") && !a.equals("-1")).toList());
        String out = admin(rebuild);
        assertThat(out).as(out).contains("2 buckets, " + (written.size() + 1) + " objects (1 of them multipart), "
                + "1 multipart uploads with 2 parts");
        assertThat(admin(rebuild)).as("a second rebuild without --force").contains("exit 2").contains("--force");

        try (ServerProcess server = ServerProcess.start(home, ServerProcess.freePort(), ServerProcess.freePort(), args);
             S3Client s3 = server.client()) {
            readAll(s3);
            ResponseBytes<GetObjectResponse> done = s3.getObjectAsBytes(r -> r.bucket("rebuilt").key("done"));
            assertThat(done.asByteArray()).isEqualTo(concat(done1, done2));
            assertThat(done.response().eTag()).isEqualTo(doneEtag);
            assertThat(done.response().contentType()).isEqualTo("application/x-done");
            assertThat(done.response().metadata()).containsEntry("d", "one");
            ResponseBytes<GetObjectResponse> second = s3.getObjectAsBytes(r -> r.bucket("rebuilt").key("done").partNumber(2));
            assertThat(second.asByteArray()).isEqualTo(done2);
            assertThat(second.response().partsCount()).isEqualTo(2);
            assertThat(s3.getObjectAsBytes(r -> r.bucket("rebuilt").key("done").range("bytes=5242000-5243000"))
                    .asByteArray()).isEqualTo(Arrays.copyOfRange(concat(done1, done2), 5_242_000, 5_243_001));
            assertThat(s3.listObjectsV2(r -> r.bucket("rebuilt")).contents()).hasSize(
                    (int) written.keySet().stream().filter(k -> k.startsWith("rebuilt/")).count() + 1);
            assertThat(s3.listMultipartUploads(r -> r.bucket("rebuilt")).uploads())
                    .singleElement().satisfies(u -> assertThat(u.uploadId()).isEqualTo(uploadId));
            var parts = s3.listParts(r -> r.bucket("rebuilt").key("mp").uploadId(uploadId)).parts();
            assertThat(parts).hasSize(2);
            assertThat(parts.get(0).eTag()).isEqualTo(e1);
            s3.completeMultipartUpload(r -> r.bucket("rebuilt").key("mp").uploadId(uploadId).multipartUpload(m -> m.parts(
                    CompletedPart.builder().partNumber(1).eTag(e1).build(),
                    CompletedPart.builder().partNumber(2).eTag(parts.get(1).eTag()).build())));
            ResponseBytes<GetObjectResponse> mp = s3.getObjectAsBytes(r -> r.bucket("rebuilt").key("mp"));
            assertThat(mp.asByteArray()).isEqualTo(concat(part1, part2));
            assertThat(mp.response().contentType()).isEqualTo("application/x-mp");
            assertThat(mp.response().metadata()).containsEntry("m", "p");
        }
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] whole = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, whole, a.length, b.length);
        return whole;
    }

    String admin(List<String> args) {
        return admin(args.toArray(String[]::new));
    }

    static String admin(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new AdminCommand(Map.of(), InstantSource.system()));
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        int code = cli.execute(args);
        String text = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        if (code != 0) {
            return "exit " + code + ": " + text;
        }
        return text;
    }

    void put(S3Client s3, String bucket, String key, int size, long seed) {
        String etag = s3.putObject(r -> r.bucket(bucket).key(key).contentType("application/x-" + seed)
                .metadata(Map.of("seed", Long.toString(seed), "mixed-case", "Va Lue")),
                RequestBody.fromBytes(content(seed, size))).eTag();
        written.put(bucket + "/" + key, new Written(size, etag, seed));
    }

    void readAll(S3Client s3) {
        for (var e : written.entrySet()) {
            String bucket = e.getKey().substring(0, e.getKey().indexOf('/'));
            String key = e.getKey().substring(bucket.length() + 1);
            Written w = e.getValue();
            ResponseBytes<GetObjectResponse> got = s3.getObjectAsBytes(r -> r.bucket(bucket).key(key));
            assertThat(got.asByteArray()).as(e.getKey()).isEqualTo(content(w.seed(), w.size()));
            assertThat(got.response().eTag()).as(e.getKey()).isEqualTo(w.etag());
            assertThat(got.response().metadata()).as(e.getKey())
                    .containsEntry("seed", Long.toString(w.seed())).containsEntry("mixed-case", "Va Lue");
            assertThat(got.response().contentType()).as(e.getKey()).isEqualTo("application/x-" + w.seed());
        }
    }

    static void deleteTree(Path root) throws Exception {
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
