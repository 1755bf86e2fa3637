package dev.kura.cluster;

import dev.kura.index.BucketSetting;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary framing the cluster's messages share ({@link IndexRead}, {@link OutcomeCodec}): a format byte,
 * then length-prefixed byte strings, optional ones behind a presence flag, UTF-8 texts, counted lists
 * (at most 2^20 elements), each read back with its bounds checked.
 */
final class Wire {
    /** At most this many elements in a list, map or page on the wire. */
    private static final int MAX_COUNT = 1 << 20;

    private Wire() {
    }

    interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    interface Reader<R> {
        R read(DataInputStream in) throws IOException;
    }

    /** {@code format}, then what {@code writer} writes. */
    static byte[] write(byte format, Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(format);
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not on a byte array
        }
        return bytes.toByteArray();
    }

    /** What {@code reader} reads after {@code format}, all of {@code bytes}; IllegalArgumentException otherwise. */
    static <R> R read(byte[] bytes, byte format, Reader<R> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readByte() != format) {
                throw new IllegalArgumentException("unknown read format");
            }
            R r = reader.read(in);
            if (in.available() != 0) {
                throw new IllegalArgumentException("trailing bytes after a read");
            }
            return r;
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IllegalArgumentException("unreadable index read: " + e.getMessage(), e);
        }
    }

    static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > in.available()) {
            throw new IOException("bad length " + n);
        }
        return in.readNBytes(n);
    }

    static void optional(DataOutputStream out, byte[] b) throws IOException {
        out.writeBoolean(b != null);
        if (b != null) {
            bytes(out, b);
        }
    }

    static byte[] optional(DataInputStream in) throws IOException {
        return in.readBoolean() ? bytes(in) : null;
    }

    static void text(DataOutputStream out, String s) throws IOException {
        optional(out, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    static String text(DataInputStream in) throws IOException {
        byte[] b = optional(in);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    static int count(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_COUNT) {
            throw new IOException("bad count " + n);
        }
        return n;
    }

    static void texts(DataOutputStream out, List<String> list) throws IOException {
        out.writeInt(list.size());
        for (String s : list) {
            text(out, s);
        }
    }

    static List<String> texts(DataInputStream in) throws IOException {
        int n = count(in);
        List<String> list = new ArrayList<>(Math.min(n, 1024));
        for (int k = 0; k < n; k++) {
            list.add(text(in));
        }
        return list;
    }

    static <E> void list(DataOutputStream out, List<E> list, java.util.function.Function<E, byte[]> encode)
            throws IOException {
        out.writeInt(list.size());
        for (E e : list) {
            bytes(out, encode.apply(e));
        }
    }

    static <E> List<E> list(DataInputStream in, java.util.function.Function<byte[], E> decode) throws IOException {
        int n = count(in);
        List<E> list = new ArrayList<>(Math.min(n, 1024));
        for (int k = 0; k < n; k++) {
            list.add(decode.apply(bytes(in)));
        }
        return list;
    }

    static BucketSetting setting(String name) throws IOException {
        try {
            return BucketSetting.valueOf(name);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IOException("unknown bucket setting " + name);
        }
    }
}
