package dev.kura.s3.auth;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/** The time formats SigV4 uses: ISO 8601 basic (x-amz-date), RFC 1123 (Date) and the scope date. */
final class AmzTime {
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'")
            .withResolverStyle(ResolverStyle.STRICT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SCOPE_DATE = DateTimeFormatter.ofPattern("uuuuMMdd")
            .withResolverStyle(ResolverStyle.STRICT);

    private AmzTime() {
    }

    /** Parses {@code yyyyMMdd'T'HHmmss'Z'}, the only form x-amz-date and X-Amz-Date may take. */
    static Optional<Instant> parseAmzDate(String s) {
        if (s == null || s.length() != 16) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.from(AMZ_DATE.parse(s)));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Parses an HTTP Date header (RFC 1123, e.g. {@code Fri, 24 May 2013 00:00:00 GMT}). */
    static Optional<Instant> parseHttpDate(String s) {
        if (s == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(s.strip())));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    static boolean isScopeDate(String s) {
        if (s.length() != 8) {
            return false;
        }
        try {
            LocalDate.parse(s, SCOPE_DATE);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    static String formatAmzDate(Instant t) {
        return AMZ_DATE.format(t);
    }

    /** ISO 8601 as S3 prints times in error bodies, e.g. {@code 2013-05-24T00:00:00Z}. */
    static String formatIso(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
    }
}
