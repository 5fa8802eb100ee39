package io.bulwark.execution;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.cluster.FabQuorums;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.ClientSeal;
import io.bulwark.core.crypto.ClientSeals;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.PublicKeyDirectory;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.crypto.ThresholdVerifier;
import io.bulwark.core.crypto.X25519Keys;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.DecisionSignature;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Ordered;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.core.message.Request;
import io.bulwark.core.step.Outbox;
import io.bulwark.firewall.threshold.ThresholdKeyDealer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A hand-driven execution cluster in firewall mode: real Ed25519 keys for agreement nodes,
 * execution nodes and clients, a real 512-bit Shoup key shared by the execution nodes, and X25519
 * client seals. The test plays the agreement cluster and the filters of row h: it "orders" a
 * batch by handing each execution node ORDERED with f + 1 agreement signatures, as a row-h filter
 * would. Messages between execution nodes wait in {@link #inFlight}; what execution nodes send to
 * filters is collected per node in {@link #toFilters}. Every send of every node is also recorded
 * in {@link #sent}, for checking destinations. Execution nodes are addressed by index (0 .. 2g).
 */
final class FirewallCluster {
    record InFlight(int from, Principal to, Message message) {}

    final ClusterSpec spec;
    final FabQuorums quorums;
    final ExecutionConfig config;
    final Map<Principal, Signer> signers = new HashMap<>();
    final PublicKeyDirectory keys;
    final int agreementNodes;
    final ThresholdKeyDealer.DealtKeys threshold;
    final ThresholdVerifier executionKey;
    final Bytes clusterSecret;
    final Map<Long, Bytes> clientSecrets = new HashMap<>();
    /** Clients the execution cluster has a seal for (others are unknown to it). */
    final Set<Long> registered = new HashSet<>();
    final ExecutionNode[] nodes;
    final AppendLog[] machines;
    final List<ExecutionPersisted>[] disks;
    final List<Message>[] toFilters;
    final List<Outbox.Send>[] sent;
    final List<Outbox.Delivery>[] delivered;
    final List<InFlight> inFlight = new ArrayList<>();
    final Set<Integer> isolated = new HashSet<>();
    /** What the agreement cluster decided, as the row-h filters retain it (from {@link #retainedFrom} on). */
    final TreeMap<Long, Batch> decided = new TreeMap<>();
    long retainedFrom = 0;
    long now = 1_000_000_000_000L;

    @SuppressWarnings("unchecked")
    FirewallCluster(int f, int t, int g, int h, ExecutionConfig config, int clients) {
        this.spec = new ClusterSpec(f, t, g, h);
        this.quorums = spec.quorums();
        this.config = config;
        this.agreementNodes = spec.agreementNodes();
        Random random = new Random(11);
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
        this.threshold = TestShoup.keys(g);
        this.executionKey = new io.bulwark.firewall.threshold.ShoupThresholdVerifier(threshold.publicKey());
        this.clusterSecret = X25519Keys.generateSecretKey(random);
        for (long c = 0; c < clients; c++) {
            clientSecrets.put(c, X25519Keys.generateSecretKey(random));
            registered.add(c);
        }
        int n = spec.executionNodes();
        nodes = new ExecutionNode[n];
        machines = new AppendLog[n];
        disks = new List[n];
        toFilters = new List[n];
        sent = new List[n];
        delivered = new List[n];
        for (int i = 0; i < n; i++) {
            disks[i] = new ArrayList<>();
            toFilters[i] = new ArrayList<>();
            sent[i] = new ArrayList<>();
            delivered[i] = new ArrayList<>();
            machines[i] = new AppendLog();
            nodes[i] = new ExecutionNode(spec, quorums, config, id(i), signer(id(i)), keys, machines[i], firewall(i));
            Outbox out = new Outbox();
            nodes[i].start(now, out);
            collect(i, out);
        }
    }

    /** Execution node {@code index}'s firewall keys: its Shoup share and the cluster's side of the seals. */
    ExecutionFirewall firewall(int index) {
        ClientSeals seals = clientId -> registered.contains(clientId)
                ? ClientSeal.between(clientId, clusterSecret, X25519Keys.publicKeyOf(clientSecrets.get(clientId)))
                : Optional.empty();
        return new ExecutionFirewall(new io.bulwark.firewall.threshold.ShoupShareSigner(threshold.shares().get(index)), seals);
    }

    int id(int index) {
        return agreementNodes + index;
    }

    int index(long nodeId) {
        return (int) nodeId - agreementNodes;
    }

    /** Filter {@code column} of row h, next to the execution cluster. */
    int filter(int column) {
        return spec.filterNode(spec.h(), column);
    }

    Signer signer(int node) {
        return signers.get(Principal.node(node));
    }

    /** The client's side of its seal. */
    ClientSeal clientSeal(long client) {
        return ClientSeal.between(client, clientSecrets.get(client), X25519Keys.publicKeyOf(clusterSecret)).orElseThrow();
    }

    /** A signed request whose body is {@code op} sealed by the client for this timestamp. */
    Request request(long client, long timestamp, String op) {
        return rawRequest(client, timestamp, clientSeal(client).seal(ClientSeal.Direction.REQUEST, timestamp, Bytes.ofUtf8(op)));
    }

    /** A signed request with {@code body} as its operation bytes, sealed or not. */
    Request rawRequest(long client, long timestamp, Bytes body) {
        return new Request(client, timestamp, body,
                signers.get(Principal.client(client)).sign(WireCodec.requestSignedBytes(client, timestamp, body)));
    }

    Batch batch(long timeMillis, Request... requests) {
        return new Batch(timeMillis, List.of(requests));
    }

    /** Agreement node {@code node}'s signature that {@code batch} was decided in {@code slot}. */
    DecisionSignature decision(int node, long slot, Batch batch) {
        return new DecisionSignature(node, signer(node).sign(WireCodec.decisionSignedBytes(slot, batch.digest())));
    }

    /** ORDERED for (slot, batch) signed by the given agreement nodes. */
    Ordered ordered(long slot, Batch batch, int... agreementSigners) {
        List<DecisionSignature> proof = new ArrayList<>();
        for (int a : agreementSigners) proof.add(decision(a, slot, batch));
        return new Ordered(slot, batch, proof);
    }

    /** ORDERED with f + 1 signatures (agreement nodes 0 .. f), as a correct row-h filter sends it. */
    Ordered ordered(long slot, Batch batch) {
        int[] signers = new int[quorums.proof()];
        for (int i = 0; i < signers.length; i++) signers[i] = i;
        return ordered(slot, batch, signers);
    }

    /** The agreement cluster decides {@code b} in {@code slot}; row-h filter 0 passes it up to every node not isolated. */
    void order(long slot, Batch b) {
        decided.put(slot, b);
        for (int i = 0; i < nodes.length; i++) {
            if (!isolated.contains(i)) inject(Principal.node(filter(0)), i, ordered(slot, b));
        }
    }

    void inject(Principal from, int index, Message m) {
        Outbox out = new Outbox();
        nodes[index].onMessage(now, from, m, out);
        collect(index, out);
    }

    void heartbeat(int index) {
        now += config.heartbeatNanos();
        Outbox out = new Outbox();
        nodes[index].onTimer(now, ExecutionNode.HeartbeatTimer.INSTANCE, out);
        collect(index, out);
    }

    void restart(int index) {
        machines[index] = new AppendLog();
        nodes[index] = ExecutionNode.recover(spec, quorums, config, id(index), signer(id(index)), keys, machines[index],
                disks[index], firewall(index));
        Outbox out = new Outbox();
        nodes[index].start(now, out);
        collect(index, out);
    }

    void collect(int index, Outbox out) {
        for (Object p : out.persists()) disks[index].add((ExecutionPersisted) p);
        for (Outbox.Send s : out.sends()) {
            sent[index].add(s);
            long to = s.to().id();
            if (s.to().kind() == Principal.Kind.NODE && spec.isFilterNode((int) to)) {
                toFilters[index].add(s.message());
            } else {
                inFlight.add(new InFlight(id(index), s.to(), s.message()));
            }
        }
        delivered[index].addAll(out.deliveries());
        out.clear();
    }

    /** Delivers (and removes) in-flight messages between execution nodes matching {@code which}, until none is left. */
    int deliver(Predicate<InFlight> which) {
        int count = 0;
        while (true) {
            List<InFlight> batch = new ArrayList<>();
            for (Iterator<InFlight> it = inFlight.iterator(); it.hasNext(); ) {
                InFlight m = it.next();
                if (which.test(m)) {
                    batch.add(m);
                    it.remove();
                }
            }
            if (batch.isEmpty()) return count;
            for (InFlight m : batch) {
                count++;
                int to = (int) m.to().id();
                if (spec.isExecutionNode(to) && !isolated.contains(index(to))) inject(Principal.node(m.from()), index(to), m.message());
            }
        }
    }

    /**
     * Row-h filter {@code column} answers the DECISION-QUERYs node {@code index} sent it (and
     * forgets them) from {@link #decided}, as far as it retains.
     */
    int answerQueries(int index, int column) {
        int answered = 0;
        List<DecisionQuery> queries = new ArrayList<>();
        for (Iterator<Message> it = toFilters[index].iterator(); it.hasNext(); ) {
            if (it.next() instanceof DecisionQuery q) {
                queries.add(q);
                it.remove();
            }
        }
        for (DecisionQuery q : queries) {
            for (long s = Math.max(q.fromSlot(), retainedFrom); s < q.fromSlot() + q.count(); s++) {
                Batch b = decided.get(s);
                if (b != null) {
                    inject(Principal.node(filter(column)), index, ordered(s, b));
                    answered++;
                }
            }
        }
        return answered;
    }

    /** Node {@code index}'s REPLY-SHAREs to row h so far, in order (each slot once per filter of the row). */
    List<ReplyShare> sharesTo(int index, int column) {
        List<ReplyShare> shares = new ArrayList<>();
        for (Outbox.Send s : sent[index]) {
            if (s.to().equals(Principal.node(filter(column))) && s.message() instanceof ReplyShare r) shares.add(r);
        }
        return shares;
    }

    void clearFilters() {
        for (List<Message> l : toFilters) l.clear();
    }

    static Predicate<InFlight> ofType(Class<? extends Message> type) {
        return m -> type.isInstance(m.message());
    }
}
