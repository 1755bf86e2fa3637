package dev.kura.object;

import dev.kura.common.crypto.KeyWrapper;
import dev.kura.index.ObjectRecord;
import dev.kura.s3.S3ErrorCode;
import dev.kura.s3.S3Exception;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Server-side encryption around the storage seam (docs/encryption.md): decides what a write is
 * sealed with, seals each data piece with a fresh data key ({@link SealedData}), checks a reader's
 * key and opens the chunks a range covers. The storage layer only ever sees sealed bytes; the index
 * only the kind of encryption and, for SSE-C, a salted HMAC that tells the right key from a wrong one.
 */
final class Encryption {
    private static final byte[] CHECK_LABEL = "kura sse-c key check v1".getBytes(StandardCharsets.US_ASCII);
    private static final int SALT = 16;

    private final KeyWrapper master;
    private final SecureRandom random = new SecureRandom();

    /** @param master the node's master key ring; null: SSE-S3 is refused (tests that need no encryption) */
    Encryption(KeyWrapper master) {
        this.master = master;
    }

    /** A fresh data key for one piece, with its header (the data key wrapped). */
    record Sealer(byte[] header, SealedData.ChunkCipher cipher) {
    }

    /** What one write seals with: the kind recorded in the index and, for SSE-C, the customer key. */
    record Plan(ObjectRecord.Encryption recorded, Sse.Customer customer) {
        static final Plan NONE = new Plan(null, null);

        boolean encrypted() {
            return recorded != null;
        }
    }

    /** The plan for a new version or upload: SSE-C gets a new salted key check. */
    Plan plan(Sse sse) {
        return switch (sse) {
            case Sse.None n -> Plan.NONE;
            case Sse.S3 s -> {
                if (master == null) {
                    throw new S3Exception(S3ErrorCode.NotImplemented, "This node has no master key for SSE-S3");
                }
                yield new Plan(ObjectRecord.Encryption.SSE_S3, null);
            }
            case Sse.Customer c -> new Plan(new ObjectRecord.Encryption(ObjectRecord.Encryption.Kind.SSE_C, keyCheck(c, null)), c);
        };
    }

    /** The plan for a part of an upload: the upload's encryption, with the part's key checked against it. */
    Plan planPart(ObjectRecord.Encryption upload, Sse.Customer given) {
        if (upload == null) {
            if (given != null) {
                throw new S3Exception(S3ErrorCode.InvalidRequest,
                        "The multipart upload was not initiated with customer-provided encryption keys.");
            }
            return Plan.NONE;
        }
        if (upload.isCustomer()) {
            if (given == null) {
                throw new S3Exception(S3ErrorCode.InvalidRequest, "The multipart upload initiate requested encryption. "
                        + "Subsequent part requests must include the appropriate encryption parameters.");
            }
            if (!matches(upload, given)) {
                throw new S3Exception(S3ErrorCode.InvalidRequest,
                        "The provided encryption parameters did not match the ones used originally.");
            }
            return new Plan(upload, given);
        }
        if (given != null) {
            throw new S3Exception(S3ErrorCode.InvalidRequest,
                    "The multipart upload was not initiated with customer-provided encryption keys.");
        }
        return new Plan(upload, null);
    }

    /**
     * A reader's key against a version's encryption: SSE-C needs the right key, anything else none.
     * The errors are S3's (400 InvalidRequest), decided before a byte is read.
     */
    void checkRead(ObjectRecord.Encryption stored, Sse.Customer given) {
        if (stored != null && stored.isCustomer()) {
            if (given == null) {
                throw new S3Exception(S3ErrorCode.InvalidRequest, "The object was stored using a form of Server Side "
                        + "Encryption. The correct parameters must be provided to retrieve the object.");
            }
            if (!matches(stored, given)) {
                // S3-COMPAT: S3 answers a wrong SSE-C key with 403 AccessDenied in some paths; s3-tests expect 400.
                throw new S3Exception(S3ErrorCode.InvalidRequest,
                        "The provided encryption parameters did not match the ones used originally.");
            }
        } else if (given != null) {
            throw new S3Exception(S3ErrorCode.InvalidRequest, "The encryption parameters are not applicable to this object.");
        }
    }

    /** A new piece's sealer under the plan, or null for plain data. */
    Sealer sealer(Plan plan) {
        if (!plan.encrypted()) {
            return null;
        }
        byte[] dataKey = new byte[32];
        byte[] nonceBase = new byte[SealedData.NONCE];
        random.nextBytes(dataKey);
        random.nextBytes(nonceBase);
        boolean customer = plan.recorded().isCustomer();
        byte[] start = SealedData.headerStart(customer ? SealedData.KIND_CUSTOMER : SealedData.KIND_MASTER, nonceBase);
        byte[] wrapped = customer ? wrapWithCustomerKey(plan.customer().key(), dataKey, start) : master.wrap(dataKey, start);
        Sealer s = new Sealer(SealedData.header(start, wrapped), new SealedData.ChunkCipher(dataKey, nonceBase));
        Arrays.fill(dataKey, (byte) 0);
        return s;
    }

    /** Opens a stored piece's bytes from its start ({@code offset}, {@code length} within the stored bytes). */
    @FunctionalInterface
    interface Source {
        InputStream open(long offset, long length) throws IOException;
    }

    /**
     * {@code length} plain bytes from {@code offset} of a sealed piece of {@code plainSize} plain bytes:
     * reads the header and only the chunks the range covers (one storage read when the range starts
     * in the first chunk), each checked before it is served.
     */
    InputStream open(Source source, long plainSize, long offset, long length, Sse.Customer key) throws IOException {
        InputStream stored = null;
        try {
            SealedData.Header header;
            if (offset < SealedData.CHUNK) {
                // the range starts in chunk 0 (whatever the piece's chunk size, header included): one read
                long end = SealedData.storedLength(plainSize);
                long want = Math.min(end, SealedData.HEADER + chunkEnd(plainSize, offset + length, SealedData.CHUNK));
                stored = source.open(0, want);
                header = SealedData.Header.parse(stored.readNBytes(SealedData.HEADER));
                if (header.chunkSize() != SealedData.CHUNK) {
                    stored.close();
                    stored = null;
                }
            } else {
                try (InputStream h = source.open(0, SealedData.HEADER)) {
                    header = SealedData.Header.parse(h.readNBytes(SealedData.HEADER));
                }
            }
            int chunk = header.chunkSize();
            long first = offset / chunk;
            if (stored == null) {
                long from = header.chunkOffset(first);
                long to = SealedData.HEADER + chunkEnd(plainSize, offset + length, chunk);
                stored = source.open(from, to - from);
            } else if (first > 0) {
                stored.skipNBytes(header.chunkOffset(first) - SealedData.HEADER);
            }
            SealedData.ChunkCipher cipher = new SealedData.ChunkCipher(unwrap(header, key), header.nonceBase());
            return new OpeningInputStream(stored, cipher, chunk, plainSize, first, offset - first * chunk, length);
        } catch (IOException | RuntimeException e) {
            if (stored != null) {
                stored.close();
            }
            throw e;
        }
    }

    /** Where (relative to the end of the header) the chunk holding plain byte {@code endExclusive - 1} ends. */
    private static long chunkEnd(long plainSize, long endExclusive, int chunk) {
        long lastIndex = SealedData.chunks(plainSize, chunk) - 1;
        long index = endExclusive == 0 ? 0 : (endExclusive - 1) / chunk;
        long plainEnd = index == lastIndex ? plainSize : (index + 1) * chunk;
        return plainEnd + (index + 1) * SealedData.TAG;
    }

    private byte[] unwrap(SealedData.Header header, Sse.Customer key) throws IOException {
        if (header.kind() == SealedData.KIND_CUSTOMER) {
            if (key == null) {
                throw new S3Exception(S3ErrorCode.InvalidRequest, "The object was stored using a form of Server Side "
                        + "Encryption. The correct parameters must be provided to retrieve the object.");
            }
            return unwrapWithCustomerKey(key.key(), header.wrappedKey(), header.authenticated());
        }
        if (header.kind() != SealedData.KIND_MASTER || master == null) {
            throw new dev.kura.storage.CorruptDataException("encrypted data of an unknown kind " + header.kind());
        }
        try {
            return master.unwrap(header.wrappedKey(), header.authenticated());
        } catch (KeyWrapper.WrongKeyException e) {
            throw new dev.kura.storage.CorruptDataException("the data key does not open: " + e.getMessage());
        }
    }

    // ---- the customer key -------------------------------------------------------------------

    /** base64(salt ‖ HMAC-SHA256(key, label ‖ salt)): a fresh salt for a new version, the stored one to verify. */
    private String keyCheck(Sse.Customer key, byte[] salt) {
        if (salt == null) {
            salt = new byte[SALT];
            random.nextBytes(salt);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.key(), "HmacSHA256"));
            mac.update(CHECK_LABEL);
            mac.update(salt);
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(SALT + 32).put(salt).put(mac.doFinal()).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean matches(ObjectRecord.Encryption stored, Sse.Customer given) {
        byte[] check = Base64.getDecoder().decode(stored.keyCheck());
        String again = keyCheck(given, Arrays.copyOf(check, SALT));
        return MessageDigest.isEqual(Base64.getDecoder().decode(again), check);
    }

    private byte[] wrapWithCustomerKey(byte[] customerKey, byte[] dataKey, byte[] aad) {
        byte[] nonce = new byte[SealedData.NONCE];
        random.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(customerKey, "AES"), new GCMParameterSpec(128, nonce));
            c.updateAAD(aad);
            return ByteBuffer.allocate(SealedData.NONCE + dataKey.length + SealedData.TAG).put(nonce).put(c.doFinal(dataKey))
                    .array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }

    private static byte[] unwrapWithCustomerKey(byte[] customerKey, byte[] wrapped, byte[] aad) throws IOException {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(customerKey, "AES"),
                    new GCMParameterSpec(128, wrapped, 0, SealedData.NONCE));
            c.updateAAD(aad);
            return c.doFinal(wrapped, SealedData.NONCE, wrapped.length - SealedData.NONCE);
        } catch (AEADBadTagException e) {
            // The key matched the version's key check, so the header itself was altered.
            throw new dev.kura.storage.CorruptDataException("the data key does not open with the customer key");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }
}
