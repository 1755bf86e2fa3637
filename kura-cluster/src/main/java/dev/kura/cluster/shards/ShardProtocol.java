package dev.kura.cluster.shards;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.zip.CRC32C;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The node-to-node shard protocol's wire format: a handshake in which both ends prove they hold the
 * cluster secret, then messages, each {@code type (1 byte) | length (4 bytes) | payload}.
 *
 * <p><b>Handshake</b> (mutual, never anonymous): the client sends {@code MAGIC, VERSION}, its node name
 * and a 32-byte random nonce; the server answers with the same and
 * {@code HMAC-SHA256(secret, "kura-shards server" | client nonce | server nonce | client | server)}; the
 * client checks it (constant time) and answers with the same MAC under the label
 * {@code "kura-shards client"}, which the server checks and acknowledges. Different labels for the two
 * directions keep a peer from replaying one side's proof as the other's; fresh nonces on both sides keep
 * an old proof from being replayed. A peer that fails is told nothing and cut off. Without TLS the
 * messages after the handshake are not encrypted nor authenticated on the wire (use TLS between
 * machines on a network you do not trust).
 *
 * <p><b>Data</b> travels in {@link #DATA} messages of at most {@link #MAX_DATA} bytes, each followed by
 * the CRC32C of its bytes, checked on arrival, so a flipped bit in transit is caught even without TLS.
 */
final class ShardProtocol {
    static final byte[] MAGIC = "KURASHRD".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int NONCE_BYTES = 32;
    /** At least 32 bytes of secret: HMAC-SHA256's key strength. */
    static final int MIN_SECRET_BYTES = 32;
    static final int MAX_DATA = 256 * 1024;
    /** Any message but DATA is small: a limit on what a peer can make the other allocate. */
    static final int MAX_MESSAGE = 2 * 1024 * 1024;

    // requests
    static final byte OPEN_WRITE = 1;
    static final byte DATA = 2;
    static final byte COMMIT = 3;
    static final byte PUBLISH = 4;
    static final byte ABORT = 5;
    static final byte READ = 6;
    static final byte DELETE = 7;
    static final byte DELETE_COMMITTED = 8;
    static final byte INSPECT = 9;
    static final byte STATUS = 10;
    static final byte CHECK_SPACE = 11;
    static final byte VERIFY = 12;
    /** Which drives the node serves, with their state (a new peer learns the shard drives of the cluster). */
    static final byte DRIVES = 13;
    // answers
    static final byte OK = 20;
    static final byte SYNCED = 21;
    static final byte COMMITTED = 22;
    static final byte END = 23;
    static final byte FOUND = 24;
    static final byte NOT_FOUND = 25;
    static final byte ERROR = 26;

    // error kinds carried by ERROR, so the caller gets the same exception type as from a local drive
    static final byte E_IO = 1;
    static final byte E_CORRUPT = 2;
    static final byte E_FULL = 3;
    static final byte E_NO_SUCH_DRIVE = 4;
    static final byte E_NOT_FOUND = 5;
    static final byte E_BAD_REQUEST = 6;

    private static final SecureRandom RANDOM = new SecureRandom();

    private ShardProtocol() {
    }

    /** One message as read: its type and payload. */
    record Message(byte type, byte[] payload) {
    }

    static void write(DataOutputStream out, byte type, byte[] payload) throws IOException {
        out.writeByte(type);
        out.writeInt(payload.length);
        out.write(payload);
    }

    static void writeData(DataOutputStream out, byte[] b, int off, int len) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(b, off, len);
        out.writeByte(DATA);
        out.writeInt(len + 4);
        out.write(b, off, len);
        out.writeInt((int) crc.getValue());
    }

    static Message read(DataInputStream in) throws IOException {
        byte type = in.readByte();
        int length = in.readInt();
        if (length < 0 || length > (type == DATA ? MAX_DATA + 4 : MAX_MESSAGE)) {
            throw new IOException("shard protocol: message of " + length + " bytes refused");
        }
        byte[] payload = new byte[length];
        in.readFully(payload);
        if (type == DATA) {
            if (length < 4) {
                throw new IOException("shard protocol: data message without its checksum");
            }
            CRC32C crc = new CRC32C();
            crc.update(payload, 0, length - 4);
            int sent = ((payload[length - 4] & 0xff) << 24) | ((payload[length - 3] & 0xff) << 16)
                    | ((payload[length - 2] & 0xff) << 8) | (payload[length - 1] & 0xff);
            if ((int) crc.getValue() != sent) {
                throw new IOException("shard protocol: data corrupted in transit (CRC32C mismatch)");
            }
        }
        return new Message(type, payload);
    }

    /** The data bytes of a DATA message (its payload without the checksum). */
    static int dataLength(Message m) {
        return m.payload().length - 4;
    }

    static byte[] nonce() {
        byte[] n = new byte[NONCE_BYTES];
        RANDOM.nextBytes(n);
        return n;
    }

    static byte[] proof(byte[] secret, String label, byte[] firstNonce, byte[] secondNonce, String client,
                        String server) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update(label.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(firstNonce);
            mac.update(secondNonce);
            mac.update(client.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(server.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    static boolean sameProof(byte[] expected, byte[] got) {
        return MessageDigest.isEqual(expected, got);
    }

    static void expectMagic(DataInputStream in) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!MessageDigest.isEqual(MAGIC, magic)) {
            throw new IOException("not a Kura shard peer");
        }
        int version = in.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("shard protocol version " + version + " is not " + VERSION);
        }
    }

    static byte[] readNonce(DataInputStream in) throws IOException {
        byte[] n = new byte[NONCE_BYTES];
        in.readFully(n);
        return n;
    }

    static byte[] readProof(DataInputStream in) throws IOException {
        byte[] p = new byte[32];
        in.readFully(p);
        return p;
    }

    /** A node name as sent in the handshake: short, so the peer reads a bounded string. */
    static String readName(DataInputStream in) throws IOException {
        int n = in.readUnsignedByte();
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    static void writeName(DataOutputStream out, String name) throws IOException {
        byte[] b = name.getBytes(StandardCharsets.UTF_8);
        if (b.length > 255) {
            throw new IllegalArgumentException("node name over 255 bytes");
        }
        out.writeByte(b.length);
        out.write(b);
    }

    static EOFException closed() {
        return new EOFException("shard peer closed the connection");
    }
}
