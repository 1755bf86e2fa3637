package dev.kura.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The built app from the jar's resources; names that could climb out of it are refused before any lookup. */
class StaticFilesTest {
    private final StaticFiles files = new StaticFiles(StaticFilesTest.class.getClassLoader());

    @Test
    void theBuiltAppIsOnTheClassPath() {
        // The Maven build put it there (generate-resources: npm ci when needed, tsc, vite build).
        StaticFiles.File index = files.find("index.html").orElseThrow();
        assertThat(index.contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(index.immutable()).isFalse();
        String html = new String(index.bytes(), java.nio.charset.StandardCharsets.UTF_8);
        java.util.regex.Matcher js = java.util.regex.Pattern.compile("/console/(assets/[A-Za-z0-9._-]+\\.js)").matcher(html);
        assertThat(js.find()).as("index.html names its script").isTrue();
        StaticFiles.File script = files.find(js.group(1)).orElseThrow();
        assertThat(script.contentType()).isEqualTo("text/javascript; charset=utf-8");
        assertThat(script.immutable()).isTrue();
    }

    @Test
    void pathsThatCouldLeaveTheAppAreRefused() {
        for (String bad : new String[] {"../index.html", "assets/../index.html", "..", ".", "/index.html", "assets//x.js",
                ".hidden", "assets/.x", "a\\b", "%2e%2e/index.html", "index.html%00", "dev/kura/console/Console.class",
                "../../dev/kura/console/Console.class", "", "assets/"}) {
            assertThat(files.find(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void contentTypesFollowTheExtension() {
        assertThat(StaticFiles.contentType("a.css")).isEqualTo("text/css; charset=utf-8");
        assertThat(StaticFiles.contentType("a.svg")).isEqualTo("image/svg+xml");
        assertThat(StaticFiles.contentType("a.unknown")).isEqualTo("application/octet-stream");
    }
}
