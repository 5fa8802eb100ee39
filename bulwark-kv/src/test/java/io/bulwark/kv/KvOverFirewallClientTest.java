package io.bulwark.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.ClientTransport;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.ClientSeal;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.ReplyMerkleTree;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.crypto.ThresholdVerifier;
import io.bulwark.core.crypto.X25519Keys;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.Request;
import io.bulwark.firewall.threshold.CombineResult;
import io.bulwark.firewall.threshold.SignatureShare;
import io.bulwark.firewall.threshold.ThresholdKeyDealer;
import io.bulwark.firewall.threshold.ThresholdKeyShare;
import io.bulwark.firewall.threshold.ThresholdPublicKey;
import io.bulwark.firewall.threshold.ThresholdRsa;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link KvClient} needs nothing special behind a privacy firewall: over a firewall-mode
 * {@link BulwarkClient} (sealed operations, one threshold-signed certificate per reply) against a
 * stand-in execution cluster that runs a real {@link KvStateMachine} with a
 * {@link PrefixAccessPolicy}, the typed calls, errors and multi-page scans work as they do over a
 * plain client, and the agreement nodes only ever see ciphertext.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class KvOverFirewallClientTest {
    /** Agreement nodes 0..3, execution nodes 4, 5, 6 (k = 2 of 3), filters row 0: 7, 8; row 1: 9, 10. */
    static final ClusterSpec FIREWALL = new ClusterSpec(1, 0, 1, 1);
    static final ThresholdKeyDealer.DealtKeys KEYS = ThresholdKeyDealer.deal(2, 3, 512, new Random(77));
    static final PrefixAccessPolicy POLICY = PrefixAccessPolicy.parse("""
            default read public/
            client 7 read public/ team7/
            client 7 write public/ team7/
            client 8 read public/
            client 8 write inbox/
            """);

    private final X25519Keys.KeyPair clusterKeys = X25519Keys.generateKeyPair(new Random(1));
    private final ExecutionStandIn cluster = new ExecutionStandIn();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (AutoCloseable c : toClose.reversed()) c.close();
        cluster.network.shutdownNow();
    }

    /** A Shoup {@link ThresholdVerifier} for the test (production code uses the firewall module's adapter). */
    record Shoup(ThresholdPublicKey key) implements ThresholdVerifier {
        public int threshold() {
            return key.k();
        }

        public int signers() {
            return key.l();
        }

        public int verifyShare(byte[] message, Bytes share) {
            try {
                SignatureShare s = SignatureShare.decode(share.toByteArray());
                return ThresholdRsa.verifyShare(key, message, s) ? s.index() : 0;
            } catch (MalformedMessageException | RuntimeException e) {
                return 0;
            }
        }

        public Optional<Bytes> combine(byte[] message, List<Bytes> shares) {
            try {
                List<SignatureShare> decoded = new ArrayList<>();
                for (Bytes b : shares) decoded.add(SignatureShare.decode(b.toByteArray()));
                return ThresholdRsa.combine(key, message, decoded) instanceof CombineResult.Combined c
                        ? Optional.of(c.signature().value()) : Optional.empty();
            } catch (MalformedMessageException | RuntimeException e) {
                return Optional.empty();
            }
        }

        public boolean verify(byte[] message, Bytes signature) {
            return ThresholdRsa.verify(key, message, signature);
        }
    }

    private static X25519Keys.KeyPair clientKeys(long clientId) {
        return X25519Keys.generateKeyPair(new Random(100 + clientId));
    }

    /**
     * What the execution cluster and the firewall do, from a client's point of view: order each
     * fresh request once (on its first arrival at an agreement node), open it with the cluster's
     * side of the client's seal, execute it on one shared store, seal the result, certify the
     * slot's root with g+1 real threshold shares and hand the certificate down from row 0.
     */
    final class ExecutionStandIn {
        final KvStateMachine store = new KvStateMachine(KvConfig.DEFAULTS.withMaxClientBytes(1 << 20), POLICY);
        final Queue<Bytes> seenByAgreement = new ConcurrentLinkedQueue<>();
        final ExecutorService network = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "stand-in-network");
            t.setDaemon(true);
            return t;
        });
        final Map<Long, BiConsumer<Principal, Message>> handlers = new java.util.concurrent.ConcurrentHashMap<>();
        // network thread only
        private final Map<Long, ReplyCertificate> last = new HashMap<>();
        private long slot = 1;

        void receive(int node, Request r) {
            ReplyCertificate previous = last.get(r.clientId());
            if (FIREWALL.isAgreementNode(node)) {
                seenByAgreement.add(r.operation());
                if (previous != null && r.timestamp() <= previous.reply().timestamp()) return;
                ClientSeal seal = ClientSeal.between(r.clientId(), clusterKeys.secretKey(), clientKeys(r.clientId()).publicKey()).orElseThrow();
                Bytes operation = seal.open(ClientSeal.Direction.REQUEST, r.timestamp(), r.operation()).orElseThrow();
                Bytes result = store.execute(r.clientId(), operation, 0);
                long s = slot++;
                List<ReplyLeaf> leaves = List.of(new ReplyLeaf(r.clientId(), r.timestamp(),
                        seal.seal(ClientSeal.Direction.REPLY, r.timestamp(), result)));
                Digest root = ReplyMerkleTree.root(s, leaves);
                byte[] statement = WireCodec.slotRepliesSignedBytes(s, root);
                List<Bytes> shares = new ArrayList<>();
                for (ThresholdKeyShare share : KEYS.shares().subList(0, 2)) {
                    shares.add(Bytes.wrapOwned(ThresholdRsa.sign(share, statement).encode()));
                }
                Bytes signature = new Shoup(KEYS.publicKey()).combine(statement, shares).orElseThrow();
                ReplyCertificate cert = new ReplyCertificate(s, leaves.get(0), 0, 1, ReplyMerkleTree.path(s, leaves, 0), signature);
                last.put(r.clientId(), cert);
                handlers.get(r.clientId()).accept(Principal.node(FIREWALL.filterNode(0, 0)), cert);
            } else if (FIREWALL.isFilterNode(node) && previous != null && previous.reply().timestamp() == r.timestamp()) {
                handlers.get(r.clientId()).accept(Principal.node(node), previous);
            }
        }

        ClientTransport transportFor(long clientId) {
            return new ClientTransport() {
                @Override
                public void send(Principal to, Message message) {
                    if (message instanceof Request r && !network.isShutdown()) network.execute(() -> receive((int) to.id(), r));
                }

                @Override
                public void onReceive(BiConsumer<Principal, Message> handler) {
                    handlers.put(clientId, handler);
                }

                @Override
                public void close() {}
            };
        }
    }

    private KvClient kvClient(long clientId) {
        Bytes secret = Ed25519Keys.generateSecretKey(new Random(clientId));
        Signer signer = Ed25519Keys.signer(Principal.client(clientId), secret);
        BulwarkClient client = BulwarkClient.builder()
                .clusterSpec(FIREWALL)
                .signer(signer)
                .transport(cluster.transportFor(clientId))
                .seal(ClientSeal.between(clientId, clientKeys(clientId).secretKey(), clusterKeys.publicKey()).orElseThrow())
                .executionKey(new Shoup(KEYS.publicKey()))
                .retransmitAfter(Duration.ofMillis(200))
                .build();
        toClose.add(client);
        return new KvClient(client::invokeAsync);
    }

    private static Bytes b(String s) {
        return Bytes.ofUtf8(s);
    }

    @Test
    void typedCallsErrorsAndScansWorkBehindTheFirewall() {
        KvClient seven = kvClient(7);
        KvClient eight = kvClient(8);
        seven.put(b("team7/plan"), b("launch on tuesday"));
        seven.put(b("public/motd"), b("hello"));
        assertThat(seven.get(b("team7/plan"))).contains(b("launch on tuesday"));
        assertThat(seven.compareAndSet(b("team7/plan"), b("launch on tuesday"), b("postponed")).success()).isTrue();
        assertThat(eight.get(b("public/motd"))).contains(b("hello"));
        assertThatThrownBy(() -> eight.get(b("team7/plan")))
                .isInstanceOfSatisfying(KvException.class, e -> assertThat(e.code()).isEqualTo(KvErrorCode.PERMISSION_DENIED));
        eight.put(b("inbox/for-7"), b("a note"));
        assertThat(eight.scan(Bytes.EMPTY, null, 100)).extracting(Map.Entry::getKey).containsExactly(b("public/motd"));
        assertThat(seven.scan(Bytes.EMPTY, null, 100)).extracting(Map.Entry::getKey)
                .containsExactly(b("public/motd"), b("team7/plan"));
        assertThat(seven.delete(b("public/motd"))).isTrue();
        // The agreement nodes ordered ciphertext only.
        assertThat(cluster.seenByAgreement).isNotEmpty().allSatisfy(body ->
                assertThat(body.toUtf8()).doesNotContain("team7", "plan", "tuesday", "inbox", "note", "motd"));
    }

    @Test
    void anOperationTooLargeToSealIsRefusedBeforeItIsSent() {
        KvClient seven = kvClient(7);
        // Within the store's 1 MiB operation limit, but not once the 16-byte seal tag is added.
        Bytes half = Bytes.wrapOwned(new byte[(KvLimits.OPERATION_BYTES_MAX - 30) / 2]);
        KvOperation cas = new KvOperation.CompareAndSet(b("team7/x"), half, half);
        assertThat(cas.encode().length()).isBetween(KvLimits.OPERATION_BYTES_MAX - ClientSeal.TAG_BYTES + 1, KvLimits.OPERATION_BYTES_MAX);
        assertThatThrownBy(() -> seven.execute(cas)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the limit");
        assertThat(cluster.seenByAgreement).isEmpty();
    }
}
