package io.bulwark.runtime.config;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.X25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.PublicKeyDirectory;
import io.bulwark.firewall.threshold.ThresholdKeyPem;
import io.bulwark.firewall.threshold.ThresholdKeyShare;
import io.bulwark.firewall.threshold.ThresholdPublicKey;
import io.bulwark.kv.PrefixAccessPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A cluster as described by its directory {@code D}, validated as a whole when loaded.
 *
 * <pre>
 * D/cluster.properties          public: fault thresholds, nodes (role, address), public keys
 * D/public/ca.crt               the cluster CA certificate (its private key was never stored)
 * D/public/&lt;principal&gt;.crt      TLS certificate of each node and client, CN = principal
 * D/secrets/&lt;principal&gt;.key     private: Ed25519 secret, X25519 secret, TLS private key (mode 600);
 *                               with a firewall, an execution node's file also holds the execution
 *                               cluster's X25519 secret
 * D/secrets/node-&lt;id&gt;.threshold-share.pem  firewall: execution node id's threshold RSA key share (mode 600)
 * D/public/threshold-public.pem  firewall: the execution cluster's threshold RSA public key
 * D/access.policy               optional: the key-value store's access policy ({@link AccessPolicyFile}, {@link PrefixAccessPolicy} format)
 * </pre>
 *
 * <p>{@code cluster.properties} is {@code key=value} lines ({@code #} starts a comment):
 *
 * <pre>
 * bulwark.format=1
 * cluster.f=1                   Byzantine agreement nodes tolerated
 * cluster.t=1                   slow agreement nodes the two-step fast path survives (0 ≤ t ≤ f)
 * cluster.g=1                   Byzantine execution nodes tolerated (2g+1 of them; -1: none)
 * cluster.h=-1                  Byzantine filter nodes tolerated ((h+1)² filters; -1: no privacy firewall)
 * cluster.clients=100           client identities, client-0 .. client-(n-1)
 * node.&lt;id&gt;=&lt;role&gt; &lt;host&gt;:&lt;port&gt;       one line per node: agreement nodes first, then execution nodes,
 *                                    then filters row by row (ClusterSpec numbers them)
 * node.&lt;id&gt;.ed25519=&lt;hex&gt;          the node's Ed25519 public key (32 bytes)
 * node.&lt;id&gt;.x25519=&lt;hex&gt;           the node's X25519 public key (32 bytes)
 * client.&lt;id&gt;.ed25519=&lt;hex&gt;        the same for every client
 * client.&lt;id&gt;.x25519=&lt;hex&gt;
 * firewall.x25519=&lt;hex&gt;           firewall only: the execution cluster's X25519 public key (clients seal to it)
 * </pre>
 */
public final class ClusterConfig {
    private static final Logger log = LoggerFactory.getLogger(ClusterConfig.class);

    public static final String PROPERTIES = "cluster.properties";
    public static final String PUBLIC_DIR = "public";
    public static final String SECRETS_DIR = "secrets";
    public static final String CA_CERTIFICATE = "ca.crt";
    public static final int FORMAT = 1;
    public static final int CLIENTS_MAX = 100_000;
    /** Firewall: the execution cluster's threshold RSA public key ({@link ThresholdKeyPem}), in {@code public/}. */
    public static final String THRESHOLD_PUBLIC_KEY = "threshold-public.pem";
    /** Firewall: an execution node's threshold key share ({@link ThresholdKeyPem}), {@code secrets/node-<id>} + this. */
    public static final String THRESHOLD_SHARE_SUFFIX = ".threshold-share.pem";
    public static final String CLUSTER_X25519_KEY = "firewall.x25519";

    private final Path dir;
    private final ClusterSpec spec;
    private final List<NodeInfo> nodes;
    private final int clients;
    private final Map<Principal, Bytes> signingKeys;
    private final Map<Principal, Bytes> agreementKeys;
    private final X509Certificate ca;
    private final PublicKeyDirectory directory;
    private final ThresholdPublicKey thresholdKey;
    private final Bytes clusterSealKey;

    private ClusterConfig(Path dir, ClusterSpec spec, List<NodeInfo> nodes, int clients, Map<Principal, Bytes> signingKeys,
            Map<Principal, Bytes> agreementKeys, X509Certificate ca, ThresholdPublicKey thresholdKey, Bytes clusterSealKey) {
        this.thresholdKey = thresholdKey;
        this.clusterSealKey = clusterSealKey;
        this.dir = dir;
        this.spec = spec;
        this.nodes = List.copyOf(nodes);
        this.clients = clients;
        this.signingKeys = Map.copyOf(signingKeys);
        this.agreementKeys = Map.copyOf(agreementKeys);
        this.ca = ca;
        this.directory = new PublicKeyDirectory(signingKeys);
    }

    // ---------------------------------------------------------------- accessors

    public Path dir() {
        return dir;
    }

    public ClusterSpec spec() {
        return spec;
    }

    /** Every node, by id. */
    public List<NodeInfo> nodes() {
        return nodes;
    }

    public NodeInfo node(int id) {
        if (id < 0 || id >= nodes.size()) throw new IllegalArgumentException("no node " + id + " in this cluster");
        return nodes.get(id);
    }

    public int clients() {
        return clients;
    }

    public int[] agreementNodeIds() {
        return nodes.stream().filter(n -> n.role() == NodeRole.AGREEMENT).mapToInt(NodeInfo::id).toArray();
    }

    public int[] executionNodeIds() {
        return nodes.stream().filter(n -> n.role() == NodeRole.EXECUTION).mapToInt(NodeInfo::id).toArray();
    }

    /** Every filter node (none without a firewall), row by row. */
    public int[] filterNodeIds() {
        return nodes.stream().filter(n -> n.role() == NodeRole.FILTER).mapToInt(NodeInfo::id).toArray();
    }

    /** The filters of {@code row} (0: next to the agreement cluster; h: next to the execution cluster). */
    public int[] filterRow(int row) {
        int[] ids = new int[spec.h() + 1];
        for (int c = 0; c <= spec.h(); c++) ids[c] = spec.filterNode(row, c);
        return ids;
    }

    /** Firewall: the execution cluster's threshold RSA public key; null without a firewall. */
    public ThresholdPublicKey thresholdPublicKey() {
        return thresholdKey;
    }

    /** Firewall: the execution cluster's X25519 public key, which clients seal to; null without a firewall. */
    public Bytes clusterSealKey() {
        return clusterSealKey;
    }

    public Path accessPolicyFile() {
        return dir.resolve(AccessPolicyFile.FILE);
    }

    /**
     * The key-value store's access policy from {@code D/access.policy}, or null if there is no
     * such file (every client may then read and write every key).
     */
    public PrefixAccessPolicy accessPolicy() throws ConfigException {
        Path file = accessPolicyFile();
        if (!Files.exists(file)) return null;
        return AccessPolicyFile.read(file);
    }

    /** Whether {@code p} is a node or client of this cluster. */
    public boolean isPrincipal(Principal p) {
        return p.kind() == Principal.Kind.NODE ? p.id() < nodes.size() : p.id() < clients;
    }

    /** Ed25519 public keys of every principal. */
    public PublicKeyDirectory publicKeys() {
        return directory;
    }

    public Bytes signingKey(Principal p) {
        return signingKeys.get(p);
    }

    /** X25519 public key of {@code p} (for pairwise request-authenticator keys). */
    public Bytes agreementKey(Principal p) {
        return agreementKeys.get(p);
    }

    public Map<Principal, Bytes> agreementKeys() {
        return agreementKeys;
    }

    public X509Certificate caCertificate() {
        return ca;
    }

    public Path certificateFile(Principal p) {
        return dir.resolve(PUBLIC_DIR).resolve(p + ".crt");
    }

    public Path secretsFile(Principal p) {
        return dir.resolve(SECRETS_DIR).resolve(p + ".key");
    }

    /** Firewall: where execution node {@code nodeId}'s threshold key share is. */
    public Path thresholdShareFile(int nodeId) {
        return dir.resolve(SECRETS_DIR).resolve(Principal.node(nodeId) + THRESHOLD_SHARE_SUFFIX);
    }

    // ---------------------------------------------------------------- loading

    /** Loads and validates the cluster in {@code dir}. */
    public static ClusterConfig load(Path dir) throws ConfigException {
        if (!Files.isDirectory(dir)) throw new ConfigException(dir + ": no such cluster directory (run 'bulwark init' first)");
        Path file = dir.resolve(PROPERTIES);
        Map<String, String> props = parseProperties(file);
        String where = file.toString();

        int format = intValue(props, "bulwark.format", where, 1, 1000);
        if (format != FORMAT) throw new ConfigException(where + ": bulwark.format=" + format + " is not supported (expected " + FORMAT + ")");
        int f = intValue(props, "cluster.f", where, 0, ClusterSpec.F_MAX);
        int t = intValue(props, "cluster.t", where, 0, ClusterSpec.F_MAX);
        int g = intValue(props, "cluster.g", where, -1, ClusterSpec.G_MAX);
        int h = intValue(props, "cluster.h", where, -1, ClusterSpec.H_MAX);
        int clients = intValue(props, "cluster.clients", where, 0, CLIENTS_MAX);
        ClusterSpec spec;
        try {
            spec = new ClusterSpec(f, t, g, h);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + e.getMessage());
        }

        List<NodeInfo> nodes = new ArrayList<>();
        Map<String, Integer> addresses = new HashMap<>();
        for (int id = 0; id < spec.totalNodes(); id++) {
            String key = "node." + id;
            String value = require(props, key, where);
            NodeInfo node = parseNode(id, value, where);
            NodeRole expected = roleOf(spec, id);
            if (node.role() != expected) {
                throw new ConfigException(where + ": " + key + ": node " + id + " must be " + (expected == NodeRole.FILTER ? "a " : "an ")
                        + expected.label() + " node (agreement nodes are 0.." + (spec.agreementNodes() - 1)
                        + ", then execution nodes" + (spec.firewall() ? ", then filters" : "") + ")");
            }
            Integer previous = addresses.put(node.host() + ":" + node.port(), id);
            if (previous != null) {
                throw new ConfigException(where + ": " + key + ": address " + node.address() + " is also used by node." + previous
                        + " (duplicate port)");
            }
            nodes.add(node);
        }

        Map<Principal, Bytes> signing = new LinkedHashMap<>();
        Map<Principal, Bytes> agreement = new LinkedHashMap<>();
        List<Principal> principals = new ArrayList<>();
        for (int id = 0; id < spec.totalNodes(); id++) principals.add(Principal.node(id));
        for (int c = 0; c < clients; c++) principals.add(Principal.client(c));
        for (Principal p : principals) {
            String prefix = (p.kind() == Principal.Kind.NODE ? "node." : "client.") + p.id();
            signing.put(p, hexKey(props, prefix + ".ed25519", where, Ed25519Keys.PUBLIC_KEY_LENGTH));
            agreement.put(p, hexKey(props, prefix + ".x25519", where, X25519Keys.PUBLIC_KEY_LENGTH));
        }

        Bytes clusterSealKey = null;
        if (spec.firewall()) clusterSealKey = hexKey(props, CLUSTER_X25519_KEY, where, X25519Keys.PUBLIC_KEY_LENGTH);

        for (String key : props.keySet()) {
            if (!knownKey(key, spec.totalNodes(), clients) && !(spec.firewall() && key.equals(CLUSTER_X25519_KEY))) {
                throw new ConfigException(where + ": unknown key '" + key + "' (a node or client beyond the configured counts, or a typo)");
            }
        }

        X509Certificate ca = readCertificate(dir.resolve(PUBLIC_DIR).resolve(CA_CERTIFICATE));
        ThresholdPublicKey thresholdKey = spec.firewall() ? readThresholdKey(dir.resolve(PUBLIC_DIR).resolve(THRESHOLD_PUBLIC_KEY), spec) : null;
        ClusterConfig config = new ClusterConfig(dir, spec, nodes, clients, signing, agreement, ca, thresholdKey, clusterSealKey);
        for (NodeInfo n : nodes) config.readPrincipalCertificate(n.principal());
        return config;
    }

    /** The role {@code ClusterSpec} gives node {@code id}. */
    public static NodeRole roleOf(ClusterSpec spec, int id) {
        if (spec.isAgreementNode(id)) return NodeRole.AGREEMENT;
        if (spec.isExecutionNode(id)) return NodeRole.EXECUTION;
        if (spec.isFilterNode(id)) return NodeRole.FILTER;
        throw new IllegalArgumentException("no node " + id + " in " + spec);
    }

    /** Reads the execution cluster's threshold public key and checks it fits the cluster: g+1 of 2g+1. */
    private static ThresholdPublicKey readThresholdKey(Path file, ClusterSpec spec) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": missing (a firewall cluster needs the execution cluster's threshold public key)");
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        ThresholdPublicKey key;
        try {
            key = ThresholdKeyPem.decodePublicKey(text);
        } catch (MalformedMessageException e) {
            throw new ConfigException(file + ": bad threshold public key: " + e.getMessage());
        }
        if (key.k() != spec.g() + 1 || key.l() != spec.executionNodes()) {
            throw new ConfigException(file + ": the key is " + key.k() + "-of-" + key.l() + "; this cluster (g=" + spec.g() + ") needs "
                    + (spec.g() + 1) + "-of-" + spec.executionNodes());
        }
        return key;
    }

    private static boolean knownKey(String key, int nodes, int clients) {
        if (Set.of("bulwark.format", "cluster.f", "cluster.t", "cluster.g", "cluster.h", "cluster.clients").contains(key)) return true;
        String[] parts = key.split("\\.", -1);
        try {
            if (parts[0].equals("node") && (parts.length == 2 || (parts.length == 3 && isKeyField(parts[2])))) {
                int id = Integer.parseInt(parts[1]);
                return id >= 0 && id < nodes;
            }
            if (parts[0].equals("client") && parts.length == 3 && isKeyField(parts[2])) {
                int id = Integer.parseInt(parts[1]);
                return id >= 0 && id < clients;
            }
        } catch (NumberFormatException e) {
            return false;
        }
        return false;
    }

    private static boolean isKeyField(String s) {
        return s.equals("ed25519") || s.equals("x25519");
    }

    /** Reads and checks {@code p}'s certificate: present, issued by the cluster CA, CN = p. */
    public X509Certificate readPrincipalCertificate(Principal p) throws ConfigException {
        Path file = certificateFile(p);
        X509Certificate cert = readCertificate(file);
        if (!TlsCertificates.issuedBy(cert, ca)) throw new ConfigException(file + ": not issued by this cluster's CA (" + ca.getSubjectX500Principal().getName() + ")");
        String cn = TlsCertificates.commonName(cert);
        if (!p.toString().equals(cn)) throw new ConfigException(file + ": certificate is for CN=" + cn + ", expected " + p);
        return cert;
    }

    /**
     * Loads {@code p}'s secrets and checks that they belong to the public keys and certificate
     * of this cluster.
     */
    public Identity identity(Principal p) throws ConfigException {
        if (!isPrincipal(p)) throw new ConfigException(p + " is not a principal of the cluster in " + dir);
        X509Certificate cert = readPrincipalCertificate(p);
        Path file = secretsFile(p);
        warnIfReadableByOthers(file);
        Map<String, byte[]> blocks;
        try {
            blocks = PemBlocks.decode(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": missing secrets file for " + p);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(file + ": cannot read secrets: " + e.getMessage());
        }
        Bytes ed = Bytes.wrapOwned(block(blocks, PemBlocks.ED25519_SECRET, file));
        Bytes x = Bytes.wrapOwned(block(blocks, PemBlocks.X25519_SECRET, file));
        if (ed.length() != Ed25519Keys.SECRET_KEY_LENGTH) throw new ConfigException(file + ": Ed25519 secret must be 32 bytes");
        if (x.length() != X25519Keys.SECRET_KEY_LENGTH) throw new ConfigException(file + ": X25519 secret must be 32 bytes");
        if (!Ed25519Keys.publicKeyOf(ed).equals(signingKeys.get(p))) {
            throw new ConfigException(file + ": key mismatch: the Ed25519 secret does not belong to the public key of " + p + " in " + PROPERTIES);
        }
        if (!X25519Keys.publicKeyOf(x).equals(agreementKeys.get(p))) {
            throw new ConfigException(file + ": key mismatch: the X25519 secret does not belong to the public key of " + p + " in " + PROPERTIES);
        }
        PrivateKey tls;
        try {
            tls = TlsCertificates.parsePrivateKey(block(blocks, PemBlocks.PRIVATE_KEY, file));
        } catch (GeneralSecurityException e) {
            throw new ConfigException(file + ": bad TLS private key: " + e.getMessage());
        }
        if (!TlsCertificates.matches(tls, cert.getPublicKey())) {
            throw new ConfigException(file + ": key mismatch: the TLS private key does not belong to " + certificateFile(p));
        }
        return new Identity(p, ed, x, tls, cert, ca);
    }

    /**
     * Firewall: execution node {@code nodeId}'s threshold key share (its own file) and the
     * execution cluster's X25519 secret (from its secrets file), checked against the public key and
     * {@code firewall.x25519} of this cluster ("key mismatch" otherwise).
     */
    public ExecutionSecrets executionSecrets(int nodeId) throws ConfigException {
        if (!spec.firewall()) throw new ConfigException("the cluster in " + dir + " has no firewall: execution nodes hold no threshold key");
        if (!spec.isExecutionNode(nodeId)) throw new ConfigException("node-" + nodeId + " is not an execution node");
        Principal p = Principal.node(nodeId);
        Path file = secretsFile(p);
        warnIfReadableByOthers(file);
        Map<String, byte[]> blocks;
        try {
            blocks = PemBlocks.decode(Files.readString(file, StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": missing secrets file for " + p);
        } catch (IOException | IllegalArgumentException e) {
            throw new ConfigException(file + ": cannot read secrets: " + e.getMessage());
        }
        Path shareFile = thresholdShareFile(nodeId);
        warnIfReadableByOthers(shareFile);
        ThresholdKeyShare share;
        try {
            share = ThresholdKeyPem.decodeKeyShare(Files.readString(shareFile, StandardCharsets.US_ASCII));
        } catch (NoSuchFileException e) {
            throw new ConfigException(shareFile + ": missing threshold key share of " + p);
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ConfigException(shareFile + ": cannot read: " + e.getMessage());
        } catch (MalformedMessageException e) {
            throw new ConfigException(shareFile + ": bad threshold key share: " + e.getMessage());
        }
        if (!share.publicKey().equals(thresholdKey)) {
            throw new ConfigException(shareFile + ": key mismatch: the threshold key share belongs to another key than "
                    + PUBLIC_DIR + "/" + THRESHOLD_PUBLIC_KEY);
        }
        int index = nodeId - spec.agreementNodes() + 1;
        if (share.index() != index) {
            throw new ConfigException(shareFile + ": key mismatch: threshold key share " + share.index() + ", but " + p + " signs as share "
                    + index);
        }
        Bytes x = Bytes.wrapOwned(block(blocks, PemBlocks.CLUSTER_X25519_SECRET, file));
        if (x.length() != X25519Keys.SECRET_KEY_LENGTH) throw new ConfigException(file + ": cluster X25519 secret must be 32 bytes");
        if (!X25519Keys.publicKeyOf(x).equals(clusterSealKey)) {
            throw new ConfigException(file + ": key mismatch: the cluster X25519 secret does not belong to " + CLUSTER_X25519_KEY + " in "
                    + PROPERTIES);
        }
        return new ExecutionSecrets(share, x);
    }

    private static byte[] block(Map<String, byte[]> blocks, String label, Path file) throws ConfigException {
        byte[] b = blocks.get(label);
        if (b == null) throw new ConfigException(file + ": no '" + label + "' block");
        return b;
    }

    private static void warnIfReadableByOthers(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                log.warn("{} is readable by other users; it holds private keys (chmod 600 it)", file);
            }
        } catch (IOException | UnsupportedOperationException ignored) {
            // missing files are reported by the reader; non-POSIX file systems have no modes
        }
    }

    static X509Certificate readCertificate(Path file) throws ConfigException {
        try {
            byte[] der = PemBlocks.decode(Files.readString(file, StandardCharsets.US_ASCII)).get(PemBlocks.CERTIFICATE);
            if (der == null) throw new ConfigException(file + ": no CERTIFICATE block");
            return TlsCertificates.parseCertificate(der);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": missing certificate file");
        } catch (IOException | IllegalArgumentException | GeneralSecurityException e) {
            throw new ConfigException(file + ": bad certificate: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- properties

    /** Strict {@code key=value} lines: no duplicates, no lines without '='. */
    static Map<String, String> parseProperties(Path file) throws ConfigException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + ": missing (is " + file.getParent() + " a cluster directory made by 'bulwark init'?)");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage());
        }
        Map<String, String> props = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) continue;
            int eq = line.indexOf('=');
            if (eq <= 0) throw new ConfigException(file + ":" + (i + 1) + ": expected key=value, got '" + line + "'");
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            if (props.put(key, value) != null) throw new ConfigException(file + ":" + (i + 1) + ": duplicate key '" + key + "'");
        }
        return props;
    }

    private static String require(Map<String, String> props, String key, String where) throws ConfigException {
        String v = props.get(key);
        if (v == null || v.isEmpty()) throw new ConfigException(where + ": missing '" + key + "'");
        return v;
    }

    private static int intValue(Map<String, String> props, String key, String where, int min, int max) throws ConfigException {
        String v = require(props, key, where);
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(where + ": " + key + "=" + v + " is not a number");
        }
        if (n < min || n > max) throw new ConfigException(where + ": " + key + "=" + n + " is out of range [" + min + ", " + max + "]");
        return n;
    }

    private static Bytes hexKey(Map<String, String> props, String key, String where, int length) throws ConfigException {
        String v = require(props, key, where);
        try {
            Bytes b = Bytes.fromHex(v);
            if (b.length() != length) throw new ConfigException(where + ": " + key + " must be " + length + " bytes of hex, got " + b.length());
            return b;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + key + " is not hex");
        }
    }

    static NodeInfo parseNode(int id, String value, String where) throws ConfigException {
        String key = "node." + id;
        String[] parts = value.trim().split("\\s+");
        if (parts.length != 2) throw new ConfigException(where + ": " + key + "=" + value + ": expected '<role> <host>:<port>'");
        NodeRole role;
        try {
            role = NodeRole.parse(parts[0]);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": " + key + ": " + e.getMessage());
        }
        String address = parts[1];
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new ConfigException(where + ": " + key + ": address '" + address + "' is not host:port");
        }
        String host = address.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(where + ": " + key + ": bad port '" + address.substring(colon + 1) + "'");
        }
        if (port < 1 || port > 65_535) throw new ConfigException(where + ": " + key + ": port " + port + " is out of range [1, 65535]");
        return new NodeInfo(id, role, host, port);
    }

    static String hex(Bytes b) {
        return HexFormat.of().formatHex(b.toByteArray());
    }
}
