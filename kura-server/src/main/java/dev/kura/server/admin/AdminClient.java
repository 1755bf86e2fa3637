package dev.kura.server.admin;

import dev.kura.s3.auth.SigV4Signer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;

/**
 * The client of {@link AdminApi}: sends one SigV4-signed request (service {@code s3}, empty body,
 * {@code UNSIGNED-PAYLOAD}) and returns the JSON answer, or fails with one line for the operator.
 */
final class AdminClient {
    private final URI endpoint;
    private final SigV4Signer signer;
    private final HttpClient http;
    private final InstantSource clock;

    /** @param endpoint {@code http://HOST:PORT} of the admin port (a trailing '/' is ignored) */
    AdminClient(URI endpoint, SigV4Signer signer, HttpClient http, InstantSource clock) {
        this.endpoint = endpoint;
        this.signer = signer;
        this.http = http;
        this.clock = clock;
    }

    /** Thrown with the one line to show the operator. */
    static final class AdminException extends Exception {
        private static final long serialVersionUID = 1L;

        AdminException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Sends {@code method path?query} and returns the 2xx answer's body.
     *
     * @param rawQuery already encoded (see {@link SigV4Signer#encode}), or ""
     * @param timeout  how long to wait for the answer
     */
    String call(String method, String path, String rawQuery, Duration timeout) throws AdminException, InterruptedException {
        String base = endpoint.toString().replaceAll("/+$", "");
        URI uri = URI.create(base + path + (rawQuery.isEmpty() ? "" : "?" + rawQuery));
        Map<String, String> signed = signer.sign(method, uri.getRawPath(), rawQuery, Map.of("host", hostHeader(uri)),
                SigV4Signer.UNSIGNED_PAYLOAD, clock.instant());
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .method(method, HttpRequest.BodyPublishers.noBody());
        signed.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new AdminException("no Kura admin port at " + base);
        } catch (HttpTimeoutException e) {
            throw new AdminException("the admin API at " + base + " did not answer within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new AdminException("cannot talk to the admin API at " + base + ": " + e);
        }
        int status = response.statusCode();
        String body = response.body();
        if (status / 100 == 2) {
            return body;
        }
        String detail = AdminJson.readError(body);
        if (status == 403) {
            throw new AdminException("the admin API refused the credentials" + (detail == null ? "" : " (" + detail + ")"));
        }
        if (detail == null) {
            // not the admin API's JSON: another server, or an older Kura without the admin API
            throw new AdminException("no Kura admin API at " + base + " (HTTP " + status + ")");
        }
        throw new AdminException(detail + " (HTTP " + status + ")");
    }

    /** The Host header the JDK client sends: the host, with the port unless it is the scheme's default. */
    static String hostHeader(URI uri) {
        int port = uri.getPort();
        boolean defaultPort = port == -1 || port == ("https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80);
        return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
    }
}
