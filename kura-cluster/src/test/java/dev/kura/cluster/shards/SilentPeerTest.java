package dev.kura.cluster.shards;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.junit.jupiter.api.Test;

/**
 * A peer that takes connections and then says nothing and reads nothing — what a node cut off by the
 * network looks like once a connection exists (packets dropped, no reset). Nothing on this side may wait
 * on it for long: a send that makes no progress closes its socket ({@link SendGuard}), and a drive whose
 * node is silent is soon neither present nor writable, so placement leaves it out.
 */
class SilentPeerTest {

    @Test
    void aSendThatMakesNoProgressClosesItsSocket() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
             Socket s = new Socket()) {
            s.setSendBufferSize(64 * 1024);
            s.connect(silent.getLocalSocketAddress());
            try (Socket accepted = silent.accept()) { // accepted, never read
                accepted.setReceiveBufferSize(64 * 1024);
                OutputStream out = SendGuard.guard(s.getOutputStream(), s, 300);
                CompletableFuture<Throwable> sending = CompletableFuture.supplyAsync(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    try {
                        while (true) {
                            out.write(chunk); // blocks once both buffers are full
                        }
                    } catch (IOException e) {
                        return e;
                    }
                });
                // Without the guard the send would block until the peer reads (never).
                assertThat(sending.get(30, TimeUnit.SECONDS)).isInstanceOf(java.net.SocketException.class);
                assertThat(s.isClosed()).isTrue();
            }
        }
    }

    /** The same inside TLS, where closing a socket whose writer is blocked must not wait for that writer. */
    @Test
    void aTlsSendThatMakesNoProgressClosesItsSocket(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        var node = dev.kura.cluster.LocalCertificates.make(dir, "node", 2, "127.0.0.1");
        dev.kura.cluster.ClusterTls tls = dev.kura.cluster.ClusterTls.load(node.certificate(), node.key(),
                dev.kura.cluster.LocalCertificates.trusting(dir.resolve("trusted.pem"), List.of(node)));
        try (ServerSocket silent = tls.shardServerSockets().createServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"));
             Socket s = tls.shardClientSockets().createSocket()) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    Socket a = silent.accept();
                    a.setReceiveBufferSize(64 * 1024);
                    ((javax.net.ssl.SSLSocket) a).startHandshake(); // then never reads
                    return a;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            s.setSendBufferSize(64 * 1024);
            s.connect(silent.getLocalSocketAddress());
            ((javax.net.ssl.SSLSocket) s).startHandshake();
            try (Socket a = accepted.get(30, TimeUnit.SECONDS)) {
                OutputStream out = SendGuard.guard(s.getOutputStream(), s, 300);
                CompletableFuture<Throwable> sending = CompletableFuture.supplyAsync(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    try {
                        while (true) {
                            out.write(chunk);
                        }
                    } catch (IOException e) {
                        return e;
                    }
                });
                assertThat(sending.get(30, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!s.isClosed() && System.nanoTime() < deadline) {
                    Thread.sleep(10); // closed on a thread of its own; the blocked send failed first
                }
                assertThat(s.isClosed()).isTrue();
            }
        }
    }

    @Test
    void aDriveOnASilentNodeIsSoonNeitherPresentNorWritable() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<Socket> held = new ArrayList<>();
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // the handshake never gets an answer
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            try (RemoteDrive remote = new RemoteDrive("node-a", ShardProtocolTest.SECRET,
                    (InetSocketAddress) silent.getLocalSocketAddress(), "drive-1", SocketFactory.getDefault())) {
                long start = System.nanoTime();
                assertThat(remote.isWritable()).isFalse();
                long first = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                // bounded by the answer timeout (3 s), far below the minute a shard read may wait
                assertThat(first).isLessThan(RemoteDrive.READ_MILLIS);
                assertThat(remote.isPresent()).isFalse();
                assertThatThrownBy(() -> remote.create(null, "x", true)).isInstanceOf(IOException.class);
            } finally {
                silent.close();
                acceptor.join(5_000);
                for (Socket s : held) {
                    s.close();
                }
            }
        }
    }
}
