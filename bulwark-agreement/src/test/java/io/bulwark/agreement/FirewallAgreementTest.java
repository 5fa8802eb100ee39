package io.bulwark.agreement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.RequestAuthenticator;
import io.bulwark.core.crypto.ThresholdVerifier;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.DecisionSignature;
import io.bulwark.core.message.ExecutedCertificate;
import io.bulwark.core.message.FilterIncarnation;
import io.bulwark.core.message.ExecutionCheckpoint;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Ordered;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.ViewChange;
import io.bulwark.core.step.Outbox;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Agreement nodes in firewall mode (docs/firewall.md), driven by hand: signed ORDERED to row 0,
 * re-sent until row 0 acknowledges it, and EXECUTED-CERTIFICATEs as flow control.
 */
class FirewallAgreementTest {
    /** f = t = g = h = 1: agreement nodes 0..5, execution nodes 6..8, filter rows {9, 10} and {11, 12}. */
    static final ClusterSpec SPEC = new ClusterSpec(1, 1, 1, 1);
    static final int ROW0_A = 9, ROW0_B = 10, ROW1 = 11, EXECUTION = 6;

    /**
     * A stand-in for the execution cluster's threshold key (the agreement node only calls
     * {@code verify}): the "signature" on m is SHA-256(label || m), unique and checkable.
     */
    static final class StandInExecutionKey implements ThresholdVerifier {
        static Bytes sign(byte[] message) {
            try {
                MessageDigest sha = MessageDigest.getInstance("SHA-256");
                sha.update("stand-in execution key".getBytes(StandardCharsets.US_ASCII));
                return Bytes.wrapOwned(sha.digest(message));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public int threshold() {
            return 2;
        }

        @Override
        public int signers() {
            return 3;
        }

        @Override
        public int verifyShare(byte[] message, Bytes share) {
            return 0;
        }

        @Override
        public Optional<Bytes> combine(byte[] message, List<Bytes> shares) {
            return Optional.empty();
        }

        @Override
        public boolean verify(byte[] message, Bytes signature) {
            return sign(message).equals(signature);
        }
    }

    static ManualCluster cluster(FabConfig config, int clients) {
        return new ManualCluster(SPEC, config, new StandInExecutionKey(), clients);
    }

    static ExecutedCertificate certificate(long slot) {
        Digest root = Digest.sha256(new byte[] {(byte) slot});
        return new ExecutedCertificate(slot, root, StandInExecutionKey.sign(WireCodec.slotRepliesSignedBytes(slot, root)));
    }

    /** Messages node {@code from} left for non-agreement nodes, in order. */
    static List<ManualCluster.InFlight> outside(ManualCluster c, int from) {
        return c.inFlight.stream().filter(m -> m.from() == from && m.to().id() >= SPEC.agreementNodes()).toList();
    }

    /** Decides one request per client 0..n-1, one slot each. */
    static void decide(ManualCluster c, int n) {
        for (int i = 0; i < n; i++) {
            c.inject(Principal.client(i), 0, c.request(i, 1, "op" + i));
            c.deliver(m -> true);
        }
    }

    @Test
    void eachDeliveredSlotGoesUpAsOrderedSignedByTheNodeToEveryRowZeroFilterOnly() {
        ManualCluster c = cluster(FabConfig.defaults(1, 1), 2);
        decide(c, 2);
        for (int n = 0; n < 6; n++) {
            List<ManualCluster.InFlight> sent = outside(c, n);
            assertThat(sent).extracting(ManualCluster.InFlight::to).containsExactly(
                    Principal.node(ROW0_A), Principal.node(ROW0_B), Principal.node(ROW0_A), Principal.node(ROW0_B));
            for (int s = 0; s < 2; s++) {
                Ordered o = (Ordered) sent.get(2 * s).message();
                assertThat(sent.get(2 * s + 1).message()).isEqualTo(o);
                assertThat(o.slot()).isEqualTo(s);
                assertThat(o.batch()).isEqualTo(c.deliveries(n).get(s).batch());
                DecisionSignature sig = o.proof().getFirst();
                assertThat(o.proof()).hasSize(1);
                assertThat(sig.sender()).isEqualTo(n);
                assertThat(c.keys.verify(Principal.node(n), WireCodec.decisionSignedBytes(s, o.batch().digest()), sig.signature()))
                        .isTrue();
            }
            assertThat(c.nodes[n].orderedSent()).isEqualTo(2);
        }
        // Nothing to clients: the certified replies come from the filters.
        assertThat(c.toClients).isEmpty();
    }

    /** Fires node {@code n}'s heartbeat until the next ORDERED re-send round has run. */
    static void resendRound(ManualCluster c, int n) {
        for (int i = 0; i < AgreementNode.ORDERED_RESEND_HEARTBEATS; i++) {
            c.advance(c.config.heartbeatNanos());
            c.fire(n, AgreementNode.HeartbeatTimer.INSTANCE);
        }
    }

    /** The ORDERED node {@code n} left for {@code filter}, by slot, and forgets everything in flight. */
    static List<Long> orderedTo(ManualCluster c, int n, int filter) {
        List<Long> slots = outside(c, n).stream().filter(m -> m.to().equals(Principal.node(filter)) && m.message() instanceof Ordered)
                .map(m -> ((Ordered) m.message()).slot()).toList();
        return slots;
    }

    @Test
    void rowZeroGetsOrderedAgainUntilItAcknowledgesTheSlotAndNeverHasToAsk() {
        ManualCluster c = cluster(FabConfig.defaults(1, 1), 3);
        decide(c, 3);
        List<Message> original = outside(c, 2).stream().filter(m -> m.to().id() == ROW0_A).map(ManualCluster.InFlight::message)
                .toList();
        c.inFlight.clear();

        // The first round only notes what was delivered; the next re-sends it, the same signed bytes, to both filters.
        resendRound(c, 2);
        assertThat(orderedTo(c, 2, ROW0_A)).isEmpty();
        resendRound(c, 2);
        assertThat(outside(c, 2).stream().filter(m -> m.to().id() == ROW0_A).map(ManualCluster.InFlight::message).toList())
                .containsExactlyElementsOf(original.reversed());
        assertThat(orderedTo(c, 2, ROW0_B)).containsExactly(2L, 1L, 0L);
        c.inFlight.clear();

        // An EXECUTED-CERTIFICATE from a filter acknowledges that slot for that filter only.
        c.inject(Principal.node(ROW0_A), 2, certificate(1));
        resendRound(c, 2);
        assertThat(orderedTo(c, 2, ROW0_A)).containsExactly(2L, 0L);
        assertThat(orderedTo(c, 2, ROW0_B)).containsExactly(2L, 1L, 0L);
        c.inFlight.clear();
        c.inject(Principal.node(ROW0_A), 2, certificate(0));
        c.inject(Principal.node(ROW0_A), 2, certificate(2));
        assertThat(c.nodes[2].acknowledgedThrough(0)).isEqualTo(2);
        resendRound(c, 2);
        assertThat(orderedTo(c, 2, ROW0_A)).isEmpty();
        assertThat(c.nodes[2].orderedResent()).isEqualTo(3 + 3 + 2 + 3 + 3);
        c.inFlight.clear();

        // Queries are not answered (row 0 never asks: its progress is timing), whoever sends them.
        long ignored = c.nodes[2].ignoredMessages();
        c.inject(Principal.node(ROW0_B), 2, new DecisionQuery(0, 3));
        c.inject(Principal.node(ROW1), 2, new DecisionQuery(0, 3));
        assertThat(outside(c, 2)).isEmpty();
        assertThat(c.nodes[2].ignoredMessages()).isEqualTo(ignored + 2);
        // An acknowledgement far beyond what a filter could have is not kept (bounded memory).
        c.inject(Principal.node(ROW0_B), 2, certificate(1 + c.config.retainedSlots()));
        c.inject(Principal.node(ROW0_B), 2, certificate(0));
        assertThat(c.nodes[2].acknowledgedThrough(1)).isZero();
    }

    @Test
    void aClientThatReSendsItsDecidedRequestGetsItsSlotReSentToRowZeroOncePerHeartbeat() {
        ManualCluster c = cluster(FabConfig.defaults(1, 1), 2);
        decide(c, 2);
        // Both filters acknowledged everything: the periodic re-sends have nothing to do.
        for (long slot = 0; slot < 2; slot++) {
            c.inject(Principal.node(ROW0_A), 2, certificate(slot));
            c.inject(Principal.node(ROW0_B), 2, certificate(slot));
        }
        c.inFlight.clear();
        // Yet client 1 re-sends its request (say row 0 restarted and forgot slot 1): slot 1's ORDERED again.
        Request again = c.request(1, 1, "op1");
        c.inject(Principal.client(1), 2, again);
        assertThat(orderedTo(c, 2, ROW0_A)).containsExactly(1L);
        assertThat(orderedTo(c, 2, ROW0_B)).containsExactly(1L);
        c.inject(Principal.client(1), 2, again);
        assertThat(orderedTo(c, 2, ROW0_A)).containsExactly(1L); // once per client per heartbeat
        // A request that is not the client's last decided one (or from another client) re-sends nothing.
        c.inject(Principal.client(0), 2, c.request(0, 7, "new"));
        assertThat(orderedTo(c, 2, ROW0_A)).containsExactly(1L);
        c.advance(c.config.heartbeatNanos());
        c.fire(2, AgreementNode.HeartbeatTimer.INSTANCE);
        c.inject(Principal.client(1), 2, again);
        assertThat(orderedTo(c, 2, ROW0_A)).containsExactly(1L, 1L);
    }

    @Test
    void aNewIncarnationOfARowZeroFilterMakesTheNodeSendItEveryRetainedSlotAgain() {
        ManualCluster c = cluster(FabConfig.defaults(1, 1), 3);
        c.inject(Principal.node(ROW0_A), 2, new FilterIncarnation(7));
        decide(c, 3);
        for (long slot = 0; slot < 3; slot++) c.inject(Principal.node(ROW0_A), 2, certificate(slot));
        c.inFlight.clear();
        resendRound(c, 2);
        resendRound(c, 2);
        assertThat(orderedTo(c, 2, ROW0_A)).isEmpty();
        // The same incarnation again (every heartbeat): nothing changes.
        c.inject(Principal.node(ROW0_A), 2, new FilterIncarnation(7));
        resendRound(c, 2);
        assertThat(orderedTo(c, 2, ROW0_A)).isEmpty();
        assertThat(c.nodes[2].filterRestartsSeen()).isZero();
        // Restarted: it holds nothing, so everything retained goes to it again; the other filter is not concerned.
        c.inject(Principal.node(ROW0_A), 2, new FilterIncarnation(8));
        assertThat(c.nodes[2].acknowledgedThrough(0)).isEqualTo(-1);
        resendRound(c, 2);
        assertThat(orderedTo(c, 2, ROW0_A)).containsExactly(2L, 1L, 0L);
        assertThat(c.nodes[2].filterRestartsSeen()).isEqualTo(1);
        // From anyone but a row-0 filter it is ignored.
        long ignored = c.nodes[2].ignoredMessages();
        c.inject(Principal.node(ROW1), 2, new FilterIncarnation(9));
        c.inject(Principal.node(1), 2, new FilterIncarnation(9));
        assertThat(c.nodes[2].ignoredMessages()).isEqualTo(ignored + 2);
        assertThat(c.nodes[2].filterRestartsSeen()).isEqualTo(1);
    }

    @Test
    void aSlotNeverAcknowledgedIsReSentForABoundedNumberOfRoundsThenOnlyForItsClient() {
        ManualCluster c = cluster(FabConfig.defaults(1, 1), 1);
        decide(c, 1);
        c.inFlight.clear();
        for (int round = 0; round <= AgreementNode.ORDERED_RESENDS_PER_SLOT_MAX + 3; round++) resendRound(c, 2);
        assertThat(orderedTo(c, 2, ROW0_A)).hasSize(AgreementNode.ORDERED_RESENDS_PER_SLOT_MAX);
        assertThat(c.nodes[2].orderedResendsGivenUp()).isEqualTo(2); // one per filter
        assertThat(c.nodes[2].acknowledgedThrough(0)).isZero();
        c.inFlight.clear();
        c.inject(Principal.client(0), 2, c.request(0, 1, "op0"));
        assertThat(orderedTo(c, 2, ROW0_A)).containsExactly(0L);
    }

    @Test
    void aFilterThatNeverAcknowledgesGetsAtMostABudgetPerRound() {
        // A window that does not bind, so that more slots are delivered than one round re-sends.
        ManualCluster c = cluster(FabConfig.defaults(1, 1).withFirewallExecutionWindow(256), AgreementNode.ORDERED_RESENDS_PER_ROUND + 6);
        decide(c, AgreementNode.ORDERED_RESENDS_PER_ROUND + 6);
        c.inFlight.clear();
        resendRound(c, 2);
        resendRound(c, 2);
        // Newest first: a filter that fell behind moves its window up to where the cluster is.
        long newest = AgreementNode.ORDERED_RESENDS_PER_ROUND + 5;
        assertThat(orderedTo(c, 2, ROW0_A)).hasSize(AgreementNode.ORDERED_RESENDS_PER_ROUND).startsWith(newest, newest - 1)
                .doesNotContain(0L);
        assertThat(orderedTo(c, 2, ROW0_B)).hasSize(AgreementNode.ORDERED_RESENDS_PER_ROUND);
        // The next round goes on below where this one stopped, then back to the newest: every slot has its turn.
        c.inFlight.clear();
        resendRound(c, 2);
        assertThat(orderedTo(c, 2, ROW0_A)).startsWith(5L, 4L, 3L, 2L, 1L, 0L, newest, newest - 1)
                .hasSize(AgreementNode.ORDERED_RESENDS_PER_ROUND);
    }

    @Test
    void executedCertificatesFromRowZeroAloneMoveTheExecutionWindow() {
        ManualCluster c = cluster(FabConfig.defaults(1, 1).withFirewallExecutionWindow(2), 4);
        decide(c, 2); // slots 0 and 1: the window (nothing executed yet, 2 slots) is full
        Request r2 = c.request(2, 1, "op2");
        Request r3 = c.request(3, 1, "op3");
        for (int n = 0; n < 6; n++) {
            c.inject(Principal.client(2), n, r2);
            c.inject(Principal.client(3), n, r3);
        }
        c.deliver(m -> true);
        assertThat(c.inFlight).noneMatch(m -> m.message() instanceof Propose p && p.slot() == 2);
        assertThat(c.nodes[0].nextSlotToDeliver()).isEqualTo(2);
        // Held back by the execution cluster is not the leader's fault.
        c.advance(3 * c.config.requestTimeoutNanos());
        for (int n = 0; n < 6; n++) c.fire(n, AgreementNode.HeartbeatTimer.INSTANCE);
        assertThat(c.inFlight).noneMatch(m -> m.message() instanceof ViewChange);

        // None of these moves it: a forged certificate, a valid one from outside row 0, and g + 1
        // execution checkpoints (in firewall mode those must not even leave the execution cluster).
        ExecutedCertificate valid = certificate(0);
        ExecutedCertificate forged = new ExecutedCertificate(0, valid.root(), StandInExecutionKey.sign(new byte[] {1}));
        ExecutedCertificate otherRoot = new ExecutedCertificate(0, Digest.ZERO, valid.signature());
        for (int n = 0; n < 6; n++) {
            c.inject(Principal.node(ROW0_A), n, forged);
            c.inject(Principal.node(ROW0_A), n, otherRoot);
            c.inject(Principal.node(ROW1), n, valid);
            c.inject(Principal.node(EXECUTION), n, valid);
            c.inject(Principal.node(1), n, valid);
            for (int e = EXECUTION; e < EXECUTION + 2; e++) {
                Digest d = Digest.ZERO;
                c.inject(Principal.node(e), n,
                        new ExecutionCheckpoint(e, 1, d, c.signer(e).sign(WireCodec.executionCheckpointSignedBytes(e, 1, d))));
            }
            assertThat(c.nodes[n].executedSlot()).isEqualTo(-1);
            assertThat(c.nodes[n].forgedExecutedCertificates()).isEqualTo(2);
        }
        c.deliver(m -> true);
        assertThat(c.inFlight).noneMatch(m -> m.message() instanceof Propose p && p.slot() == 2);

        // A valid one from row 0: the leader proposes slot 2, with both waiting requests in one batch.
        for (int n = 0; n < 6; n++) c.inject(Principal.node(ROW0_A), n, valid);
        c.deliver(m -> true);
        for (int n = 0; n < 6; n++) {
            assertThat(c.nodes[n].executedSlot()).isZero();
            assertThat(c.nodes[n].executedCertificates()).isEqualTo(1);
            assertThat(c.deliveries(n)).hasSize(3);
            assertThat(c.deliveries(n).get(2).batch().requests()).containsExactlyInAnyOrder(r2, r3);
        }
        // The other filter's copy, and an older slot, are late; a later slot moves it on.
        c.inject(Principal.node(ROW0_B), 0, valid);
        c.inject(Principal.node(ROW0_B), 0, certificate(2));
        c.inject(Principal.node(ROW0_B), 0, certificate(1));
        assertThat(c.nodes[0].executedSlot()).isEqualTo(2);
        assertThat(c.nodes[0].lateExecutedCertificates()).isEqualTo(2);
    }

    @Test
    void aRestartedNodeCountsWhatItDeliveredAsExecutedAndAcknowledged() {
        ManualCluster c = cluster(FabConfig.defaults(1, 1), 2);
        decide(c, 2);
        AgreementNode restarted = AgreementNode.recover(SPEC, c.config, 3, c.signer(3), c.keys, RequestAuthenticator.NONE,
                new int[0], c.disks[3], new StandInExecutionKey());
        // No certificate is re-sent to an idle cluster: after a restart, what was delivered counts as executed,
        // and as acknowledged by the filters (they got it before, or get it from the other nodes).
        assertThat(c.nodes[3].executedSlot()).isEqualTo(-1);
        assertThat(restarted.executedSlot()).isEqualTo(1);
        assertThat(restarted.acknowledgedThrough(0)).isEqualTo(1);
        assertThat(restarted.acknowledgedThrough(1)).isEqualTo(1);
        Outbox out = new Outbox();
        for (int i = 0; i < 2 * AgreementNode.ORDERED_RESEND_HEARTBEATS; i++) {
            restarted.onTimer(c.now + (i + 1) * c.config.heartbeatNanos(), AgreementNode.HeartbeatTimer.INSTANCE, out);
        }
        assertThat(out.sends()).noneMatch(x -> x.message() instanceof Ordered);
    }

    @Test
    void firewallModeNeedsTheExecutionKeyAndNoExternalLearners() {
        ManualCluster c = cluster(FabConfig.defaults(1, 1), 0);
        assertThatThrownBy(() -> new AgreementNode(SPEC, c.config, 0, c.signer(0), c.keys, new int[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AgreementNode(SPEC, c.config, 0, c.signer(0), c.keys, RequestAuthenticator.NONE,
                new int[] {6, 7, 8}, new StandInExecutionKey())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AgreementNode(new ClusterSpec(1, 1, 1, -1), c.config, 0, c.signer(0), c.keys,
                RequestAuthenticator.NONE, new int[] {6, 7, 8}, new StandInExecutionKey())).isInstanceOf(IllegalArgumentException.class);
        assertThat(FabConfig.defaults(1, 1).firewallExecutionWindowSlots()).isEqualTo(FabConfig.FIREWALL_EXECUTION_WINDOW_SLOTS);
        assertThat(Batch.EMPTY.isEmpty()).isTrue();
    }
}
