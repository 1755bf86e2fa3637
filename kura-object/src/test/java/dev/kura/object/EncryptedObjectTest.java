package dev.kura.object;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.common.DataLocation;
import dev.kura.index.ObjectRecord;
import dev.kura.index.Precondition;
import dev.kura.index.rocks.RocksObjectIndex;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import dev.kura.storage.BlobStore;
import dev.kura.storage.CorruptDataException;
import dev.kura.storage.fs.RealFileIo;
import dev.kura.storage.local.LocalBlobStore;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server-side encryption through the object service, over a real drive. */
class EncryptedObjectTest {
    static final int C = SealedData.CHUNK;

    @TempDir
    Path dir;
    RocksObjectIndex index;
    LocalBlobStore drive;
    /** Flips one stored byte at {@link #tamperAt} as it is read (below the drive's block checksums). */
    volatile long tamperAt = -1;
    ObjectService svc;
    final TestClock clock = new TestClock(Instant.parse("2026-01-01T00:00:00Z"));
    final Sse.Customer key = Sse.Customer.of(SealedDataTest.bytes(32, 1));

    @BeforeEach
    void open() throws IOException {
        index = RocksObjectIndex.open(dir.resolve("index"));
        drive = LocalBlobStore.open(dir.resolve("drive"), new RealFileIo(), true);
        svc = new ObjectService(index, tampering(drive), clock, new Random(7), "us-east-1", 1024, TestKeyWrapper.random());
        svc.createBucket("b", "owner");
    }

    @AfterEach
    void close() {
        drive.close();
        index.close();
    }

    BlobStore tampering(BlobStore real) {
        return (BlobStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BlobStore.class}, (p, m, args) -> {
            try {
                Object r = m.invoke(real, args);
                if (m.getName().equals("open") && tamperAt >= 0) {
                    long from = (long) args[1];
                    return new FilterInputStream((InputStream) r) {
                        long pos = from;

                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            int n = super.read(b, off, len);
                            if (n > 0 && tamperAt >= pos && tamperAt < pos + n) {
                                b[off + (int) (tamperAt - pos)] ^= 0x40;
                            }
                            pos += Math.max(n, 0);
                            return n;
                        }
                    };
                }
                return r;
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    ObjectRecord put(String k, byte[] data, Sse sse) throws IOException {
        return svc.putObject(new PutObjectInput("b", k, data.length, null, null, null, Map.of(), Map.of(), "STANDARD",
                Precondition.NONE, Map.of(), null).withSse(sse), new ByteArrayInputStream(data));
    }

    byte[] read(String k, long offset, long length, Sse.Customer with) throws IOException {
        try (InputStream in = svc.open("b", svc.head("b", k), offset, length, with)) {
            return in.readAllBytes();
        }
    }

    List<Path> dataFiles() throws IOException {
        try (Stream<Path> s = Files.walk(dir.resolve("drive/data"))) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void roundTripsOfEverySizeAndKindWithThePlainSizeAndEtag() throws Exception {
        for (int n : new int[] {0, 1, 1000, 2000, C, 3 * C + 5}) {
            byte[] data = SealedDataTest.bytes(n, n);
            ObjectRecord s3 = put("s3-" + n, data, Sse.S3);
            ObjectRecord c = put("c-" + n, data, key);
            assertThat(s3.size()).isEqualTo(n);
            assertThat(s3.encryption()).isEqualTo(ObjectRecord.Encryption.SSE_S3);
            assertThat(c.encryption().kind()).isEqualTo(ObjectRecord.Encryption.Kind.SSE_C);
            assertThat(s3.etag()).isEqualTo(dev.kura.common.Hex.encode(java.security.MessageDigest.getInstance("MD5").digest(data)));
            assertThat(read("s3-" + n, 0, n, null)).isEqualTo(data);
            assertThat(read("c-" + n, 0, n, key)).isEqualTo(data);
            if (n > 10) {
                assertThat(read("c-" + n, n / 2, n / 2 - 1, key)).isEqualTo(Arrays.copyOfRange(data, n / 2, n / 2 + n / 2 - 1));
            }
        }
    }

    @Test
    void theBytesOnTheDriveAreNotThePlainText() throws IOException {
        byte[] data = ("the quick brown fox jumps over the lazy dog ".repeat(2000)).getBytes();
        put("fox", data, Sse.S3);
        put("fox-c", data, key);
        List<Path> files = dataFiles();
        assertThat(files).hasSize(2);
        for (Path f : files) {
            assertThat(dev.kura.testing.Bytes.indexOf(Files.readAllBytes(f), "quick brown fox".getBytes())).isEqualTo(-1);
        }
    }

    @Test
    void aTamperedChunkIsAReadErrorNeverBadBytes() throws IOException {
        byte[] data = SealedDataTest.bytes(3 * C, 5);
        put("x", data, Sse.S3);
        tamperAt = SealedData.HEADER + (C + 16) + 1000; // inside chunk 1
        try (InputStream in = svc.open("b", svc.head("b", "x"), 0, data.length, null)) {
            assertThat(in.readNBytes(C)).isEqualTo(Arrays.copyOf(data, C));
            assertThatThrownBy(in::readAllBytes).isInstanceOf(CorruptDataException.class);
        }
        assertThatThrownBy(() -> read("x", C + 5, 10, null)).isInstanceOf(CorruptDataException.class);
        tamperAt = 7; // the header
        assertThatThrownBy(() -> read("x", 0, 10, null)).isInstanceOf(IOException.class);
        tamperAt = -1;
        assertThat(read("x", 0, data.length, null)).isEqualTo(data);
    }

    @Test
    void keysAreCheckedAsS3Does() throws IOException {
        put("c", SealedDataTest.bytes(100, 1), key);
        put("plain", SealedDataTest.bytes(100, 1), Sse.NONE);
        assertThatThrownBy(() -> read("c", 0, 100, null)).isInstanceOf(S3Exception.class)
                .satisfies(e -> assertThat(((S3Exception) e).code()).isEqualTo(S3ErrorCode.InvalidRequest));
        Sse.Customer other = Sse.Customer.of(SealedDataTest.bytes(32, 2));
        assertThatThrownBy(() -> read("c", 0, 100, other)).isInstanceOf(S3Exception.class)
                .hasMessageContaining("did not match");
        assertThatThrownBy(() -> read("plain", 0, 100, key)).isInstanceOf(S3Exception.class)
                .hasMessageContaining("not applicable");
    }

    @Test
    void multipartPartsAreSealedEachWithTheUploadsKeyAndRangesCrossParts() throws IOException {
        var mp = svc.multipart();
        var u = mp.create("b", "mp", Map.of(), Map.of(), "STANDARD", Map.of(), null, null, null, null, key);
        int part = (int) MultipartService.MIN_PART_SIZE + 7;
        byte[] p1 = SealedDataTest.bytes(part, 11);
        byte[] p2 = SealedDataTest.bytes(C + 3, 12);
        assertThatThrownBy(() -> mp.uploadPart("b", "mp", u.uploadId(), 1, part, null, null, null,
                new ByteArrayInputStream(p1), null)).isInstanceOf(S3Exception.class);
        assertThatThrownBy(() -> mp.uploadPart("b", "mp", u.uploadId(), 1, part, null, null, null,
                new ByteArrayInputStream(p1), Sse.Customer.of(SealedDataTest.bytes(32, 3)))).isInstanceOf(S3Exception.class);
        var r1 = mp.uploadPart("b", "mp", u.uploadId(), 1, part, null, null, null, new ByteArrayInputStream(p1), key);
        var r2 = mp.uploadPart("b", "mp", u.uploadId(), 2, p2.length, null, null, null, new ByteArrayInputStream(p2), key);
        List<MultipartService.RequestedPart> parts = List.of(new MultipartService.RequestedPart(1, r1.etag(), Map.of()),
                new MultipartService.RequestedPart(2, r2.etag(), Map.of()));
        assertThatThrownBy(() -> mp.complete("b", "mp", u.uploadId(), parts, Precondition.NONE, null, null))
                .isInstanceOf(S3Exception.class);
        ObjectRecord done = mp.complete("b", "mp", u.uploadId(), parts, Precondition.NONE, null, key).record();
        assertThat(done.encryption().kind()).isEqualTo(ObjectRecord.Encryption.Kind.SSE_C);
        byte[] all = new byte[part + p2.length];
        System.arraycopy(p1, 0, all, 0, part);
        System.arraycopy(p2, 0, all, part, p2.length);
        assertThat(read("mp", 0, all.length, key)).isEqualTo(all);
        assertThat(read("mp", part - C - 3, C + 10, key)).isEqualTo(Arrays.copyOfRange(all, part - C - 3, part + 7));
        assertThatThrownBy(() -> read("mp", 0, 10, null)).isInstanceOf(S3Exception.class);
    }

    @Test
    void copiesBetweenEveryKind() throws IOException {
        byte[] data = SealedDataTest.bytes(2 * C + 9, 21);
        Sse.Customer dest = Sse.Customer.of(SealedDataTest.bytes(32, 4));
        Map<String, Sse> kinds = Map.of("plain", Sse.NONE, "s3", Sse.S3, "c", key);
        for (var from : kinds.entrySet()) {
            put("src-" + from.getKey(), data, from.getValue());
            for (var to : Map.of("plain", Sse.NONE, "s3", Sse.S3, "c", (Sse) dest).entrySet()) {
                ObjectRecord source = svc.head("b", "src-" + from.getKey());
                Sse.Customer sourceKey = from.getValue() instanceof Sse.Customer c ? c : null;
                String k = "copy-" + from.getKey() + "-" + to.getKey();
                ObjectRecord r = svc.copyObject(source, new CopyInput("b", "b", k, Map.of(), Map.of(), "STANDARD", Map.of(),
                        null, Precondition.NONE, null, null, to.getValue(), sourceKey));
                assertThat(r.encryption() == null).isEqualTo(to.getValue() == Sse.NONE);
                assertThat(read(k, 0, data.length, to.getValue() instanceof Sse.Customer c ? c : null)).isEqualTo(data);
            }
        }
        ObjectRecord sealed = svc.head("b", "src-c");
        assertThatThrownBy(() -> svc.copyObject(sealed, new CopyInput("b", "b", "nokey", Map.of(), Map.of(), "STANDARD",
                Map.of(), null, Precondition.NONE, null, null, Sse.NONE, null))).isInstanceOf(S3Exception.class);
    }

    @Test
    void locationsDescribeTheStoredBytes() throws IOException {
        ObjectRecord r = put("big", SealedDataTest.bytes(5000, 1), Sse.S3);
        DataLocation loc = r.location();
        assertThat(loc.length()).isEqualTo(SealedData.storedLength(5000));
        ObjectRecord small = put("small", SealedDataTest.bytes(10, 1), Sse.S3);
        assertThat(small.location().isInline()).isTrue();
        assertThat(index.inlineData(svc.bucket("b").id(), small.location().dataId()).orElseThrow())
                .hasSize((int) SealedData.storedLength(10));
    }
}
