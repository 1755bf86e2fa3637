package dev.kura.bench.load;

import java.util.Locale;
import java.util.SplittableRandom;

/**
 * An object size: fixed ({@code 4KiB}) or drawn per object from a range ({@code 4KiB-1MiB}). A range
 * is sampled log-uniformly, so a range spanning decades has as many small objects as large ones,
 * like real buckets, rather than almost all near the top.
 */
public record SizeSpec(long min, long max) {
    public SizeSpec {
        if (min < 0 || max < min) {
            throw new IllegalArgumentException("bad size range " + min + "-" + max);
        }
    }

    public static SizeSpec fixed(long bytes) {
        return new SizeSpec(bytes, bytes);
    }

    /** Parses {@code 4KiB}, {@code 64MiB}, {@code 1GiB}, {@code 512} (bytes), {@code 4KiB-1MiB}. */
    public static SizeSpec parse(String text) {
        String t = text.trim();
        int dash = t.indexOf('-', 1);
        if (dash > 0) {
            return new SizeSpec(parseBytes(t.substring(0, dash)), parseBytes(t.substring(dash + 1)));
        }
        return fixed(parseBytes(t));
    }

    /** One size: digits then an optional unit, B/KiB/MiB/GiB/TiB (KB, MB… and K, M… mean the same powers of two). */
    public static long parseBytes(String text) {
        String t = text.trim();
        int i = 0;
        while (i < t.length() && (Character.isDigit(t.charAt(i)) || t.charAt(i) == '.')) {
            i++;
        }
        if (i == 0) {
            throw new IllegalArgumentException("not a size: " + text);
        }
        double number = Double.parseDouble(t.substring(0, i));
        String unit = t.substring(i).trim().toLowerCase(Locale.ROOT);
        long scale = switch (unit) {
            case "", "b" -> 1L;
            case "k", "kb", "kib" -> 1L << 10;
            case "m", "mb", "mib" -> 1L << 20;
            case "g", "gb", "gib" -> 1L << 30;
            case "t", "tb", "tib" -> 1L << 40;
            default -> throw new IllegalArgumentException("unknown size unit in " + text + " (use B, KiB, MiB, GiB)");
        };
        return Math.round(number * scale);
    }

    public boolean isFixed() {
        return min == max;
    }

    public long next(SplittableRandom random) {
        if (isFixed()) {
            return min;
        }
        double lo = Math.log(Math.max(1, min));
        double hi = Math.log(max + 1.0);
        long v = (long) Math.exp(lo + random.nextDouble() * (hi - lo));
        return Math.clamp(v, min, max);
    }

    /** The mean of {@link #next}: for sizing prepared data sets. */
    public double mean() {
        if (isFixed()) {
            return min;
        }
        double lo = Math.log(Math.max(1, min));
        double hi = Math.log(max + 1.0);
        return (Math.exp(hi) - Math.exp(lo)) / (hi - lo);
    }

    @Override
    public String toString() {
        return isFixed() ? format(min) : format(min) + "-" + format(max);
    }

    public static String format(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int u = 0;
        long v = bytes;
        while (u < units.length - 1 && v >= 1024 && v % 1024 == 0) {
            v /= 1024;
            u++;
        }
        return v + units[u];
    }
}
