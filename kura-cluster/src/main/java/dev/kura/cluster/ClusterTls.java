package dev.kura.cluster;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * Mutual TLS between the nodes of a cluster, from three PEM files: the node's certificate (chain, the
 * node's own first), its private key (unencrypted PKCS#8, {@code BEGIN PRIVATE KEY}) and the
 * certificates it trusts for its peers (a cluster CA, or every node's own certificate). Both the Raft
 * traffic (Ratis's gRPC: servers require a client certificate, clients verify the server's) and the
 * shard protocol (TLS 1.3, client certificate required) then run inside it. A peer's certificate must
 * name the address it is reached at (subject alternative name, IP or DNS): gRPC checks it, and so does
 * the shard protocol's client.
 *
 * <p><b>Reloading.</b> The key and trust managers handed to Ratis and to the shard protocol's TLS context
 * delegate to the files' current contents: {@link #reloadIfChanged} reads the three files again when any of
 * them changed (modification time or size), checks them as at start, and swaps them in; every handshake
 * after that (new connections) uses them, connections already open keep theirs. A set of files that fails
 * the checks (a key written before its certificate, say) is refused and the node keeps what it had.
 */
public final class ClusterTls {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final char[] IN_MEMORY = "kura-cluster".toCharArray();

    /** What the three files held at their last good reading. */
    private record Material(X509ExtendedKeyManager keys, X509ExtendedTrustManager trust, X509Certificate certificate,
                            int generation) {
    }

    /** Numbers the readings of the files, so a key alias names the reading it came from. */
    private static final java.util.concurrent.atomic.AtomicInteger READINGS = new java.util.concurrent.atomic.AtomicInteger();

    private final Path certificateFile;
    private final Path keyFile;
    private final Path trustedFile;
    private volatile Material current;
    /** The files' modification times and sizes at the last reading (good or not). */
    private List<Object> stamp;
    /** The host the node's certificate must name (set by {@link #requireNames}), checked again on a reload. */
    private volatile String requiredHost;
    private final X509ExtendedKeyManager keyManager = new CurrentKeys();
    private final X509ExtendedTrustManager trustManager = new CurrentTrust();
    private final SSLContext context;

    private ClusterTls(Path certificateFile, Path keyFile, Path trustedFile, Material material, List<Object> stamp)
            throws GeneralSecurityException {
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
        this.trustedFile = trustedFile;
        this.current = material;
        this.stamp = stamp;
        this.context = SSLContext.getInstance("TLSv1.3");
        context.init(new javax.net.ssl.KeyManager[] {keyManager}, new javax.net.ssl.TrustManager[] {trustManager},
                new SecureRandom());
    }

    /** Loads the three files; any problem is an {@link IOException} naming the file and what is wrong. */
    public static ClusterTls load(Path certificateFile, Path keyFile, Path trustedFile) throws IOException {
        List<Object> stamp = stamp(certificateFile, keyFile, trustedFile);
        Material material = read(certificateFile, keyFile, trustedFile);
        try {
            return new ClusterTls(certificateFile, keyFile, trustedFile, material, stamp);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the cluster's TLS files: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the files again if any changed since the last reading: true when they did and passed the checks
     * (new handshakes use them from now on), false when none changed. {@link IOException}: they changed but
     * cannot be used; the node keeps what it had, and the same files are not tried again until they change.
     */
    public synchronized boolean reloadIfChanged() throws IOException {
        List<Object> now = stamp(certificateFile, keyFile, trustedFile);
        if (now.equals(stamp)) {
            return false;
        }
        stamp = now;
        Material next = read(certificateFile, keyFile, trustedFile);
        String host = requiredHost;
        if (host != null) {
            requireNames(next.certificate(), host);
        }
        current = next;
        return true;
    }

    private static List<Object> stamp(Path... files) throws IOException {
        List<Object> stamp = new ArrayList<>();
        for (Path f : files) {
            try {
                stamp.add(Files.getLastModifiedTime(f));
                stamp.add(Files.size(f));
            } catch (java.nio.file.NoSuchFileException e) {
                throw new IOException(f + " does not exist", e);
            }
        }
        return stamp;
    }

    private static Material read(Path certificateFile, Path keyFile, Path trustedFile) throws IOException {
        List<X509Certificate> chain = certificates(certificateFile);
        PrivateKey key = privateKey(keyFile);
        List<X509Certificate> trusted = certificates(trustedFile);
        X509Certificate own = chain.getFirst();
        if (!belongsTo(key, own)) {
            throw new IOException(keyFile + " is not the private key of the certificate in " + certificateFile
                    + " (" + own.getSubjectX500Principal() + ")");
        }
        try {
            own.checkValidity();
        } catch (CertificateException e) {
            throw new IOException("the certificate in " + certificateFile + " is not valid now: " + e.getMessage(), e);
        }
        try {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("node", key, IN_MEMORY, chain.toArray(X509Certificate[]::new));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, IN_MEMORY);
            KeyStore anchors = KeyStore.getInstance("PKCS12");
            anchors.load(null, null);
            for (int i = 0; i < trusted.size(); i++) {
                anchors.setCertificateEntry("trusted-" + i, trusted.get(i));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(anchors);
            X509TrustManager trust = (X509TrustManager) tmf.getTrustManagers()[0];
            try {
                // The peers trust what this file trusts: if it does not verify this node's own certificate,
                // they would refuse this node (the usual mistake: another CA, or a chain without its middle).
                trust.checkClientTrusted(chain.toArray(X509Certificate[]::new), "UNKNOWN");
            } catch (CertificateException e) {
                throw new IOException("the certificates in " + trustedFile + " do not verify this node's own ("
                        + own.getSubjectX500Principal() + " from " + certificateFile + "): nodes trusting them "
                        + "would refuse it (" + e.getMessage() + ")", e);
            }
            return new Material((X509ExtendedKeyManager) kmf.getKeyManagers()[0], (X509ExtendedTrustManager) trust, own,
                    READINGS.incrementAndGet());
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the cluster's TLS files: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a certificate that does not name {@code host} (this node's cluster address) among its subject
     * alternative names: its peers, which check it, would refuse every connection to this node.
     */
    public void requireNames(String host) throws IOException {
        requireNames(current.certificate(), host);
        requiredHost = host;
    }

    private static void requireNames(X509Certificate certificate, String host) throws IOException {
        String subject = certificate.getSubjectX500Principal().getName();
        List<String> names = new ArrayList<>();
        try {
            java.util.Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if (type == 2 || type == 7) { // dNSName, iPAddress
                        names.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            throw new IOException("cannot read the subject alternative names of " + subject + ": " + e.getMessage(), e);
        }
        for (String n : names) {
            if (sameName(n, host)) {
                return;
            }
        }
        throw new IOException("the node's certificate (" + subject + ") does not name its cluster address " + host
                + " (subject alternative names: " + (names.isEmpty() ? "none" : String.join(", ", names))
                + "); its peers check it and would refuse this node");
    }

    private static boolean sameName(String san, String host) {
        if (san.equalsIgnoreCase(host)) {
            return true;
        }
        try {
            if (isIpLiteral(san) && isIpLiteral(host)) {
                return InetAddress.getByName(san).equals(InetAddress.getByName(host)); // ::1 and 0:0:…:1 alike
            }
        } catch (java.net.UnknownHostException e) {
            return false;
        }
        if (san.startsWith("*.") && !isIpLiteral(host)) { // one leftmost label, as hostname checks match it
            int dot = host.indexOf('.');
            return dot > 0 && host.substring(dot).equalsIgnoreCase(san.substring(1));
        }
        return false;
    }

    private static boolean isIpLiteral(String s) {
        return s.contains(":") || s.matches("[0-9.]+");
    }

    /** The node's own certificate's subject, for the log (never the key). */
    public String subject() {
        return current.certificate().getSubjectX500Principal().getName();
    }

    /** The node's key and certificate chain as the files held them at the last good reading. */
    private final class CurrentKeys extends X509ExtendedKeyManager {
        /**
         * The materials an alias given out may still name: a handshake asks for an alias, then for its chain and
         * key, and a reload in between must not pair the old chain with the new key. An alias given out is
         * {@code <reading>:<its own alias>}.
         */
        private final Map<Integer, Material> recent = java.util.Collections.synchronizedMap(
                new java.util.LinkedHashMap<>(4, 0.75f, false) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Integer, Material> eldest) {
                        return size() > 4;
                    }
                });

        private String named(Material m, String alias) {
            if (alias == null) {
                return null;
            }
            recent.put(m.generation(), m);
            return m.generation() + ":" + alias;
        }

        private Material of(String alias) {
            int colon = alias == null ? -1 : alias.indexOf(':');
            Material m = colon < 0 ? null : recent.get(parse(alias.substring(0, colon)));
            return m == null ? current : m;
        }

        private String own(String alias) {
            int colon = alias == null ? -1 : alias.indexOf(':');
            return colon < 0 ? alias : alias.substring(colon + 1);
        }

        private int parse(String id) {
            try {
                return Integer.parseInt(id);
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        @Override
        public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return current.keys().getClientAliases(keyType, issuers);
        }

        /**
         * The node's one key whatever issuers the server names: a server (Ratis's, on OpenSSL) names the CAs it
         * trusted when it started, and a node renewed under a CA added since must still present its certificate.
         */
        @Override
        public String chooseClientAlias(String[] keyType, java.security.Principal[] issuers, Socket socket) {
            Material m = current;
            return named(m, m.keys().chooseClientAlias(keyType, null, socket));
        }

        @Override
        public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return current.keys().getServerAliases(keyType, issuers);
        }

        @Override
        public String chooseServerAlias(String keyType, java.security.Principal[] issuers, Socket socket) {
            Material m = current;
            return named(m, m.keys().chooseServerAlias(keyType, issuers, socket));
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return of(alias).keys().getCertificateChain(own(alias));
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return of(alias).keys().getPrivateKey(own(alias));
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, java.security.Principal[] issuers, SSLEngine engine) {
            Material m = current;
            return named(m, m.keys().chooseEngineClientAlias(keyType, null, engine)); // as chooseClientAlias
        }

        @Override
        public String chooseEngineServerAlias(String keyType, java.security.Principal[] issuers, SSLEngine engine) {
            Material m = current;
            return named(m, m.keys().chooseEngineServerAlias(keyType, issuers, engine));
        }
    }

    /** The trusted certificates as the file held them at the last good reading. */
    private final class CurrentTrust extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            current.trust().checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            current.trust().checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            current.trust().checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            current.trust().checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            current.trust().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            current.trust().checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return current.trust().getAcceptedIssuers();
        }
    }

    /** For Ratis: mutual TLS with this key and these trusted certificates. */
    public GrpcTlsConfig raft() {
        return new GrpcTlsConfig(keyManager, trustManager, true);
    }

    /** The shard protocol's listener: TLS 1.3, a client certificate required. */
    public ServerSocketFactory shardServerSockets() {
        javax.net.ssl.SSLServerSocketFactory tls = context.getServerSocketFactory();
        return new ServerSocketFactory() {
            @Override
            public ServerSocket createServerSocket() throws IOException {
                return requireClients(tls.createServerSocket());
            }

            @Override
            public ServerSocket createServerSocket(int port) throws IOException {
                return requireClients(tls.createServerSocket(port));
            }

            @Override
            public ServerSocket createServerSocket(int port, int backlog) throws IOException {
                return requireClients(tls.createServerSocket(port, backlog));
            }

            @Override
            public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
                return requireClients(tls.createServerSocket(port, backlog, address));
            }
        };
    }

    private static ServerSocket requireClients(ServerSocket s) {
        SSLServerSocket tls = (SSLServerSocket) s;
        tls.setNeedClientAuth(true);
        tls.setEnabledProtocols(new String[] {"TLSv1.3"});
        return tls;
    }

    /** The shard protocol's client sockets: TLS 1.3, the server's certificate must name the address dialled. */
    public SocketFactory shardClientSockets() {
        javax.net.ssl.SSLSocketFactory tls = context.getSocketFactory();
        return new SocketFactory() {
            @Override
            public Socket createSocket() throws IOException {
                return verifying(tls.createSocket());
            }

            @Override
            public Socket createSocket(String host, int port) throws IOException {
                return verifying(tls.createSocket(host, port));
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
                return verifying(tls.createSocket(host, port, local, localPort));
            }

            @Override
            public Socket createSocket(InetAddress host, int port) throws IOException {
                return verifying(tls.createSocket(host, port));
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress local, int localPort) throws IOException {
                return verifying(tls.createSocket(address, port, local, localPort));
            }
        };
    }

    private static Socket verifying(Socket s) {
        SSLSocket tls = (SSLSocket) s;
        SSLParameters p = tls.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setProtocols(new String[] {"TLSv1.3"});
        tls.setSSLParameters(p);
        return tls;
    }

    private static List<X509Certificate> certificates(Path file) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (byte[] der : pemBlocks(file, "CERTIFICATE")) {
                out.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(der)));
            }
        } catch (CertificateException e) {
            throw new IOException(file + " holds a certificate that cannot be read: " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IOException(file + " holds no certificate (PEM, -----BEGIN CERTIFICATE-----)");
        }
        return out;
    }

    private static PrivateKey privateKey(Path file) throws IOException {
        String text = read(file);
        if (text.contains("ENCRYPTED PRIVATE KEY") || text.contains("Proc-Type: 4,ENCRYPTED")) {
            throw new IOException(file + " is encrypted; give the key unencrypted (readable by the server's user only): "
                    + "openssl pkcs8 -topk8 -nocrypt -in KEY -out " + file.getFileName());
        }
        if (text.contains("BEGIN RSA PRIVATE KEY") || text.contains("BEGIN EC PRIVATE KEY")) {
            throw new IOException(file + " is a PKCS#1/SEC1 key; convert it to PKCS#8 (BEGIN PRIVATE KEY): "
                    + "openssl pkcs8 -topk8 -nocrypt -in KEY -out " + file.getFileName());
        }
        List<byte[]> blocks = pemBlocks(file, "PRIVATE KEY");
        if (blocks.size() != 1) {
            throw new IOException(file + " must hold exactly one private key (PEM, -----BEGIN PRIVATE KEY-----); it holds "
                    + blocks.size());
        }
        for (String algorithm : List.of("EC", "RSA", "Ed25519", "Ed448", "RSASSA-PSS")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(blocks.getFirst()));
            } catch (GeneralSecurityException notThisOne) {
                // the next algorithm
            }
        }
        throw new IOException(file + " holds a private key of an algorithm Kura cannot use (EC, RSA or EdDSA)");
    }

    /** True when {@code key} signs what the certificate's public key verifies. */
    private static boolean belongsTo(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> key.getAlgorithm(); // Ed25519, Ed448, EdDSA
        };
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature sign = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                sign.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            sign.initSign(key);
            sign.update(challenge);
            byte[] signature = sign.sign();
            Signature verify = Signature.getInstance(algorithm);
            if (algorithm.equals("RSASSA-PSS")) {
                verify.setParameter(new java.security.spec.PSSParameterSpec("SHA-256", "MGF1",
                        java.security.spec.MGF1ParameterSpec.SHA256, 32, 1));
            }
            verify.initVerify(certificate.getPublicKey());
            verify.update(challenge);
            return verify.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static List<byte[]> pemBlocks(Path file, String type) throws IOException {
        List<byte[]> out = new ArrayList<>();
        Matcher m = PEM.matcher(read(file));
        while (m.find()) {
            if (m.group(1).equals(type)) {
                try {
                    out.add(Base64.getMimeDecoder().decode(m.group(2)));
                } catch (IllegalArgumentException e) {
                    throw new IOException(file + " holds a " + type + " block that is not base64", e);
                }
            }
        }
        return out;
    }

    private static String read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " does not exist or is not a file");
        }
        long size = Files.size(file);
        if (size > 1 << 20) {
            throw new IOException(file + " is " + size + " bytes; a PEM file of certificates or a key is far smaller");
        }
        return Files.readString(file, StandardCharsets.ISO_8859_1); // never fails on a stray byte; PEM is ASCII
    }
}
