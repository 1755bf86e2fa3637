package dev.kura.frontend.s3;

import dev.kura.frontend.http.Exchange;
import dev.kura.s3.S3Exception;
import dev.kura.s3.xml.XmlWriter;
import java.io.IOException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writing S3 answers: XML bodies, the XML error document, HTTP dates. */
final class Responses {
    static final String XML = "application/xml";

    private Responses() {
    }

    static void xml(Exchange ex, int status, XmlWriter doc) throws IOException {
        ex.respond(status, Map.of("Content-Type", XML), doc.toBytes());
    }

    static void xml(Exchange ex, int status, XmlWriter doc, Map<String, String> headers) throws IOException {
        if (headers.isEmpty()) {
            xml(ex, status, doc);
            return;
        }
        Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put("Content-Type", XML);
        ex.respond(status, h, doc.toBytes());
    }

    static void empty(Exchange ex, int status, Map<String, String> headers) throws IOException {
        ex.respond(status, headers, new byte[0]);
    }

    /**
     * The S3 error document (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html):
     * Code, Message, the detail elements, Resource and RequestId. HEAD answers carry no body.
     */
    static void error(Exchange ex, S3Exception e) throws IOException {
        XmlWriter doc = errorDocument(ex, e);
        Map<String, String> headers = new LinkedHashMap<>(e.headers());
        headers.put("Content-Type", XML);
        if (e.code().status() == 503) {
            headers.put("Retry-After", "1");
        }
        if (e.code().status() == 304) {
            ex.respond(304, headers, new byte[0]);
            return;
        }
        ex.respond(e.code().status(), headers, doc.toBytes());
    }

    static XmlWriter errorDocument(Exchange ex, S3Exception e) {
        XmlWriter doc = XmlWriter.documentNs("Error", null)
                .element("Code", e.code().name())
                .element("Message", e.getMessage());
        e.details().forEach(doc::element);
        doc.element("Resource", ex.head().rawPath());
        doc.element("RequestId", ex.requestId());
        doc.element("HostId", ex.requestId());
        return doc;
    }

    static String httpDate(Instant t) {
        return dev.kura.common.HttpDate.format(t);
    }

    static String quoted(String etag) {
        return "\"" + etag + "\"";
    }
}
