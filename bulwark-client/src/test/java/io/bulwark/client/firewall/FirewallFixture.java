package io.bulwark.client.firewall;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.ClientSeal;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.ReplyMerkleTree;
import io.bulwark.core.crypto.ThresholdVerifier;
import io.bulwark.core.crypto.X25519Keys;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.Request;
import io.bulwark.firewall.threshold.SignatureShare;
import io.bulwark.firewall.threshold.ThresholdKeyDealer;
import io.bulwark.firewall.threshold.ThresholdKeyShare;
import io.bulwark.firewall.threshold.ThresholdRsa;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The execution cluster's side of a firewall-mode client, for tests: a real 512-bit Shoup key
 * dealt to the 2g+1 execution nodes (k = g+1), the cluster's X25519 key pair, and the seals
 * between it and a client. Builds reply certificates exactly as docs/firewall.md describes:
 * sealed replies as leaves of the slot's Merkle tree, g+1 shares on
 * {@code slotRepliesSignedBytes(slot, root)} combined, and the client's path.
 */
public final class FirewallFixture {
    public static final int BITS = 512;
    private static final Map<Integer, ThresholdKeyDealer.DealtKeys> DEALT = new ConcurrentHashMap<>();

    public final ClusterSpec spec;
    public final long clientId;
    public final ThresholdKeyDealer.DealtKeys keys;
    public final ThresholdVerifier executionKey;
    private final X25519Keys.KeyPair cluster;
    private final X25519Keys.KeyPair client;
    /** The client's side of its seal (what the client is built with). */
    public final ClientSeal clientSeal;
    /** The execution cluster's side of the same seal (opens requests, seals replies). */
    public final ClientSeal clusterSeal;

    public FirewallFixture(ClusterSpec spec, long clientId) {
        if (!spec.firewall()) throw new IllegalArgumentException("not a firewall spec: " + spec);
        this.spec = spec;
        this.clientId = clientId;
        // Dealing a key costs tens of milliseconds (safe primes): once per g for the whole run.
        this.keys = DEALT.computeIfAbsent(spec.g(),
                g -> ThresholdKeyDealer.deal(g + 1, 2 * g + 1, BITS, new Random(4_000 + g)));
        this.executionKey = new io.bulwark.firewall.threshold.ShoupThresholdVerifier(keys.publicKey());
        this.cluster = X25519Keys.generateKeyPair(new Random(11));
        this.client = X25519Keys.generateKeyPair(new Random(100 + clientId));
        this.clientSeal = ClientSeal.between(clientId, client.secretKey(), cluster.publicKey()).orElseThrow();
        this.clusterSeal = sealFor(clientId);
    }

    /** The execution cluster's seal with any client (whose X25519 key this fixture derives the same way). */
    public ClientSeal sealFor(long otherClient) {
        X25519Keys.KeyPair other = X25519Keys.generateKeyPair(new Random(100 + otherClient));
        return ClientSeal.between(otherClient, cluster.secretKey(), other.publicKey()).orElseThrow();
    }

    /** What an execution node does with a request body behind the firewall. */
    public Bytes openRequest(Request r) {
        return sealFor(r.clientId()).open(ClientSeal.Direction.REQUEST, r.timestamp(), r.operation()).orElseThrow();
    }

    /** The reply leaf an execution node produces for (client, timestamp) with {@code result}. */
    public ReplyLeaf leaf(long client, long timestamp, Bytes result) {
        return new ReplyLeaf(client, timestamp, sealFor(client).seal(ClientSeal.Direction.REPLY, timestamp, result));
    }

    /** The execution cluster's combined signature on (slot, root): g+1 real shares, combined. */
    public Bytes sign(long slot, Digest root) {
        byte[] statement = WireCodec.slotRepliesSignedBytes(slot, root);
        List<SignatureShare> shares = new ArrayList<>();
        for (ThresholdKeyShare s : keys.shares().subList(0, spec.g() + 1)) shares.add(ThresholdRsa.sign(s, statement));
        Bytes sig = executionKey.combine(statement, shares.stream().map(x -> Bytes.wrapOwned(x.encode())).toList()).orElseThrow();
        if (!executionKey.verify(statement, sig)) throw new AssertionError("combined signature does not verify");
        return sig;
    }

    /** The certificate of leaf {@code index} of a slot whose replies are {@code leaves}, signed properly. */
    public ReplyCertificate certificate(long slot, List<ReplyLeaf> leaves, int index) {
        Digest root = ReplyMerkleTree.root(slot, leaves);
        return new ReplyCertificate(slot, leaves.get(index), index, leaves.size(),
                ReplyMerkleTree.path(slot, leaves, index), sign(slot, root));
    }

    /**
     * A correct certificate for (this client, timestamp) with {@code result} in {@code slot}: the
     * client's leaf is the second of three (two other clients' replies around it).
     */
    public ReplyCertificate certify(long slot, long timestamp, Bytes result) {
        return certificate(slot, slotLeaves(slot, timestamp, result), 1);
    }

    /** The three leaves {@link #certify} signs: other client, this client, other client. */
    public List<ReplyLeaf> slotLeaves(long slot, long timestamp, Bytes result) {
        return List.of(
                leaf(clientId + 1, 40 + slot, Bytes.ofUtf8("someone else's secret")),
                leaf(clientId, timestamp, result),
                leaf(clientId + 2, 50 + slot, Bytes.ofUtf8("another")));
    }
}
