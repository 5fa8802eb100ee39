package io.bulwark.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
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

/** {@code bulwark init --firewall}: what is dealt, where it goes, and how loading checks it. */
class FirewallConfigTest {
    @TempDir
    static Path shared;

    static Path original;
    static List<NodeInfo> nodes;

    @BeforeAll
    static void createOnce() throws Exception {
        original = shared.resolve("cluster");
        // f=1 t=1 g=1 h=1: agreement 0..5, execution 6..8, filters 9..12; client 0 administers secret/
        nodes = ClusterInit.create(original, 1, 1, 1, "127.0.0.1", 7000, 4, new ClusterInit.Firewall(1, 512, 0), new SecureRandom());
    }

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

    private static void replaceInFile(Path file, String from, String to) throws IOException {
        String s = Files.readString(file);
        assertThat(s).contains(from);
        Files.writeString(file, s.replace(from, to));
    }

    @Test
    void initWritesAFirewallClusterThatLoadsBack() throws Exception {
        assertThat(nodes).hasSize(13);
        assertThat(nodes.get(9).toString()).isEqualTo("node-9 filter 127.0.0.1:7009");
        assertThat(nodes.get(12).toString()).isEqualTo("node-12 filter 127.0.0.1:7012");
        ClusterConfig c = ClusterConfig.load(original);
        assertThat(c.spec().h()).isEqualTo(1);
        assertThat(c.spec().firewall()).isTrue();
        assertThat(c.filterNodeIds()).containsExactly(9, 10, 11, 12);
        assertThat(c.filterRow(0)).containsExactly(9, 10);
        assertThat(c.filterRow(1)).containsExactly(11, 12);
        assertThat(c.node(11).role()).isEqualTo(NodeRole.FILTER);
        assertThat(c.thresholdPublicKey().k()).isEqualTo(2);
        assertThat(c.thresholdPublicKey().l()).isEqualTo(3);
        assertThat(c.thresholdPublicKey().modulusBits()).isEqualTo(512);
        assertThat(c.clusterSealKey().length()).isEqualTo(X25519Keys.PUBLIC_KEY_LENGTH);
        // every node (filters too) has an identity: Ed25519, X25519, TLS
        for (NodeInfo n : nodes) assertThat(c.identity(n.principal()).principal()).isEqualTo(n.principal());
        for (int e : c.executionNodeIds()) {
            ExecutionSecrets s = c.executionSecrets(e);
            assertThat(s.keyShare().index()).isEqualTo(e - 6 + 1);
            assertThat(s.keyShare().publicKey()).isEqualTo(c.thresholdPublicKey());
            assertThat(X25519Keys.publicKeyOf(s.clusterX25519Secret())).isEqualTo(c.clusterSealKey());
            assertThat(s.toString()).doesNotContain(s.clusterX25519Secret().toHex());
        }
    }

    @Test
    void executionSecretsAreOnlyInTheExecutionNodesOwnFilesOwnerOnly() throws Exception {
        for (NodeInfo n : nodes) {
            Path file = original.resolve("secrets").resolve(n.principal() + ".key");
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            boolean execution = n.role() == NodeRole.EXECUTION;
            assertThat(text.contains(PemBlocks.THRESHOLD_KEY_SHARE)).as("%s holds a key share", n).isEqualTo(execution);
            assertThat(text.contains(PemBlocks.CLUSTER_X25519_SECRET)).as("%s holds the cluster secret", n).isEqualTo(execution);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        }
        for (int c = 0; c < 4; c++) {
            String text = Files.readString(original.resolve("secrets").resolve(Principal.client(c) + ".key"));
            assertThat(text).doesNotContain(PemBlocks.THRESHOLD_KEY_SHARE).doesNotContain(PemBlocks.CLUSTER_X25519_SECRET);
        }
        // no public file holds a secret: the share of node-6 appears nowhere but in its own secrets file
        ClusterConfig c = ClusterConfig.load(original);
        String share = new String(java.util.Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encode(c.executionSecrets(6).keyShare().encode()), StandardCharsets.US_ASCII).lines().skip(3).findFirst().orElseThrow();
        String cluster = Files.readString(original.resolve(ClusterConfig.PROPERTIES));
        String publicKey = Files.readString(original.resolve("public").resolve(ClusterConfig.THRESHOLD_PUBLIC_KEY));
        assertThat(cluster + publicKey).doesNotContain(share);
        assertThat(cluster).doesNotContain(c.executionSecrets(6).clusterX25519Secret().toHex());
        assertThat(cluster).contains(ClusterConfig.CLUSTER_X25519_KEY + "=" + c.clusterSealKey().toHex());
        assertThatThrownBy(() -> c.executionSecrets(0)).isInstanceOf(ConfigException.class).hasMessageContaining("not an execution node");
    }

    @Test
    void theDefaultAccessPolicyHidesSecretFromAllButTheAdministrator() throws Exception {
        AccessPolicyFile policy = ClusterConfig.load(original).accessPolicy();
        assertThat(policy).isNotNull();
        Bytes secret = Bytes.ofUtf8("secret/launch-codes");
        Bytes plain = Bytes.ofUtf8("greeting");
        for (long client = 1; client < 4; client++) {
            assertThat(policy.canRead(client, plain)).isTrue();
            assertThat(policy.canWrite(client, plain)).isTrue();
            assertThat(policy.canRead(client, secret)).isFalse();
            assertThat(policy.canWrite(client, secret)).isFalse();
        }
        assertThat(policy.canRead(0, secret)).isTrue();
        assertThat(policy.canWrite(0, secret)).isTrue();
        assertThat(policy.canRead(0, plain)).isTrue();
        assertThat(policy.canRead(2, Bytes.ofUtf8("secret"))).as("only keys under the prefix").isTrue();
        // the file round-trips through its own format
        assertThat(AccessPolicyFile.parse(policy.format(), "x", 4)).isEqualTo(policy);
    }

    @Test
    void aClusterWithoutFirewallHasNoneOfIt(@TempDir Path tmp) throws Exception {
        ClusterInit.create(tmp.resolve("plain"), 0, 0, 0, "127.0.0.1", 7000, 1, new SecureRandom());
        ClusterConfig c = ClusterConfig.load(tmp.resolve("plain"));
        assertThat(c.thresholdPublicKey()).isNull();
        assertThat(c.clusterSealKey()).isNull();
        assertThat(c.accessPolicy()).isNull();
        assertThat(c.filterNodeIds()).isEmpty();
        assertThat(Files.exists(tmp.resolve("plain").resolve("public").resolve(ClusterConfig.THRESHOLD_PUBLIC_KEY))).isFalse();
    }

    @Test
    void initRejectsBadFirewallArguments(@TempDir Path tmp) {
        assertThatThrownBy(() -> ClusterInit.create(tmp.resolve("a"), 1, 1, -1, "127.0.0.1", 7000, 1, ClusterInit.Firewall.of(1),
                new SecureRandom())).isInstanceOf(ConfigException.class).hasMessageContaining("execution cluster");
        assertThatThrownBy(() -> ClusterInit.create(tmp.resolve("b"), 1, 1, 1, "127.0.0.1", 7000, 1, new ClusterInit.Firewall(6, 512, 0),
                new SecureRandom())).isInstanceOf(ConfigException.class).hasMessageContaining("h must be");
        assertThatThrownBy(() -> ClusterInit.create(tmp.resolve("c"), 1, 1, 1, "127.0.0.1", 7000, 1, new ClusterInit.Firewall(1, 1001, 0),
                new SecureRandom())).isInstanceOf(ConfigException.class).hasMessageContaining("threshold key bits");
        assertThatThrownBy(() -> ClusterInit.create(tmp.resolve("d"), 1, 1, 1, "127.0.0.1", 7000, 1, new ClusterInit.Firewall(1, 512, 1),
                new SecureRandom())).isInstanceOf(ConfigException.class).hasMessageContaining("admin client");
        assertThat(tmp.resolve("a")).doesNotExist();
    }

    // ---------------------------------------------------------------- broken directories

    @Test
    void aFilterWhereTheSpecSaysExecutionIsRejected(@TempDir Path tmp) throws Exception {
        Path d = copy(tmp);
        replaceInFile(d.resolve(ClusterConfig.PROPERTIES), "node.8=execution", "node.8=filter");
        assertThatThrownBy(() -> ClusterConfig.load(d)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("node.8").hasMessageContaining("must be an execution node");
    }

    @Test
    void missingOrMalformedThresholdPublicKey(@TempDir Path tmp) throws Exception {
        Path d = copy(tmp);
        Path key = d.resolve("public").resolve(ClusterConfig.THRESHOLD_PUBLIC_KEY);
        String good = Files.readString(key);
        Files.delete(key);
        assertThatThrownBy(() -> ClusterConfig.load(d)).isInstanceOf(ConfigException.class)
                .hasMessageContaining(ClusterConfig.THRESHOLD_PUBLIC_KEY).hasMessageContaining("missing");
        Files.writeString(key, "-----BEGIN " + PemBlocks.THRESHOLD_PUBLIC_KEY + "-----\nAAECAwQ=\n-----END " + PemBlocks.THRESHOLD_PUBLIC_KEY
                + "-----\n");
        assertThatThrownBy(() -> ClusterConfig.load(d)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("bad threshold public key");
        Files.writeString(key, "-----BEGIN " + PemBlocks.THRESHOLD_PUBLIC_KEY + "-----\n!!!\n-----END " + PemBlocks.THRESHOLD_PUBLIC_KEY
                + "-----\n");
        assertThatThrownBy(() -> ClusterConfig.load(d)).isInstanceOf(ConfigException.class).hasMessageContaining("cannot read");
        Files.writeString(key, "nothing here\n");
        assertThatThrownBy(() -> ClusterConfig.load(d)).isInstanceOf(ConfigException.class).hasMessageContaining("no '");
        // a key for another execution cluster size
        ClusterInit.create(tmp.resolve("g2"), 0, 0, 2, "127.0.0.1", 7000, 0, new ClusterInit.Firewall(0, 512, -1), new SecureRandom());
        Files.copy(tmp.resolve("g2").resolve("public").resolve(ClusterConfig.THRESHOLD_PUBLIC_KEY), key, StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> ClusterConfig.load(d)).isInstanceOf(ConfigException.class).hasMessageContaining("3-of-5")
                .hasMessageContaining("needs 2-of-3");
        Files.writeString(key, good);
        ClusterConfig.load(d);
    }

    @Test
    void missingOrBadClusterSealKey(@TempDir Path tmp) throws Exception {
        Path d = copy(tmp);
        Path props = d.resolve(ClusterConfig.PROPERTIES);
        List<String> lines = Files.readAllLines(props);
        Files.write(props, lines.stream().filter(l -> !l.startsWith(ClusterConfig.CLUSTER_X25519_KEY)).toList());
        assertThatThrownBy(() -> ClusterConfig.load(d)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing '" + ClusterConfig.CLUSTER_X25519_KEY + "'");
        Files.write(props, lines.stream().map(l -> l.startsWith(ClusterConfig.CLUSTER_X25519_KEY) ? l + "00" : l).toList());
        assertThatThrownBy(() -> ClusterConfig.load(d)).isInstanceOf(ConfigException.class).hasMessageContaining("32 bytes");
    }

    @Test
    void aShareOfAnotherKeyOrAnotherNodeIsAKeyMismatch(@TempDir Path tmp) throws Exception {
        Path d = copy(tmp);
        Path six = d.resolve("secrets").resolve("node-6.key");
        Path seven = d.resolve("secrets").resolve("node-7.key");
        String shareOfSeven = PemBlocks.encode(PemBlocks.THRESHOLD_KEY_SHARE,
                PemBlocks.decode(Files.readString(seven)).get(PemBlocks.THRESHOLD_KEY_SHARE));
        String text = Files.readString(six);
        String shareOfSix = PemBlocks.encode(PemBlocks.THRESHOLD_KEY_SHARE, PemBlocks.decode(text).get(PemBlocks.THRESHOLD_KEY_SHARE));
        Files.writeString(six, text.replace(shareOfSix, shareOfSeven));
        ClusterConfig c = ClusterConfig.load(d);
        assertThatThrownBy(() -> c.executionSecrets(6)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("key mismatch").hasMessageContaining("share 2").hasMessageContaining("share 1");

        // a share of a key dealt for another cluster
        ClusterInit.create(tmp.resolve("other"), 1, 1, 1, "127.0.0.1", 7000, 0, new ClusterInit.Firewall(1, 512, -1), new SecureRandom());
        String foreign = Files.readString(tmp.resolve("other").resolve("secrets").resolve("node-6.key"));
        String foreignShare = PemBlocks.encode(PemBlocks.THRESHOLD_KEY_SHARE, PemBlocks.decode(foreign).get(PemBlocks.THRESHOLD_KEY_SHARE));
        Files.writeString(six, text.replace(shareOfSix, foreignShare));
        assertThatThrownBy(() -> c.executionSecrets(6)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("key mismatch").hasMessageContaining("another key");

        // the cluster X25519 secret of the other cluster
        String ours = PemBlocks.encode(PemBlocks.CLUSTER_X25519_SECRET, PemBlocks.decode(text).get(PemBlocks.CLUSTER_X25519_SECRET));
        String theirs = PemBlocks.encode(PemBlocks.CLUSTER_X25519_SECRET, PemBlocks.decode(foreign).get(PemBlocks.CLUSTER_X25519_SECRET));
        Files.writeString(six, text.replace(ours, theirs));
        assertThatThrownBy(() -> c.executionSecrets(6)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("key mismatch").hasMessageContaining(ClusterConfig.CLUSTER_X25519_KEY);

        // a corrupted share: caught by its verification key when loaded
        byte[] share = PemBlocks.decode(text).get(PemBlocks.THRESHOLD_KEY_SHARE);
        share[share.length - 1] ^= 1;
        Files.writeString(six, text.replace(shareOfSix, PemBlocks.encode(PemBlocks.THRESHOLD_KEY_SHARE, share)));
        assertThatThrownBy(() -> c.executionSecrets(6)).isInstanceOf(ConfigException.class).hasMessageContaining("bad threshold key share");

        // no share at all
        Files.writeString(six, text.replace(shareOfSix, ""));
        assertThatThrownBy(() -> c.executionSecrets(6)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("no '" + PemBlocks.THRESHOLD_KEY_SHARE + "' block");
    }

    @Test
    void malformedAccessPoliciesAreRejectedWithTheLine(@TempDir Path tmp) throws Exception {
        Path d = copy(tmp);
        Path file = d.resolve(AccessPolicyFile.FILE);
        ClusterConfig c = ClusterConfig.load(d); // the policy is read by the execution nodes, not by load
        String[][] cases = {
            {"* rw", "expected <client> <rights>"},
            {"x rw \"a\"", "neither a client id nor *"},
            {"9 rw \"a\"", "client 9 does not exist"},
            {"* rwx \"a\"", "must be rw, r, w or -"},
            {"* rw a", "must be in double quotes"},
            {"* rw \"a\\q\"", "unknown escape"},
            {"* rw \"a\"b\"", "unescaped"},
            {"* r \"b\"\n* r \"b\"", "a second rule"},
        };
        for (String[] bad : cases) {
            Files.writeString(file, "# comment\n" + bad[0] + "\n");
            assertThatThrownBy(c::accessPolicy).as(bad[0]).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(file + ":" + (bad[0].contains("\n") ? 3 : 2) + ": ").hasMessageContaining(bad[1]);
        }
        Files.writeString(file, "* r \"\"\n1 rw \"a \\\"quoted\\\" \\\\ key\"\n");
        AccessPolicyFile p = c.accessPolicy();
        assertThat(p.canWrite(1, Bytes.ofUtf8("a \"quoted\" \\ key/x"))).isTrue();
        assertThat(p.canWrite(2, Bytes.ofUtf8("a \"quoted\" \\ key/x"))).isFalse();
        assertThat(p.canRead(2, Bytes.ofUtf8("anything"))).isTrue();
        Files.writeString(file, "");
        assertThat(c.accessPolicy().canRead(0, Bytes.ofUtf8("k"))).as("no rule: nothing allowed").isFalse();
    }
}
