package dev.kura.storage.erasure;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The same Reed-Solomon code as {@link ReedSolomon}, with the byte crunching done by Intel ISA-L
 * ({@code libisal.so.2}) through the FFM API. Everything but the multiply-accumulate loop is
 * {@link ReedSolomon}'s: argument checks, the erasure bookkeeping, the Cauchy matrix (which is
 * ISA-L's {@code gf_gen_cauchy1_matrix}) and the cached decode rows; only the rows are expanded
 * with {@code ec_init_tables} and applied natively. So both backends write identical bytes.
 *
 * <p><b>Getting heap arrays to ISA-L.</b> {@code ec_encode_data} takes arrays of pointers, and a
 * heap array has no address that may be stored in memory, so it cannot take {@code byte[]}s
 * directly. Two ways, selected by {@code kura.erasure.isal.mode}:
 * <ul>
 *   <li>{@code critical} (default): critical downcalls with heap access pass each {@code byte[]}
 *       slice as a plain pointer argument to {@code gf_vect_mad} ({@code dest ^= c * src}, one
 *       call per input and output in slices that stay in cache; the output slice is zeroed first).
 *       No copies; the GC waits at most one slice's call.
 *   <li>{@code copy}: slices of the inputs are copied to a pooled off-heap buffer, one
 *       {@code ec_encode_data} call computes every output, and the outputs are copied back.
 * </ul>
 * Calls shorter than {@link #MIN_NATIVE_LENGTH} bytes use the pure-Java kernel (ISA-L's SIMD
 * routines want a minimum length, and the call would not pay for itself).
 */
public final class IsalErasureCodec implements ErasureCodec {
    /** The shared library, as Debian's {@code libisal2} installs it. */
    public static final String LIBRARY = "libisal.so.2";
    static final int MIN_NATIVE_LENGTH = 64;
    /** Bytes of each shard per native pass in critical mode: output slice in L1, inputs in L2. */
    static final int MAD_SLICE = 16 * 1024;
    /** Bytes of each shard per copied pass: 24 shards of it is 768 KiB of scratch at most. */
    static final int COPY_SLICE = 32 * 1024;
    private static final int TABLE_CACHE_SIZE = 64;
    private static final String MODE_PROPERTY = "kura.erasure.isal.mode";

    private final ReedSolomon rs;
    private final int k;
    private final int m;
    private final boolean copy;
    private final MemorySegment encodeTables;
    /** Expanded decode rows per erasure pattern; guarded by itself. */
    private final Map<Integer, MemorySegment> decodeTables = new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, MemorySegment> eldest) {
            return size() > TABLE_CACHE_SIZE;
        }
    };
    /** Off-heap buffers for copy mode, one per concurrent caller at most. */
    private final ConcurrentLinkedQueue<Scratch> scratch = new ConcurrentLinkedQueue<>();
    private final ReedSolomon.Kernel kernel = this::apply;

    /**
     * @throws IllegalArgumentException for shard counts {@link ReedSolomon} refuses
     * @throws IllegalStateException when ISA-L cannot be loaded ({@link #available()})
     */
    public IsalErasureCodec(int dataShards, int parityShards) {
        this(dataShards, parityShards, "copy".equals(System.getProperty(MODE_PROPERTY)));
    }

    IsalErasureCodec(int dataShards, int parityShards, boolean copy) {
        this.rs = new ReedSolomon(dataShards, parityShards);
        if (!available()) {
            throw new IllegalStateException("ISA-L is not available: " + unavailableReason());
        }
        this.k = dataShards;
        this.m = parityShards;
        this.copy = copy;
        this.encodeTables = m == 0 ? null : expand(rs.parityRows());
    }

    /** Whether {@code libisal.so.2} loaded and has the functions this codec calls. */
    public static boolean available() {
        return Native.FAILURE == null;
    }

    /** Why ISA-L is not available, or null when it is. */
    public static String unavailableReason() {
        Throwable t = Native.FAILURE;
        return t == null ? null : t.getClass().getSimpleName() + ": " + t.getMessage();
    }

    /** Whether this instance copies through off-heap memory rather than using critical heap access. */
    boolean copies() {
        return copy;
    }

    @Override
    public int dataShards() {
        return k;
    }

    @Override
    public int parityShards() {
        return m;
    }

    @Override
    public void encode(byte[][] data, byte[][] parity, int offset, int length) {
        rs.encode(data, parity, offset, length, kernel);
    }

    @Override
    public void reconstruct(byte[][] shards, boolean[] present, int offset, int length) {
        rs.reconstruct(shards, present, offset, length, kernel);
    }

    /** ISA-L's own Cauchy matrix {@code gf_gen_cauchy1_matrix(a, k + m, k)}, row by row (for the self-test). */
    static byte[][] isalCauchyMatrix(int k, int m) {
        byte[] a = new byte[(k + m) * k];
        try {
            Native.GEN_CAUCHY1.invokeExact(MemorySegment.ofArray(a), k + m, k);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        byte[][] rows = new byte[k + m][];
        for (int r = 0; r < k + m; r++) {
            rows[r] = Arrays.copyOfRange(a, r * k, (r + 1) * k);
        }
        return rows;
    }

    private void apply(int pattern, byte[][] rows, byte[][] inputs, byte[][] outputs, int offset, int length) {
        if (length < MIN_NATIVE_LENGTH) {
            GfMatrix.apply(rows, inputs, outputs, offset, length);
            return;
        }
        MemorySegment tables = pattern == (1 << k) - 1 ? encodeTables : decodeTables(pattern, rows);
        if (copy) {
            applyCopying(tables, inputs, outputs, offset, length);
        } else {
            applyCritical(tables, inputs, outputs, offset, length);
        }
    }

    private void applyCritical(MemorySegment tables, byte[][] inputs, byte[][] outputs, int offset, int length) {
        int n = inputs.length;
        MemorySegment[] in = new MemorySegment[n];
        for (int c = 0; c < n; c++) {
            in[c] = MemorySegment.ofArray(inputs[c]);
        }
        int end = offset + length;
        try {
            for (int start = offset; start < end; ) {
                int len = sliceLength(end - start, MAD_SLICE);
                for (int r = 0; r < outputs.length; r++) {
                    Arrays.fill(outputs[r], start, start + len, (byte) 0);
                    MemorySegment out = MemorySegment.ofArray(outputs[r]).asSlice(start, len);
                    MemorySegment rowTables = tables.asSlice(32L * n * r, 32L * n);
                    for (int c = 0; c < n; c++) {
                        Native.VECT_MAD.invokeExact(len, n, c, rowTables, in[c].asSlice(start, len), out);
                    }
                }
                start += len;
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void applyCopying(MemorySegment tables, byte[][] inputs, byte[][] outputs, int offset, int length) {
        Scratch s = scratch.poll();
        if (s == null) {
            s = new Scratch(k, m);
        }
        int n = inputs.length;
        int rows = outputs.length;
        int end = offset + length;
        try {
            for (int start = offset; start < end; ) {
                int len = Math.min(end - start, COPY_SLICE); // ec_encode_data takes any length
                for (int c = 0; c < n; c++) {
                    MemorySegment.copy(inputs[c], start, s.buffer, JAVA_BYTE, (long) c * COPY_SLICE, len);
                }
                Native.ENCODE_DATA.invokeExact(len, n, rows, tables, s.inputPointers, s.outputPointers);
                for (int r = 0; r < rows; r++) {
                    MemorySegment.copy(s.buffer, JAVA_BYTE, (long) (n + r) * COPY_SLICE, outputs[r], start, len);
                }
                start += len;
            }
        } catch (Throwable t) {
            throw rethrow(t);
        } finally {
            scratch.offer(s);
        }
    }

    /** The next slice: at most {@code max}, and never leaving a tail shorter than the native minimum. */
    private static int sliceLength(int remaining, int max) {
        return remaining - max < MIN_NATIVE_LENGTH ? remaining : max;
    }

    private MemorySegment decodeTables(int pattern, byte[][] rows) {
        synchronized (decodeTables) {
            MemorySegment cached = decodeTables.get(pattern);
            if (cached != null) {
                return cached;
            }
        }
        MemorySegment expanded = expand(rows); // outside the lock: a race only duplicates work
        synchronized (decodeTables) {
            decodeTables.put(pattern, expanded);
        }
        return expanded;
    }

    /** {@code ec_init_tables} over {@code rows x k} coefficients: 32 bytes of tables per coefficient, row by row. */
    private MemorySegment expand(byte[][] rows) {
        byte[] flat = new byte[rows.length * k];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(rows[r], 0, flat, r * k, k);
        }
        // Freed by the GC with the codec or the evicted cache entry; 32-byte aligned for the SIMD loads.
        MemorySegment tables = Arena.ofAuto().allocate(32L * k * rows.length, 32);
        try {
            Native.INIT_TABLES.invokeExact(k, rows.length, MemorySegment.ofArray(flat), tables);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return tables;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException("ISA-L call failed", t);
    }

    /** Off-heap room for one slice of every shard, and the pointer arrays ec_encode_data reads. */
    private static final class Scratch {
        final MemorySegment buffer;
        final MemorySegment inputPointers;
        final MemorySegment outputPointers;

        Scratch(int k, int m) {
            Arena arena = Arena.ofAuto();
            buffer = arena.allocate((long) (k + m) * COPY_SLICE, 64);
            inputPointers = arena.allocate(ADDRESS, k);
            outputPointers = arena.allocate(ADDRESS, Math.max(1, m));
            // Inputs are always k shards (data, or the k present ones); outputs at most m.
            for (int c = 0; c < k; c++) {
                inputPointers.setAtIndex(ADDRESS, c, buffer.asSlice((long) c * COPY_SLICE, COPY_SLICE));
            }
            for (int r = 0; r < m; r++) {
                outputPointers.setAtIndex(ADDRESS, r, buffer.asSlice((long) (k + r) * COPY_SLICE, COPY_SLICE));
            }
        }
    }

    /** The downcall handles, resolved once; {@link #FAILURE} says why not. */
    private static final class Native {
        static final MethodHandle INIT_TABLES;
        static final MethodHandle ENCODE_DATA;
        static final MethodHandle VECT_MAD;
        static final MethodHandle GEN_CAUCHY1;
        static final Throwable FAILURE;

        static {
            MethodHandle init = null;
            MethodHandle encode = null;
            MethodHandle mad = null;
            MethodHandle cauchy = null;
            Throwable failure = null;
            try {
                // The global arena: the library stays loaded for the life of the JVM.
                SymbolLookup lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
                Linker linker = Linker.nativeLinker();
                Linker.Option heap = Linker.Option.critical(true);
                // void ec_init_tables(int k, int rows, unsigned char *a, unsigned char *gftbls)
                init = linker.downcallHandle(lib.findOrThrow("ec_init_tables"),
                        FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), heap);
                // void ec_encode_data(int len, int k, int rows, const unsigned char *gftbls,
                //                     const unsigned char * const *data, unsigned char **coding)
                encode = linker.downcallHandle(lib.findOrThrow("ec_encode_data"),
                        FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS),
                        Linker.Option.critical(false));
                // void gf_vect_mad(int len, int vec, int vec_i, unsigned char *gftbls,
                //                  unsigned char *src, unsigned char *dest)
                mad = linker.downcallHandle(lib.findOrThrow("gf_vect_mad"),
                        FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS), heap);
                // void gf_gen_cauchy1_matrix(unsigned char *a, int m, int k)
                cauchy = linker.downcallHandle(lib.findOrThrow("gf_gen_cauchy1_matrix"),
                        FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT), heap);
            } catch (Throwable t) {
                failure = t;
            }
            INIT_TABLES = init;
            ENCODE_DATA = encode;
            VECT_MAD = mad;
            GEN_CAUCHY1 = cauchy;
            FAILURE = failure;
        }

        private Native() {
        }
    }
}
