package io.bulwark.runtime.config;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.X25519Keys;
import io.bulwark.core.crypto.Principal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import io.bulwark.firewall.threshold.ThresholdKeyDealer;
import io.bulwark.firewall.threshold.ThresholdKeyPem;
import io.bulwark.firewall.threshold.ThresholdPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;

/**
 * Creates a cluster directory (see {@link ClusterConfig} for its layout): keys for every node and
 * client, a throwaway CA whose private key is discarded once every certificate is signed, and
 * {@code cluster.properties}, written last so that a directory with one is complete.
 */
public final class ClusterInit {
    private ClusterInit() {}

    /** The default modulus of the execution cluster's threshold RSA key. */
    public static final int THRESHOLD_BITS_DEFAULT = 2048;
    /** The key prefix only the administrator client may read and write under the default access policy. */
    public static final String SECRET_PREFIX = "secret/";

    /**
     * A privacy firewall for {@link #create}.
     *
     * @param h             Byzantine filters tolerated: (h+1)² filters in h+1 rows
     * @param thresholdBits modulus of the execution cluster's threshold RSA key (2048 or more for real use)
     * @param adminClient   the client that may read and write {@value #SECRET_PREFIX} under the default
     *                      access policy, or -1 for none
     */
    public record Firewall(int h, int thresholdBits, long adminClient) {
        public static Firewall of(int h) {
            return new Firewall(h, THRESHOLD_BITS_DEFAULT, 0);
        }
    }

    /** A cluster without a firewall; see {@link #create(Path, int, int, int, String, int, int, Firewall, SecureRandom)}. */
    public static List<NodeInfo> create(Path dir, int f, int t, int g, String host, int basePort, int clients,
            SecureRandom random) throws ConfigException {
        return create(dir, f, t, g, host, basePort, clients, null, random);
    }

    /**
     * @param g        Byzantine execution nodes tolerated; -1 for an agreement-only cluster
     * @param basePort node i listens on {@code basePort + i}
     * @param firewall  null for none; else the filters' fault threshold, and what to deal: a
     *                  (g+1)-of-(2g+1) threshold RSA key (each execution node's share only in its own
     *                  owner-only file {@code secrets/node-<id>.threshold-share.pem}, the public key in
     *                  {@code public/threshold-public.pem}), an X25519 key pair of the
     *                  execution cluster (secret in the execution nodes' secrets files, public key in
     *                  {@code cluster.properties}), and the default {@code access.policy}
     * @return every node, by id
     * @throws ConfigException if {@code dir} already holds a cluster, or on a bad argument or I/O error
     */
    public static List<NodeInfo> create(Path dir, int f, int t, int g, String host, int basePort, int clients, Firewall firewall,
            SecureRandom random) throws ConfigException {
        ClusterSpec spec;
        try {
            spec = new ClusterSpec(f, t, g, firewall == null ? -1 : firewall.h());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        if (firewall != null) {
            int bits = firewall.thresholdBits();
            if (bits < ThresholdPublicKey.MIN_MODULUS_BITS || bits > ThresholdPublicKey.MAX_MODULUS_BITS || bits % 2 != 0) {
                throw new ConfigException("threshold key bits must be even and in [" + ThresholdPublicKey.MIN_MODULUS_BITS + ", "
                        + ThresholdPublicKey.MAX_MODULUS_BITS + "], got " + bits);
            }
            if (firewall.adminClient() < -1 || firewall.adminClient() >= clients) {
                throw new ConfigException("admin client " + firewall.adminClient() + " is not one of the clients 0.." + (clients - 1));
            }
        }
        if (host == null || host.isBlank() || host.contains(" ")) throw new ConfigException("bad host '" + host + "'");
        if (clients < 0 || clients > ClusterConfig.CLIENTS_MAX) {
            throw new ConfigException("clients must be in [0, " + ClusterConfig.CLIENTS_MAX + "], got " + clients);
        }
        int nodes = spec.totalNodes();
        if (basePort < 1 || basePort + nodes - 1 > 65_535) {
            throw new ConfigException("ports " + basePort + ".." + (basePort + nodes - 1) + " are out of range [1, 65535]");
        }
        Path props = dir.resolve(ClusterConfig.PROPERTIES);
        Path publicDir = dir.resolve(ClusterConfig.PUBLIC_DIR);
        Path secretsDir = dir.resolve(ClusterConfig.SECRETS_DIR);
        for (Path p : List.of(props, publicDir, secretsDir)) {
            if (Files.exists(p)) {
                throw new ConfigException(dir + " already holds a cluster (" + p.getFileName() + " exists); refusing to overwrite it");
            }
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) throw new ConfigException(dir + " exists and is not a directory");

        List<NodeInfo> nodeList = new ArrayList<>();
        for (int id = 0; id < nodes; id++) {
            nodeList.add(new NodeInfo(id, ClusterConfig.roleOf(spec, id), host, basePort + id));
        }
        List<Principal> principals = new ArrayList<>();
        for (NodeInfo n : nodeList) principals.add(n.principal());
        for (int c = 0; c < clients; c++) principals.add(Principal.client(c));

        try {
            Files.createDirectories(dir);
            Files.createDirectory(publicDir);
            createPrivateDirectory(secretsDir);
            TlsCertificates.Issued ca = TlsCertificates.newCertificateAuthority(
                    "Bulwark cluster CA " + HexFormat.of().formatHex(randomBytes(random, 8)), random);
            writeNew(publicDir.resolve(ClusterConfig.CA_CERTIFICATE),
                    PemBlocks.encode(PemBlocks.CERTIFICATE, ca.certificate().getEncoded()), false);

            // Firewall keys first: an execution node's secrets file gets its share as it is written.
            ThresholdKeyDealer.DealtKeys threshold = null;
            Bytes clusterX25519 = null;
            if (firewall != null) {
                threshold = ThresholdKeyDealer.deal(g + 1, spec.executionNodes(), firewall.thresholdBits(), random);
                clusterX25519 = X25519Keys.generateSecretKey(random);
                writeNew(publicDir.resolve(ClusterConfig.THRESHOLD_PUBLIC_KEY), ThresholdKeyPem.encodePublicKey(threshold.publicKey()),
                        false);
                long admin = firewall.adminClient();
                writeNew(dir.resolve(AccessPolicyFile.FILE), AccessPolicyFile.format(AccessPolicyFile.everythingExcept(SECRET_PREFIX, admin),
                        "Written by 'bulwark init --firewall': every client may read and write every key except those under "
                                + SECRET_PREFIX + ",\nwhich " + (admin >= 0 ? "only client " + admin + " (which may read and write everything)"
                                : "no client") + " may read or write. The default rule lists the complement\nof " + SECRET_PREFIX
                                + " as prefixes (" + SECRET_PREFIX + "'s first i bytes, then any other byte); the keys that are proper\n"
                                + "prefixes of " + SECRET_PREFIX + " (s, se, ...) are covered by no prefix short of it, so only the"
                                + " administrator can use them."), false);
            }

            StringBuilder keys = new StringBuilder();
            for (Principal p : principals) {
                Bytes ed = Ed25519Keys.generateSecretKey(random);
                Bytes x = X25519Keys.generateSecretKey(random);
                TlsCertificates.Issued tls = TlsCertificates.issue(ca, p, random);
                writeNew(publicDir.resolve(p + ".crt"), PemBlocks.encode(PemBlocks.CERTIFICATE, tls.certificate().getEncoded()), false);
                String secrets = "# Secrets of " + p + ": keep private (mode 600), never share.\n"
                        + PemBlocks.encode(PemBlocks.ED25519_SECRET, ed.toByteArray())
                        + PemBlocks.encode(PemBlocks.X25519_SECRET, x.toByteArray())
                        + PemBlocks.encode(PemBlocks.PRIVATE_KEY, tls.privateKey().getEncoded());
                if (threshold != null && p.kind() == Principal.Kind.NODE && spec.isExecutionNode((int) p.id())) {
                    int index = (int) p.id() - spec.agreementNodes() + 1;
                    secrets += "# Firewall: the execution cluster's X25519 secret (it opens clients' requests and seals replies).\n"
                            + PemBlocks.encode(PemBlocks.CLUSTER_X25519_SECRET, clusterX25519.toByteArray());
                    writeNew(secretsDir.resolve(p + ClusterConfig.THRESHOLD_SHARE_SUFFIX),
                            ThresholdKeyPem.encodeKeyShare(threshold.shares().get(index - 1)), true);
                }
                writeNew(secretsDir.resolve(p + ".key"), secrets, true);
                String prefix = (p.kind() == Principal.Kind.NODE ? "node." : "client.") + p.id();
                keys.append(prefix).append(".ed25519=").append(ClusterConfig.hex(Ed25519Keys.publicKeyOf(ed))).append('\n');
                keys.append(prefix).append(".x25519=").append(ClusterConfig.hex(X25519Keys.publicKeyOf(x))).append('\n');
            }

            StringBuilder s = new StringBuilder();
            s.append("# Bulwark cluster, written by 'bulwark init' at ").append(Instant.now()).append(".\n");
            s.append("# Public: safe to share. Private keys are in secrets/<principal>.key; TLS certificates in public/.\n");
            s.append("bulwark.format=").append(ClusterConfig.FORMAT).append('\n');
            s.append("\n# Fault thresholds: f Byzantine agreement nodes (3f+2t+1 of them), t slow ones the fast path survives,\n");
            s.append("# g Byzantine execution nodes (2g+1 of them; -1 = agreement only), h Byzantine filters ((h+1)^2 of them; -1 = no firewall).\n");
            s.append("cluster.f=").append(f).append('\n');
            s.append("cluster.t=").append(t).append('\n');
            s.append("cluster.g=").append(g).append('\n');
            s.append("cluster.h=").append(spec.h()).append('\n');
            s.append("# Client identities client-0 .. client-").append(clients - 1).append('\n');
            s.append("cluster.clients=").append(clients).append('\n');
            if (clusterX25519 != null) {
                s.append("\n# Privacy firewall: ").append(spec.filterNodes()).append(" filters in ").append(spec.filterRows())
                        .append(" rows (row 0 next to the agreement nodes). Clients seal requests to the execution cluster's\n");
                s.append("# X25519 key below and verify replies with its threshold RSA key in public/")
                        .append(ClusterConfig.THRESHOLD_PUBLIC_KEY).append(".\n");
                s.append(ClusterConfig.CLUSTER_X25519_KEY).append('=').append(ClusterConfig.hex(X25519Keys.publicKeyOf(clusterX25519)))
                        .append('\n');
            }
            s.append("\n# node.<id>=<role> <host>:<port>\n");
            for (NodeInfo n : nodeList) s.append("node.").append(n.id()).append('=').append(n.role().label()).append(' ').append(n.address()).append('\n');
            s.append("\n# Public keys (hex): <principal>.ed25519 verifies signatures, <principal>.x25519 derives pairwise MAC keys.\n");
            s.append(keys);
            Path tmp = dir.resolve(ClusterConfig.PROPERTIES + ".tmp");
            Files.deleteIfExists(tmp);
            writeNew(tmp, s.toString(), false);
            Files.move(tmp, props, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | java.security.cert.CertificateEncodingException e) {
            throw new ConfigException("cannot write the cluster to " + dir + ": " + e.getMessage(), e);
        }
        return nodeList;
    }

    private static byte[] randomBytes(SecureRandom random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static void createPrivateDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (UnsupportedOperationException nonPosix) {
            Files.createDirectory(dir);
        }
    }

    /** Creates {@code file} (failing if it exists), owner-only when {@code secret}, and syncs it. */
    static void writeNew(Path file, String content, boolean secret) throws IOException {
        EnumSet<StandardOpenOption> options = EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        SeekableByteChannel ch;
        try {
            FileAttribute<?> perms = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
            ch = Files.newByteChannel(file, options, perms);
        } catch (UnsupportedOperationException nonPosix) {
            ch = Files.newByteChannel(file, options);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(file + " already exists");
        }
        try (SeekableByteChannel c = ch) {
            ByteBuffer buf = ByteBuffer.wrap(content.getBytes(StandardCharsets.US_ASCII));
            while (buf.hasRemaining()) c.write(buf);
            if (c instanceof java.nio.channels.FileChannel fc) fc.force(true);
        }
    }
}
