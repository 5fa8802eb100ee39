package io.bulwark.runtime.storage;

import io.bulwark.agreement.AgreementNode;
import io.bulwark.agreement.FabConfig;
import io.bulwark.agreement.Persisted;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.PublicKeyDirectory;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Request;
import io.bulwark.core.step.Outbox;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiPredicate;

/**
 * A small deterministic driver of real agreement cores in virtual time, to produce realistic
 * persisted logs (votes, certificates, checkpoints, view changes) for the storage tests.
 */
final class VirtualAgreementCluster {
    record Envelope(int from, Principal to, Message m) {}

    final ClusterSpec spec;
    final FabConfig config;
    final AgreementNode[] nodes;
    final List<Persisted>[] disks;
    final Map<Principal, Signer> signers = new HashMap<>();
    final PublicKeyDirectory keys;
    final ArrayDeque<Envelope> network = new ArrayDeque<>();
    final List<Map<Object, Long>> timers = new ArrayList<>();
    final List<Message> toClients = new ArrayList<>();
    long now = 1_700_000_000_000_000_000L;
    /** Messages for which this returns true are dropped (from, envelope). */
    BiPredicate<Integer, Envelope> drop = (f, e) -> false;

    @SuppressWarnings("unchecked")
    VirtualAgreementCluster(int f, int t, FabConfig config) {
        this.spec = ClusterSpec.agreementOnly(f, t);
        this.config = config;
        Random random = new Random(7);
        Map<Principal, Bytes> pks = new HashMap<>();
        List<Principal> ps = new ArrayList<>();
        for (int i = 0; i < spec.agreementNodes(); i++) ps.add(Principal.node(i));
        for (int c = 0; c < 4; c++) ps.add(Principal.client(c));
        for (Principal p : ps) {
            Bytes sk = Ed25519Keys.generateSecretKey(random);
            signers.put(p, Ed25519Keys.signer(p, sk));
            pks.put(p, Ed25519Keys.publicKeyOf(sk));
        }
        keys = new PublicKeyDirectory(pks);
        nodes = new AgreementNode[spec.agreementNodes()];
        disks = new List[nodes.length];
        for (int i = 0; i < nodes.length; i++) {
            disks[i] = new ArrayList<>();
            timers.add(new HashMap<>());
            nodes[i] = new AgreementNode(spec, config, i, signers.get(Principal.node(i)), keys, new int[0]);
            Outbox out = new Outbox();
            nodes[i].start(now, out);
            collect(i, out);
        }
    }

    Request request(long client, long ts) {
        Bytes op = Bytes.ofUtf8("op-" + client + "-" + ts);
        return new Request(client, ts, op, signers.get(Principal.client(client)).sign(WireCodec.requestSignedBytes(client, ts, op)));
    }

    void submit(Request r, int... to) {
        for (int n : to) {
            Outbox out = new Outbox();
            nodes[n].onMessage(now, Principal.client(r.clientId()), r, out);
            collect(n, out);
        }
    }

    private void collect(int node, Outbox out) {
        for (Object p : out.persists()) disks[node].add((Persisted) p);
        for (Outbox.TimerCommand t : out.timers()) {
            if (t.cancel()) timers.get(node).remove(t.key());
            else timers.get(node).put(t.key(), now + t.delayNanos());
        }
        for (Outbox.Send s : out.sends()) {
            if (s.to().kind() == Principal.Kind.CLIENT) toClients.add(s.message());
            else network.add(new Envelope(node, s.to(), s.message()));
        }
        out.clear();
    }

    /** Delivers queued messages (FIFO) until none is left. */
    void settle() {
        int guard = 0;
        while (!network.isEmpty()) {
            if (++guard > 1_000_000) throw new IllegalStateException("no quiescence");
            Envelope e = network.poll();
            if (drop.test(e.from(), e)) continue;
            int to = (int) e.to().id();
            Outbox out = new Outbox();
            nodes[to].onMessage(now, Principal.node(e.from()), e.m(), out);
            collect(to, out);
        }
    }

    /** Advances virtual time in steps, firing due timers and settling the network after each. */
    void advance(long nanos, long stepNanos) {
        long end = now + nanos;
        while (now < end) {
            now = Math.min(end, now + stepNanos);
            for (int i = 0; i < nodes.length; i++) {
                List<Object> due = new ArrayList<>();
                for (Map.Entry<Object, Long> e : timers.get(i).entrySet()) {
                    if (e.getValue() <= now) due.add(e.getKey());
                }
                for (Object key : due) {
                    timers.get(i).remove(key);
                    Outbox out = new Outbox();
                    nodes[i].onTimer(now, key, out);
                    collect(i, out);
                }
            }
            settle();
        }
    }
}
