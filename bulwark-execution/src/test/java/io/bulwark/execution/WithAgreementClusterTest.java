package io.bulwark.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.agreement.AgreementNode;
import io.bulwark.agreement.FabConfig;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.PublicKeyDirectory;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.step.Outbox;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Execution nodes fed by the real FaB agreement cores (AgreementNode with the execution nodes
 * as external learners), message round by message round: the request path takes four
 * one-way delays, client → leader → acceptors → execution nodes → client.
 */
class WithAgreementClusterTest {
    record InFlight(Principal from, Principal to, Message message) {}

    final ClusterSpec spec = new ClusterSpec(1, 1, 1, -1);
    final FabConfig fab = FabConfig.defaults(1, 1);
    final ExecutionConfig config = ExecutionConfig.defaults().withCheckpointInterval(4);
    final Map<Principal, Signer> signers = new HashMap<>();
    final PublicKeyDirectory keys;
    final AgreementNode[] agreement = new AgreementNode[spec.agreementNodes()];
    final ExecutionNode[] execution = new ExecutionNode[spec.executionNodes()];
    final AppendLog[] machines = new AppendLog[spec.executionNodes()];
    final List<InFlight> inFlight = new ArrayList<>();
    final List<Reply> toClient = new ArrayList<>();
    final Set<Integer> down = new java.util.HashSet<>();
    long now = 5_000_000_000L;

    WithAgreementClusterTest() {
        Random random = new Random(11);
        Map<Principal, Bytes> publicKeys = new HashMap<>();
        List<Principal> all = new ArrayList<>();
        for (int i = 0; i < spec.totalNodes(); i++) all.add(Principal.node(i));
        all.add(Principal.client(0));
        for (Principal p : all) {
            Bytes sk = Ed25519Keys.generateSecretKey(random);
            signers.put(p, Ed25519Keys.signer(p, sk));
            publicKeys.put(p, Ed25519Keys.publicKeyOf(sk));
        }
        keys = new PublicKeyDirectory(publicKeys);
        int a = spec.agreementNodes();
        int[] learners = new int[spec.executionNodes()];
        for (int i = 0; i < learners.length; i++) learners[i] = a + i;
        for (int i = 0; i < a; i++) {
            agreement[i] = new AgreementNode(spec, fab, i, signers.get(Principal.node(i)), keys, learners);
            Outbox out = new Outbox();
            agreement[i].start(now, out);
            collect(Principal.node(i), out);
        }
        for (int i = 0; i < execution.length; i++) {
            machines[i] = new AppendLog();
            execution[i] = new ExecutionNode(spec, spec.quorums(), config, a + i, signers.get(Principal.node(a + i)), keys,
                    machines[i]);
            Outbox out = new Outbox();
            execution[i].start(now, out);
            collect(Principal.node(a + i), out);
        }
    }

    Request request(long timestamp, String op) {
        Bytes operation = Bytes.ofUtf8(op);
        return new Request(0, timestamp, operation,
                signers.get(Principal.client(0)).sign(WireCodec.requestSignedBytes(0, timestamp, operation)));
    }

    void collect(Principal from, Outbox out) {
        for (Outbox.Send s : out.sends()) {
            if (s.to().kind() == Principal.Kind.CLIENT) {
                if (s.message() instanceof Reply r && from.id() >= spec.agreementNodes()) toClient.add(r);
            } else {
                inFlight.add(new InFlight(from, s.to(), s.message()));
            }
        }
        out.clear();
    }

    void send(Principal from, Principal to, Message m) {
        int id = (int) to.id();
        if (down.contains(id)) return;
        Outbox out = new Outbox();
        if (id < spec.agreementNodes()) {
            agreement[id].onMessage(now, from, m, out);
        } else {
            execution[id - spec.agreementNodes()].onMessage(now, from, m, out);
        }
        collect(to, out);
    }

    /** Delivers everything in flight now (one message delay); returns how many. */
    int round() {
        now += 1_000_000;
        List<InFlight> current = new ArrayList<>(inFlight);
        inFlight.clear();
        for (InFlight m : current) send(m.from(), m.to(), m.message());
        return current.size();
    }

    void heartbeatAll() {
        now += fab.heartbeatNanos();
        for (int i = 0; i < agreement.length; i++) {
            if (down.contains(i)) continue;
            Outbox out = new Outbox();
            agreement[i].onTimer(now, AgreementNode.HeartbeatTimer.INSTANCE, out);
            collect(Principal.node(i), out);
        }
        for (int i = 0; i < execution.length; i++) {
            if (down.contains(spec.agreementNodes() + i)) continue;
            Outbox out = new Outbox();
            execution[i].onTimer(now, ExecutionNode.HeartbeatTimer.INSTANCE, out);
            collect(Principal.node(spec.agreementNodes() + i), out);
        }
    }

    @Test
    void aRequestIsExecutedAndAnsweredByEveryExecutionNodeFourDelaysAfterTheClientSentIt() {
        Request r = request(1, "hello");
        send(Principal.client(0), Principal.node(spec.leaderOf(0)), r); // delay 1: client → leader
        round(); // delay 2: PROPOSE → acceptors and execution nodes
        round(); // delay 3: ACCEPTED → learners, including the execution nodes, which execute
        assertThat(toClient).hasSize(spec.executionNodes()); // delay 4: REPLY → client
        assertThat(toClient).allMatch(x -> x.equals(new Reply(0, 1, 0, Bytes.ofUtf8("1:hello"))));
        for (AppendLog m : machines) assertThat(m.entries).hasSize(1);
    }

    @Test
    void checkpointsCertifyAndALaggingExecutionNodeCatchesUpFromTheAgreementNodes() {
        int lagging = spec.agreementNodes() + 2;
        down.add(lagging);
        for (int t = 1; t <= 8; t++) {
            send(Principal.client(0), Principal.node(0), request(t, "op" + t));
            while (round() > 0) { }
        }
        assertThat(execution[0].certifiedCheckpoint().slot()).isEqualTo(7);
        // The agreement nodes saw g + 1 matching execution checkpoints too (their flow control).
        for (AgreementNode n : agreement) assertThat(n.executedSlot()).isEqualTo(7);
        assertThat(execution[2].nextSlot()).isZero();
        down.remove(lagging);
        // It learns from f + 1 matching DECIDED answers to its DECISION-QUERY (the agreement
        // nodes still hold these slots), and from the certified checkpoints re-sent meanwhile.
        for (int h = 0; h < 40 && execution[2].nextSlot() < 8; h++) {
            heartbeatAll();
            while (round() > 0) { }
        }
        assertThat(execution[2].nextSlot()).isEqualTo(8);
        assertThat(machines[2].entries).isEqualTo(machines[0].entries);
        assertThat(execution[2].replyCache()).isEqualTo(execution[0].replyCache());
        assertThat(execution[2].stateTransfersRejected()).isZero();
    }
}
