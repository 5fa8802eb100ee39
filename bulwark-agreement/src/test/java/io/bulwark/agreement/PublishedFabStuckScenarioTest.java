package io.bulwark.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.cluster.FabQuorums;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Commit;
import io.bulwark.core.message.NewView;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.SignedAccept;
import io.bulwark.core.message.SlotReport;
import io.bulwark.core.message.ViewChange;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The liveness bug of FaB's recovery published by Abraham, Gueta, Malkhi, Alvisi, Kotla and
 * Martin, "Revisiting Fast Practical Byzantine Fault Tolerance" (arXiv 1712.01367, §3):
 * parameterized FaB with four replicas (f = 1, t = 0), the first slot, two view changes. A
 * replica ends up holding a commit proof for x from the first view while the next view's
 * votes for another value y reach the vouching threshold, so the published rule vouches for
 * nothing and every later leader is stuck.
 *
 * <p>The scenario is driven message by message against real cores. Node 0 is Byzantine (the
 * test plays it); nodes 1–3 are correct. At the third view change the progress certificate is
 * exactly the stuck one — the test checks the published rule vouches for no value there — and
 * Bulwark's rule (evidence ranked by proposal number, {@link ProgressCertificate}) picks y,
 * after which the cluster decides the slot and the client's request.
 */
class PublishedFabStuckScenarioTest {
    private static final long TIMEOUT = FabConfig.defaults(1, 0).requestTimeoutNanos() + 1;

    @Test
    void fabRecoveryThatGetsStuckInThePaperDecidesHere() {
        ManualCluster c = new ManualCluster(1, 0, 1, 0);
        FabQuorums q = c.config.quorums();
        assertThat(q.acceptors()).isEqualTo(4);

        // The faulty first leader (node 0) ignores the client; the correct nodes wait for it.
        Request rx = c.request(0, 1, "x");
        for (int n = 1; n <= 3; n++) c.inject(Principal.client(0), n, rx);
        c.drop(m -> m.to().id() == 0);

        // View 1 (leader node 1): all three correct nodes suspect node 0 and move on.
        c.advance(TIMEOUT);
        for (int n = 1; n <= 3; n++) c.fire(n, AgreementNode.HeartbeatTimer.INSTANCE);
        c.deliver(m -> m.message() instanceof ViewChange vc && vc.pn() == 1 && m.to().id() == 1);
        c.deliver(m -> m.message() instanceof NewView nv && nv.pn() == 1);
        c.drop(m -> m.message() instanceof ViewChange);
        assertThat(c.nodes[1].isLeader()).isTrue();

        // Node 1 proposes x = [rx] for slot 0; node 3 gets it, node 2 never does.
        Propose px = (Propose) c.inFlight.stream().filter(m -> m.message() instanceof Propose).findFirst().orElseThrow().message();
        Batch x = px.batch();
        c.deliver(m -> m.message() instanceof Propose && m.to().id() == 3);
        c.drop(m -> m.message() instanceof Propose || m.message() instanceof Accepted);

        // Node 3 gathers a commit proof for x from nodes 1, 3 and the faulty node 0.
        c.fire(1, new AgreementNode.SlowPathTimer(0));
        c.fire(3, new AgreementNode.SlowPathTimer(0));
        c.deliver(m -> m.message() instanceof SignedAccept && m.to().id() == 3);
        c.inject(Principal.node(0), 3, signedAccept(c, 0, 1, 0, x.digest()));
        c.drop(m -> true); // COMMITs from node 3 alone decide nothing; the rest is lost
        assertThat(c.nodes[3].acceptor().currentViewChange().reports())
                .singleElement().satisfies(r -> assertThat(r.commit()).isNotNull());

        // View 2 (leader node 2): nodes 1 and 2 move on; node 2 hears from 1 and the faulty 0
        // (who reports nothing) before node 3, so the certificate does not force x.
        c.advance(TIMEOUT);
        c.fire(1, AgreementNode.HeartbeatTimer.INSTANCE);
        c.fire(2, AgreementNode.HeartbeatTimer.INSTANCE);
        c.deliver(m -> m.message() instanceof ViewChange vc && vc.pn() == 2 && m.from() == 1 && m.to().id() == 2);
        c.inject(Principal.node(0), 2, viewChange(c, 0, 2, List.of()));
        NewView nv2 = (NewView) c.inFlight.stream().filter(m -> m.message() instanceof NewView).findFirst().orElseThrow().message();
        Batch y = nv2.proposals().getFirst().batch();
        assertThat(y.digest()).isNotEqualTo(x.digest());
        c.deliver(m -> m.message() instanceof NewView && m.to().id() == 1);
        c.drop(m -> true); // node 3 never hears of view 2; votes for y at nodes 1 and 2 go unseen

        // View 3 (leader node 3): nodes 1 and 2 move on, node 3 joins them.
        c.advance(TIMEOUT);
        c.fire(1, AgreementNode.HeartbeatTimer.INSTANCE);
        c.fire(2, AgreementNode.HeartbeatTimer.INSTANCE);
        c.deliver(m -> m.message() instanceof ViewChange vc && vc.pn() == 3 && m.to().id() == 3);
        NewView nv3 = (NewView) c.inFlight.stream().filter(m -> m.message() instanceof NewView nv && nv.pn() == 3)
                .findFirst().orElseThrow().message();

        // This is the paper's stuck certificate: a commit proof for x, and y reported twice.
        assertThat(nv3.certificate()).hasSize(3);
        assertThat(publishedRuleVouchesFor(nv3.certificate(), q, Set.of(x.digest(), y.digest()))).isEmpty();
        // Bulwark ranks evidence by proposal number: y (supported at pn 2) beats the proof from pn 1.
        assertThat(nv3.proposals().getFirst().batch()).isEqualTo(y);

        // From here on the network behaves: the slot and then the client's request get decided.
        for (int round = 0; round < 20; round++) {
            c.deliver(m -> m.to().id() != 0);
            c.drop(m -> m.to().id() == 0);
            c.advance(c.config.slowPathDelayNanos());
            for (int n = 1; n <= 3; n++) {
                for (long slot = 0; slot < 3; slot++) c.fire(n, new AgreementNode.SlowPathTimer(slot));
            }
        }
        for (int n = 1; n <= 3; n++) {
            assertThat(c.deliveries(n).get(0).batch()).isEqualTo(y);
            // Node 2's own proposal of rx (view 2, slot 1) was seen by nobody else, so slot 1 is
            // free in view 3 and filled with a no-op; rx is decided right after.
            assertThat(c.deliveries(n).stream().skip(1).flatMap(d -> d.batch().requests().stream()))
                    .containsExactly(rx);
        }
        assertThat(c.toClients.get(0L)).filteredOn(m -> m instanceof Reply r && r.timestamp() == 1).hasSize(3);
    }

    /**
     * The recovery rule as published for parameterized FaB: a value is vouched for if no other
     * value appears ⌈(a−f+1)/2⌉ times among the reported accepted values, and if some report
     * carries a commit proof, only that proof's value may be proposed.
     */
    static Set<Digest> publishedRuleVouchesFor(List<ViewChange> certificate, FabQuorums q, Set<Digest> domain) {
        int threshold = (q.acceptors() - q.f() + 2) / 2;
        Map<Digest, Integer> counts = new HashMap<>();
        Set<Digest> committed = new HashSet<>();
        for (ViewChange vc : certificate) {
            for (SlotReport r : vc.reports()) {
                if (r.vote() != null) counts.merge(r.vote().batch().digest(), 1, Integer::sum);
                if (r.commit() != null) committed.add(r.commit().digest());
            }
        }
        Set<Digest> vouched = new HashSet<>();
        for (Digest v : domain) {
            boolean outvoted = counts.entrySet().stream().anyMatch(e -> !e.getKey().equals(v) && e.getValue() >= threshold);
            if (!outvoted && (committed.isEmpty() || committed.contains(v))) vouched.add(v);
        }
        return vouched;
    }

    private static SignedAccept signedAccept(ManualCluster c, int node, long pn, long slot, Digest d) {
        return new SignedAccept(node, pn, slot, d, c.signer(node).sign(WireCodec.signedAcceptSignedBytes(node, pn, slot, d)));
    }

    private static ViewChange viewChange(ManualCluster c, int node, long pn, List<SlotReport> reports) {
        return new ViewChange(node, pn, null, reports, c.signer(node).sign(WireCodec.viewChangeSignedBytes(node, pn, null, reports)));
    }
}
