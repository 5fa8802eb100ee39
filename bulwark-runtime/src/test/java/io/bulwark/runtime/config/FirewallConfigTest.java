package io.bulwark.runtime.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.X25519Keys;
import io.bulwark.firewall.threshold.ThresholdKeyPem;
import io.bulwark.firewall.threshold.ThresholdKeyShare;
import io.bulwark.kv.PrefixAccessPolicy;
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
        ClusterConfig config = ClusterConfig.load(original);
        for (NodeInfo n : nodes) {
            Path file = original.resolve("secrets").resolve(n.principal() + ".key");
            String text = Files.readString(file, StandardCharsets.US_ASCII);
            boolean execution = n.role() == NodeRole.EXECUTION;
            assertThat(text.contains(PemBlocks.CLUSTER_X25519_SECRET)).as("%s holds the cluster secret", n).isEqualTo(execution);
            assertThat(Files.exists(config.thresholdShareFile(n.id()))).as("%s has a key share", n).isEqualTo(execution);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
            if (execution) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config.thresholdShareFile(n.id()))))
                        .isEqualTo("rw-------");
            }
        }
        try (var files = Files.list(original.resolve("secrets"))) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(ClusterConfig.THRESHOLD_SHARE_SUFFIX)))
                    .containsExactlyInAnyOrder("node-6.threshold-share.pem", "node-7.threshold-share.pem", "node-8.threshold-share.pem");
        }
        for (int c = 0; c < 4; c++) {
            String text = Files.readString(original.resolve("secrets").resolve(Principal.client(c) + ".key"));
            assertThat(text).doesNotContain(PemBlocks.CLUSTER_X25519_SECRET);
        }
        // no public file holds a secret: the share of node-6 appears nowhere but in its own file
        ClusterConfig c = config;
        String share = Files.readString(c.thresholdShareFile(6)).lines().toList().reversed().get(2); // the share's last full line
        String cluster = Files.readString(original.resolve(ClusterConfig.PROPERTIES));
        String publicKey = Files.readString(original.resolve("public").resolve(ClusterConfig.THRESHOLD_PUBLIC_KEY));
        assertThat(cluster + publicKey).doesNotContain(share);
        assertThat(cluster).doesNotContain(c.executionSecrets(6).clusterX25519Secret().toHex());
        assertThat(cluster).contains(ClusterConfig.CLUSTER_X25519_KEY + "=" + c.clusterSealKey().toHex());
        assertThatThrownBy(() -> c.executionSecrets(0)).isInstanceOf(ConfigException.class).hasMessageContaining("not an execution node");
    }

    @Test
    void theDefaultAccessPolicyHidesSecretFromAllButTheAdministrator() throws Exception {
        PrefixAccessPolicy policy = ClusterConfig.load(original).accessPolicy();
        assertThat(policy).isNotNull();
        Bytes secret = Bytes.ofUtf8("secret/launch-codes");
        List<Bytes> open = List.of(Bytes.ofUtf8("greeting"), Bytes.ofUtf8("secret"), Bytes.ofUtf8("secrets/x"), Bytes.ofUtf8("Secret/x"),
                Bytes.ofUtf8("t"), Bytes.wrapOwned(new byte[] {0}), Bytes.wrapOwned(new byte[] {(byte) 0xff, 1}), Bytes.ofUtf8("secreT/"));
        for (long client = 1; client < 4; client++) {
            for (Bytes k : open) {
                assertThat(policy.canRead(client, k)).as("client %d reads %s", client, k).isEqualTo(!k.equals(Bytes.ofUtf8("secret")));
                assertThat(policy.canWrite(client, k)).as("client %d writes %s", client, k).isEqualTo(!k.equals(Bytes.ofUtf8("secret")));
            }
            assertThat(policy.canRead(client, secret)).isFalse();
            assertThat(policy.canWrite(client, secret)).isFalse();
            assertThat(policy.canRead(client, Bytes.ofUtf8("secret/"))).isFalse();
        }
        assertThat(policy.canRead(0, secret)).isTrue();
        assertThat(policy.canWrite(0, secret)).isTrue();
        for (Bytes k : open) assertThat(policy.canRead(0, k)).isTrue();
        // the file is the policy's canonical form behind a comment
        String text = Files.readString(original.resolve(AccessPolicyFile.FILE));
        assertThat(text).startsWith("# Bulwark key-value access policy").endsWith(policy.toText()).contains("client 0 read *");
    }

    @Test
    void everythingExceptIsExactlyTheComplementOfThePrefix() {
        PrefixAccessPolicy p = AccessPolicyFile.everythingExcept("ab", -1);
        java.util.Random random = new java.util.Random(7);
        for (int n = 0; n < 20_000; n++) {
            byte[] k = new byte[1 + random.nextInt(4)];
            for (int i = 0; i < k.length; i++) k[i] = (byte) (random.nextBoolean() ? "ab".charAt(random.nextInt(2)) : random.nextInt(256));
            Bytes key = Bytes.wrapOwned(k);
            boolean hidden = k.length >= 2 && k[0] == 'a' && k[1] == 'b';
            boolean properPrefix = k.length == 1 && k[0] == 'a';
            assertThat(p.canRead(7, key)).as("%s", key).isEqualTo(!hidden && !properPrefix);
        }
        assertThat(p.writers()).isEmpty(); // every client may write: unbounded writers
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
        String label = ThresholdKeyPem.PUBLIC_KEY_LABEL;
        Files.writeString(key, "-----BEGIN " + label + "-----\nAAECAwQ=\n-----END " + label + "-----\n");
        assertThatThrownBy(() -> ClusterConfig.load(d)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("bad threshold public key");
        Files.writeString(key, "-----BEGIN " + label + "-----\n!!!\n-----END " + label + "-----\n");
        assertThatThrownBy(() -> ClusterConfig.load(d)).isInstanceOf(ConfigException.class).hasMessageContaining("bad base64");
        Files.writeString(key, "nothing here\n");
        assertThatThrownBy(() -> ClusterConfig.load(d)).isInstanceOf(ConfigException.class).hasMessageContaining("bad threshold public key");
        Files.write(key, new byte[] {(byte) 0xff, 0, 1});
        assertThatThrownBy(() -> ClusterConfig.load(d)).isInstanceOf(ConfigException.class).hasMessageContaining(key.toString());
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
        ClusterConfig c = ClusterConfig.load(d);
        Path six = c.thresholdShareFile(6);
        String shareOfSix = Files.readString(six);
        Files.copy(c.thresholdShareFile(7), six, StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> c.executionSecrets(6)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("key mismatch").hasMessageContaining("share 2").hasMessageContaining("share 1");

        // a share of a key dealt for another cluster
        ClusterInit.create(tmp.resolve("other"), 1, 1, 1, "127.0.0.1", 7000, 0, new ClusterInit.Firewall(1, 512, -1), new SecureRandom());
        ClusterConfig other = ClusterConfig.load(tmp.resolve("other"));
        Files.copy(other.thresholdShareFile(6), six, StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> c.executionSecrets(6)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("key mismatch").hasMessageContaining("another key");

        // a corrupted share: caught by its verification key when loaded
        ThresholdKeyShare good = ThresholdKeyPem.decodeKeyShare(shareOfSix);
        byte[] bytes = good.encode();
        bytes[bytes.length - 1] ^= 1;
        Files.writeString(six, "-----BEGIN " + ThresholdKeyPem.KEY_SHARE_LABEL + "-----\n"
                + java.util.Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(bytes) + "\n-----END "
                + ThresholdKeyPem.KEY_SHARE_LABEL + "-----\n");
        assertThatThrownBy(() -> c.executionSecrets(6)).isInstanceOf(ConfigException.class).hasMessageContaining("bad threshold key share");

        // no share file at all
        Files.delete(six);
        assertThatThrownBy(() -> c.executionSecrets(6)).isInstanceOf(ConfigException.class).hasMessageContaining("missing threshold key share");
        Files.writeString(six, shareOfSix);
        assertThat(c.executionSecrets(6).keyShare()).isEqualTo(good);

        // the cluster X25519 secret of the other cluster
        Path keyFile = d.resolve("secrets").resolve("node-6.key");
        String text = Files.readString(keyFile);
        String foreign = Files.readString(tmp.resolve("other").resolve("secrets").resolve("node-6.key"));
        String ours = PemBlocks.encode(PemBlocks.CLUSTER_X25519_SECRET, PemBlocks.decode(text).get(PemBlocks.CLUSTER_X25519_SECRET));
        String theirs = PemBlocks.encode(PemBlocks.CLUSTER_X25519_SECRET, PemBlocks.decode(foreign).get(PemBlocks.CLUSTER_X25519_SECRET));
        Files.writeString(keyFile, text.replace(ours, theirs));
        assertThatThrownBy(() -> c.executionSecrets(6)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("key mismatch").hasMessageContaining(ClusterConfig.CLUSTER_X25519_KEY);
        Files.writeString(keyFile, text.replace(ours, ""));
        assertThatThrownBy(() -> c.executionSecrets(6)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("no '" + PemBlocks.CLUSTER_X25519_SECRET + "' block");
    }

    @Test
    void malformedAccessPoliciesAreRejectedWithTheFileAndLine(@TempDir Path tmp) throws Exception {
        Path d = copy(tmp);
        Path file = d.resolve(AccessPolicyFile.FILE);
        ClusterConfig c = ClusterConfig.load(d); // the policy is read by the execution nodes, not by load
        String[][] cases = {
            {"client x read a", "client id 'x'"},
            {"client 1 rw a", "unknown permission 'rw'"},
            {"anyone read a", "expected 'client <id>' or 'default'"},
            {"default read a%zz", "bad escape"},
        };
        for (String[] bad : cases) {
            Files.writeString(file, "# comment\n" + bad[0] + "\n");
            assertThatThrownBy(c::accessPolicy).as(bad[0]).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(file + ", line 2").hasMessageContaining(bad[1]);
        }
        Files.write(file, new byte[] {'#', (byte) 0xff, '\n'});
        assertThatThrownBy(c::accessPolicy).isInstanceOf(ConfigException.class).hasMessageContaining("not UTF-8");
        Files.writeString(file, "default read *\nclient 1 write a%20b\n");
        PrefixAccessPolicy p = c.accessPolicy();
        assertThat(p.canWrite(1, Bytes.ofUtf8("a b/x"))).isTrue();
        assertThat(p.canRead(1, Bytes.ofUtf8("a b/x"))).isFalse();
        assertThat(p.canRead(2, Bytes.ofUtf8("anything"))).isTrue();
        Files.writeString(file, "");
        assertThat(c.accessPolicy().canRead(0, Bytes.ofUtf8("k"))).as("no rule: nothing allowed").isFalse();
        Files.delete(file);
        assertThat(c.accessPolicy()).as("no file: no policy").isNull();
    }
}
