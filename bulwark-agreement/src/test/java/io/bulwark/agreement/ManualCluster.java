package io.bulwark.agreement;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.PublicKeyDirectory;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Request;
import io.bulwark.core.step.Outbox;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * A hand-driven cluster for scenario tests: messages wait in a list until the test delivers
 * them, timers fire only when the test says so. Real Ed25519 keys. Nodes listed as
 * {@code scripted} have no core: the test plays them with their signers.
 */
final class ManualCluster {
    record InFlight(int from, Principal to, Message message) {}

    final ClusterSpec spec;
    final FabConfig config;
    final io.bulwark.core.crypto.ThresholdVerifier executionKey;
    final Map<Principal, Signer> signers = new HashMap<>();
    final PublicKeyDirectory keys;
    final AgreementNode[] nodes;
    final List<Persisted>[] disks;
    final List<InFlight> inFlight = new ArrayList<>();
    final Map<Long, List<Message>> toClients = new HashMap<>();
    final List<Outbox.Delivery>[] delivered;
    long now = 1_000_000_000_000L; // an arbitrary epoch, in nanoseconds

    ManualCluster(int f, int t, int clients, int... scripted) {
        this(ClusterSpec.agreementOnly(f, t), FabConfig.defaults(f, t), null, clients, scripted);
    }

    /**
     * A cluster of {@code spec}'s agreement nodes; with a firewall ({@code executionKey} given),
     * what they send to filters and execution nodes waits in {@link #inFlight} for the test
     * (only messages to agreement nodes are ever delivered).
     */
    @SuppressWarnings("unchecked")
    ManualCluster(ClusterSpec spec, FabConfig config, io.bulwark.core.crypto.ThresholdVerifier executionKey, int clients,
            int... scripted) {
        this.spec = spec;
        this.config = config;
        this.executionKey = executionKey;
        Random random = new Random(42);
        Map<Principal, Bytes> publicKeys = new HashMap<>();
        List<Principal> principals = new ArrayList<>();
        for (int i = 0; i < spec.totalNodes(); i++) principals.add(Principal.node(i));
        for (int c = 0; c < clients; c++) principals.add(Principal.client(c));
        for (Principal p : principals) {
            Bytes sk = Ed25519Keys.generateSecretKey(random);
            signers.put(p, Ed25519Keys.signer(p, sk));
            publicKeys.put(p, Ed25519Keys.publicKeyOf(sk));
        }
        this.keys = new PublicKeyDirectory(publicKeys);
        this.nodes = new AgreementNode[spec.agreementNodes()];
        this.disks = new List[spec.agreementNodes()];
        this.delivered = new List[spec.agreementNodes()];
        List<Integer> scriptedIds = new ArrayList<>();
        for (int s : scripted) scriptedIds.add(s);
        for (int i = 0; i < nodes.length; i++) {
            disks[i] = new ArrayList<>();
            delivered[i] = new ArrayList<>();
            if (!scriptedIds.contains(i)) {
                nodes[i] = new AgreementNode(spec, config, i, signers.get(Principal.node(i)), keys,
                        io.bulwark.core.crypto.RequestAuthenticator.NONE, new int[0], executionKey);
                Outbox out = new Outbox();
                nodes[i].start(now, out);
                collect(i, out);
            }
        }
    }

    Signer signer(int node) {
        return signers.get(Principal.node(node));
    }

    Request request(long client, long timestamp, String op) {
        Bytes operation = Bytes.ofUtf8(op);
        return new Request(client, timestamp, operation,
                signers.get(Principal.client(client)).sign(WireCodec.requestSignedBytes(client, timestamp, operation)));
    }

    Batch batch(Request... requests) {
        return new Batch(now / 1_000_000, List.of(requests));
    }

    private void collect(int node, Outbox out) {
        for (Object p : out.persists()) disks[node].add((Persisted) p);
        for (Outbox.Send s : out.sends()) {
            if (s.to().kind() == Principal.Kind.CLIENT) {
                toClients.computeIfAbsent(s.to().id(), c -> new ArrayList<>()).add(s.message());
            } else {
                inFlight.add(new InFlight(node, s.to(), s.message()));
            }
        }
        delivered[node].addAll(out.deliveries());
        out.clear();
    }

    /** Hands {@code m} to node {@code to} as if {@code from} sent it. */
    void inject(Principal from, int to, Message m) {
        if (to >= nodes.length || nodes[to] == null) return;
        Outbox out = new Outbox();
        nodes[to].onMessage(now, from, m, out);
        collect(to, out);
    }

    void fire(int node, Object timerKey) {
        Outbox out = new Outbox();
        nodes[node].onTimer(now, timerKey, out);
        collect(node, out);
    }

    /** Delivers (and removes) every in-flight message matching {@code which}, repeatedly, until none is left. */
    int deliver(Predicate<InFlight> which) {
        int count = 0;
        boolean progress = true;
        while (progress) {
            progress = false;
            Iterator<InFlight> it = inFlight.iterator();
            List<InFlight> batch = new ArrayList<>();
            while (it.hasNext()) {
                InFlight m = it.next();
                if (m.to().id() < nodes.length && which.test(m)) {
                    batch.add(m);
                    it.remove();
                }
            }
            for (InFlight m : batch) {
                inject(Principal.node(m.from()), (int) m.to().id(), m.message());
                count++;
                progress = true;
            }
        }
        return count;
    }

    /** Drops every in-flight message matching {@code which}. */
    int drop(Predicate<InFlight> which) {
        int before = inFlight.size();
        inFlight.removeIf(which);
        return before - inFlight.size();
    }

    void advance(long nanos) {
        now += nanos;
    }

    List<Outbox.Delivery> deliveries(int node) {
        return delivered[node];
    }
}
