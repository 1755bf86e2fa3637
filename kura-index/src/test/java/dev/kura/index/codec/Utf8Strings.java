package dev.kura.index.codec;

import static org.quicktheories.generators.SourceDSL.lists;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/** Generators of well-formed strings biased toward the code points where UTF-8 and UTF-16 order differ. */
public final class Utf8Strings {
    /** NUL, the one-byte/two-byte/three-byte/four-byte edges, the last BMP chars, astral chars. */
    static final List<Integer> INTERESTING = List.of(0x00, 0x01, (int) '/', (int) '-', (int) 'a', (int) 'b',
            0x7F, 0x80, 0xFF, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x1F600, 0x10FFFF);

    private Utf8Strings() {
    }

    /** Any valid code point (surrogates moved out of their range), half the time an interesting one. */
    public static Gen<Integer> codePoints() {
        Gen<Integer> any = Generate.range(0, Character.MAX_CODE_POINT)
                .map(cp -> cp >= 0xD800 && cp <= 0xDFFF ? cp + 0x800 : cp);
        return Generate.pick(INTERESTING).mix(any, 50);
    }

    public static Gen<String> strings(int maxLength) {
        return stringsOf(codePoints(), maxLength);
    }

    /** Strings over a few characters: many shared prefixes, delimiters and NULs. */
    public static Gen<String> smallAlphabet(int maxLength) {
        return stringsOf(Generate.pick(List.of(0x00, (int) '/', (int) 'a', (int) 'b', 0xFFFD, 0x1F600)), maxLength);
    }

    static Gen<String> stringsOf(Gen<Integer> codePoints, int maxLength) {
        return lists().of(codePoints).ofSizeBetween(0, maxLength).map(cps -> {
            StringBuilder s = new StringBuilder();
            cps.forEach(s::appendCodePoint);
            return s.toString();
        });
    }

    /** S3 order: unsigned comparison of the UTF-8 bytes. */
    public static int compareUtf8(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }
}
