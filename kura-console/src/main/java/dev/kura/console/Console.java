package dev.kura.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kura.frontend.http.Exchange;
import dev.kura.frontend.http.HttpHandler;
import dev.kura.frontend.s3.AuthenticatedExchange;
import dev.kura.s3.http.RequestHead;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The web console on the admin port, under {@code /console/}:
 *
 * <ul>
 *   <li>{@code /console/}, {@code /console/assets/…}: the single-page app from the jar ({@link StaticFiles});</li>
 *   <li>{@code POST /console/api/session} (form {@code accessKey}, {@code secretKey}): signs in — sets the
 *       session cookie ({@code HttpOnly; SameSite=Strict; Path=/console}) and answers the CSRF token (only
 *       there); {@code GET}: who is signed in and whether it is the operator; {@code DELETE}: signs out;</li>
 *   <li>{@code GET /console/api/dashboard}: the {@link Dashboard} as JSON, for the operator's sessions only
 *       (any other user: 403 — it names every bucket on the node);</li>
 *   <li>{@code /console/api/s3/BUCKET/KEY?…}: any S3 request, run by the S3 front end's own door for
 *       pre-authenticated requests as the session's user — the same routing, authorization
 *       (AccessControl), budgets, handlers and S3 error documents as a signed request on the S3 port.</li>
 * </ul>
 *
 * <p>Every API call needs a live session (else 401); every call that is not GET or HEAD also needs the
 * session's CSRF token in {@value #CSRF_HEADER} (else 403), and an {@code Origin}, when sent, must be
 * this host's. The secret travels once, in the sign-in body, and is never stored or logged.
 */
public final class Console {
    public static final String PREFIX = "/console";
    public static final String COOKIE = "kura_console";
    public static final String CSRF_HEADER = "x-kura-csrf";
    private static final String S3_PREFIX = "/console/api/s3";
    private static final int MAX_SIGN_IN_BODY = 4096;
    /** Session cookies looked at per request (a browser sends one, or a few if some were planted). */
    private static final int MAX_SESSION_COOKIES = 8;
    /** Headers a browser's request may pass on to the S3 handlers; everything else (cookies above all) stays here. */
    private static final Set<String> FORWARDED = Set.of("content-type", "content-length", "transfer-encoding",
            "content-md5", "content-disposition", "content-encoding", "content-language", "cache-control", "expires",
            "range", "if-match", "if-none-match", "if-modified-since", "if-unmodified-since", "expect");
    private static final Set<String> NOT_FORWARDED_AMZ = Set.of("x-amz-content-sha256", "x-amz-date",
            "x-amz-security-token", "x-amz-decoded-content-length", "x-amz-trailer");
    private static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final Map<String, String> JSON = Map.of("Content-Type", "application/json",
            "Cache-Control", "no-store", "X-Content-Type-Options", "nosniff");
    /**
     * Added to every S3 answer served on the console's origin: an object is never a page that runs here,
     * and no other origin may embed it ({@code <script src>}, {@code <img>}) — the S3 port on the same
     * host is the same site, so the session cookie would go along with such a request.
     */
    private static final Map<String, String> SANDBOX = Map.of("Content-Security-Policy", "sandbox; default-src 'none'",
            "X-Content-Type-Options", "nosniff", "Cache-Control", "no-store",
            "Cross-Origin-Resource-Policy", "same-origin");
    private static final String APP_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private final Sessions sessions;
    private final Dashboard dashboard;
    private final HttpHandler s3;
    private final StaticFiles files;
    private final SignInThrottle throttle;
    private final Predicate<String> operator;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param s3 the S3 front end's {@code authenticatedDoor()}, decorated as the composition root
     *           decorates the S3 port's handler (metrics, access log)
     * @param operator whether an access key operates the node (the root key pair): only its sessions see
     *                 the dashboard, which shows the whole node (every bucket's name, drive paths), as
     *                 only it may read {@code /metrics} with a token and call the admin API
     */
    public Console(Sessions sessions, Dashboard dashboard, HttpHandler s3, java.time.InstantSource clock,
                   Predicate<String> operator) {
        this.sessions = sessions;
        this.operator = operator;
        this.dashboard = dashboard;
        this.s3 = s3;
        this.files = new StaticFiles(Console.class.getClassLoader());
        this.throttle = new SignInThrottle(clock);
    }

    /** True for the paths the console answers. */
    public static boolean handles(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    public void handle(Exchange ex) throws Exception {
        String path = ex.head().rawPath();
        if (path.startsWith(S3_PREFIX + "/") || path.equals(S3_PREFIX)) {
            s3(ex, path.substring(S3_PREFIX.length()));
        } else if (path.equals("/console/api/session")) {
            session(ex);
        } else if (path.equals("/console/api/dashboard")) {
            if (!isRead(ex.head().method())) {
                ex.closeAfterResponse(); // a body, if any, is never read
                error(ex, 405, "method not allowed");
                return;
            }
            Optional<Sessions.Session> s = requireSession(ex, false);
            if (s.isPresent()) {
                if (operator.test(s.get().accessKeyId())) {
                    respondJson(ex, 200, dashboard.snapshot());
                } else {
                    error(ex, 403, "the dashboard shows the whole node: only its operator (the root key pair) sees it");
                }
            }
        } else if (path.startsWith("/console/api/")) {
            error(ex, 404, "no such console API");
        } else {
            staticFile(ex, path);
        }
    }

    private void staticFile(Exchange ex, String path) throws IOException {
        String method = ex.head().method();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            error(ex, 405, "method not allowed");
            return;
        }
        if (path.equals(PREFIX)) {
            ex.respond(308, Map.of("Location", PREFIX + "/"), new byte[0]);
            return;
        }
        String name = path.substring(PREFIX.length() + 1);
        Optional<StaticFiles.File> file = files.find(name.isEmpty() ? "index.html" : name);
        if (file.isEmpty()) {
            if (name.isEmpty()) {
                ex.respond(503, Map.of("Content-Type", "text/plain; charset=utf-8"),
                        "the console app is not in this build (kura-console was built without it)\n"
                                .getBytes(StandardCharsets.UTF_8));
            } else {
                ex.respond(404, Map.of("Content-Type", "text/plain; charset=utf-8"), "not found\n".getBytes(StandardCharsets.UTF_8));
            }
            return;
        }
        StaticFiles.File f = file.get();
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", f.contentType());
        // Hashed asset names never change content: cache them for a year; the page itself is revalidated.
        headers.put("Cache-Control", f.immutable() ? "public, max-age=31536000, immutable" : "no-cache");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("X-Frame-Options", "DENY");
        headers.put("Content-Security-Policy", APP_CSP);
        ex.respond(200, headers, f.bytes());
    }

    // ---- sessions ------------------------------------------------------------------------------

    private void session(Exchange ex) throws IOException {
        switch (ex.head().method()) {
            case "POST" -> signIn(ex);
            case "GET" -> {
                Optional<Sessions.Session> s = requireSession(ex, false);
                if (s.isPresent()) {
                    respondJson(ex, 200, describe(s.get(), false));
                }
            }
            case "DELETE" -> {
                Optional<Found> found = findSession(ex.head());
                if (requireSession(ex, true).isPresent() && found.isPresent()) {
                    sessions.signOut(found.get().id());
                    ex.respond(204, Map.of("Set-Cookie", cookieHeader("", Duration.ZERO), "Cache-Control", "no-store"),
                            new byte[0]);
                }
            }
            default -> error(ex, 405, "method not allowed");
        }
    }

    private void signIn(Exchange ex) throws IOException {
        if (!sameOrigin(ex.head())) {
            error(ex, 403, "cross-origin sign-in refused");
            return;
        }
        String client = clientAddress(ex);
        if (!throttle.mayTry(client)) {
            ex.closeAfterResponse();
            error(ex, 429, "too many failed sign-ins; try again in a minute");
            return;
        }
        Map<String, String> form;
        try {
            form = readForm(ex);
        } catch (IllegalArgumentException e) {
            ex.closeAfterResponse();
            error(ex, 400, e.getMessage());
            return;
        }
        Optional<Sessions.SignedIn> in;
        try {
            in = sessions.signIn(form.get("accessKey"), form.get("secretKey"));
        } catch (IllegalStateException e) {
            error(ex, 503, "too many console sessions; try again later");
            return;
        }
        if (in.isEmpty()) {
            throttle.failed(client);
            error(ex, 401, "the access key or the secret key is wrong");
            return;
        }
        Sessions.SignedIn s = in.get();
        Map<String, String> headers = new LinkedHashMap<>(JSON);
        headers.put("Set-Cookie", cookieHeader(s.sessionId(), Sessions.ABSOLUTE));
        ex.respond(200, headers, json.writeValueAsBytes(describe(s.session(), true)));
    }

    /**
     * @param withToken true only in the sign-in answer: the CSRF token is handed out once, so a cookie
     *                  alone (one planted by a page on another port of this host, which shares cookies)
     *                  never yields the token, which writes need and which picks the session
     */
    private Map<String, Object> describe(Sessions.Session s, boolean withToken) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accessKey", s.accessKeyId());
        m.put("operator", operator.test(s.accessKeyId()));
        if (withToken) {
            m.put("csrfToken", s.csrfToken());
        }
        m.put("expires", s.expires().toString());
        return m;
    }

    /**
     * The request's session, or empty after answering 401 (no session) or 403 (a write without the
     * CSRF token, or from another origin).
     */
    private Optional<Sessions.Session> requireSession(Exchange ex, boolean write) throws IOException {
        Optional<Sessions.Session> s = findSession(ex.head()).map(Found::session);
        if (s.isEmpty()) {
            ex.closeAfterResponse(); // the body, if any, is never read
            Map<String, String> headers = new LinkedHashMap<>(JSON);
            headers.put("Set-Cookie", cookieHeader("", Duration.ZERO));
            ex.respond(401, headers, json.writeValueAsBytes(Map.of("error", "not signed in")));
            return Optional.empty();
        }
        if (write && (!s.get().csrfMatches(ex.head().header(CSRF_HEADER)) || !sameOrigin(ex.head()))) {
            ex.closeAfterResponse();
            error(ex, 403, "missing or wrong CSRF token");
            return Optional.empty();
        }
        return s;
    }

    private static boolean isRead(String method) {
        return method.equals("GET") || method.equals("HEAD");
    }

    /** No Origin (not a browser's cross-origin request), or exactly this host's http(s) origin. */
    private static boolean sameOrigin(RequestHead head) {
        String origin = head.header("origin");
        String host = head.header("host");
        if (origin == null) {
            return true;
        }
        return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
    }

    /** A live session and the id (cookie value) it was found by. */
    private record Found(String id, Sessions.Session session) {
    }

    /**
     * The request's session. Cookies are shared by every port of a host, so a page served by the S3 port
     * (any user's public object) can plant more {@value #COOKIE} cookies, with a longer path so they come
     * first; the session is therefore the one, among those the request carries, whose CSRF token it
     * presents in {@value #CSRF_HEADER} (the app sends it on every call), and only without that header
     * the first live one.
     */
    private Optional<Found> findSession(RequestHead head) {
        String presented = head.header(CSRF_HEADER);
        Found first = null;
        List<String> ids = cookies(head);
        for (String id : ids.subList(0, Math.min(ids.size(), MAX_SESSION_COOKIES))) {
            Optional<Sessions.Session> s = sessions.find(id);
            if (s.isEmpty()) {
                continue;
            }
            if (presented != null && s.get().csrfMatches(presented)) {
                return Optional.of(new Found(id, s.get()));
            }
            if (first == null) {
                first = new Found(id, s.get());
            }
        }
        return Optional.ofNullable(first);
    }

    /** Every {@value #COOKIE} value the request carries, in order. */
    static List<String> cookies(RequestHead head) {
        List<String> out = new ArrayList<>();
        for (String line : head.headers("cookie")) {
            for (String part : line.split(";")) {
                String p = part.trim();
                if (p.startsWith(COOKIE + "=")) {
                    out.add(p.substring(COOKIE.length() + 1));
                }
            }
        }
        return out;
    }

    private static String cookieHeader(String value, Duration maxAge) {
        return COOKIE + "=" + value + "; Path=" + PREFIX + "; Max-Age=" + maxAge.toSeconds() + "; HttpOnly; SameSite=Strict";
    }

    private static Map<String, String> readForm(Exchange ex) throws IOException {
        String type = ex.head().header("content-type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw new IllegalArgumentException("sign in with a form (application/x-www-form-urlencoded)");
        }
        byte[] body;
        try (InputStream in = ex.body()) {
            body = in.readNBytes(MAX_SIGN_IN_BODY + 1);
        }
        if (body.length > MAX_SIGN_IN_BODY) {
            throw new IllegalArgumentException("the sign-in form is too large");
        }
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.putIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }

    private static String clientAddress(Exchange ex) {
        return ex.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() : String.valueOf(ex.remoteAddress());
    }

    // ---- S3 through the front end ----------------------------------------------------------------

    private void s3(Exchange ex, String s3Path) throws Exception {
        Optional<Sessions.Session> s = requireSession(ex, !isRead(ex.head().method()));
        if (s.isEmpty()) {
            return;
        }
        RequestHead head = ex.head();
        String query = head.rawQuery();
        RequestHead.Builder inner = RequestHead.builder(head.method(),
                (s3Path.isEmpty() ? "/" : s3Path) + (query.isEmpty() ? "" : "?" + query));
        for (String name : head.headerNames()) {
            boolean amz = name.startsWith("x-amz-") && !NOT_FORWARDED_AMZ.contains(name);
            if (amz || FORWARDED.contains(name) || name.equals("host")) {
                for (String v : head.headers(name)) {
                    inner.header(name, v);
                }
            }
        }
        // What the body is: an unsigned payload. Said in the head, so a bucket policy's condition on
        // s3:x-amz-content-sha256 (e.g. "deny UNSIGNED-PAYLOAD") decides as for the same body on the S3 port.
        inner.header("x-amz-content-sha256", UNSIGNED_PAYLOAD);
        s3.handle(new AuthenticatedExchange(ex, inner.build(), s.get().accessKeyId(), SANDBOX));
    }

    // ---- answers -------------------------------------------------------------------------------

    private void respondJson(Exchange ex, int status, Object body) throws IOException {
        ex.respond(status, JSON, json.writeValueAsBytes(body));
    }

    private void error(Exchange ex, int status, String message) throws IOException {
        respondJson(ex, status, Map.of("error", message));
    }
}
