package dev.kura.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Reads the admin port's /metrics and picks samples out of the Prometheus text format. */
final class Scrape {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String text;

    private Scrape(String text) {
        this.text = text;
    }

    static Scrape of(int adminPort, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/metrics"));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("/metrics answered " + r.statusCode());
        }
        return new Scrape(r.body());
    }

    /**
     * The sum of the samples of {@code metric} whose labels include every {@code name="value"} pair
     * given (as {@code "name", "value", …}); 0 when there is none (a counter not yet created).
     */
    double value(String metric, String... labels) {
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !(line.startsWith(metric + "{") || line.startsWith(metric + " "))) {
                continue;
            }
            int brace = line.indexOf('}');
            String labelPart = brace < 0 ? "" : line.substring(metric.length(), brace + 1);
            boolean all = true;
            for (int i = 0; i < labels.length; i += 2) {
                if (!labelPart.contains(labels[i] + "=\"" + labels[i + 1] + "\"")) {
                    all = false;
                    break;
                }
            }
            if (all) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    boolean has(String metric) {
        for (String line : text.split("\n")) {
            if (line.startsWith(metric + "{") || line.startsWith(metric + " ")) {
                return true;
            }
        }
        return false;
    }

    String text() {
        return text;
    }
}
