package io.bulwark.execution;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.cluster.FabQuorums;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.PublicKeyDirectory;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Decided;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.ExecutionCheckpoint;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.step.Outbox;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * A hand-driven execution cluster: real Ed25519 keys, execution nodes with {@link AppendLog}
 * applications, and an agreement cluster played by the test (it "decides" a batch by sending
 * what the leader and a fast quorum of acceptors would: PROPOSE and a − t ACCEPTED). Messages
 * between nodes wait in {@link #inFlight} until the test delivers them; timers fire only when
 * the test says so. Execution nodes are addressed by index (0 .. 2g), not node id.
 */
final class ExecCluster {
    record InFlight(int from, Principal to, Message message) {}

    final ClusterSpec spec;
    final FabQuorums quorums;
    final ExecutionConfig config;
    final Map<Principal, Signer> signers = new HashMap<>();
    final PublicKeyDirectory keys;
    final int agreementNodes;
    final ExecutionNode[] nodes;
    final AppendLog[] machines;
    final List<ExecutionPersisted>[] disks;
    final List<Reply>[] replies;
    final List<Outbox.Delivery>[] delivered;
    final List<InFlight> inFlight = new ArrayList<>();
    /** Execution nodes (by index) that nothing reaches: not decisions, not peer messages. */
    final Set<Integer> isolated = new HashSet<>();
    /** The agreement cluster's decided log, as it would answer DECISION-QUERY. */
    final TreeMap<Long, Batch> decided = new TreeMap<>();
    /** Agreement nodes answer DECISION-QUERY only for slots at or above this (they garbage-collected the rest). */
    long retainedFrom = 0;
    boolean agreementAnswersQueries = true;
    long now = 1_000_000_000_000L; // an arbitrary epoch, in nanoseconds

    @SuppressWarnings("unchecked")
    ExecCluster(int f, int t, int g, ExecutionConfig config, int clients) {
        this.spec = new ClusterSpec(f, t, g, -1);
        this.quorums = spec.quorums();
        this.config = config;
        this.agreementNodes = spec.agreementNodes();
        Random random = new Random(7);
        Map<Principal, Bytes> publicKeys = new HashMap<>();
        List<Principal> principals = new ArrayList<>();
        for (int i = 0; i < spec.agreementNodes() + spec.executionNodes(); i++) principals.add(Principal.node(i));
        for (int c = 0; c < clients; c++) principals.add(Principal.client(c));
        for (Principal p : principals) {
            Bytes sk = Ed25519Keys.generateSecretKey(random);
            signers.put(p, Ed25519Keys.signer(p, sk));
            publicKeys.put(p, Ed25519Keys.publicKeyOf(sk));
        }
        this.keys = new PublicKeyDirectory(publicKeys);
        int n = spec.executionNodes();
        nodes = new ExecutionNode[n];
        machines = new AppendLog[n];
        disks = new List[n];
        replies = new List[n];
        delivered = new List[n];
        for (int i = 0; i < n; i++) {
            disks[i] = new ArrayList<>();
            replies[i] = new ArrayList<>();
            delivered[i] = new ArrayList<>();
            machines[i] = new AppendLog();
            nodes[i] = new ExecutionNode(spec, quorums, config, id(i), signer(id(i)), keys, machines[i]);
            Outbox out = new Outbox();
            nodes[i].start(now, out);
            collect(i, out);
        }
    }

    /** The node id of execution node {@code index}. */
    int id(int index) {
        return agreementNodes + index;
    }

    int index(long nodeId) {
        return (int) nodeId - agreementNodes;
    }

    Signer signer(int node) {
        return signers.get(Principal.node(node));
    }

    Request request(long client, long timestamp, String op) {
        Bytes operation = Bytes.ofUtf8(op);
        return new Request(client, timestamp, operation,
                signers.get(Principal.client(client)).sign(WireCodec.requestSignedBytes(client, timestamp, operation)));
    }

    Batch batch(long timeMillis, Request... requests) {
        return new Batch(timeMillis, List.of(requests));
    }

    /** A checkpoint signed by {@code node}'s real key (for playing a faulty node). */
    ExecutionCheckpoint checkpoint(int node, long slot, Digest digest) {
        return new ExecutionCheckpoint(node, slot, digest,
                signer(node).sign(WireCodec.executionCheckpointSignedBytes(node, slot, digest)));
    }

    /** The agreement cluster decides {@code b} in {@code slot} and tells every execution node not isolated. */
    void decide(long slot, Batch b) {
        decided.put(slot, b);
        for (int i = 0; i < nodes.length; i++) {
            if (!isolated.contains(i)) tell(i, slot, b);
        }
    }

    /** What the leader of pn 0 and a fast quorum of acceptors send execution node {@code index} for a decision. */
    void tell(int index, long slot, Batch b) {
        inject(Principal.node(spec.leaderOf(0)), index, new Propose(0, slot, b));
        for (int a = 0; a < quorums.fast(); a++) inject(Principal.node(a), index, new Accepted(0, slot, b.digest()));
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

    /** Replaces node {@code index} by one recovered from its disk, with a fresh application. */
    void restart(int index) {
        machines[index] = new AppendLog();
        nodes[index] = ExecutionNode.recover(spec, quorums, config, id(index), signer(id(index)), keys, machines[index],
                disks[index]);
        Outbox out = new Outbox();
        nodes[index].start(now, out);
        collect(index, out);
    }

    void collect(int index, Outbox out) {
        for (Object p : out.persists()) disks[index].add((ExecutionPersisted) p);
        for (Outbox.Send s : out.sends()) {
            if (s.to().kind() == Principal.Kind.CLIENT) {
                replies[index].add((Reply) s.message());
            } else {
                inFlight.add(new InFlight(id(index), s.to(), s.message()));
            }
        }
        delivered[index].addAll(out.deliveries());
        out.clear();
    }

    /**
     * Delivers (and removes) every in-flight message matching {@code which}, repeatedly, until
     * none is left. Messages to an isolated node are dropped. Agreement nodes answer
     * DECISION-QUERY from {@link #decided} (if {@link #agreementAnswersQueries}); anything else
     * sent to them is dropped.
     */
    int deliver(Predicate<InFlight> which) {
        int count = 0;
        while (true) {
            List<InFlight> now = new ArrayList<>();
            for (Iterator<InFlight> it = inFlight.iterator(); it.hasNext(); ) {
                InFlight m = it.next();
                if (which.test(m)) {
                    now.add(m);
                    it.remove();
                }
            }
            if (now.isEmpty()) return count;
            for (InFlight m : now) {
                count++;
                int to = (int) m.to().id();
                if (to < agreementNodes) {
                    if (m.message() instanceof DecisionQuery q && agreementAnswersQueries) answer(to, m.from(), q);
                } else if (!isolated.contains(index(to))) {
                    inject(Principal.node(m.from()), index(to), m.message());
                }
            }
        }
    }

    private void answer(int agreementNode, int learner, DecisionQuery q) {
        for (long s = Math.max(q.fromSlot(), retainedFrom); s < q.fromSlot() + q.count(); s++) {
            Batch b = decided.get(s);
            if (b != null) inject(Principal.node(agreementNode), index(learner), new Decided(s, b));
        }
    }

    int drop(Predicate<InFlight> which) {
        int before = inFlight.size();
        inFlight.removeIf(which);
        return before - inFlight.size();
    }

    static Predicate<InFlight> to(int nodeId) {
        return m -> m.to().equals(Principal.node(nodeId));
    }

    static Predicate<InFlight> ofType(Class<? extends Message> type) {
        return m -> type.isInstance(m.message());
    }
}
