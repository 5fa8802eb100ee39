package io.bulwark.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.X25519Keys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterConfigTest {
    @TempDir
    static Path shared;

    static Path original;
    static List<NodeInfo> nodes;

    @BeforeAll
    static void createOnce() throws Exception {
        original = shared.resolve("cluster");
        nodes = ClusterInit.create(original, 1, 1, 1, "127.0.0.1", 7000, 3, new SecureRandom());
    }

    /** A fresh copy of the cluster made in {@link #createOnce}, to break in one test. */
    private static Path copy(Path tmp) throws IOException {
        Path dst = tmp.resolve("copy");
        try (var walk = Files.walk(original)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = dst.resolve(original.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return dst;
    }

    private static void editProperty(Path dir, String key, String value) throws IOException {
        Path file = dir.resolve(ClusterConfig.PROPERTIES);
        List<String> lines = Files.readAllLines(file);
        boolean found = false;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(key + "=")) {
                lines.set(i, key + "=" + value);
                found = true;
            }
        }
        if (!found) lines.add(key + "=" + value);
        Files.write(file, lines);
    }

    private static String property(Path dir, String key) throws IOException {
        return Files.readAllLines(dir.resolve(ClusterConfig.PROPERTIES)).stream()
                .filter(l -> l.startsWith(key + "=")).findFirst().orElseThrow().substring(key.length() + 1);
    }

    @Test
    void initWritesAClusterThatLoadsBack() throws Exception {
        assertThat(nodes).hasSize(9);
        assertThat(nodes.get(0).toString()).isEqualTo("node-0 agreement 127.0.0.1:7000");
        assertThat(nodes.get(6).toString()).isEqualTo("node-6 execution 127.0.0.1:7006");

        ClusterConfig c = ClusterConfig.load(original);
        assertThat(c.spec().f()).isEqualTo(1);
        assertThat(c.spec().t()).isEqualTo(1);
        assertThat(c.spec().g()).isEqualTo(1);
        assertThat(c.spec().h()).isEqualTo(-1);
        assertThat(c.nodes()).isEqualTo(nodes);
        assertThat(c.clients()).isEqualTo(3);
        assertThat(c.agreementNodeIds()).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(c.executionNodeIds()).containsExactly(6, 7, 8);

        for (Principal p : List.of(Principal.node(0), Principal.node(8), Principal.client(2))) {
            Identity id = c.identity(p);
            assertThat(id.principal()).isEqualTo(p);
            byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
            assertThat(c.publicKeys().verify(p, msg, id.signer().sign(msg))).isTrue();
            assertThat(X25519Keys.publicKeyOf(id.x25519Secret())).isEqualTo(c.agreementKey(p));
            assertThat(TlsCertificates.commonName(id.tlsCertificate())).isEqualTo(p.toString());
            assertThat(TlsCertificates.issuedBy(id.tlsCertificate(), c.caCertificate())).isTrue();
        }
        assertThat(c.isPrincipal(Principal.client(3))).isFalse();
        assertThat(c.isPrincipal(Principal.node(9))).isFalse();
    }

    @Test
    void secretsAreOwnerOnlyAndTheCaKeyIsNotStored() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(original.resolve("secrets/node-0.key"))))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(original.resolve("secrets"))))
                .isEqualTo("rwx------");
        try (var files = Files.list(original.resolve("public"))) {
            assertThat(files.map(p -> p.getFileName().toString())).contains("ca.crt", "node-0.crt", "client-2.crt")
                    .allMatch(n -> n.endsWith(".crt"));
        }
        try (var walk = Files.walk(original)) {
            long caKeys = walk.filter(Files::isRegularFile).filter(p -> {
                try {
                    return Files.readString(p).contains("PRIVATE KEY") && !p.getParent().getFileName().toString().equals("secrets");
                } catch (IOException e) {
                    return false;
                }
            }).count();
            assertThat(caKeys).isZero();
        }
        assertThat(Files.readString(original.resolve("cluster.properties"))).contains("node.0=agreement 127.0.0.1:7000")
                .contains("cluster.f=1").contains("# node.<id>=<role> <host>:<port>");
    }

    @Test
    void initRefusesToOverwrite() {
        assertThatThrownBy(() -> ClusterInit.create(original, 1, 1, 1, "127.0.0.1", 8000, 1, new SecureRandom()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("refusing to overwrite");
    }

    @Test
    void initRejectsBadArguments() {
        assertThatThrownBy(() -> ClusterInit.create(shared.resolve("x1"), 1, 2, 1, "127.0.0.1", 7000, 1, new SecureRandom()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("t must be in [0, f=1]");
        assertThatThrownBy(() -> ClusterInit.create(shared.resolve("x2"), 1, 1, 1, "127.0.0.1", 65_530, 1, new SecureRandom()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("out of range");
    }

    @Test
    void missingDirectoryOrFile(@TempDir Path tmp) throws Exception {
        assertThatThrownBy(() -> ClusterConfig.load(tmp.resolve("nope")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no such cluster directory");
        Path dir = copy(tmp);
        Files.delete(dir.resolve("cluster.properties"));
        assertThatThrownBy(() -> ClusterConfig.load(dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.properties: missing");
    }

    @Test
    void badNumber(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        editProperty(dir, "cluster.f", "one");
        assertThatThrownBy(() -> ClusterConfig.load(dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cluster.f=one is not a number");
    }

    @Test
    void badPort(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        editProperty(dir, "node.2", "agreement 127.0.0.1:99999");
        assertThatThrownBy(() -> ClusterConfig.load(dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("node.2: port 99999 is out of range");
    }

    @Test
    void duplicatePort(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        editProperty(dir, "node.3", "agreement 127.0.0.1:7001");
        assertThatThrownBy(() -> ClusterConfig.load(dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("duplicate port").hasMessageContaining("node.1");
    }

    @Test
    void wrongRole(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        editProperty(dir, "node.7", "agreement 127.0.0.1:7007");
        assertThatThrownBy(() -> ClusterConfig.load(dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("node 7 must be an execution node");
    }

    @Test
    void unknownKeyAndDuplicateKey(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        editProperty(dir, "cluster.fx", "1");
        assertThatThrownBy(() -> ClusterConfig.load(dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("unknown key 'cluster.fx'");
        Path dir2 = Files.createDirectories(tmp.resolve("two"));
        Files.writeString(dir2.resolve("cluster.properties"), "cluster.f=1\ncluster.f=2\n");
        assertThatThrownBy(() -> ClusterConfig.load(dir2))
                .isInstanceOf(ConfigException.class).hasMessageContaining(":2: duplicate key 'cluster.f'");
    }

    @Test
    void publicKeyThatDoesNotMatchTheSecretIsAKeyMismatch(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        editProperty(dir, "node.0.ed25519", property(dir, "node.1.ed25519"));
        ClusterConfig c = ClusterConfig.load(dir);
        assertThatThrownBy(() -> c.identity(Principal.node(0)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("key mismatch").hasMessageContaining("Ed25519");
        Path dir2 = copy(tmp.resolve("b"));
        editProperty(dir2, "client.1.x25519", property(dir2, "client.0.x25519"));
        ClusterConfig c2 = ClusterConfig.load(dir2);
        assertThatThrownBy(() -> c2.identity(Principal.client(1)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("key mismatch").hasMessageContaining("X25519");
    }

    @Test
    void tlsKeyOfAnotherPrincipalIsAKeyMismatch(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        // node-0's secrets file with node-1's TLS key block
        String s0 = Files.readString(dir.resolve("secrets/node-0.key"));
        String s1 = Files.readString(dir.resolve("secrets/node-1.key"));
        String tls1 = s1.substring(s1.indexOf("-----BEGIN PRIVATE KEY-----"));
        Files.writeString(dir.resolve("secrets/node-0.key"), s0.substring(0, s0.indexOf("-----BEGIN PRIVATE KEY-----")) + tls1);
        ClusterConfig c = ClusterConfig.load(dir);
        assertThatThrownBy(() -> c.identity(Principal.node(0)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("key mismatch").hasMessageContaining("TLS private key");
    }

    @Test
    void missingSecretsOrCertificate(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        Files.delete(dir.resolve("secrets/node-2.key"));
        ClusterConfig c = ClusterConfig.load(dir);
        assertThatThrownBy(() -> c.identity(Principal.node(2)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("missing secrets file for node-2");
        Files.delete(dir.resolve("public/node-4.crt"));
        assertThatThrownBy(() -> ClusterConfig.load(dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("node-4.crt: missing certificate file");
    }

    @Test
    void certificateFromAnotherClusterIsRejected(@TempDir Path tmp) throws Exception {
        Path dir = copy(tmp);
        Path other = tmp.resolve("other");
        ClusterInit.create(other, 0, 0, -1, "127.0.0.1", 9000, 0, new SecureRandom());
        Files.copy(other.resolve("public/node-0.crt"), dir.resolve("public/node-0.crt"), StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> ClusterConfig.load(dir))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not issued by this cluster's CA");
    }

    @Test
    void principalNamesAreStrict() {
        assertThat(TlsCertificates.principalOf("node-0")).isEqualTo(Principal.node(0));
        assertThat(TlsCertificates.principalOf("client-17")).isEqualTo(Principal.client(17));
        for (String bad : new String[] {"node-", "node-01", "node--1", "node-1x", "Node-1", "client-+1", "admin", null,
                "node-99999999999"}) {
            assertThat(TlsCertificates.principalOf(bad)).as(String.valueOf(bad)).isNull();
        }
    }
}
