package dev.kura.console;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The built single-page app, read from this jar's classpath resources ({@code dev/kura/console/app/},
 * where the Maven build's {@code vite build} put it); nothing is read from the file system, so no
 * request can reach outside it. A name is looked up only if every segment is plain ({@link #SAFE}:
 * letters, digits, '.', '-', '_', not starting with a dot), so {@code ..}, encoded slashes and hidden
 * files are refused before any lookup. Found files are cached in memory (the app is a few hundred KiB).
 */
final class StaticFiles {
    private static final String ROOT = "dev/kura/console/app/";
    private static final Pattern SAFE = Pattern.compile("(?:[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}/){0,4}[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    private static final int MAX_FILE = 8 << 20;

    /** A file of the app: its bytes, content type and whether its name carries a content hash. */
    record File(byte[] bytes, String contentType, boolean immutable) {
    }

    private final ClassLoader loader;
    private final Map<String, File> cache = new ConcurrentHashMap<>();

    StaticFiles(ClassLoader loader) {
        this.loader = loader;
    }

    /** True when the built app is on the class path (a build without it serves a plain explanation). */
    boolean present() {
        return find("index.html").isPresent();
    }

    /** The file at this relative path ({@code index.html}, {@code assets/app-1a2b3c.js}), if it is one. */
    Optional<File> find(String path) {
        if (path == null || !SAFE.matcher(path).matches()) {
            return Optional.empty();
        }
        File cached = cache.get(path);
        if (cached != null) {
            return Optional.of(cached);
        }
        try (InputStream in = loader.getResourceAsStream(ROOT + path)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readNBytes(MAX_FILE + 1);
            if (bytes.length > MAX_FILE) {
                return Optional.empty();
            }
            File f = new File(bytes, contentType(path), path.startsWith("assets/"));
            cache.put(path, f);
            return Optional.of(f);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static String contentType(String path) {
        String ext = path.substring(path.lastIndexOf('.') + 1);
        return switch (ext) {
            case "html" -> "text/html; charset=utf-8";
            case "js", "mjs" -> "text/javascript; charset=utf-8";
            case "css" -> "text/css; charset=utf-8";
            case "svg" -> "image/svg+xml";
            case "png" -> "image/png";
            case "ico" -> "image/x-icon";
            case "json", "map" -> "application/json";
            case "woff2" -> "font/woff2";
            case "txt" -> "text/plain; charset=utf-8";
            default -> "application/octet-stream";
        };
    }
}
