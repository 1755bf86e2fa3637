package dev.kura.object;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The byte format of one encrypted piece of data (an object written whole, or one multipart part):
 * what the storage layer holds in place of the plain bytes.
 *
 * <pre>
 * header, 128 bytes:  "KSE1" | format 1 | kind (1 master key, 2 customer key) | chunk size (int)
 *                     | nonce base (12) | wrapped data key length (u16) | wrapped data key | zero padding
 * chunk i (i = 0..n-1): AES-256-GCM(data key, nonce = nonce base XOR i (in its last 8 bytes),
 *                     aad = 1 if i is the last chunk else 0) of plain bytes [i*C, min((i+1)*C, size)),
 *                     followed by its 16-byte tag
 * </pre>
 *
 * <p>Every piece has at least one chunk (an empty object is one empty chunk: its tag alone), so
 * n = max(1, ceil(size / C)) and the stored length is 128 + size + 16n. Chunk i starts at
 * 128 + i(C + 16), so a range read opens only the header and the chunks it covers. The index in the
 * nonce makes reordered chunks fail their tag; the last-chunk flag makes a piece cut at a chunk
 * boundary fail (its new last chunk was sealed as "not last"), and the plain size in the index record
 * says which chunk is last, so a short piece is an error too. A bad tag is a read error, never bytes.
 *
 * <p>The data key is fresh and random for every piece and is stored only wrapped: by the node's master
 * key (SSE-S3) or by the customer's key (SSE-C); the wrap authenticates the header's first 22 bytes
 * (magic, format, kind, chunk size, nonce base), so none of them can be altered unnoticed.
 */
final class SealedData {
    static final int HEADER = 128;
    static final int CHUNK = 64 * 1024;
    static final int TAG = 16;
    static final byte KIND_MASTER = 1;
    static final byte KIND_CUSTOMER = 2;
    static final int NONCE = 12;
    private static final int FORMAT = 1;
    private static final byte[] MAGIC = {'K', 'S', 'E', '1'};
    /** The header bytes the wrapped key authenticates. */
    static final int AUTHENTICATED = 4 + 1 + 1 + 4 + NONCE;

    private SealedData() {
    }

    static long chunks(long plainSize, int chunk) {
        return plainSize == 0 ? 1 : (plainSize + chunk - 1) / chunk;
    }

    /** The stored length of {@code plainSize} bytes; -1 when unknown. */
    static long storedLength(long plainSize) {
        return plainSize < 0 ? -1 : HEADER + plainSize + TAG * chunks(plainSize, CHUNK);
    }

    /** The first header bytes for a new piece: what the data key's wrap must authenticate. */
    static byte[] headerStart(byte kind, byte[] nonceBase) {
        return ByteBuffer.allocate(AUTHENTICATED).put(MAGIC).put((byte) FORMAT).put(kind).putInt(CHUNK).put(nonceBase)
                .array();
    }

    static byte[] header(byte[] start, byte[] wrappedKey) {
        if (AUTHENTICATED + 2 + wrappedKey.length > HEADER) {
            throw new IllegalArgumentException("wrapped key too long: " + wrappedKey.length);
        }
        return ByteBuffer.allocate(HEADER).put(start).putShort((short) wrappedKey.length).put(wrappedKey).array();
    }

    /** A piece's header, read back. */
    record Header(byte kind, int chunkSize, byte[] nonceBase, byte[] authenticated, byte[] wrappedKey) {
        static Header parse(byte[] h) throws IOException {
            if (h.length < HEADER || !Arrays.equals(h, 0, 4, MAGIC, 0, 4) || h[4] != FORMAT) {
                throw new dev.kura.storage.CorruptDataException("encrypted data has no valid header");
            }
            ByteBuffer b = ByteBuffer.wrap(h);
            byte kind = h[5];
            int chunk = b.getInt(6);
            byte[] nonceBase = Arrays.copyOfRange(h, 10, 10 + NONCE);
            int len = b.getShort(AUTHENTICATED) & 0xffff;
            if (chunk <= 0 || AUTHENTICATED + 2 + len > HEADER) {
                throw new dev.kura.storage.CorruptDataException("encrypted data has a bad header");
            }
            return new Header(kind, chunk, nonceBase, Arrays.copyOf(h, AUTHENTICATED),
                    Arrays.copyOfRange(h, AUTHENTICATED + 2, AUTHENTICATED + 2 + len));
        }

        long chunkOffset(long index) {
            return HEADER + index * (chunkSize + (long) TAG);
        }
    }

    /** A piece's data key in hand: seals and opens its chunks. Not thread-safe (one cipher). */
    static final class ChunkCipher {
        private final SecretKeySpec key;
        private final byte[] nonceBase;
        private final Cipher cipher;

        ChunkCipher(byte[] dataKey, byte[] nonceBase) {
            this.key = new SecretKeySpec(dataKey, "AES");
            this.nonceBase = nonceBase.clone();
            try {
                this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM unavailable", e);
            }
        }

        private GCMParameterSpec nonce(long index) {
            byte[] n = nonceBase.clone();
            for (int i = 0; i < 8; i++) {
                n[NONCE - 1 - i] ^= (byte) (index >>> (8 * i));
            }
            return new GCMParameterSpec(TAG * 8, n);
        }

        /** Seals {@code len} plain bytes as chunk {@code index} into {@code out} (len + 16 bytes); returns the count. */
        int seal(long index, boolean last, byte[] plain, int off, int len, byte[] out) {
            try {
                cipher.init(Cipher.ENCRYPT_MODE, key, nonce(index));
                cipher.updateAAD(new byte[] {(byte) (last ? 1 : 0)});
                return cipher.doFinal(plain, off, len, out, 0);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM failed", e);
            }
        }

        /** Opens chunk {@code index} ({@code len} stored bytes, tag included) into {@code out}; returns the plain count. */
        int open(long index, boolean last, byte[] sealed, int len, byte[] out) throws IOException {
            try {
                cipher.init(Cipher.DECRYPT_MODE, key, nonce(index));
                cipher.updateAAD(new byte[] {(byte) (last ? 1 : 0)});
                return cipher.doFinal(sealed, 0, len, out, 0);
            } catch (AEADBadTagException e) {
                throw new dev.kura.storage.CorruptDataException("encrypted chunk " + index
                        + " fails its authentication tag: altered, truncated or out of place");
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM failed", e);
            }
        }
    }
}
