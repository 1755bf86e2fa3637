package dev.kura.frontend.s3;

import dev.kura.frontend.http.Exchange;
import dev.kura.s3.S3Exception;
import dev.kura.s3.xml.XmlWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * CompleteMultipartUpload and CopyObject as S3 runs them when they take long: the work runs
 * aside; if it has not finished after a moment, the response starts as 200 with the XML
 * declaration and whitespace is sent every few seconds to keep the connection alive, and the
 * result — or the error document, since the status is already sent — follows in the body
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html).
 */
final class LongRunning {
    static final long FIRST_WAIT_MILLIS = 1_500;
    static final long KEEP_ALIVE_MILLIS = 5_000;

    private LongRunning() {
    }

    static void respond(Exchange ex, Callable<XmlWriter> work) throws IOException {
        respond(ex, work, Map::of);
    }

    /**
     * As {@link #respond(Exchange, Callable)}, with response headers the work decides ({@code headers}
     * is read once the work is done): sent when the work finishes within the first wait; a response
     * already started to keep the connection alive cannot carry them.
     */
    static void respond(Exchange ex, Callable<XmlWriter> work, java.util.function.Supplier<Map<String, String>> headers)
            throws IOException {
        respond(ex, work, headers, FIRST_WAIT_MILLIS, KEEP_ALIVE_MILLIS);
    }

    static void respond(Exchange ex, Callable<XmlWriter> work, long firstWaitMillis, long keepAliveMillis) throws IOException {
        respond(ex, work, Map::of, firstWaitMillis, keepAliveMillis);
    }

    private static void respond(Exchange ex, Callable<XmlWriter> work, java.util.function.Supplier<Map<String, String>> headers,
                                long firstWaitMillis, long keepAliveMillis) throws IOException {
        FutureTask<XmlWriter> task = new FutureTask<>(work);
        Thread.ofVirtual().name("kura-long-" + ex.requestId()).start(task);
        try {
            XmlWriter doc = task.get(firstWaitMillis, TimeUnit.MILLISECONDS);
            Responses.xml(ex, 200, doc, headers.get());
            return;
        } catch (TimeoutException e) {
            // slow: start the response now and keep the connection alive
        } catch (ExecutionException e) {
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        try (OutputStream out = ex.respondChunked(200, Map.of("Content-Type", Responses.XML))) {
            out.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            byte[] body = null;
            while (body == null) {
                try {
                    body = withoutDeclaration(task.get(keepAliveMillis, TimeUnit.MILLISECONDS).toBytes());
                } catch (TimeoutException e) {
                    out.write(' ');
                    out.flush();
                } catch (ExecutionException e) {
                    S3Exception s3 = e.getCause() instanceof S3Exception x ? x
                            : new S3Exception(dev.kura.s3.S3ErrorCode.InternalError);
                    ex.info().errorCode(s3.code().name());
                    body = withoutDeclaration(Responses.errorDocument(ex, s3).toBytes());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            out.write(body);
        }
    }

    private static byte[] withoutDeclaration(byte[] xml) {
        String s = new String(xml, StandardCharsets.UTF_8);
        int end = s.startsWith("<?xml") ? s.indexOf("?>") + 2 : 0;
        return s.substring(end).strip().getBytes(StandardCharsets.UTF_8);
    }

    private static IOException rethrow(Throwable cause) throws IOException {
        if (cause instanceof S3Exception s3) {
            throw s3;
        }
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof IOException io) {
            throw io;
        }
        throw new IOException(cause);
    }
}
