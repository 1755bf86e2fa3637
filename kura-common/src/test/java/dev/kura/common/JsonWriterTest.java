package dev.kura.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
    @Test
    void escapesWhatWouldBreakALineOrTheSyntax() {
        String key = "a\"b\\c\nd\re\tf\u0001g\u007fh\u2028i\u2029j";
        String json = new JsonWriter().field("key", key).toString();
        assertThat(json).isEqualTo("{\"key\":\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u007fh\\u2028i\\u2029j\"}");
        assertThat(json).doesNotContain("\n").doesNotContain("\r");
    }

    @Test
    void keepsUnicodeButEscapesLoneSurrogates() {
        assertThat(new JsonWriter().field("k", "猫🐈").toString()).isEqualTo("{\"k\":\"猫🐈\"}");
        assertThat(new JsonWriter().field("k", "x\uD800y").toString()).isEqualTo("{\"k\":\"x\\ud800y\"}");
        assertThat(new JsonWriter().field("k", "\uDC00").toString()).isEqualTo("{\"k\":\"\\udc00\"}");
    }

    @Test
    void typesNullsNestingAndMillis() {
        String json = new JsonWriter()
                .field("s", (String) null)
                .field("n", 42L)
                .field("b", true)
                .field("d", Double.NaN)
                .millis("ms", 1_234_567)
                .millis("small", 5_000)
                .field("o", new JsonWriter().field("x", 1L))
                .strings("a", List.of("p", "q"))
                .array("objs", List.of(new JsonWriter().field("y", 2L)))
                .toString();
        assertThat(json).isEqualTo("{\"s\":null,\"n\":42,\"b\":true,\"d\":null,\"ms\":1.234,\"small\":0.005,"
                + "\"o\":{\"x\":1},\"a\":[\"p\",\"q\"],\"objs\":[{\"y\":2}]}");
    }
}
