package dev.kura.common;

import java.util.HexFormat;

public final class Hex {
    private static final HexFormat LOWER = HexFormat.of();

    private Hex() {
    }

    public static String encode(byte[] b) {
        return LOWER.formatHex(b);
    }

    public static byte[] decode(String s) {
        return LOWER.parseHex(s);
    }
}
