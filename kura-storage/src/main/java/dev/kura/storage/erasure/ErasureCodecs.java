package dev.kura.storage.erasure;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the erasure codec backend once per JVM: {@link IsalErasureCodec} when {@code libisal.so.2}
 * loads and a self-test shows it writes the same bytes as {@link ReedSolomon}, else the pure-Java
 * {@link ReedSolomon}. {@code -Dkura.erasure.backend=java} forces the pure-Java one. The choice is
 * logged once, by whichever call makes it first.
 */
public final class ErasureCodecs {
    /** System property: {@code java} forces the pure-Java codec; anything else lets ISA-L be tried. */
    public static final String BACKEND_PROPERTY = "kura.erasure.backend";
    public static final String ISAL = "isa-l";
    public static final String JAVA = "java";

    private static final System.Logger LOG = System.getLogger(ErasureCodecs.class.getName());

    private ErasureCodecs() {
    }

    /**
     * A codec for {@code k} data and {@code m} parity shards on the selected backend.
     *
     * @throws IllegalArgumentException for shard counts {@link ReedSolomon} refuses
     */
    public static ErasureCodec create(int k, int m) {
        if (forcedJava()) {
            return new ReedSolomon(k, m);
        }
        return Selected.ISA_L ? new IsalErasureCodec(k, m) : new ReedSolomon(k, m);
    }

    /** {@code "isa-l"} or {@code "java"}: the backend {@link #create} uses. */
    public static String backend() {
        if (forcedJava()) {
            return JAVA;
        }
        return Selected.ISA_L ? ISAL : JAVA;
    }

    private static boolean forcedJava() {
        return JAVA.equalsIgnoreCase(System.getProperty(BACKEND_PROPERTY, "").strip());
    }

    /** The one-time detection; initialised on first use of ISA-L (never when forced to java). */
    private static final class Selected {
        static final boolean ISA_L = detect();

        private static boolean detect() {
            if (!IsalErasureCodec.available()) {
                LOG.log(System.Logger.Level.INFO, "erasure codec: java ({0} not loaded: {1})",
                        IsalErasureCodec.LIBRARY, IsalErasureCodec.unavailableReason());
                return false;
            }
            String problem;
            try {
                problem = selfTest();
            } catch (Throwable t) { // a crashing native library must not take the store down with it
                problem = t.toString();
            }
            if (problem != null) {
                LOG.log(System.Logger.Level.WARNING, "erasure codec: java ({0} failed its self-test: {1})",
                        IsalErasureCodec.LIBRARY, problem);
                return false;
            }
            LOG.log(System.Logger.Level.INFO, "erasure codec: isa-l ({0})", IsalErasureCodec.LIBRARY);
            return true;
        }
    }

    /** Null when ISA-L agrees with the pure-Java codec on a random 6+3 stripe, else what differed. */
    static String selfTest() {
        int k = 6;
        int m = 3;
        if (!Arrays.deepEquals(IsalErasureCodec.isalCauchyMatrix(k, m), ReedSolomon.encodingMatrix(k, m))) {
            return "gf_gen_cauchy1_matrix differs from ReedSolomon.encodingMatrix";
        }
        int offset = 13;
        int length = 4096 + 77;
        SplittableRandom random = new SplittableRandom(System.nanoTime());
        byte[][] data = new byte[k][offset + length];
        for (byte[] d : data) {
            random.nextBytes(d);
        }
        byte[][] expected = new byte[m][offset + length];
        byte[][] actual = new byte[m][offset + length];
        new ReedSolomon(k, m).encode(data, expected, offset, length);
        ErasureCodec isal = new IsalErasureCodec(k, m);
        isal.encode(data, actual, offset, length);
        if (!Arrays.deepEquals(expected, actual)) {
            return "parity differs";
        }
        byte[][] shards = new byte[k + m][];
        boolean[] present = new boolean[k + m];
        for (int i = 0; i < k + m; i++) {
            shards[i] = (i < k ? data[i] : expected[i - k]).clone();
            present[i] = true;
        }
        int[] lost = {0, 4, 7}; // two data shards and a parity shard
        for (int i : lost) {
            present[i] = false;
            shards[i] = null;
        }
        isal.reconstruct(shards, present, offset, length);
        for (int i : lost) {
            byte[] want = i < k ? data[i] : expected[i - k];
            if (!Arrays.equals(shards[i], offset, offset + length, want, offset, offset + length)) {
                return "reconstructed shard " + i + " differs";
            }
        }
        return null;
    }
}
