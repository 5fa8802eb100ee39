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

    /**
     * @param g        Byzantine execution nodes tolerated; -1 for an agreement-only cluster
     * @param basePort node i listens on {@code basePort + i}
     * @return every node, by id
     * @throws ConfigException if {@code dir} already holds a cluster, or on a bad argument or I/O error
     */
    public static List<NodeInfo> create(Path dir, int f, int t, int g, String host, int basePort, int clients,
            SecureRandom random) throws ConfigException {
        ClusterSpec spec;
        try {
            spec = new ClusterSpec(f, t, g, -1);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
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
            nodeList.add(new NodeInfo(id, spec.isAgreementNode(id) ? NodeRole.AGREEMENT : NodeRole.EXECUTION, host, basePort + id));
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
            s.append("# g Byzantine execution nodes (2g+1 of them; -1 = agreement only), h filter nodes (-1 = no firewall).\n");
            s.append("cluster.f=").append(f).append('\n');
            s.append("cluster.t=").append(t).append('\n');
            s.append("cluster.g=").append(g).append('\n');
            s.append("cluster.h=-1\n");
            s.append("# Client identities client-0 .. client-").append(clients - 1).append('\n');
            s.append("cluster.clients=").append(clients).append('\n');
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
