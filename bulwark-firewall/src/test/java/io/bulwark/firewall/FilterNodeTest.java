package io.bulwark.firewall;

import static io.bulwark.firewall.FirewallFixture.batch;
import static io.bulwark.firewall.FirewallFixture.destinations;
import static io.bulwark.firewall.FirewallFixture.leaf;
import static io.bulwark.firewall.FirewallFixture.messagesTo;
import static io.bulwark.firewall.FirewallFixture.nodes;
import static io.bulwark.firewall.FirewallFixture.request;
import static io.bulwark.firewall.FirewallFixture.theMessage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.ReplyMerkleTree;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.DecisionSignature;
import io.bulwark.core.message.ExecutedCertificate;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Ordered;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.SlotReplies;
import io.bulwark.core.step.Outbox;
import io.bulwark.firewall.FilterNode.DropReason;
import io.bulwark.firewall.threshold.ShoupThresholdVerifier;
import io.bulwark.firewall.threshold.SignatureShare;
import io.bulwark.firewall.threshold.TestKeys;
import java.math.BigInteger;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The filter core, rule by rule, for row 0, a middle row and row h of an h = 2 firewall (f = 1:
 * four agreement nodes, proofs of f+1 = 2 signatures; g = 1: three execution nodes, k = 2).
 * Every output of every step is checked by {@link FirewallFixture#checkOutputs}: adjacent rows
 * only, and only message types allowed in that direction.
 */
class FilterNodeTest {
    private final FirewallFixture fx = new FirewallFixture(1, 1, 2);
    private final FilterConfig config = FilterConfig.defaults();

    private final Batch batch0 = batch(request(1, 1), request(2, 1), request(3, 1));
    private final List<ReplyLeaf> replies0 = List.of(leaf(1, 1, "to client 1"), leaf(3, 1, "to client 3"));

    @Test
    void constructorChecksTheClusterAndTheKey() {
        ClusterSpec noFirewall = new ClusterSpec(1, 0, 1, -1);
        assertThatThrownBy(() -> new FilterNode(noFirewall, config, 7, fx.directory, fx.verifier))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no firewall");
        assertThatThrownBy(() -> new FilterNode(fx.spec, config, 4, fx.directory, fx.verifier))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a filter");
        var wrongKey = new ShoupThresholdVerifier(TestKeys.keysForG(2).publicKey());
        assertThatThrownBy(() -> new FilterNode(fx.spec, config, 7, fx.directory, wrongKey))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threshold key is 3 of 5");
        FilterNode node = new FilterNode(fx.spec, config, fx.filterId(1, 2), fx.directory, fx.verifier);
        assertThat(node.row()).isEqualTo(1);
        assertThat(node.id()).isEqualTo(fx.filterId(1, 2));
    }

    @Test
    void nullsAndUnknownTimersAreCountedNotThrown() {
        FilterNode node = fx.filter(0, 0, config);
        Outbox out = new Outbox();
        node.onMessage(fx.now, null, fx.single(0, 0, batch0), out);
        node.onMessage(fx.now, Principal.node(0), null, out);
        node.onTimer(fx.now, "not mine", out);
        node.onTimer(fx.now, FilterNode.ReleaseTimer.INSTANCE, out); // never armed
        assertThat(out.isEmpty()).isTrue();
        assertThat(node.malformed()).isEqualTo(2);
        assertThat(node.dropped(DropReason.UNKNOWN_TIMER)).isEqualTo(2);
    }

    // ==================================================================== row 0

    @Nested
    class Row0 {
        private final FilterNode node = fx.filter(0, 0, config);
        private final List<Principal> rowAbove = nodes(fx.row(1));

        private void passUp(long slot, Batch batch) {
            fx.fromNode(node, 0, fx.single(0, slot, batch));
            assertThat(destinations(fx.fromNode(node, 1, fx.single(1, slot, batch)))).containsExactlyElementsOf(rowAbove);
        }

        @Test
        void fPlusOneSignaturesOnTheBatchPassItUpOnceToEveryFilterAbove() {
            assertThat(fx.fromNode(node, 2, fx.single(2, 0, batch0)).sends()).as("f = 1 signature: not yet").isEmpty();
            Outbox out = fx.fromNode(node, 0, fx.single(0, 0, batch0));
            assertThat(destinations(out)).containsExactlyElementsOf(rowAbove);
            Ordered up = (Ordered) theMessage(out);
            assertThat(up.slot()).isZero();
            assertThat(up.batch()).isEqualTo(batch0);
            assertThat(up.proof()).as("f+1, sorted by sender").extracting(DecisionSignature::sender).containsExactly(0, 2);
            assertThat(up.proof()).containsExactly(fx.decision(0, 0, batch0), fx.decision(2, 0, batch0));

            assertThat(fx.fromNode(node, 1, fx.single(1, 0, batch0)).sends()).isEmpty();
            assertThat(fx.fromNode(node, 3, fx.single(3, 0, batch0)).sends()).isEmpty();
            assertThat(node.droppedDuplicate()).isEqualTo(2);
            assertThat(node.orderedPassedUp()).isEqualTo(1);
            assertThat(node.hasPassedUp(0)).isTrue();
            assertThat(node.nextSlot()).isEqualTo(1);
            assertThat(node.collectingSlotCount()).isZero();
        }

        @Test
        void fValidSignaturesAndBadOnesNeverPassTheSlotUp() {
            Batch other = batch(request(9, 9));
            assertThat(fx.fromNode(node, 0, fx.single(0, 0, batch0)).sends()).isEmpty();
            // Node 1's signature on another batch: two digests with one signature each.
            assertThat(fx.fromNode(node, 1, fx.single(1, 0, other)).sends()).isEmpty();
            // Node 2's signature on another slot, carried in an ORDERED for slot 0.
            Ordered wrongSlot = new Ordered(0, batch0, List.of(fx.decision(2, 1, batch0)));
            assertThat(fx.fromNode(node, 2, wrongSlot).sends()).isEmpty();
            // Node 3 passes off node 2's signature as its own message.
            assertThat(fx.fromNode(node, 3, fx.single(2, 0, batch0)).sends()).isEmpty();
            // Forged bytes under node 3's name.
            Ordered forged = new Ordered(0, batch0, List.of(new DecisionSignature(3, Bytes.wrapOwned(new byte[64]))));
            assertThat(fx.fromNode(node, 3, forged).sends()).isEmpty();
            // A proof of two signatures straight from an agreement node: not how agreement nodes talk.
            assertThat(fx.fromNode(node, 3, fx.proven(0, batch0, 3, 2)).sends()).isEmpty();
            // Node 0 changes its mind.
            assertThat(fx.fromNode(node, 0, fx.single(0, 0, other)).sends()).isEmpty();

            assertThat(node.droppedBadSignature()).isEqualTo(2);
            assertThat(node.malformed()).isEqualTo(2);
            assertThat(node.droppedConflicting()).isEqualTo(1);
            assertThat(node.orderedPassedUp()).isZero();
            assertThat(node.hasPassedUp(0)).isFalse();

            // Node 3's real signature on batch0 is the second one: now it passes, with 0 and 3.
            Ordered up = (Ordered) theMessage(fx.fromNode(node, 3, fx.single(3, 0, batch0)));
            assertThat(up.proof()).extracting(DecisionSignature::sender).containsExactly(0, 3);
        }

        @Test
        void orderedIsAcceptedOnlyFromAgreementNodes() {
            Ordered proven = fx.proven(0, batch0, 0, 1);
            fx.fromNode(node, fx.filterId(1, 0), proven);     // from above
            fx.fromNode(node, fx.filterId(0, 1), proven);     // same row
            fx.fromNode(node, fx.filterId(2, 0), proven);     // two rows up
            fx.fromNode(node, fx.firstExecutionNode, proven); // the execution cluster
            fx.fromClient(node, 1, proven);
            assertThat(node.droppedUnexpected()).isEqualTo(5);
            assertThat(node.orderedPassedUp()).isZero();
        }

        @Test
        void slotRepliesBecomeOneCertificatePerClientAndAnExecutedCertificatePerAgreementNode() {
            passUp(0, batch0);
            SlotReplies down = fx.slotReplies(0, replies0);
            Outbox out = fx.fromNode(node, fx.filterId(1, 2), down);

            Digest root = ReplyMerkleTree.root(0, replies0);
            List<Principal> expected = new java.util.ArrayList<>(List.of(Principal.client(1), Principal.client(3)));
            expected.addAll(nodes(fx.agreementIds()));
            assertThat(destinations(out)).containsExactlyElementsOf(expected);
            for (int i = 0; i < replies0.size(); i++) {
                ReplyLeaf leaf = replies0.get(i);
                ReplyCertificate c = (ReplyCertificate) messagesTo(out, Principal.client(leaf.clientId())).getFirst();
                assertThat(c).isEqualTo(new ReplyCertificate(0, leaf, i, 2, ReplyMerkleTree.path(0, replies0, i), down.signature()));
                // What the client checks: the path leads to a root the signature covers.
                Digest proved = ReplyMerkleTree.rootFromPath(0, c.reply(), c.leafIndex(), c.leafCount(), c.path()).orElseThrow();
                assertThat(fx.verifier.verify(WireCodec.slotRepliesSignedBytes(0, proved), c.signature())).isTrue();
            }
            assertThat(messagesTo(out, Principal.client(2))).as("client 2's request had no reply").isEmpty();
            for (int a : fx.agreementIds()) {
                assertThat(messagesTo(out, Principal.node(a))).containsExactly(new ExecutedCertificate(0, root, down.signature()));
            }
            assertThat(node.certificatesSent()).isEqualTo(2);
            assertThat(node.executedCertificatesSent()).isEqualTo(4);
            assertThat(node.hasPassedDown(0)).isTrue();

            // (d) The same replies from another filter above: passed once only.
            assertThat(fx.fromNode(node, fx.filterId(1, 0), down).sends()).isEmpty();
            assertThat(node.droppedDuplicate()).isEqualTo(1);
            assertThat(node.repliesPassedDown()).isEqualTo(1);
        }

        @Test
        void anOrderedReSentForASlotPassedDownIsAcknowledgedWithItsExecutedCertificateToTheSenderOnly() {
            // Before the replies come down there is nothing to acknowledge with.
            passUp(0, batch0);
            assertThat(fx.fromNode(node, 2, fx.single(2, 0, batch0)).sends()).isEmpty();
            SlotReplies down = fx.slotReplies(0, replies0);
            fx.fromNode(node, fx.filterId(1, 2), down);
            ExecutedCertificate executed = new ExecutedCertificate(0, ReplyMerkleTree.root(0, replies0), down.signature());

            Outbox out = fx.fromNode(node, 3, fx.single(3, 0, batch0));
            assertThat(out.sends()).containsExactly(new Outbox.Send(Principal.node(3), executed));
            assertThat(node.droppedDuplicate()).isEqualTo(2);
            // At most ACKNOWLEDGEMENTS_PER_HEARTBEAT per agreement node per heartbeat, however many it re-sends.
            for (int i = 1; i < FilterNode.ACKNOWLEDGEMENTS_PER_HEARTBEAT + 10; i++) fx.fromNode(node, 3, fx.single(3, 0, batch0));
            assertThat(node.executedCertificatesResent()).isEqualTo(FilterNode.ACKNOWLEDGEMENTS_PER_HEARTBEAT);
            assertThat(fx.fromNode(node, 1, fx.single(1, 0, batch0)).sends()).hasSize(1);
            fx.heartbeat(node);
            assertThat(fx.fromNode(node, 3, fx.single(3, 0, batch0)).sends()).hasSize(1);
        }

        @Test
        void withAReleaseIntervalAnAcknowledgementNeverOvertakesTheSchedule() {
            FilterNode scheduled = fx.filter(0, 1, config.withReleaseIntervalNanos(FilterConfig.ms(50)));
            fx.fromNode(scheduled, 0, fx.single(0, 0, batch0));
            fx.fromNode(scheduled, 1, fx.single(1, 0, batch0));
            fx.fromNode(scheduled, fx.filterId(1, 2), fx.slotReplies(0, replies0));
            // Queued for release: a re-sent ORDERED gets nothing yet.
            assertThat(fx.fromNode(scheduled, 2, fx.single(2, 0, batch0)).sends()).isEmpty();
            assertThat(fx.timer(scheduled, FilterNode.ReleaseTimer.INSTANCE).sends()).isNotEmpty();
            assertThat(fx.fromNode(scheduled, 2, fx.single(2, 0, batch0)).sends()).extracting(Outbox.Send::message)
                    .singleElement().isInstanceOf(ExecutedCertificate.class);
        }

        @Test
        void aQuietHeartbeatSendsTheLatestExecutedCertificateAgainToTheAgreementNodesOnly() {
            passUp(0, batch0);
            SlotReplies down = fx.slotReplies(0, replies0);
            fx.fromNode(node, fx.filterId(1, 2), down);
            ExecutedCertificate executed = new ExecutedCertificate(0, ReplyMerkleTree.root(0, replies0), down.signature());

            // Released since the last heartbeat: nothing again yet.
            assertThat(fx.heartbeat(node).sends()).noneMatch(s -> s.message() instanceof ExecutedCertificate);
            // Quiet: the same bytes to every agreement node, nothing to clients.
            for (int beat = 1; beat <= 3; beat++) {
                Outbox out = fx.heartbeat(node);
                for (int a : fx.agreementIds()) assertThat(messagesTo(out, Principal.node(a))).contains(executed);
                assertThat(destinations(out)).noneMatch(p -> p.kind() == Principal.Kind.CLIENT);
                assertThat(node.executedCertificatesResent()).isEqualTo(beat);
            }
        }

        @Test
        void repliesForASlotNotPassedUpAreUnsolicited() {
            assertThat(fx.fromNode(node, fx.filterId(1, 0), fx.slotReplies(0, replies0)).sends()).isEmpty();
            passUp(0, batch0);
            assertThat(fx.fromNode(node, fx.filterId(1, 0), fx.slotReplies(5, List.of())).sends()).isEmpty();
            assertThat(node.droppedUnsolicited()).isEqualTo(2);
            assertThat(node.repliesPassedDown()).isZero();
        }

        @Test
        void repliesToRequestsThatWereNotPassedUpAreDropped() {
            passUp(0, batch0);
            // All validly signed by the execution cluster: (b) alone stops them.
            List<List<ReplyLeaf>> wrong = List.of(
                    List.of(leaf(9, 1, "a client that asked nothing")),
                    List.of(leaf(1, 2, "a timestamp not in the batch")),
                    List.of(leaf(3, 1, "out of"), leaf(1, 1, "batch order")),
                    List.of(leaf(1, 1, "the same"), leaf(1, 1, "request twice")),
                    List.of(leaf(1, 1, "a"), leaf(2, 1, "b"), leaf(3, 1, "c"), leaf(4, 1, "one too many")));
            for (List<ReplyLeaf> replies : wrong) {
                assertThat(fx.fromNode(node, fx.filterId(1, 0), fx.slotReplies(0, replies)).sends()).as("%s", replies).isEmpty();
            }
            assertThat(node.droppedNotRequested()).isEqualTo(wrong.size());
            assertThat(node.hasPassedDown(0)).isFalse();
            // The right ones still pass.
            assertThat(fx.fromNode(node, fx.filterId(1, 0), fx.slotReplies(0, replies0)).sends()).hasSize(2 + 4);
        }

        @Test
        void forgedOrMisdirectedCombinedSignaturesAreDropped() {
            passUp(0, batch0);
            Bytes good = fx.signature(0, replies0);
            byte[] flipped = good.toByteArray();
            flipped[10] ^= 1;
            List<Bytes> forged = List.of(
                    fx.signature(1, replies0),                            // the same replies, another slot
                    fx.signature(0, List.of(leaf(1, 1, "to client 1"))),  // other replies of this slot
                    Bytes.wrapOwned(flipped),
                    Bytes.wrapOwned(new byte[good.length()]),
                    Bytes.EMPTY);
            for (Bytes signature : forged) {
                assertThat(fx.fromNode(node, fx.filterId(1, 1), new SlotReplies(0, replies0, signature)).sends()).isEmpty();
            }
            assertThat(node.droppedBadSignature()).isEqualTo(forged.size());
            assertThat(node.hasPassedDown(0)).as("a bad signature does not use up the slot").isFalse();
            assertThat(fx.fromNode(node, fx.filterId(1, 1), new SlotReplies(0, replies0, good)).sends()).hasSize(6);
        }

        @Test
        void aRetransmittedRequestGetsTheSameCertificateBytesAgain() {
            passUp(0, batch0);
            Outbox first = fx.fromNode(node, fx.filterId(1, 0), fx.slotReplies(0, replies0));
            ReplyCertificate sent = (ReplyCertificate) messagesTo(first, Principal.client(3)).getFirst();

            Outbox again = fx.fromClient(node, 3, request(3, 1));
            assertThat(destinations(again)).containsExactly(Principal.client(3));
            ReplyCertificate resent = (ReplyCertificate) theMessage(again);
            assertThat(WireCodec.encode(resent)).isEqualTo(WireCodec.encode(sent));
            // Any number of times, whatever the heartbeat: the same certified bytes.
            assertThat(theMessage(fx.fromClient(node, 3, request(3, 1)))).isSameAs(sent);
            assertThat(node.certificatesResent()).isEqualTo(2);

            // An older timestamp, and a request whose reply never existed (client 2: passed down, no leaf).
            assertThat(fx.fromClient(node, 3, request(3, 0)).sends()).isEmpty();
            assertThat(fx.fromClient(node, 2, request(2, 1)).sends()).isEmpty();
            assertThat(node.droppedUnsolicited()).isEqualTo(1);
            assertThat(node.dropped(DropReason.NOTHING_TO_RESEND)).isEqualTo(1);
            // A client asking about another client's request.
            assertThat(fx.fromClient(node, 1, request(3, 1)).sends()).isEmpty();
            assertThat(node.malformed()).isEqualTo(1);
        }

        @Test
        void aRequestPassedUpWithoutRepliesGoesUpAtMostOncePerHeartbeat() {
            passUp(0, batch0);
            // The client's copy differs from the ordered one: the ordered original goes up.
            Request retransmitted = new Request(2, 1, Bytes.ofUtf8("tampered"), Bytes.wrapOwned(new byte[64]));
            Outbox out = fx.fromClient(node, 2, retransmitted);
            assertThat(destinations(out)).containsExactlyElementsOf(rowAbove);
            assertThat(theMessage(out)).isEqualTo(request(2, 1));
            assertThat(fx.fromClient(node, 2, request(2, 1)).sends()).isEmpty();
            assertThat(node.droppedRateLimited()).isEqualTo(1);
            // Another client is not limited by the first.
            assertThat(destinations(fx.fromClient(node, 1, request(1, 1)))).containsExactlyElementsOf(rowAbove);

            fx.heartbeat(node);
            assertThat(destinations(fx.fromClient(node, 2, request(2, 1)))).containsExactlyElementsOf(rowAbove);
            assertThat(node.requestsForwarded()).isEqualTo(3);

            // Never passed up here: not forwarded (the client sends requests to the agreement nodes).
            assertThat(fx.fromClient(node, 7, request(7, 1)).sends()).isEmpty();
            assertThat(node.droppedUnsolicited()).isEqualTo(1);
        }

        @Test
        void certificatesLeaveOnlyAtMultiplesOfTheReleaseInterval() {
            long interval = FilterConfig.ms(10);
            FilterNode scheduled = fx.filter(0, 1, config.withReleaseIntervalNanos(interval));
            for (int a = 0; a < 2; a++) fx.fromNode(scheduled, a, fx.single(a, 0, batch0));
            Batch batch1 = batch(request(1, 2));
            for (int a = 0; a < 2; a++) fx.fromNode(scheduled, a, fx.single(a, 1, batch1));

            fx.now += FilterConfig.ms(3);
            Outbox out = fx.fromNode(scheduled, fx.filterId(1, 0), fx.slotReplies(0, replies0));
            assertThat(out.sends()).isEmpty();
            assertThat(out.timers()).containsExactly(new Outbox.TimerCommand(FilterNode.ReleaseTimer.INSTANCE, FilterConfig.ms(7), false));
            assertThat(scheduled.pendingReleases()).isEqualTo(2 + 4);
            // Not yet released: nothing to re-send, and the request does not go up (its replies passed down).
            assertThat(fx.fromClient(scheduled, 1, request(1, 1)).sends()).isEmpty();

            fx.now += FilterConfig.ms(2);
            out = fx.fromNode(scheduled, fx.filterId(1, 0), fx.slotReplies(1, List.of(leaf(1, 2, "second"))));
            assertThat(out.sends()).isEmpty();
            assertThat(out.timers()).as("already armed").isEmpty();

            fx.now += FilterConfig.ms(5);
            out = fx.timer(scheduled, FilterNode.ReleaseTimer.INSTANCE);
            assertThat(out.sends()).hasSize(2 + 4 + 1 + 4);
            assertThat(out.sends().stream().filter(s -> s.to().kind() == Principal.Kind.CLIENT).map(s -> ((ReplyCertificate) s.message()).slot()))
                    .containsExactly(0L, 0L, 1L);
            assertThat(scheduled.pendingReleases()).isZero();
            assertThat(scheduled.certificatesSent()).isEqualTo(3);
            // Released: now re-sent on request.
            assertThat(((ReplyCertificate) theMessage(fx.fromClient(scheduled, 3, request(3, 1)))).slot()).isZero();
            // Nothing queued: a release timer firing now is not one this core set.
            fx.timer(scheduled, FilterNode.ReleaseTimer.INSTANCE);
            assertThat(scheduled.dropped(DropReason.UNKNOWN_TIMER)).isEqualTo(1);
        }

        @Test
        void queriesFromAboveAreAnsweredToTheAskerAndNeverForwardedDown() {
            passUp(0, batch0);
            Batch batch1 = batch(request(1, 2));
            passUp(1, batch1);
            int asker = fx.filterId(1, 1);
            Outbox out = fx.fromNode(node, asker, new DecisionQuery(0, 10));
            assertThat(destinations(out)).containsOnly(Principal.node(asker));
            assertThat(out.sends()).extracting(s -> ((Ordered) s.message()).slot()).containsExactly(0L, 1L);
            assertThat(((Ordered) out.sends().get(1).message()).proof()).extracting(DecisionSignature::sender).containsExactly(0, 1);
            assertThat(fx.fromNode(node, asker, new DecisionQuery(1, 1)).sends()).as("once per heartbeat").isEmpty();
            assertThat(destinations(fx.fromNode(node, fx.filterId(1, 2), new DecisionQuery(1, 1)))).containsExactly(Principal.node(fx.filterId(1, 2)));
            fx.heartbeat(node);
            assertThat(fx.fromNode(node, asker, new DecisionQuery(1, 1)).sends()).hasSize(1);
            // Nothing retained there: nothing sent, and nothing asked below on the asker's behalf.
            assertThat(fx.fromNode(node, fx.filterId(1, 0), new DecisionQuery(5, 100)).sends()).isEmpty();
            // Queries from below or from clients are not for a filter to answer.
            assertThat(fx.fromNode(node, 0, new DecisionQuery(0, 10)).sends()).isEmpty();
            assertThat(fx.fromClient(node, 1, new DecisionQuery(0, 10)).sends()).isEmpty();
            assertThat(node.droppedUnexpected()).isEqualTo(2);
            assertThat(node.droppedRateLimited()).isEqualTo(1);
            assertThat(node.queriesAnswered()).isEqualTo(4);
        }

        @Test
        void rowZeroNeverAsksTheAgreementNodesForOrderedItMissesButAsksUpForOverdueReplies() {
            // Its first missing slot is its progress (timing): the agreement nodes re-send instead.
            assertThat(fx.heartbeat(node).sends()).isEmpty();
            passUp(0, batch0);
            assertThat(fx.heartbeat(node).sends()).as("something new, no gap").isEmpty();
            Outbox out = fx.heartbeat(node);
            assertThat(downward(out)).isEmpty();
            // Slot 0's replies are overdue by now: asked for from the row above (upwards only).
            for (Principal p : rowAbove) assertThat(messagesTo(out, p)).containsExactly(new DecisionQuery(0, 1));

            passUp(2, batch(request(1, 3)));
            assertThat(downward(fx.heartbeat(node))).as("a gap at 1").isEmpty();
            // The agreement nodes' re-sends fill the gap, like any ORDERED.
            Batch batch1 = batch(request(1, 2));
            fx.fromNode(node, 2, fx.single(2, 1, batch1));
            assertThat(destinations(fx.fromNode(node, 3, fx.single(3, 1, batch1)))).containsExactlyElementsOf(rowAbove);
            assertThat(node.nextSlot()).isEqualTo(3);
            assertThat(node.queriesSent()).isZero();
            assertThat(node.repliesQueriesSent()).isEqualTo(2);
        }

        /** What a heartbeat sent to the agreement nodes. */
        private List<Message> downward(Outbox out) {
            return out.sends().stream().filter(s -> s.to().kind() == Principal.Kind.NODE && fx.agreementIds().contains((int) s.to().id()))
                    .map(Outbox.Send::message).toList();
        }

        @Test
        void signaturesAreCollectedOnlyInTheWindowAndFPlusOneFarAheadMoveIt() {
            FilterNode small = fx.filter(0, 2, config.withSlots(8, 4));
            for (long slot = 0; slot < 4; slot++) fx.fromNode(small, 0, fx.single(0, slot, batch0));
            assertThat(small.collectingSlotCount()).isEqualTo(4);
            fx.fromNode(small, 0, fx.single(0, 4, batch0));
            assertThat(small.collectingSlotCount()).as("beyond the window").isEqualTo(4);
            assertThat(small.droppedOutOfWindow()).isEqualTo(1);

            // One agreement node far ahead proves nothing; f+1 do: slots up to the (f+1)-th highest exist.
            Batch batch10 = batch(request(5, 5));
            fx.fromNode(small, 0, fx.single(0, 10, batch10));
            assertThat(small.windowJumps()).isZero();
            fx.fromNode(small, 1, fx.single(1, 12, batch10));
            assertThat(small.windowJumps()).isEqualTo(1);
            assertThat(small.nextSlot()).isEqualTo(10 - 4 + 1);
            assertThat(small.skippedSlots()).isEqualTo(7);
            assertThat(small.collectingSlotCount()).as("slots given up are forgotten").isZero();
            // Slot 10 is now in the window: two signatures pass it up.
            fx.fromNode(small, 0, fx.single(0, 10, batch10));
            assertThat(destinations(fx.fromNode(small, 1, fx.single(1, 10, batch10)))).containsExactlyElementsOf(rowAbove);
            assertThat(small.nextSlot()).isEqualTo(7);
            // A forged far-ahead signature counts for nothing.
            fx.fromNode(small, 2, new Ordered(100, batch10, List.of(new DecisionSignature(2, Bytes.wrapOwned(new byte[64])))));
            assertThat(small.droppedBadSignature()).isEqualTo(1);
        }

        @Test
        void onlyTheLastRetainedSlotsAreKept() {
            FilterNode small = fx.filter(0, 2, config.withSlots(4, 2));
            for (long slot = 0; slot < 6; slot++) {
                Batch b = batch(request(1, slot + 1));
                fx.fromNode(small, 0, fx.single(0, slot, b));
                fx.fromNode(small, 1, fx.single(1, slot, b));
            }
            assertThat(small.retainedSlotCount()).isEqualTo(4);
            assertThat(small.nextSlot()).isEqualTo(6);
            Outbox out = fx.fromNode(small, fx.filterId(1, 0), new DecisionQuery(0, 10));
            assertThat(out.sends()).extracting(s -> ((Ordered) s.message()).slot()).containsExactly(2L, 3L, 4L, 5L);
            // Replies for a slot no longer retained cannot be checked: dropped.
            fx.fromNode(small, fx.filterId(1, 0), fx.slotReplies(0, List.of(leaf(1, 1, "late"))));
            assertThat(small.droppedUnsolicited()).isEqualTo(1);
            // An evicted slot is not passed up again.
            Batch b0 = batch(request(1, 1));
            fx.fromNode(small, 2, fx.single(2, 0, b0));
            assertThat(fx.fromNode(small, 3, fx.single(3, 0, b0)).sends()).isEmpty();
            assertThat(small.orderedPassedUp()).isEqualTo(6);
        }

        @Test
        void perClientStateIsBounded() {
            FilterNode small = fx.filter(0, 2, config.withClientsMax(2));
            fx.fromNode(small, 0, fx.single(0, 0, batch0));
            fx.fromNode(small, 1, fx.single(1, 0, batch0));
            assertThat(small.trackedClients()).isEqualTo(2);
            // Client 1 (least recently used) was forgotten: its retransmission is not forwarded; client 3's is.
            assertThat(fx.fromClient(small, 1, request(1, 1)).sends()).isEmpty();
            assertThat(fx.fromClient(small, 3, request(3, 1)).sends()).hasSize(3);
        }
    }

    // ==================================================================== a middle row

    @Nested
    class MiddleRow {
        private final FilterNode node = fx.filter(1, 0, config);
        private final int below = fx.filterId(0, 1);
        private final int above = fx.filterId(2, 2);
        private final List<Principal> rowAbove = nodes(fx.row(2));
        private final List<Principal> rowBelow = nodes(fx.row(0));

        @Test
        void provenOrderedPassesUpOnceWithACanonicalProof() {
            Outbox out = fx.fromNode(node, below, fx.proven(0, batch0, 3, 1, 0));
            assertThat(destinations(out)).containsExactlyElementsOf(rowAbove);
            assertThat(((Ordered) theMessage(out)).proof()).as("the first f+1 valid, sorted")
                    .containsExactly(fx.decision(1, 0, batch0), fx.decision(3, 0, batch0));
            assertThat(fx.fromNode(node, fx.filterId(0, 0), fx.proven(0, batch0, 0, 1)).sends()).isEmpty();
            assertThat(node.droppedDuplicate()).isEqualTo(1);
            assertThat(node.orderedPassedUp()).isEqualTo(1);
        }

        @Test
        void orderedWithFewerThanFPlusOneValidDistinctSignaturesIsDropped() {
            DecisionSignature forged1 = new DecisionSignature(1, fx.decision(1, 0, batch(request(9, 9))).signature());
            DecisionSignature fromExecution = new DecisionSignature(fx.firstExecutionNode, fx.decision(0, 0, batch0).signature());
            List<List<DecisionSignature>> proofs = List.of(
                    List.of(fx.decision(0, 0, batch0)),                               // f
                    List.of(fx.decision(0, 0, batch0), fx.decision(0, 0, batch0)),    // one signer twice
                    List.of(fx.decision(0, 0, batch0), fromExecution),                 // not an agreement node
                    List.of());
            for (List<DecisionSignature> proof : proofs) {
                assertThat(fx.fromNode(node, below, new Ordered(0, batch0, proof)).sends()).isEmpty();
            }
            assertThat(node.droppedInsufficientProof()).isEqualTo(proofs.size());

            assertThat(fx.fromNode(node, below, new Ordered(0, batch0, List.of(fx.decision(0, 0, batch0), forged1))).sends()).isEmpty();
            assertThat(fx.fromNode(node, below, new Ordered(0, batch0, List.of(fx.decision(0, 1, batch0), fx.decision(1, 1, batch0)))).sends())
                    .as("signed for another slot").isEmpty();
            assertThat(node.droppedBadSignature()).isEqualTo(2);
            List<DecisionSignature> tooMany = List.of(fx.decision(0, 0, batch0), fx.decision(1, 0, batch0), fx.decision(2, 0, batch0),
                    fx.decision(3, 0, batch0), fx.decision(3, 0, batch0));
            assertThat(fx.fromNode(node, below, new Ordered(0, batch0, tooMany)).sends()).isEmpty();
            assertThat(node.malformed()).isEqualTo(1);
            assertThat(node.orderedPassedUp()).isZero();

            // A bad signature among enough good ones does not spoil them.
            Outbox out = fx.fromNode(node, below, new Ordered(0, batch0, List.of(forged1, fx.decision(2, 0, batch0), fx.decision(0, 0, batch0))));
            assertThat(((Ordered) theMessage(out)).proof()).extracting(DecisionSignature::sender).containsExactly(0, 2);
        }

        @Test
        void onlyTheRowBelowMayPassOrderedUp() {
            fx.fromNode(node, 0, fx.proven(0, batch0, 0, 1));                  // an agreement node: not adjacent
            fx.fromNode(node, fx.filterId(2, 0), fx.proven(0, batch0, 0, 1));  // from above
            fx.fromNode(node, fx.filterId(1, 1), fx.proven(0, batch0, 0, 1));  // same row
            fx.fromClient(node, 1, request(1, 1));                             // clients talk to row 0 only
            assertThat(node.droppedUnexpected()).isEqualTo(4);
            assertThat(node.orderedPassedUp()).isZero();
        }

        @Test
        void slotRepliesPassDownOnceAfterChecksAToD() {
            SlotReplies down = fx.slotReplies(0, replies0);
            assertThat(fx.fromNode(node, above, down).sends()).as("(a)").isEmpty();
            fx.fromNode(node, below, fx.proven(0, batch0, 0, 1));
            assertThat(fx.fromNode(node, above, fx.slotReplies(0, List.of(leaf(2, 7, "x")))).sends()).as("(b)").isEmpty();
            assertThat(fx.fromNode(node, above, new SlotReplies(0, replies0, fx.signature(0, List.of()))).sends()).as("(c)").isEmpty();
            Outbox out = fx.fromNode(node, above, down);
            assertThat(destinations(out)).containsExactlyElementsOf(rowBelow);
            assertThat(theMessage(out)).isEqualTo(down);
            assertThat(fx.fromNode(node, fx.filterId(2, 0), down).sends()).as("(d)").isEmpty();
            // From below, or from a row that is not adjacent, replies are not taken at all.
            fx.fromNode(node, below, down);
            fx.fromNode(node, fx.firstExecutionNode, down);
            assertThat(node.drops()).containsEntry(DropReason.UNSOLICITED, 1L).containsEntry(DropReason.NOT_REQUESTED, 1L)
                    .containsEntry(DropReason.BAD_SIGNATURE, 1L).containsEntry(DropReason.DUPLICATE, 1L)
                    .containsEntry(DropReason.UNEXPECTED, 2L);
        }

        @Test
        void aRetransmissionGoesUpBeforeRepliesAndGetsTheRepliesAgainAfter() {
            fx.fromNode(node, below, fx.proven(0, batch0, 0, 1));
            Outbox out = fx.fromNode(node, below, request(1, 1));
            assertThat(destinations(out)).containsExactlyElementsOf(rowAbove);
            assertThat(theMessage(out)).isEqualTo(request(1, 1));
            assertThat(fx.fromNode(node, fx.filterId(0, 2), request(1, 1)).sends()).isEmpty();
            assertThat(node.droppedRateLimited()).isEqualTo(1);

            SlotReplies down = fx.slotReplies(0, replies0);
            fx.fromNode(node, above, down);
            fx.heartbeat(node);
            // The filter below that asks gets the same certified replies again; nothing goes up.
            out = fx.fromNode(node, fx.filterId(0, 2), request(1, 1));
            assertThat(destinations(out)).containsExactly(Principal.node(fx.filterId(0, 2)));
            assertThat(theMessage(out)).isSameAs(down);
            assertThat(node.slotRepliesResent()).isEqualTo(1);
            assertThat(node.repliesPassedDown()).isEqualTo(1);
        }

        @Test
        void queriesGoUnansweredDownwardsAndTheHeartbeatAsksOnlyTheRowBelow() {
            fx.fromNode(node, below, fx.proven(0, batch0, 0, 1));
            Outbox out = fx.fromNode(node, above, new DecisionQuery(0, 4));
            assertThat(destinations(out)).containsExactly(Principal.node(above));
            // From below a query asks for replies (none held yet): nothing goes down.
            assertThat(fx.fromNode(node, below, new DecisionQuery(0, 4)).sends()).isEmpty();
            assertThat(node.droppedUnexpected()).isZero();
            fx.heartbeat(node); // something new
            out = fx.heartbeat(node);
            for (Principal p : rowBelow) assertThat(messagesTo(out, p)).containsExactly(new DecisionQuery(1, config.querySlots()));
            // Slot 0 passed up a heartbeat ago without replies: overdue, asked for upwards.
            for (Principal p : rowAbove) assertThat(messagesTo(out, p)).containsExactly(new DecisionQuery(0, 1));
            assertThat(destinations(out)).containsOnlyElementsOf(java.util.stream.Stream.concat(rowBelow.stream(), rowAbove.stream()).toList());
        }

        @Test
        void lostRepliesAreAskedForUntilTheyComeAndHandedAgainToAFilterBelowThatAsks() {
            fx.fromNode(node, below, fx.proven(0, batch0, 0, 1));
            fx.heartbeat(node);
            fx.heartbeat(node);
            Outbox overdue = fx.heartbeat(node);
            for (Principal p : rowAbove) assertThat(messagesTo(overdue, p)).containsExactly(new DecisionQuery(0, 1));
            SlotReplies down = fx.slotReplies(0, replies0);
            fx.fromNode(node, above, down);
            // Come: no more asking.
            for (Principal p : rowAbove) assertThat(messagesTo(fx.heartbeat(node), p)).isEmpty();
            // A filter below that lost them asks: the same bytes, to it only, once per heartbeat.
            Outbox again = fx.fromNode(node, below, new DecisionQuery(0, 4));
            assertThat(destinations(again)).containsExactly(Principal.node(below));
            assertThat(theMessage(again)).isEqualTo(down);
            assertThat(fx.fromNode(node, below, new DecisionQuery(0, 4)).sends()).isEmpty();
            assertThat(node.droppedRateLimited()).isEqualTo(1);
        }
    }

    // ==================================================================== row h

    @Nested
    class RowH {
        private final FilterNode node = fx.filter(2, 1, config);
        private final int below = fx.filterId(1, 0);
        private final List<Principal> executionNodes = nodes(fx.executionIds());
        private final List<Principal> rowBelow = nodes(fx.row(1));
        private final int e0 = fx.firstExecutionNode;

        private void passUp(long slot, Batch batch) {
            assertThat(destinations(fx.fromNode(node, below, fx.proven(slot, batch, 0, 1)))).containsExactlyElementsOf(executionNodes);
        }

        private Outbox share(int index, ReplyShare s) {
            return fx.fromNode(node, e0 + index, s);
        }

        private ReplyShare withShare(ReplyShare s, Bytes share) {
            return new ReplyShare(s.slot(), s.replies(), share);
        }

        private Bytes tamper(Bytes share) throws Exception {
            SignatureShare s = SignatureShare.decode(share.toByteArray());
            return Bytes.wrapOwned(new SignatureShare(s.index(), s.xi().add(BigInteger.ONE), s.c(), s.z()).encode());
        }

        @Test
        void kSharesOnOneStatementCombineIntoSlotRepliesForTheRowBelow() {
            passUp(0, batch0);
            assertThat(share(2, fx.share(2, 0, replies0)).sends()).isEmpty();
            Outbox out = share(0, fx.share(0, 0, replies0));
            assertThat(destinations(out)).containsExactlyElementsOf(rowBelow);
            SlotReplies down = (SlotReplies) theMessage(out);
            assertThat(down).isEqualTo(fx.slotReplies(0, replies0)); // the unique signature, whichever two signed
            assertThat(node.combinations()).isEqualTo(1);
            assertThat(node.combineFallbacks()).isZero();
            assertThat(share(1, fx.share(1, 0, replies0)).sends()).isEmpty();
            assertThat(node.droppedDuplicate()).isEqualTo(1);
            assertThat(node.shareSlotCount()).as("shares of a finished slot are forgotten").isZero();
        }

        @Test
        void aBadShareIsBlamedOnItsSenderAndTheOthersStillCombine() throws Exception {
            passUp(0, batch0);
            ReplyShare bad = withShare(fx.share(0, 0, replies0), tamper(fx.share(0, 0, replies0).share()));
            assertThat(share(0, bad).sends()).isEmpty();
            assertThat(share(1, fx.share(1, 0, replies0)).sends()).as("the optimistic combination fails").isEmpty();
            assertThat(node.combineFallbacks()).isEqualTo(1);
            assertThat(node.badSharesFrom(e0)).isEqualTo(1);
            assertThat(node.badSharesFrom(e0 + 1)).isZero();
            assertThat(node.droppedBadShare()).isEqualTo(1);
            // The blamed node gets no second try for this slot.
            assertThat(share(0, fx.share(0, 0, replies0)).sends()).isEmpty();
            assertThat(node.droppedConflicting()).isEqualTo(1);
            Outbox out = share(2, fx.share(2, 0, replies0));
            assertThat(theMessage(out)).isEqualTo(fx.slotReplies(0, replies0));
            assertThat(node.badSharesFrom(e0 + 2)).isZero();
        }

        @Test
        void aShareCarryingAnotherNodesIndexIsBlamedOnItsSender() {
            passUp(0, batch0);
            ReplyShare stolen = fx.share(1, 0, replies0); // node 1's share, sent by node 0
            assertThat(share(0, stolen).sends()).isEmpty();
            assertThat(share(1, fx.share(1, 0, replies0)).sends()).as("two shares of index 2 do not combine").isEmpty();
            assertThat(node.badSharesFrom(e0)).isEqualTo(1);
            assertThat(node.badSharesFrom(e0 + 1)).isZero();
            assertThat(theMessage(share(2, fx.share(2, 0, replies0)))).isEqualTo(fx.slotReplies(0, replies0));
        }

        @Test
        void garbageSharesAreBlamedToo() {
            passUp(0, batch0);
            share(2, withShare(fx.share(2, 0, replies0), Bytes.ofUtf8("not a share")));
            share(0, fx.share(0, 0, replies0));
            assertThat(node.badSharesFrom(e0 + 2)).isEqualTo(1);
            assertThat(theMessage(share(1, fx.share(1, 0, replies0)))).isEqualTo(fx.slotReplies(0, replies0));
        }

        @Test
        void sharesOnDifferentRepliesDoNotCombine() {
            passUp(0, batch0);
            List<ReplyLeaf> other = List.of(leaf(1, 1, "to client 1"), leaf(3, 1, "a different result"));
            assertThat(share(0, fx.share(0, 0, replies0)).sends()).isEmpty();
            assertThat(share(1, fx.share(1, 0, other)).sends()).isEmpty();
            assertThat(node.combinations()).isZero();
            assertThat(((SlotReplies) theMessage(share(2, fx.share(2, 0, replies0)))).replies()).isEqualTo(replies0);
        }

        @Test
        void sharesForSlotsNotPassedUpOrRepliesNotAskedForAreDropped() {
            assertThat(share(0, fx.share(0, 0, replies0)).sends()).isEmpty();
            assertThat(node.droppedUnsolicited()).isEqualTo(1);
            passUp(0, batch0);
            assertThat(share(0, fx.share(0, 0, List.of(leaf(8, 1, "nobody asked")))).sends()).isEmpty();
            assertThat(share(1, fx.share(1, 0, List.of(leaf(8, 1, "nobody asked")))).sends()).isEmpty();
            assertThat(node.droppedNotRequested()).isEqualTo(2);
            assertThat(node.combinations()).isZero();
            // Shares come from execution nodes only; SLOT-REPLIES is not taken from them.
            fx.fromNode(node, below, fx.share(2, 0, replies0));
            fx.fromNode(node, e0 + 2, fx.slotReplies(0, replies0));
            assertThat(node.droppedUnexpected()).isEqualTo(2);
            assertThat(node.repliesPassedDown()).isZero();
        }

        @Test
        void retransmissionsGoToTheExecutionNodesAndQueriesFromThemAreAnswered() {
            passUp(0, batch0);
            Outbox out = fx.fromNode(node, below, request(3, 1));
            assertThat(destinations(out)).containsExactlyElementsOf(executionNodes);
            assertThat(theMessage(out)).isEqualTo(request(3, 1));
            out = fx.fromNode(node, e0 + 1, new DecisionQuery(0, 1));
            assertThat(destinations(out)).containsExactly(Principal.node(e0 + 1));
            assertThat(((Ordered) theMessage(out)).slot()).isZero();
            // The execution nodes re-send their shares; the filter combines them as usual.
            share(0, fx.share(0, 0, replies0));
            assertThat(destinations(share(1, fx.share(1, 0, replies0)))).containsExactlyElementsOf(rowBelow);
        }
    }

    // ==================================================================== configuration

    @Test
    void configDefaultsAndValidation() {
        FilterConfig d = FilterConfig.defaults();
        assertThat(d.heartbeatNanos()).isEqualTo(100_000_000L);
        assertThat(d.retainedSlots()).isEqualTo(1024);
        assertThat(d.trackedSlots()).isEqualTo(256);
        assertThat(d.querySlots()).isEqualTo(64);
        assertThat(d.releaseIntervalNanos()).isZero();
        assertThat(d.clientsMax()).isEqualTo(65_536);
        assertThatThrownBy(() -> d.withHeartbeatNanos(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withSlots(8, 9)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trackedSlots");
        assertThatThrownBy(() -> d.withSlots(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withQuerySlots(1025)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withReleaseIntervalNanos(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.withClientsMax(0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(d.withReleaseIntervalNanos(5).releaseIntervalNanos()).isEqualTo(5);
    }
}
