package io.bulwark.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Commit;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.SignedAccept;
import io.bulwark.core.step.Outbox;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Agreement nodes driven by hand: the common case, the slow path, restarts and bad input. */
class AgreementNodeTest {

    @Test
    void commonCaseDecidesOnFastQuorumOfAcceptedWithoutAnySignedAccept() {
        ManualCluster c = new ManualCluster(1, 1, 1);
        Request r = c.request(0, 1, "put k v");
        c.inject(Principal.client(0), 0, r);
        // PROPOSE then ACCEPTED: two message delays; no slow-path message is ever needed.
        c.deliver(m -> m.message() instanceof Propose);
        c.deliver(m -> m.message() instanceof Accepted);
        assertThat(c.inFlight).noneMatch(m -> m.message() instanceof SignedAccept || m.message() instanceof Commit);
        for (int n = 0; n < 6; n++) {
            assertThat(c.deliveries(n)).singleElement().satisfies(d -> assertThat(d.batch().requests()).containsExactly(r));
            assertThat(c.nodes[n].learner().learnedFast()).isEqualTo(1);
        }
        assertThat(c.toClients.get(0L)).hasSize(6).allMatch(m -> m instanceof Reply rep && rep.slot() == 0);
    }

    @Test
    void fastPathSurvivesTSilentAcceptors() {
        ManualCluster c = new ManualCluster(1, 1, 1, 5); // node 5 silent: a - t = 5 of 6 still answer
        Request r = c.request(0, 1, "op");
        c.inject(Principal.client(0), 0, r);
        c.deliver(m -> m.to().id() != 5 && (m.message() instanceof Propose || m.message() instanceof Accepted));
        for (int n = 0; n < 5; n++) assertThat(c.deliveries(n)).hasSize(1);
    }

    @Test
    void slowPathDecidesWhenTheFastQuorumCannotForm() {
        ManualCluster c = new ManualCluster(1, 0, 1, 3); // a = 4, fast quorum 4, node 3 silent
        Request r = c.request(0, 1, "op");
        c.inject(Principal.client(0), 0, r);
        c.deliver(m -> m.to().id() != 3 && (m.message() instanceof Propose || m.message() instanceof Accepted));
        for (int n = 0; n < 3; n++) assertThat(c.deliveries(n)).isEmpty();
        c.advance(c.config.slowPathDelayNanos());
        for (int n = 0; n < 3; n++) c.fire(n, new AgreementNode.SlowPathTimer(0));
        c.deliver(m -> m.to().id() != 3);
        for (int n = 0; n < 3; n++) {
            assertThat(c.deliveries(n)).singleElement().satisfies(d -> assertThat(d.batch().requests()).containsExactly(r));
            assertThat(c.nodes[n].learner().learnedSlow()).isEqualTo(1);
        }
    }

    @Test
    void aRestartedAcceptorKeepsItsVoteAndItsPromise() {
        ManualCluster c = new ManualCluster(1, 1, 1);
        Request r = c.request(0, 1, "op");
        c.inject(Principal.client(0), 0, r);
        c.deliver(m -> m.message() instanceof Propose && m.to().id() == 2);
        assertThat(c.disks[2]).anyMatch(p -> p instanceof Persisted.Voted v && v.slot() == 0);

        AgreementNode restarted = AgreementNode.recover(c.spec, c.config, 2, c.signer(2), c.keys, new int[0], c.disks[2]);
        assertThat(restarted.acceptor().votes()).containsKey(0L);
        // A second, different proposal for the same (pn, slot) is refused after the restart too.
        Propose equivocation = new Propose(0, 0, c.batch(c.request(0, 2, "other")));
        Outbox out = new Outbox();
        restarted.onMessage(c.now, Principal.node(0), equivocation, out);
        assertThat(out.sends()).noneMatch(s -> s.message() instanceof Accepted a && a.digest().equals(equivocation.batch().digest()));
        assertThat(restarted.acceptor().rejectedProposals()).isEqualTo(1);
    }

    @Test
    void proposalsFromANonLeaderOrWithForgedRequestsAreRefused() {
        ManualCluster c = new ManualCluster(1, 1, 2);
        Request real = c.request(0, 1, "op");
        // Node 3 is not the leader of pn 0.
        Outbox out = new Outbox();
        c.nodes[1].onMessage(c.now, Principal.node(3), new Propose(0, 0, c.batch(real)), out);
        assertThat(out.sends()).isEmpty();
        // The leader cannot invent a request for client 1: the signature does not verify.
        Request forged = new Request(1, 1, real.operation(), real.signature());
        c.nodes[1].onMessage(c.now, Principal.node(0), new Propose(0, 0, c.batch(forged)), out);
        assertThat(out.sends()).isEmpty();
        assertThat(c.nodes[1].acceptor().rejectedProposals()).isEqualTo(2);
    }

    @Test
    void aLaggingLearnerCatchesUpFromFPlusOneMatchingDecisions() {
        ManualCluster c = new ManualCluster(1, 1, 1);
        for (int i = 1; i <= 3; i++) {
            c.inject(Principal.client(0), 0, c.request(0, i, "op" + i));
            c.deliver(m -> m.to().id() != 4);
            c.drop(m -> m.to().id() == 4);
        }
        assertThat(c.deliveries(4)).isEmpty();
        assertThat(c.deliveries(0)).hasSize(3);
        // Node 4 hears that a later slot was decided, notices the gap on its heartbeats, and asks its peers.
        c.inject(Principal.node(0), 4, new io.bulwark.core.message.Decided(2, c.deliveries(0).get(2).batch()));
        for (int i = 0; i < 3; i++) {
            c.advance(c.config.heartbeatNanos());
            c.fire(4, AgreementNode.HeartbeatTimer.INSTANCE);
        }
        c.deliver(m -> true);
        assertThat(c.deliveries(4)).hasSize(3);
        assertThat(c.deliveries(4).stream().map(d -> d.batch()).toList())
                .isEqualTo(c.deliveries(0).stream().map(d -> d.batch()).toList());
        assertThat(c.nodes[4].learner().learnedFromPeers()).isEqualTo(3);
    }

    @Test
    void checkpointsBecomeStableAndLetAcceptorsForgetOldVotes() {
        ManualCluster c = new ManualCluster(1, 1, 1);
        int interval = c.config.checkpointInterval();
        for (int i = 1; i <= interval; i++) {
            c.inject(Principal.client(0), 0, c.request(0, i, "op" + i));
            c.deliver(m -> true);
        }
        for (int n = 0; n < 6; n++) {
            assertThat(c.nodes[n].stableSlot()).isEqualTo(interval - 1);
            assertThat(c.nodes[n].acceptor().votes()).isEmpty();
            assertThat(c.disks[n]).anyMatch(p -> p instanceof Persisted.Stable);
        }
        List<Persisted> disk = c.disks[3];
        AgreementNode restarted = AgreementNode.recover(c.spec, c.config, 3, c.signer(3), c.keys, new int[0], disk);
        assertThat(restarted.stableSlot()).isEqualTo(interval - 1);
        assertThat(restarted.nextSlotToDeliver()).isEqualTo(interval);
    }
}
