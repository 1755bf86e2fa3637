package dev.kura.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kura.frontend.http.HttpServer;
import dev.kura.s3.auth.SigV4Authenticator;
import dev.kura.s3.auth.SigV4Signer;
import dev.kura.server.admin.AdminCommand;
import dev.kura.server.admin.StorageAdmin;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The admin API on a real admin port (the project's HttpServer on an ephemeral port, a fake
 * StorageAdmin behind it) and {@code kura admin} run in-process against it.
 */
class AdminApiTest {
    private static final String ACCESS = "KURAROOTKEY0000000001";
    private static final String SECRET = "root/secret+key0123456789abcdefghijKLMNOP";
    private static final String REGION = "us-east-1";

    private static final FakeStorage STORAGE = new FakeStorage();
    private static HttpServer server;
    private static HttpServer withoutStorage;
    private static String endpoint;
    private static String endpointWithoutStorage;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        SigV4Authenticator auth = new SigV4Authenticator(
                key -> key.equals(ACCESS) ? Optional.of(SECRET) : Optional.empty(), REGION, InstantSource.system());
        server = new HttpServer(new AdminHandler(null, () -> "", null, STORAGE, auth, ACCESS), HttpServer.Limits.defaults());
        endpoint = url(server.bind(List.of(new InetSocketAddress("127.0.0.1", 0))).getFirst());
        withoutStorage = new HttpServer(new AdminHandler(null, () -> "", null, null, auth, ACCESS), HttpServer.Limits.defaults());
        endpointWithoutStorage = url(withoutStorage.bind(List.of(new InetSocketAddress("127.0.0.1", 0))).getFirst());
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        server.close();
        withoutStorage.close();
        http.close();
    }

    private static String url(InetSocketAddress a) {
        return "http://127.0.0.1:" + a.getPort();
    }

    private static HttpResponse<String> send(String base, String method, String pathAndQuery, String secret)
            throws IOException, InterruptedException {
        URI uri = URI.create(base + pathAndQuery);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
        if (secret != null) {
            new SigV4Signer(ACCESS, secret, REGION, "s3").sign(method, uri.getRawPath(),
                    uri.getRawQuery() == null ? "" : uri.getRawQuery(), Map.of("host", uri.getAuthority()),
                    SigV4Signer.UNSIGNED_PAYLOAD, Instant.now()).forEach(b::header);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void unsignedAndWronglySignedRequestsAreRefused() throws Exception {
        HttpResponse<String> unsigned = send(endpoint, "GET", "/admin/v1/drives", null);
        assertThat(unsigned.statusCode()).isEqualTo(403);
        assertThat(unsigned.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(unsigned.body()).startsWith("{\"error\":\"").contains("Signature V4");

        HttpResponse<String> wrong = send(endpoint, "POST", "/admin/v1/heal?wait=false", "not-the-secret");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(wrong.body()).contains("SignatureDoesNotMatch").doesNotContain(SECRET);
        assertThat(STORAGE.calls).doesNotContain("heal(false)");
    }

    @Test
    void signedDrivesListsTheStorageDrives() throws Exception {
        HttpResponse<String> r = send(endpoint, "GET", "/admin/v1/drives", SECRET);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body().strip()).isEqualTo("[{\"path\":\"/mnt/d1\",\"id\":\"3f2a9c1e-77aa-4b1b-9c1d-0123456789ab\","
                + "\"zone\":\"z1\",\"state\":\"online\",\"reason\":null,\"usedBytes\":1610612736,"
                + "\"freeBytes\":21474836480,\"errors\":0},{\"path\":\"/mnt/d2\",\"id\":null,\"zone\":\"z2\","
                + "\"state\":\"unformatted\",\"reason\":\"no drive header\",\"usedBytes\":0,\"freeBytes\":512,"
                + "\"errors\":3}]");
    }

    @Test
    void formatAnswersTheDriveOrARefusal() throws Exception {
        HttpResponse<String> ok = send(endpoint, "POST", "/admin/v1/drives/format?path=" + SigV4Signer.encode("/mnt/d2"), SECRET);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"path\":\"/mnt/d2\"", "\"state\":\"online\"");

        HttpResponse<String> refused = send(endpoint, "POST", "/admin/v1/drives/format?path=" + SigV4Signer.encode("/mnt/d 1"), SECRET);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body().strip()).isEqualTo("{\"error\":\"/mnt/d 1 is not a configured drive path\"}");

        assertThat(send(endpoint, "POST", "/admin/v1/drives/format", SECRET).statusCode()).isEqualTo(400);
        assertThat(send(endpoint, "GET", "/admin/v1/drives/format?path=x", SECRET).statusCode()).isEqualTo(405);
    }

    @Test
    void healAndScrubStartWaitAndReport() throws Exception {
        HttpResponse<String> healed = send(endpoint, "POST", "/admin/v1/heal?wait=true", SECRET);
        assertThat(healed.statusCode()).isEqualTo(200);
        assertThat(healed.body()).contains("\"kind\":\"heal\"", "\"state\":\"done\"", "\"repaired\":4");
        assertThat(STORAGE.calls).contains("heal(true)");

        HttpResponse<String> scrub = send(endpoint, "POST", "/admin/v1/scrub?wait=false", SECRET);
        assertThat(scrub.body()).contains("\"kind\":\"scrub\"", "\"state\":\"running\"");
        assertThat(STORAGE.calls).contains("scrub(false)");

        assertThat(send(endpoint, "GET", "/admin/v1/scrub", SECRET).body()).contains("\"state\":\"idle\"");
        assertThat(send(endpoint, "POST", "/admin/v1/scrub?wait=maybe", SECRET).statusCode()).isEqualTo(400);
        assertThat(send(endpoint, "GET", "/admin/v1/nothing", SECRET).statusCode()).isEqualTo(404);
    }

    @Test
    void withoutStorageAdminTheRoutesAnswer503AndHealthStillServes() throws Exception {
        HttpResponse<String> r = send(endpointWithoutStorage, "GET", "/admin/v1/drives", SECRET);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).contains("storage admin not available");
        assertThat(send(endpointWithoutStorage, "GET", "/admin/v1/drives", null).statusCode()).isEqualTo(403);
        assertThat(send(endpointWithoutStorage, "GET", "/health/live", null).statusCode()).isEqualTo(200);
    }

    // ---- kura admin, in-process ----

    private record Run(int code, String out, String err) {
    }

    private static Run cli(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new AdminCommand(env, InstantSource.system()));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private static Run cli(String... args) {
        return cli(Map.of("KURA_ACCESS_KEY", ACCESS, "KURA_SECRET_KEY", SECRET), args);
    }

    @Test
    void drivesPrintsATableOrTheJson() {
        Run table = cli("drives", "--endpoint", endpoint);
        assertThat(table.code()).as(table.err()).isZero();
        assertThat(table.out()).isEqualTo("""
                PATH     ID        ZONE  STATE           USED      FREE  ERRORS  REASON
                /mnt/d1  3f2a9c1e  z1    online       1.5 GiB  20.0 GiB       0  -
                /mnt/d2  -         z2    unformatted      0 B     512 B       3  no drive header
                """);

        Run json = cli("--endpoint", endpoint, "drives", "--json");
        assertThat(json.code()).isZero();
        assertThat(json.out()).startsWith("[{\"path\":\"/mnt/d1\"").endsWith("]\n");
    }

    @Test
    void formatHealAndScrubFromTheCommandLine() {
        Run formatted = cli("drives", "format", "--endpoint", endpoint, "/mnt/d2");
        assertThat(formatted.code()).as(formatted.err()).isZero();
        assertThat(formatted.out()).contains("/mnt/d2", "online");

        Run refused = cli("drives", "format", "--endpoint", endpoint, "/mnt/elsewhere");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("kura admin: /mnt/elsewhere is not a configured drive path (HTTP 400)\n");

        Run heal = cli("heal", "--wait", "--endpoint", endpoint);
        assertThat(heal.code()).isZero();
        assertThat(heal.out()).startsWith("KIND  STATE  CHECKED  REPAIRED  FAILED  STARTED").contains("heal  done");
        assertThat(STORAGE.calls).contains("heal(true)");

        Run status = cli("scrub", "--status", "--json", "--endpoint", endpoint);
        assertThat(status.out()).contains("\"kind\":\"scrub\"", "\"state\":\"idle\"");
    }

    @Test
    void failuresAreOneClearLine() throws IOException {
        Run wrong = cli(Map.of("KURA_ACCESS_KEY", ACCESS, "KURA_SECRET_KEY", "wrong"), "drives", "--endpoint", endpoint);
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(wrong.err()).startsWith("kura admin: the admin API refused the credentials").doesNotContain("wrong");

        Run unset = cli(Map.of(), "drives", "--endpoint", endpoint);
        assertThat(unset.code()).isEqualTo(1);
        assertThat(unset.err()).contains("KURA_ACCESS_KEY and KURA_SECRET_KEY");

        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Run refused = cli("heal", "--endpoint", "http://127.0.0.1:" + closedPort);
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).isEqualTo("kura admin: no Kura admin port at http://127.0.0.1:" + closedPort + "\n");

        Run noStorage = cli("drives", "--endpoint", endpointWithoutStorage);
        assertThat(noStorage.err()).isEqualTo("kura admin: storage admin not available (HTTP 503)\n");
    }

    /** Two drives, a heal that finishes at once, a scrub that stays running. */
    static final class FakeStorage implements StorageAdmin {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        @Override
        public List<DriveStatus> drives() {
            return List.of(new DriveStatus("/mnt/d1", "3f2a9c1e-77aa-4b1b-9c1d-0123456789ab", "z1", "online", null,
                            1_610_612_736L, 21_474_836_480L, 0),
                    new DriveStatus("/mnt/d2", null, "z2", "unformatted", "no drive header", 0, 512, 3));
        }

        @Override
        public DriveStatus format(String path) throws IOException {
            calls.add("format(" + path + ")");
            if (!path.equals("/mnt/d2")) {
                throw new IllegalArgumentException(path + " is not a configured drive path");
            }
            return new DriveStatus(path, "9d8c7b6a-0000-4000-8000-000000000002", "z2", "online", null, 0, 512, 0);
        }

        @Override
        public RepairStatus heal(boolean wait) {
            calls.add("heal(" + wait + ")");
            return new RepairStatus("heal", wait ? "done" : "running", 10, 4, 0, "2025-01-01T00:00:00Z",
                    wait ? "2025-01-01T00:00:05Z" : null);
        }

        @Override
        public RepairStatus scrub(boolean wait) {
            calls.add("scrub(" + wait + ")");
            return new RepairStatus("scrub", wait ? "done" : "running", 0, 0, 0, "2025-01-01T00:00:00Z", null);
        }

        @Override
        public RepairStatus healStatus() {
            return new RepairStatus("heal", "idle", 0, 0, 0, null, null);
        }

        @Override
        public RepairStatus scrubStatus() {
            return new RepairStatus("scrub", "idle", 0, 0, 0, null, null);
        }
    }
}
