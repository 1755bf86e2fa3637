package dev.kura.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class HttpDateTest {
    @Test
    void theDayAlwaysHasTwoDigitsAndTheFormParsesBack() {
        assertThat(HttpDate.format(Instant.parse("1994-11-06T08:49:37Z"))).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
        assertThat(HttpDate.format(Instant.parse("2026-12-07T00:00:00.999Z"))).isEqualTo("Mon, 07 Dec 2026 00:00:00 GMT");
        assertThat(HttpDate.format(Instant.parse("2026-12-25T23:59:59Z"))).isEqualTo("Fri, 25 Dec 2026 23:59:59 GMT");
        Instant t = Instant.parse("2030-01-01T12:34:56Z");
        assertThat(ZonedDateTime.parse(HttpDate.format(t), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant()).isEqualTo(t);
    }
}
