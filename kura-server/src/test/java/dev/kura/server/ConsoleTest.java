package dev.kura.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kura.s3.auth.SigV4Signer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The web console on a real server (real sockets, RocksDB, drive): static files, sessions, CSRF,
 * refusal without a session, and S3 calls that are authorized exactly as on the S3 port — a second
 * user is refused another user's bucket with S3's AccessDenied until a bucket policy allows it.
 */
class ConsoleTest {
    private static final String ROOT = "KURACONSOLEROOT0001";
    private static final String ROOT_SECRET = "console/root/secret/0123456789abcdefghij";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path data;
    private static KuraServer server;
    private static String admin;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        data = Files.createTempDirectory("kura-console");
        server = start(data, true);
        admin = "http://127.0.0.1:" + server.adminAddresses().getFirst().getPort();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    private static KuraServer start(Path dir, boolean console) throws Exception {
        return KuraServer.start(new ServerConfig(List.of(new InetSocketAddress("127.0.0.1", 0)),
                List.of(new InetSocketAddress("127.0.0.1", 0)), dir, "us-east-1", ROOT, ROOT_SECRET)
                .withConsole(console), new PrintStream(new ByteArrayOutputStream()));
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        delete(data);
    }

    private static void delete(Path dir) throws Exception {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(MasterKey.defaultFile(dir));
    }

    /** A signed-in browser: its cookie and CSRF token. */
    record Browser(String cookie, String csrf) {
    }

    private static HttpResponse<byte[]> send(String method, String path, Browser who, boolean withCsrf, byte[] body,
                                             Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(admin + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (who != null) {
            b.header("Cookie", "kura_console=" + who.cookie());
            if (withCsrf) {
                b.header("X-Kura-CSRF", who.csrf());
            }
        }
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpResponse<byte[]> send(String method, String path, Browser who, byte[] body) throws Exception {
        return send(method, path, who, true, body, Map.of());
    }

    private static String text(HttpResponse<byte[]> r) {
        return new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static HttpResponse<byte[]> signInRaw(String access, String secret) throws Exception {
        String form = "accessKey=" + java.net.URLEncoder.encode(access, java.nio.charset.StandardCharsets.UTF_8)
                + "&secretKey=" + java.net.URLEncoder.encode(secret, java.nio.charset.StandardCharsets.UTF_8);
        return send("POST", "/console/api/session", null, false, form.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
    }

    private static Browser signIn(String access, String secret) throws Exception {
        HttpResponse<byte[]> r = signInRaw(access, secret);
        assertThat(r.statusCode()).as(text(r)).isEqualTo(200);
        String setCookie = r.headers().firstValue("set-cookie").orElseThrow();
        String cookie = setCookie.substring("kura_console=".length(), setCookie.indexOf(';'));
        return new Browser(cookie, JSON.readTree(r.body()).get("csrfToken").asText());
    }

    @Test
    void theAppIsServedWithItsContentTypesAndCacheHeaders() throws Exception {
        HttpResponse<byte[]> index = send("GET", "/console/", null, null);
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(index.headers().firstValue("cache-control")).hasValue("no-cache");
        assertThat(index.headers().firstValue("content-security-policy").orElseThrow()).contains("default-src 'self'");
        java.util.regex.Matcher js = java.util.regex.Pattern.compile("/console/assets/[A-Za-z0-9._-]+\\.js").matcher(text(index));
        assertThat(js.find()).isTrue();
        HttpResponse<byte[]> script = send("GET", js.group(), null, null);
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
        assertThat(script.headers().firstValue("cache-control")).hasValue("public, max-age=31536000, immutable");
        assertThat(send("GET", "/console", null, null).statusCode()).isEqualTo(308);
    }

    @Test
    void noPathLeavesTheApp() throws Exception {
        for (String path : List.of("/console/../metrics", "/console/%2e%2e/index.html", "/console/assets/..%2f..%2findex.html",
                "/console/assets/%2e%2e/%2e%2e/dev/kura/console/Console.class", "/console/.hidden", "/console/nope.js",
                "/console/dev/kura/console/Console.class", "/console/index.html%00.js")) {
            HttpResponse<byte[]> r = send("GET", path, null, null);
            assertThat(r.statusCode()).as(path).isIn(400, 404);
            assertThat(text(r)).as(path).doesNotContain("<script").doesNotContain("kura_s3_requests");
        }
    }

    @Test
    void withoutASessionEveryApiCallIsRefused() throws Exception {
        Browser forged = new Browser("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x");
        for (Browser who : new Browser[] {null, forged}) {
            assertThat(send("GET", "/console/api/session", who, null).statusCode()).isEqualTo(401);
            assertThat(send("GET", "/console/api/dashboard", who, null).statusCode()).isEqualTo(401);
            assertThat(send("GET", "/console/api/s3/", who, null).statusCode()).isEqualTo(401);
            assertThat(send("PUT", "/console/api/s3/never-created", who, null).statusCode()).isEqualTo(401);
            assertThat(send("PUT", "/console/api/s3/never-created/key", who, new byte[1000]).statusCode()).isEqualTo(401);
        }
        Browser root = signIn(ROOT, ROOT_SECRET);
        assertThat(send("HEAD", "/console/api/s3/never-created", root, null).statusCode()).isEqualTo(404);
    }

    @Test
    void signInChecksTheSecretAndSetsAStrictHttpOnlyCookie() throws Exception {
        HttpResponse<byte[]> wrong = signInRaw(ROOT, ROOT_SECRET + "x");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.headers().firstValue("set-cookie")).isEmpty();
        assertThat(signInRaw("NOSUCHKEY", ROOT_SECRET).statusCode()).isEqualTo(401);

        HttpResponse<byte[]> ok = signInRaw(ROOT, ROOT_SECRET);
        assertThat(ok.statusCode()).isEqualTo(200);
        String cookie = ok.headers().firstValue("set-cookie").orElseThrow();
        assertThat(cookie).startsWith("kura_console=").contains("; Path=/console").contains("; HttpOnly")
                .contains("; SameSite=Strict").contains("; Max-Age=43200");
        JsonNode body = JSON.readTree(ok.body());
        assertThat(body.get("accessKey").asText()).isEqualTo(ROOT);
        assertThat(body.get("csrfToken").asText()).hasSize(43);
        assertThat(text(ok)).doesNotContain(ROOT_SECRET);
        assertThat(Instant.parse(body.get("expires").asText())).isAfter(Instant.now().plusSeconds(3000));

        assertThat(send("POST", "/console/api/session", null, false, "accessKey=a".getBytes(),
                Map.of("Content-Type", "text/plain")).statusCode()).isEqualTo(400);
        assertThat(send("POST", "/console/api/session", null, false, new byte[5000],
                Map.of("Content-Type", "application/x-www-form-urlencoded")).statusCode()).isEqualTo(400);
    }

    @Test
    void writesNeedTheCsrfTokenAndTheSameOrigin() throws Exception {
        Browser root = signIn(ROOT, ROOT_SECRET);
        assertThat(send("PUT", "/console/api/s3/csrf-test", root, false, null, Map.of()).statusCode()).isEqualTo(403);
        assertThat(send("PUT", "/console/api/s3/csrf-test", new Browser(root.cookie(), "wrong"), true, null, Map.of())
                .statusCode()).isEqualTo(403);
        assertThat(send("PUT", "/console/api/s3/csrf-test", root, true, null, Map.of("Origin", "http://evil.example"))
                .statusCode()).isEqualTo(403);
        assertThat(send("HEAD", "/console/api/s3/csrf-test", root, null).statusCode()).as("nothing was created").isEqualTo(404);
        // another session's token is not this one's
        Browser other = signIn(ROOT, ROOT_SECRET);
        assertThat(send("PUT", "/console/api/s3/csrf-test", new Browser(root.cookie(), other.csrf()), true, null, Map.of())
                .statusCode()).isEqualTo(403);
        assertThat(send("PUT", "/console/api/s3/csrf-test", root, null).statusCode()).isEqualTo(200);
        assertThat(send("DELETE", "/console/api/s3/csrf-test", root, null).statusCode()).isEqualTo(204);
    }

    @Test
    void objectsGoThroughTheS3HandlersByteExactAndSandboxed() throws Exception {
        Browser root = signIn(ROOT, ROOT_SECRET);
        assertThat(send("PUT", "/console/api/s3/objects-test", root, null).statusCode()).isEqualTo(200);
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(data);
        HttpResponse<byte[]> put = send("PUT", "/console/api/s3/objects-test/a%20dir/page.html", root, true, data,
                Map.of("Content-Type", "text/html", "x-amz-meta-owner", "ana"));
        assertThat(put.statusCode()).as(text(put)).isEqualTo(200);
        String md5 = java.util.HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        assertThat(put.headers().firstValue("etag")).hasValue("\"" + md5 + "\"");
        HttpResponse<byte[]> get = send("GET", "/console/api/s3/objects-test/a%20dir/page.html", root, null);
        assertThat(get.body()).isEqualTo(data);
        assertThat(get.headers().firstValue("x-amz-meta-owner")).hasValue("ana");
        // an object served on the console's origin can never run script there
        assertThat(get.headers().firstValue("content-security-policy").orElseThrow()).startsWith("sandbox");
        assertThat(get.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        // ...nor be embedded by another origin of the same site (the S3 port on this host) with the cookie
        assertThat(get.headers().firstValue("cross-origin-resource-policy")).hasValue("same-origin");
        String list = text(send("GET", "/console/api/s3/objects-test?list-type=2&delimiter=/", root, null));
        assertThat(list).contains("<Prefix>a dir/</Prefix>");
        // a bad Content-MD5 is S3's BadDigest, and nothing is stored
        HttpResponse<byte[]> bad = send("PUT", "/console/api/s3/objects-test/bad", root, true, "abc".getBytes(),
                Map.of("Content-MD5", "AAAAAAAAAAAAAAAAAAAAAA=="));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(text(bad)).contains("<Code>BadDigest</Code>");
        assertThat(send("HEAD", "/console/api/s3/objects-test/bad", root, null).statusCode()).isEqualTo(404);
        // the browser's cookie never reaches the S3 layer as a header to store
        assertThat(send("DELETE", "/console/api/s3/objects-test/a%20dir/page.html", root, null).statusCode()).isEqualTo(204);
        assertThat(send("DELETE", "/console/api/s3/objects-test", root, null).statusCode()).isEqualTo(204);
    }

    @Test
    void consoleCallsAreAuthorizedLikeS3Requests() throws Exception {
        Browser root = signIn(ROOT, ROOT_SECRET);
        assertThat(send("PUT", "/console/api/s3/root-only", root, null).statusCode()).isEqualTo(200);
        assertThat(send("PUT", "/console/api/s3/root-only/secret.txt", root, "for root".getBytes()).statusCode()).isEqualTo(200);

        JsonNode alice = JSON.readTree(adminCall("POST", "/admin/v1/users", "name=alice"));
        Browser a = signIn(alice.get("accessKey").asText(), alice.get("secretKey").asText());
        HttpResponse<byte[]> denied = send("GET", "/console/api/s3/root-only/secret.txt", a, null);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(text(denied)).contains("<Code>AccessDenied</Code>");
        assertThat(send("GET", "/console/api/s3/root-only?list-type=2", a, null).statusCode()).isEqualTo(403);
        assertThat(send("PUT", "/console/api/s3/root-only/mine.txt", a, "x".getBytes()).statusCode()).isEqualTo(403);
        assertThat(text(send("GET", "/console/api/s3/", a, null))).doesNotContain("root-only");

        // The bucket owner allows alice to read, through the console: the same policy evaluation decides.
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"CanonicalUser\":\""
                + alice.get("canonicalId").asText() + "\"},\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::root-only/*\"}]}";
        HttpResponse<byte[]> put = send("PUT", "/console/api/s3/root-only?policy", root, true, policy.getBytes(),
                Map.of("Content-Type", "application/json"));
        assertThat(put.statusCode()).as(text(put)).isEqualTo(204);
        HttpResponse<byte[]> allowed = send("GET", "/console/api/s3/root-only/secret.txt", a, null);
        assertThat(allowed.statusCode()).as(text(allowed)).isEqualTo(200);
        assertThat(text(allowed)).isEqualTo("for root");
        assertThat(send("PUT", "/console/api/s3/root-only/mine.txt", a, "x".getBytes()).statusCode()).isEqualTo(403);

        // A removed user's session stops working at once.
        adminCall("DELETE", "/admin/v1/users", "name=alice");
        assertThat(send("GET", "/console/api/s3/root-only/secret.txt", a, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/console/api/session", a, null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/console/api/dashboard", a, null).statusCode()).isEqualTo(401);
    }

    @Test
    void signOutEndsTheSession() throws Exception {
        Browser root = signIn(ROOT, ROOT_SECRET);
        assertThat(send("GET", "/console/api/session", root, null).statusCode()).isEqualTo(200);
        assertThat(send("DELETE", "/console/api/session", root, false, null, Map.of()).statusCode())
                .as("sign-out needs the token too").isEqualTo(403);
        HttpResponse<byte[]> out = send("DELETE", "/console/api/session", root, null);
        assertThat(out.statusCode()).isEqualTo(204);
        assertThat(out.headers().firstValue("set-cookie").orElseThrow()).contains("Max-Age=0");
        assertThat(send("GET", "/console/api/s3/", root, null).statusCode()).isEqualTo(401);
    }

    @Test
    void theDashboardReportsTrafficCapacityAndStatus() throws Exception {
        Browser root = signIn(ROOT, ROOT_SECRET);
        long deadline = System.nanoTime() + 20_000_000_000L;
        JsonNode d;
        do {
            send("GET", "/console/api/s3/no-such-bucket-here", root, null); // NoSuchBucket, counted by the S3 meters
            LockSupport.parkNanos(200_000_000L);
            d = JSON.readTree(send("GET", "/console/api/dashboard", root, null).body());
        } while (!movedAfterTraffic(d) && System.nanoTime() < deadline);
        assertThat(movedAfterTraffic(d)).as(d.toString()).isTrue();
        assertThat(d.at("/status/level").asText()).isEqualTo("healthy");
        assertThat(d.at("/capacity/drives/0/state").asText()).isEqualTo("online");
        assertThat(d.at("/capacity/drives/0/freeBytes").asLong()).isPositive();
        assertThat(d.at("/protection/drivesOffline").asInt()).isZero();
        assertThat(d.at("/protection/scrub/state").asText()).isIn("idle", "running", "done");
        assertThat(d.at("/traffic/topErrorCodes").toString()).contains("NoSuchBucket");
    }

    /**
     * The dashboard is the node's (every bucket's name and busiest key ranges, drive paths, traffic):
     * what /metrics and the admin API give only the operator. A user who cannot list another user's
     * buckets through S3 must not read their names off the dashboard.
     */
    @Test
    void theDashboardIsOnlyTheOperators() throws Exception {
        Browser root = signIn(ROOT, ROOT_SECRET);
        assertThat(send("PUT", "/console/api/s3/operators-private-bucket", root, null).statusCode()).isEqualTo(200);
        JsonNode erin = JSON.readTree(adminCall("POST", "/admin/v1/users", "name=erin"));
        Browser e = signIn(erin.get("accessKey").asText(), erin.get("secretKey").asText());
        HttpResponse<byte[]> d = send("GET", "/console/api/dashboard", e, null);
        assertThat(d.statusCode()).isEqualTo(403);
        assertThat(text(d)).doesNotContain("operators-private-bucket").doesNotContain(data.toString());
        assertThat(JSON.readTree(send("GET", "/console/api/session", e, null).body()).get("operator").asBoolean()).isFalse();
        assertThat(JSON.readTree(send("GET", "/console/api/session", root, null).body()).get("operator").asBoolean()).isTrue();
        assertThat(send("GET", "/console/api/dashboard", root, null).statusCode()).isEqualTo(200);
        for (String method : List.of("POST", "PUT", "DELETE")) { // only read, and without a CSRF token never
            assertThat(send(method, "/console/api/dashboard", root, false, null, Map.of()).statusCode()).as(method).isEqualTo(405);
        }
        adminCall("DELETE", "/admin/v1/users", "name=erin");
        assertThat(send("DELETE", "/console/api/s3/operators-private-bucket", root, null).statusCode()).isEqualTo(204);
    }

    /**
     * The console's bodies are unsigned payloads: a bucket policy that denies unsigned payloads (AWS's
     * recommended StringEquals s3:x-amz-content-sha256 UNSIGNED-PAYLOAD) denies them through the console
     * too, as it denies the same body on the S3 port.
     */
    @Test
    void aPolicyDenyingUnsignedPayloadsDeniesTheConsoleToo() throws Exception {
        Browser root = signIn(ROOT, ROOT_SECRET);
        assertThat(send("PUT", "/console/api/s3/signed-bodies-only", root, null).statusCode()).isEqualTo(200);
        String policy = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Principal\":\"*\","
                + "\"Action\":\"s3:PutObject\",\"Resource\":\"arn:aws:s3:::signed-bodies-only/*\",\"Condition\":"
                + "{\"StringEquals\":{\"s3:x-amz-content-sha256\":\"UNSIGNED-PAYLOAD\"}}}]}";
        HttpResponse<byte[]> put = send("PUT", "/console/api/s3/signed-bodies-only?policy", root, true, policy.getBytes(),
                Map.of("Content-Type", "application/json"));
        assertThat(put.statusCode()).as(text(put)).isEqualTo(204);
        for (Map<String, String> headers : List.of(Map.<String, String>of(),
                Map.of("x-amz-content-sha256", "0".repeat(64)))) { // a client's own claim is not forwarded
            HttpResponse<byte[]> denied = send("PUT", "/console/api/s3/signed-bodies-only/k", root, true, "x".getBytes(), headers);
            assertThat(denied.statusCode()).as(text(denied)).isEqualTo(403);
            assertThat(text(denied)).contains("<Code>AccessDenied</Code>");
        }
        assertThat(send("HEAD", "/console/api/s3/signed-bodies-only/k", root, null).statusCode()).isEqualTo(404);
        assertThat(send("DELETE", "/console/api/s3/signed-bodies-only?policy", root, null).statusCode()).isEqualTo(204);
        assertThat(send("PUT", "/console/api/s3/signed-bodies-only/k", root, "x".getBytes()).statusCode()).isEqualTo(200);
        assertThat(send("DELETE", "/console/api/s3/signed-bodies-only/k", root, null).statusCode()).isEqualTo(204);
        assertThat(send("DELETE", "/console/api/s3/signed-bodies-only", root, null).statusCode()).isEqualTo(204);
    }

    /**
     * Cookies do not keep to a port: a page on the S3 port of this host (any user's public HTML object)
     * can plant its own kura_console cookie with a longer Path, which the browser then sends first. The
     * CSRF token, handed out only in the sign-in answer, picks the tab's own session, so the victim's
     * uploads never land in the planter's account, and a planted cookie alone never yields a token.
     */
    @Test
    void aCookiePlantedByAnotherPortCannotSwitchTheSession() throws Exception {
        Browser root = signIn(ROOT, ROOT_SECRET);
        JsonNode mallory = JSON.readTree(adminCall("POST", "/admin/v1/users", "name=mallory"));
        Browser m = signIn(mallory.get("accessKey").asText(), mallory.get("secretKey").asText());
        JsonNode plain = JSON.readTree(send("GET", "/console/api/session", m, false, null, Map.of()).body());
        assertThat(plain.get("accessKey").asText()).isEqualTo(mallory.get("accessKey").asText());
        assertThat(plain.has("csrfToken")).as("the token is handed out only at sign-in").isFalse();

        Map<String, String> both = Map.of("Cookie", "kura_console=" + m.cookie() + "; kura_console=" + root.cookie(),
                "X-Kura-CSRF", root.csrf());
        assertThat(JSON.readTree(send("GET", "/console/api/session", null, false, null, both).body()).get("accessKey").asText())
                .isEqualTo(ROOT);
        assertThat(send("PUT", "/console/api/s3/planted-cookie-test", null, false, null, both).statusCode()).isEqualTo(200);
        assertThat(text(send("GET", "/console/api/s3/", root, null))).contains("planted-cookie-test");
        assertThat(text(send("GET", "/console/api/s3/", m, null))).doesNotContain("planted-cookie-test");
        assertThat(send("DELETE", "/console/api/session", null, false, null, both).statusCode()).isEqualTo(204);
        assertThat(send("GET", "/console/api/session", root, null).statusCode()).as("root's session ended").isEqualTo(401);
        assertThat(send("GET", "/console/api/session", m, null).statusCode()).as("not mallory's").isEqualTo(200);
        Browser again = signIn(ROOT, ROOT_SECRET);
        assertThat(send("DELETE", "/console/api/s3/planted-cookie-test", again, null).statusCode()).isEqualTo(204);
        adminCall("DELETE", "/admin/v1/users", "name=mallory");
    }

    /** A malformed escape in the query is the client's error (400 InvalidURI, as on the S3 port), never a 500. */
    @Test
    void aMalformedQueryIsInvalidUriNotAServerError() throws Exception {
        Browser root = signIn(ROOT, ROOT_SECRET);
        assertThat(send("PUT", "/console/api/s3/bad-query-test", root, null).statusCode()).isEqualTo(200);
        for (String path : List.of("/console/api/s3/bad-query-test?%ZZ",
                "/console/api/s3/bad-query-test/key?versionId=%", "/console/api/s3/?x=%G0")) {
            String r = rawGet(path, root);
            assertThat(r).as(path).startsWith("HTTP/1.1 400 ").contains("<Code>InvalidURI</Code>");
        }
        assertThat(send("DELETE", "/console/api/s3/bad-query-test", root, null).statusCode()).isEqualTo(204);
    }

    /** A GET sent as written (java.net.URI refuses a malformed escape), answered on a fresh connection. */
    private static String rawGet(String target, Browser who) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.adminAddresses().getFirst().getPort())) {
            socket.setSoTimeout(10_000);
            String request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: kura_console=" + who.cookie()
                    + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static boolean movedAfterTraffic(JsonNode d) {
        for (JsonNode p : d.at("/traffic/series")) {
            if (p.get("requestsPerSecond").asDouble() > 0 && !p.at("/byOperation/ListObjects").isMissingNode()) {
                return d.at("/traffic/topErrorCodes").toString().contains("NoSuchBucket");
            }
        }
        return false;
    }

    @Test
    void consoleOffAnswers404() throws Exception {
        Path dir = Files.createTempDirectory("kura-console-off");
        try (KuraServer off = start(dir, false)) {
            String base = "http://127.0.0.1:" + off.adminAddresses().getFirst().getPort();
            for (String path : List.of("/console", "/console/", "/console/api/session", "/console/api/s3/", "/console/api/s3/b/k")) {
                for (String method : List.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS")) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                            .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(r.statusCode()).as(method + " " + path).isEqualTo(404);
                }
            }
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/health/live")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        } finally {
            delete(dir);
        }
    }

    /** The admin API, signed by the root credentials (SigV4, as {@code kura admin} signs it). */
    private static String adminCall(String method, String path, String query) throws Exception {
        URI uri = URI.create(admin + path + "?" + query);
        Map<String, String> signed = new SigV4Signer(ROOT, ROOT_SECRET, "us-east-1", "s3").sign(method, uri.getRawPath(),
                query, Map.of("host", uri.getHost() + ":" + uri.getPort()), SigV4Signer.UNSIGNED_PAYLOAD, Instant.now());
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
        signed.forEach(b::header);
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 299);
        return r.body();
    }
}
