package dev.kura.common;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * The additional checksums S3 accepts on uploads ({@code x-amz-checksum-*}), see
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html.
 * Values travel base64-encoded, big-endian for the CRCs.
 */
public enum ChecksumAlgorithm {
    CRC32, CRC32C, CRC64NVME, SHA1, SHA256;

    /** The request/response header carrying this checksum, e.g. {@code x-amz-checksum-crc32c}. */
    public String headerName() {
        return "x-amz-checksum-" + name().toLowerCase(Locale.ROOT);
    }

    /** Parses an algorithm name as S3 spells it (case-insensitive), e.g. {@code CRC32C}. */
    public static Optional<ChecksumAlgorithm> fromName(String name) {
        for (ChecksumAlgorithm a : values()) {
            if (a.name().equalsIgnoreCase(name)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }

    /** Length in bytes of the raw (not base64) digest. */
    public int digestLength() {
        return switch (this) {
            case CRC32, CRC32C -> 4;
            case CRC64NVME -> 8;
            case SHA1 -> 20;
            case SHA256 -> 32;
        };
    }

    public Digest newDigest() {
        return switch (this) {
            case CRC32 -> new CrcDigest(new CRC32(), 4);
            case CRC32C -> new CrcDigest(new CRC32C(), 4);
            case CRC64NVME -> new CrcDigest(new Crc64Nvme(), 8);
            case SHA1 -> Digest.of(messageDigest("SHA-1"));
            case SHA256 -> Digest.of(messageDigest("SHA-256"));
        };
    }

    public static MessageDigest messageDigest(String name) {
        try {
            return MessageDigest.getInstance(name);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK lacks " + name, e);
        }
    }

    private record CrcDigest(Checksum crc, int bytes) implements Digest {
        @Override
        public void update(byte[] b, int off, int len) {
            crc.update(b, off, len);
        }

        @Override
        public byte[] finish() {
            long v = crc.getValue();
            byte[] out = new byte[bytes];
            for (int i = 0; i < bytes; i++) {
                out[i] = (byte) (v >>> (8 * (bytes - 1 - i)));
            }
            return out;
        }
    }
}
