package dev.kura.common;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * HTTP dates as RFC 9110 section 5.6.7 writes them (IMF-fixdate): {@code Sun, 06 Nov 1994 08:49:37 GMT},
 * the day always two digits. (The JDK's RFC_1123_DATE_TIME prints {@code 6 Nov}, which strict clients
 * and S3's own format do not use.)
 */
public final class HttpDate {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private HttpDate() {
    }

    public static String format(Instant t) {
        return IMF_FIXDATE.format(t);
    }
}
