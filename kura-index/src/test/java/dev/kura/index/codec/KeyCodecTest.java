package dev.kura.index.codec;

import static dev.kura.index.codec.Utf8Strings.compareUtf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyCodecTest {
    private static final long BUCKET = 7;

    private static int sign(int c) {
        return Integer.signum(c);
    }

    private static int cmp(byte[] a, byte[] b) {
        return sign(Arrays.compareUnsigned(a, b));
    }

    @Test
    void rowOrderIsUtf8ByteOrderThenNewestFirst() {
        qt().withExamples(5000).forAll(Utf8Strings.strings(6), Utf8Strings.strings(6),
                longs().between(0, Long.MAX_VALUE), longs().between(0, Long.MAX_VALUE)).checkAssert((a, b, s1, s2) -> {
                    int keys = sign(compareUtf8(a, b));
                    int expected = keys != 0 ? keys : -Long.signum(Long.compare(s1, s2));
                    assertThat(cmp(KeyCodec.objectRow(BUCKET, a, s1), KeyCodec.objectRow(BUCKET, b, s2)))
                            .as("%s@%d vs %s@%d", a, s1, b, s2).isEqualTo(expected);
                });
    }

    @Test
    void sharedPrefixesNeverConfuse() {
        qt().withExamples(5000).forAll(Utf8Strings.smallAlphabet(5), Utf8Strings.smallAlphabet(5))
                .checkAssert((a, b) -> assertThat(
                        cmp(KeyCodec.objectRow(BUCKET, a, 0), KeyCodec.objectRow(BUCKET, b, 0)))
                        .as("%s vs %s", a, b).isEqualTo(sign(compareUtf8(a, b))));
    }

    @Test
    void prefixRangeHoldsExactlyTheKeysWithThePrefix() {
        qt().withExamples(5000).forAll(Utf8Strings.smallAlphabet(3), Utf8Strings.smallAlphabet(5),
                longs().between(0, Long.MAX_VALUE)).checkAssert((prefix, key, seq) -> {
                    byte[] row = KeyCodec.objectRow(BUCKET, key, seq);
                    boolean inside = cmp(KeyCodec.prefixStart(BUCKET, prefix), row) <= 0
                            && cmp(row, KeyCodec.prefixEnd(BUCKET, prefix)) < 0;
                    assertThat(inside).as("%s under %s", key, prefix).isEqualTo(key.startsWith(prefix));
                    byte[] extended = KeyCodec.objectRow(BUCKET, prefix + key, seq);
                    assertThat(cmp(extended, KeyCodec.prefixEnd(BUCKET, prefix))).isNegative();
                });
    }

    @Test
    void afterVersionsOfSeparatesAKeyFromEveryGreaterKey() {
        qt().withExamples(5000).forAll(Utf8Strings.smallAlphabet(4), Utf8Strings.smallAlphabet(4),
                longs().between(0, Long.MAX_VALUE)).checkAssert((a, b, seq) -> {
                    byte[] after = KeyCodec.afterVersionsOf(BUCKET, a);
                    assertThat(cmp(KeyCodec.objectRow(BUCKET, a, seq), after)).isNegative();
                    assertThat(KeyCodec.startsWith(KeyCodec.objectRow(BUCKET, a, seq), KeyCodec.versionsOf(BUCKET, a)))
                            .isTrue();
                    if (compareUtf8(b, a) > 0) {
                        assertThat(cmp(KeyCodec.objectRow(BUCKET, b, seq), after)).as("%s after %s", b, a).isPositive();
                    }
                });
    }

    @Test
    void rowsDecodeBackToKeyAndSequence() {
        qt().withExamples(2000).forAll(Utf8Strings.strings(10), longs().between(0, Long.MAX_VALUE))
                .checkAssert((key, seq) -> {
                    byte[] row = KeyCodec.objectRow(BUCKET, key, seq);
                    assertThat(KeyCodec.objectKey(row)).isEqualTo(key);
                    assertThat(KeyCodec.objectSequence(row)).isEqualTo(seq);
                });
    }

    @Test
    void utf8OrderIsNotStringOrder() {
        String replacement = "\uFFFD";
        String grinning = "\uD83D\uDE00"; // U+1F600: after U+FFFD in UTF-8, before it in UTF-16
        assertThat(replacement.compareTo(grinning)).isPositive();
        assertThat(cmp(KeyCodec.objectRow(BUCKET, replacement, 0), KeyCodec.objectRow(BUCKET, grinning, 0)))
                .isNegative();
    }

    @Test
    void keyThenNulThenLongerKeysInOrder() {
        List<String> ordered = List.of("a", "a\0", "a\0\0", "a\0b", "a\u0001", "a/", "ab", "a\uFFFD",
                "a\uD83D\uDE00", "b");
        List<byte[]> rows = new ArrayList<>();
        for (String key : ordered) {
            rows.add(KeyCodec.objectRow(BUCKET, key, 5));
            rows.add(KeyCodec.objectRow(BUCKET, key, 4)); // older version: right after, before the next key
        }
        for (int i = 1; i < rows.size(); i++) {
            assertThat(cmp(rows.get(i - 1), rows.get(i))).as("row %d", i).isNegative();
        }
    }

    @Test
    void bucketsDoNotInterleave() {
        byte[] last = KeyCodec.objectRow(1, "\uDBFF\uDFFF\uDBFF\uDFFF", 0);
        assertThat(cmp(last, KeyCodec.prefixEnd(1, ""))).isNegative();
        assertThat(cmp(KeyCodec.prefixEnd(1, ""), KeyCodec.objectRow(2, "", Long.MAX_VALUE))).isNegative();
        assertThat(KeyCodec.startsWith(KeyCodec.objectRow(1, "x", 0), KeyCodec.objectsOfBucket(1))).isTrue();
    }

    @Test
    void refusesLoneSurrogatesAndNegativeSequences() {
        assertThatThrownBy(() -> KeyCodec.objectRow(BUCKET, "a\uD83D", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyCodec.objectRow(BUCKET, "\uDE00b", 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KeyCodec.objectRow(BUCKET, "a", -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tablesAreDisjoint() {
        byte[] bucket = KeyCodec.bucketRow("zzz");
        assertThat(cmp(bucket, KeyCodec.tableEnd(KeyCodec.BUCKET))).isNegative();
        assertThat(cmp(KeyCodec.table(KeyCodec.BUCKET), bucket)).isNegative();
        List<Byte> tags = List.of(KeyCodec.OBJECT, KeyCodec.BUCKET, KeyCodec.BUCKET_BY_ID, KeyCodec.INTENT,
                KeyCodec.INTENT_BY_TIME, KeyCodec.INTENT_BY_BUCKET, KeyCodec.FREE, KeyCodec.META);
        assertThat(tags).doesNotHaveDuplicates();
    }
}
