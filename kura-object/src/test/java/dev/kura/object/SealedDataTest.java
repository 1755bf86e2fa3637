package dev.kura.object;

import static dev.kura.testing.Bytes.indexOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kura.storage.CorruptDataException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The chunk format on its own: sizes, ranges, and every way of altering the sealed bytes is caught. */
class SealedDataTest {
    static final int C = SealedData.CHUNK;
    final Encryption encryption = new Encryption(TestKeyWrapper.random());
    final Encryption.Plan s3 = encryption.plan(Sse.S3);
    final Sse.Customer customer = Sse.Customer.of(bytes(32, 99));
    final Encryption.Plan sseC = encryption.plan(customer);

    static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    byte[] seal(byte[] plain, Encryption.Plan plan) throws IOException {
        return SealingWriter.sealAll(plain, encryption.sealer(plan));
    }

    byte[] open(byte[] sealed, long plainSize, long offset, long length, Sse.Customer key) throws IOException {
        try (InputStream in = encryption.open((o, l) -> new ByteArrayInputStream(sealed, Math.toIntExact(o), Math.toIntExact(l)),
                plainSize, offset, length, key)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 13, C - 1, C, C + 1, 3 * C, 3 * C + 17})
    void roundTripsEverySizeWithTheDocumentedLength(int n) throws IOException {
        byte[] plain = bytes(n, n);
        byte[] sealed = seal(plain, s3);
        assertThat((long) sealed.length).isEqualTo(SealedData.storedLength(n))
                .isEqualTo(SealedData.HEADER + n + 16L * Math.max(1, (n + C - 1) / C));
        if (n > 0) {
            assertThat(open(sealed, n, 0, n, null)).isEqualTo(plain);
            byte[] c = seal(plain, sseC);
            assertThat(open(c, n, 0, n, customer)).isEqualTo(plain);
        }
        if (n >= 32) {
            // never the plain bytes in the clear
            assertThat(indexOf(sealed, Arrays.copyOfRange(plain, n / 2 - 16, n / 2 + 16))).isEqualTo(-1);
        }
    }

    @Test
    void rangesAcrossChunkBoundariesReadOnlyWhatTheyNeed() throws IOException {
        int n = 4 * C + 100;
        byte[] plain = bytes(n, 1);
        byte[] sealed = seal(plain, s3);
        long[][] ranges = {{0, 1}, {C - 1, 2}, {C, C}, {C - 5, C + 10}, {2 * C + 3, 2 * C + 97}, {n - 1, 1}, {4 * C, 100}};
        for (long[] r : ranges) {
            long[] touched = {Long.MAX_VALUE, 0};
            Encryption.Source src = (o, l) -> {
                if (o > 0) {
                    touched[0] = Math.min(touched[0], o);
                }
                touched[1] = Math.max(touched[1], o + l);
                return new ByteArrayInputStream(sealed, Math.toIntExact(o), Math.toIntExact(l));
            };
            try (InputStream in = encryption.open(src, n, r[0], r[1], null)) {
                assertThat(in.readAllBytes()).as("range %d+%d", r[0], r[1])
                        .isEqualTo(Arrays.copyOfRange(plain, (int) r[0], (int) (r[0] + r[1])));
            }
            long lastChunk = (r[0] + r[1] - 1) / C;
            assertThat(touched[1]).as("reads no further than the chunk holding the range's end")
                    .isLessThanOrEqualTo(SealedData.HEADER + (lastChunk + 1) * (C + 16L));
            if (r[0] >= C) {
                assertThat(touched[0]).as("skips the chunks before the range")
                        .isEqualTo(SealedData.HEADER + (r[0] / C) * (C + 16L));
            }
        }
    }

    @Test
    void truncationAtAChunkBoundaryIsDetected() throws IOException {
        int n = 3 * C;
        byte[] sealed = seal(bytes(n, 2), s3);
        // drop the last chunk and claim the piece is two chunks long: chunk 1 was sealed as "not last"
        byte[] cut = Arrays.copyOf(sealed, SealedData.HEADER + 2 * (C + 16));
        assertThatThrownBy(() -> open(cut, 2L * C, 0, 2L * C, null)).isInstanceOf(CorruptDataException.class);
        // or keep the size: the data simply ends early
        assertThatThrownBy(() -> open(cut, n, 0, n, null)).isInstanceOf(CorruptDataException.class);
        assertThatThrownBy(() -> open(cut, n, 2L * C, 10, null)).isInstanceOfAny(CorruptDataException.class,
                IndexOutOfBoundsException.class);
    }

    @Test
    void reorderedOrAlteredChunksAndHeadersAreDetected() throws IOException {
        int n = 2 * C;
        byte[] sealed = seal(bytes(n, 3), s3);
        byte[] swapped = sealed.clone();
        System.arraycopy(sealed, SealedData.HEADER, swapped, SealedData.HEADER + C + 16, C + 16);
        System.arraycopy(sealed, SealedData.HEADER + C + 16, swapped, SealedData.HEADER, C + 16);
        assertThatThrownBy(() -> open(swapped, n, 0, n, null)).isInstanceOf(CorruptDataException.class);
        for (int at : new int[] {SealedData.HEADER + 5, SealedData.HEADER + C + 16 + 7, 12, 30}) {
            byte[] flipped = sealed.clone();
            flipped[at] ^= 1;
            assertThatThrownBy(() -> open(flipped, n, 0, n, null)).as("a bit flipped at %d", at)
                    .isInstanceOf(IOException.class);
        }
        // a chunk that fails its tag fails before the stream serves any of it
        byte[] late = sealed.clone();
        late[SealedData.HEADER + C + 16 + 100] ^= 1;
        try (InputStream in = encryption.open((o, l) -> new ByteArrayInputStream(late, (int) o, (int) l), n, 0, n, null)) {
            assertThat(in.readNBytes(C)).hasSize(C); // chunk 0 is fine
            assertThatThrownBy(in::read).isInstanceOf(CorruptDataException.class);
        }
    }

    @Test
    void theCustomerKeyIsCheckedAndNeverStored() throws IOException {
        byte[] plain = bytes(1000, 4);
        byte[] sealed = seal(plain, sseC);
        assertThat(indexOf(sealed, customer.key())).isEqualTo(-1);
        assertThat(sseC.recorded().keyCheck()).doesNotContain(java.util.Base64.getEncoder().encodeToString(customer.key()));
        assertThat(encryption.matches(sseC.recorded(), customer)).isTrue();
        assertThat(encryption.matches(sseC.recorded(), Sse.Customer.of(bytes(32, 98)))).isFalse();
        // two versions under the same key get different salts
        assertThat(encryption.plan(customer).recorded().keyCheck()).isNotEqualTo(sseC.recorded().keyCheck());
    }
}
