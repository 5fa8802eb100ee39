package io.bulwark.execution;

import static io.bulwark.execution.FirewallCluster.ofType;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.ClientSeal;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.ReplyMerkleTree;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.DecisionSignature;
import io.bulwark.core.message.ExecutionCheckpoint;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Ordered;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.StateRequest;
import io.bulwark.core.message.StateSnapshot;
import io.bulwark.core.step.Outbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Execution nodes in firewall mode (docs/firewall.md), driven by hand with a real Shoup key:
 * ORDERED in, sealed execution, one threshold share per slot out, re-sends, catch-up, state
 * transfer and recovery.
 */
class FirewallExecutionTest {
    /** K = 4, 16 slots buffered, state transfer after 3 idle heartbeats, checkpoints re-sent every 4. */
    static final ExecutionConfig CONFIG = new ExecutionConfig(4, 16, ExecutionConfig.ms(10), 3, 4, 4);

    /** f = t = g = h = 1: agreement nodes 0..5, execution nodes 6..8, filter rows {9, 10} and {11, 12}. */
    static FirewallCluster cluster(int clients) {
        return new FirewallCluster(1, 1, 1, 1, CONFIG, clients);
    }

    static Bytes utf8(String s) {
        return Bytes.ofUtf8(s);
    }

    /** What a client reads from its leaf. */
    static Optional<Bytes> open(FirewallCluster c, ReplyLeaf leaf) {
        return c.clientSeal(leaf.clientId()).open(ClientSeal.Direction.REPLY, leaf.timestamp(), leaf.sealedResult());
    }

    // ---------------------------------------------------------------- ORDERED in

    @Test
    void executesValidOrderedStrictlyInSlotOrder() {
        FirewallCluster c = cluster(2);
        Request a = c.request(0, 1, "a");
        Request b = c.request(1, 1, "b");
        Request d = c.request(0, 2, "d");
        c.inject(Principal.node(c.filter(1)), 0, c.ordered(2, c.batch(120, d)));
        c.inject(Principal.node(c.filter(0)), 0, c.ordered(1, c.batch(110, b)));
        assertThat(c.nodes[0].nextSlot()).isZero();
        assertThat(c.machines[0].entries).isEmpty();
        assertThat(c.sharesTo(0, 0)).isEmpty();

        c.inject(Principal.node(c.filter(0)), 0, c.ordered(0, c.batch(100, a)));
        assertThat(c.nodes[0].nextSlot()).isEqualTo(3);
        assertThat(c.machines[0].entries).containsExactly("0:a@100", "1:b@110", "0:d@120");
        assertThat(c.delivered[0]).extracting(Outbox.Delivery::slot).containsExactly(0L, 1L, 2L);
        // One share per slot, in slot order, to each filter of row h.
        for (int column = 0; column < 2; column++) {
            assertThat(c.sharesTo(0, column)).extracting(ReplyShare::slot).containsExactly(0L, 1L, 2L);
        }
        // The other filter's copy of a slot already held or executed is not checked again.
        c.inject(Principal.node(c.filter(1)), 0, c.ordered(0, c.batch(100, a)));
        assertThat(c.nodes[0].orderedAccepted()).isEqualTo(3);
        assertThat(c.nodes[0].malformedMessages()).isZero();
        assertThat(c.nodes[0].logHash()).isNotEqualTo(Digest.ZERO);
    }

    @Test
    void orderedWithoutFPlusOneValidDistinctAgreementSignaturesOrFromTheWrongSenderIsRejected() {
        FirewallCluster c = cluster(1);
        Batch batch = c.batch(100, c.request(0, 1, "x"));
        Batch other = c.batch(100, c.request(0, 1, "y"));
        Principal rowH = Principal.node(c.filter(0));
        DecisionSignature forged = new DecisionSignature(1,
                c.signer(c.id(1)).sign(WireCodec.decisionSignedBytes(0, batch.digest()))); // an execution node's key
        List<Ordered> bad = List.of(
                // f signatures only
                c.ordered(0, batch, 0),
                // one agreement node counted twice
                c.ordered(0, batch, 3, 3),
                // an execution node among the signers
                new Ordered(0, batch, List.of(c.decision(0, 0, batch), c.decision(c.id(0), 0, batch))),
                // a signature that does not verify in node 1's name
                new Ordered(0, batch, List.of(c.decision(0, 0, batch), forged)),
                // signatures on another batch's digest
                new Ordered(0, other, c.ordered(0, batch).proof()),
                // signatures for another slot
                new Ordered(0, batch, c.ordered(1, batch).proof()));
        for (Ordered o : bad) c.inject(rowH, 0, o);
        assertThat(c.nodes[0].orderedRejected()).isEqualTo(bad.size());
        assertThat(c.nodes[0].malformedMessages()).isEqualTo(bad.size());

        // A valid ORDERED from anyone but a row-h filter is not even looked at.
        Ordered valid = c.ordered(0, batch);
        List<Principal> wrongSenders = List.of(Principal.node(c.spec.filterNode(0, 0)), Principal.node(0),
                Principal.node(c.id(1)), Principal.client(0));
        for (Principal p : wrongSenders) c.inject(p, 0, valid);
        // Nor are the FaB learner's inputs in firewall mode, even a full fast quorum.
        c.inject(Principal.node(0), 0, new Propose(0, 0, batch));
        for (int a = 0; a < c.quorums.fast(); a++) c.inject(Principal.node(a), 0, new Accepted(0, 0, batch.digest()));
        // Nor a slot beyond the window.
        c.inject(rowH, 0, c.ordered(CONFIG.trackedSlots(), Batch.EMPTY));
        assertThat(c.nodes[0].nextSlot()).isZero();
        assertThat(c.machines[0].entries).isEmpty();
        assertThat(c.nodes[0].orderedRejected()).isEqualTo(bad.size());
        assertThat(c.nodes[0].ignoredMessages()).isEqualTo(wrongSenders.size() + 1 + c.quorums.fast() + 1);
        assertThat(c.sent[0]).isEmpty();

        // f + 1 valid signatures (more are fine) from a row-h filter.
        c.inject(rowH, 0, c.ordered(0, batch, 5, 2, 4));
        assertThat(c.machines[0].entries).containsExactly("0:x@100");
    }

    // ---------------------------------------------------------------- shares out

    @Test
    void correctNodesSendByteIdenticalRepliesWhoseSharesCombineIntoOneUniqueSignature() {
        FirewallCluster c = cluster(3);
        List<Batch> batches = List.of(
                c.batch(100, c.request(0, 1, "a"), c.request(1, 1, "b")),
                Batch.EMPTY,
                c.batch(120, c.request(2, 1, "c"), c.request(0, 2, "d"), c.request(1, 1, "b")));
        // Node 0 in order, node 1 in reverse, node 2 from a mix of both filters.
        for (int s = 0; s < 3; s++) c.inject(Principal.node(c.filter(0)), 0, c.ordered(s, batches.get(s)));
        for (int s = 2; s >= 0; s--) c.inject(Principal.node(c.filter(1)), 1, c.ordered(s, batches.get(s)));
        for (int s = 0; s < 3; s++) c.inject(Principal.node(c.filter(s % 2)), 2, c.ordered(s, batches.get(s), 4, 1));

        List<ReplyShare> s0 = c.sharesTo(0, 0), s1 = c.sharesTo(1, 0), s2 = c.sharesTo(2, 0);
        assertThat(s0).hasSize(3);
        for (int s = 0; s < 3; s++) {
            assertThat(s1.get(s).replies()).isEqualTo(s0.get(s).replies());
            assertThat(s2.get(s).replies()).isEqualTo(s0.get(s).replies());
            byte[] statement = WireCodec.slotRepliesSignedBytes(s, ReplyMerkleTree.root(s, s0.get(s).replies()));
            for (int i = 0; i < 3; i++) {
                assertThat(c.executionKey.verifyShare(statement, c.sharesTo(i, 0).get(s).share())).isEqualTo(i + 1);
            }
            Bytes sig01 = c.executionKey.combine(statement, List.of(s0.get(s).share(), s1.get(s).share())).orElseThrow();
            Bytes sig12 = c.executionKey.combine(statement, List.of(s1.get(s).share(), s2.get(s).share())).orElseThrow();
            Bytes sig20 = c.executionKey.combine(statement, List.of(s2.get(s).share(), s0.get(s).share())).orElseThrow();
            assertThat(sig01).isEqualTo(sig12).isEqualTo(sig20);
            assertThat(c.executionKey.verify(statement, sig01)).isTrue();
            // g shares alone do not make a signature.
            assertThat(c.executionKey.combine(statement, List.of(s0.get(s).share()))).isEmpty();
        }
        // An empty slot gets a share too; the repeated request (1, 1) in slot 2 gets no leaf.
        assertThat(s0.get(1).replies()).isEmpty();
        assertThat(s0.get(2).replies()).extracting(ReplyLeaf::clientId).containsExactly(2L, 0L);
        assertThat(c.nodes[0].staleRequests()).isEqualTo(1);
        // Each leaf opens with its client's seal only, to the application's result.
        assertThat(s0.get(0).replies()).extracting(l -> open(c, l).orElseThrow()).containsExactly(utf8("1:a"), utf8("2:b"));
        assertThat(s0.get(2).replies()).extracting(l -> open(c, l).orElseThrow()).containsExactly(utf8("3:c"), utf8("4:d"));
        ReplyLeaf toClient0 = s0.get(0).replies().get(0);
        assertThat(c.clientSeal(1).open(ClientSeal.Direction.REPLY, 1, toClient0.sealedResult())).isEmpty();
        // The reply cache holds the sealed bytes (they are what a re-send must repeat).
        assertThat(c.nodes[1].cachedReply(0)).isEqualTo(new CachedReply(2, 2, s0.get(2).replies().get(1).sealedResult()));
    }

    @Test
    void aBodyThatDoesNotOpenExecutesNothingAndGetsTheUnreadableResult() {
        FirewallCluster c = cluster(3);
        c.registered.remove(2L); // the execution cluster has no key for client 2
        Bytes sealedForTimestamp5 = c.clientSeal(0).seal(ClientSeal.Direction.REQUEST, 5, utf8("replayed"));
        Bytes sealedByClient1 = c.clientSeal(1).seal(ClientSeal.Direction.REQUEST, 1, utf8("theirs"));
        Batch batch = c.batch(100,
                c.rawRequest(0, 1, utf8("plaintext")),      // not sealed at all
                c.rawRequest(0, 2, sealedForTimestamp5),     // sealed for another timestamp
                c.rawRequest(1, 2, c.clientSeal(1).seal(ClientSeal.Direction.REPLY, 2, utf8("wrong direction"))),
                c.rawRequest(0, 3, sealedByClient1),         // another client's seal
                c.rawRequest(0, 4, Bytes.EMPTY),             // shorter than a tag
                c.request(2, 1, "unknown client"),
                c.request(1, 3, "fine"));
        for (int i = 0; i < 3; i++) c.inject(Principal.node(c.filter(0)), i, c.ordered(0, batch));

        for (int i = 0; i < 3; i++) {
            assertThat(c.machines[i].entries).containsExactly("1:fine@100");
            assertThat(c.nodes[i].unreadableRequests()).isEqualTo(6);
            assertThat(c.nodes[i].executedRequests()).isEqualTo(7); // each (client, timestamp) is used up
            assertThat(c.sharesTo(i, 1).getFirst().replies()).isEqualTo(c.sharesTo(0, 1).getFirst().replies());
        }
        List<ReplyLeaf> leaves = c.sharesTo(0, 0).getFirst().replies();
        assertThat(leaves).hasSize(7);
        for (int l : new int[] {0, 1, 2, 3, 4}) {
            assertThat(open(c, leaves.get(l))).contains(ExecutionNode.UNREADABLE_REQUEST_RESULT);
        }
        // No seal for client 2: the empty result, unsealed.
        assertThat(leaves.get(5).sealedResult()).isEqualTo(ExecutionNode.UNREADABLE_REQUEST_RESULT);
        assertThat(open(c, leaves.get(6))).contains(utf8("1:fine"));
        // The client's next request is executed normally; the consumed ones are stale if repeated.
        c.order(1, c.batch(101, c.request(0, 1, "again"), c.request(0, 5, "next")));
        assertThat(c.machines[0].entries).containsExactly("1:fine@100", "0:next@101");
        assertThat(c.nodes[0].staleRequests()).isEqualTo(1);
    }

    @Test
    void applicationErrorsGetTheEmptyResultAndASlotsRepliesAlwaysFitInAFrame() {
        FirewallCluster c = cluster(16);
        c.order(0, c.batch(100, c.request(0, 1, "boom")));
        for (int i = 0; i < 3; i++) assertThat(c.nodes[i].applicationErrors()).isEqualTo(1);
        assertThat(open(c, c.sharesTo(0, 0).getFirst().replies().getFirst())).contains(Bytes.EMPTY);

        // Sixteen maximal results do not fit in one frame: the last one is replaced, on every node.
        Request[] big = new Request[16];
        for (int client = 0; client < 16; client++) big[client] = c.request(client, 2, "big");
        c.order(1, c.batch(101, big));
        ReplyShare share = c.sharesTo(0, 0).getLast();
        assertThat(share.replies()).hasSize(16);
        for (int l = 0; l < 15; l++) assertThat(open(c, share.replies().get(l)).orElseThrow().length()).isEqualTo(1 << 20);
        assertThat(open(c, share.replies().get(15))).contains(ExecutionNode.UNREADABLE_REQUEST_RESULT);
        assertThat(WireCodec.encode(share).length).isLessThanOrEqualTo(io.bulwark.core.message.WireLimits.FRAME_BYTES_MAX);
        for (int i = 0; i < 3; i++) {
            assertThat(c.nodes[i].oversizedResults()).isEqualTo(1);
            assertThat(c.machines[i].entries).hasSize(16); // every operation did run ("boom" threw)
            assertThat(c.sharesTo(i, 0).getLast().replies()).isEqualTo(share.replies());
        }
        // The state, reply cache included, still encodes and decodes (sealed results are a little longer).
        c.order(2, Batch.EMPTY);
        c.order(3, Batch.EMPTY);
        ExecutionPersisted.Checkpoint checkpoint = (ExecutionPersisted.Checkpoint) c.disks[0].getFirst();
        assertThat(checkpoint.slot()).isEqualTo(3);
        c.restart(0);
        assertThat(c.nodes[0].nextSlot()).isEqualTo(4);
        assertThat(c.nodes[0].replyCache()).isEqualTo(c.nodes[1].replyCache());
    }

    // ---------------------------------------------------------------- re-sends

    @Test
    void aNudgeFromRowHReSendsTheShareOfTheSlotWhereTheRequestExecutedAtMostOncePerHeartbeat() {
        FirewallCluster c = cluster(2);
        Request r = c.request(0, 7, "put");
        c.order(0, c.batch(100, r));
        c.order(1, c.batch(101, c.request(1, 1, "other")));
        ReplyShare slot0 = c.sharesTo(0, 0).getFirst();
        int before = c.sent[0].size();

        c.inject(Principal.node(c.filter(1)), 0, r);
        List<Outbox.Send> resent = c.sent[0].subList(before, c.sent[0].size());
        assertThat(resent).extracting(Outbox.Send::to)
                .containsExactlyInAnyOrder(Principal.node(c.filter(0)), Principal.node(c.filter(1)));
        assertThat(resent).extracting(Outbox.Send::message).containsOnly(slot0);
        assertThat(WireCodec.encode(resent.getFirst().message())).isEqualTo(WireCodec.encode(slot0));

        // Again in the same heartbeat: nothing; after a heartbeat: again.
        int after = c.sent[0].size();
        c.inject(Principal.node(c.filter(0)), 0, r);
        assertThat(c.sent[0]).hasSize(after);
        c.heartbeat(0);
        c.inject(Principal.node(c.filter(0)), 0, r);
        assertThat(c.sent[0].subList(after, c.sent[0].size())).filteredOn(s -> s.message() instanceof ReplyShare rs && rs.slot() == 0)
                .hasSize(2);
        assertThat(c.nodes[0].sharesResent()).isEqualTo(2);

        // Not executed (a later timestamp), from a client directly, or from row 0: nothing.
        int last = c.sent[0].size();
        c.inject(Principal.node(c.filter(0)), 0, c.request(0, 8, "not yet"));
        c.inject(Principal.client(0), 0, r);
        c.inject(Principal.node(c.spec.filterNode(0, 0)), 0, r);
        assertThat(c.sent[0]).hasSize(last);
    }

    @Test
    void aRowHQueryForOverdueRepliesReSendsTheRetainedSharesOfThoseSlotsAtMostOncePerHeartbeat() {
        FirewallCluster c = cluster(2);
        for (int s = 0; s < 3; s++) c.order(s, c.batch(100 + s, c.request(0, s + 1, "op" + s)));
        ReplyShare slot1 = c.sharesTo(0, 0).get(1);
        ReplyShare slot2 = c.sharesTo(0, 0).get(2);
        assertThat(slot1.slot()).isEqualTo(1);
        assertThat(slot2.slot()).isEqualTo(2);
        int before = c.sent[0].size();

        c.inject(Principal.node(c.filter(1)), 0, new DecisionQuery(1, 5));
        List<Outbox.Send> resent = c.sent[0].subList(before, c.sent[0].size());
        assertThat(resent).extracting(Outbox.Send::message).containsOnly(slot1, slot2);
        assertThat(resent).extracting(Outbox.Send::to).containsOnly(Principal.node(c.filter(0)), Principal.node(c.filter(1)));
        assertThat(resent).hasSize(4);

        // The same heartbeat: nothing again; the next: again. From row 0 or a client: never.
        int after = c.sent[0].size();
        c.inject(Principal.node(c.filter(0)), 0, new DecisionQuery(1, 5));
        c.inject(Principal.node(c.spec.filterNode(0, 0)), 0, new DecisionQuery(0, 5));
        c.inject(Principal.client(0), 0, new DecisionQuery(0, 5));
        assertThat(c.sent[0]).hasSize(after);
        c.heartbeat(0);
        int beat = c.sent[0].size();
        c.inject(Principal.node(c.filter(0)), 0, new DecisionQuery(0, 1));
        assertThat(c.sent[0].subList(beat, c.sent[0].size())).filteredOn(x -> x.message() instanceof ReplyShare rs && rs.slot() == 0)
                .hasSize(2);
    }

    @Test
    void aNudgeForASlotNoLongerRetainedIsCountedAndRetentionIsBounded() {
        // Checkpoint states carry the replies of the 2 latest slots: older ones cannot be signed again.
        FirewallCluster c = new FirewallCluster(1, 1, 1, 1, CONFIG.withShareRetention(3, 1 << 20).withRecentReplySlots(2), 2);
        Request first = c.request(0, 1, "first");
        c.order(0, c.batch(100, first));
        for (int s = 1; s <= 4; s++) c.order(s, c.batch(100 + s, c.request(1, s, "op" + s)));
        assertThat(c.nodes[0].retainedShares()).isEqualTo(3);
        assertThat(c.nodes[0].retainedShare(0)).isNull();
        assertThat(c.nodes[0].retainedShare(4)).isEqualTo(c.nodes[0].latestShare());
        c.inject(Principal.node(c.filter(0)), 0, first);
        assertThat(c.nodes[0].unanswerableNudges()).isEqualTo(1);

        // The byte bound keeps at least the latest share.
        FirewallCluster tiny = new FirewallCluster(1, 1, 1, 1, CONFIG.withShareRetention(100, 1), 1);
        for (int s = 0; s < 3; s++) tiny.order(s, tiny.batch(100, tiny.request(0, s + 1, "x")));
        assertThat(tiny.nodes[0].retainedShares()).isEqualTo(1);
        assertThat(tiny.nodes[0].retainedShare(2)).isNotNull();
    }

    @Test
    void anIdleHeartbeatReSendsTheLatestShareSoThatALostOneCannotStallFlowControl() {
        FirewallCluster c = cluster(1);
        c.heartbeat(0);
        assertThat(c.sent[0]).noneMatch(s -> s.message() instanceof ReplyShare); // nothing to re-send yet
        c.order(0, c.batch(100, c.request(0, 1, "x")));
        ReplyShare latest = c.sharesTo(0, 0).getLast();
        c.heartbeat(0); // something was executed since the last heartbeat: no re-send
        assertThat(c.sharesTo(0, 0)).hasSize(1);
        c.heartbeat(0);
        c.heartbeat(0);
        assertThat(c.sharesTo(0, 0)).hasSize(3).containsOnly(latest);
        assertThat(c.sharesTo(0, 1)).hasSize(3).containsOnly(latest);
    }

    // ---------------------------------------------------------------- catch-up

    @Test
    void aGapOrAStallAsksRowHForTheFirstMissingSlots() {
        FirewallCluster c = cluster(1);
        List<Batch> batches = new ArrayList<>();
        for (int s = 0; s < 6; s++) batches.add(c.batch(100 + s, c.request(0, s + 1, "op" + s)));
        for (int s = 0; s < 6; s++) c.decided.put((long) s, batches.get(s));
        // Node 0 hears slots 3 and 5 only.
        c.inject(Principal.node(c.filter(0)), 0, c.ordered(3, batches.get(3)));
        c.inject(Principal.node(c.filter(0)), 0, c.ordered(5, batches.get(5)));
        c.heartbeat(0);
        assertThat(c.toFilters[0]).hasSize(2).containsOnly(new DecisionQuery(0, 3));
        assertThat(c.sent[0]).filteredOn(s -> s.message() instanceof DecisionQuery).extracting(Outbox.Send::to)
                .containsExactlyInAnyOrder(Principal.node(c.filter(0)), Principal.node(c.filter(1)));
        c.answerQueries(0, 1);
        c.clearFilters();
        assertThat(c.nodes[0].nextSlot()).isEqualTo(4);
        c.heartbeat(0); // slot 5 is still waiting for slot 4
        assertThat(c.toFilters[0]).containsOnly(new DecisionQuery(4, 1));
        c.answerQueries(0, 0);
        assertThat(c.nodes[0].nextSlot()).isEqualTo(6);
        assertThat(c.machines[0].entries).hasSize(6);

        // Progress and no gap: no query. Then a heartbeat without progress: ask for whatever exists.
        c.clearFilters();
        c.heartbeat(0);
        assertThat(c.toFilters[0]).noneMatch(m -> m instanceof DecisionQuery);
        c.heartbeat(0);
        assertThat(c.toFilters[0]).filteredOn(m -> m instanceof DecisionQuery)
                .containsOnly(new DecisionQuery(6, CONFIG.trackedSlots()));
    }

    // ---------------------------------------------------------------- checkpoints, state transfer, recovery

    /** Nodes 0 and 1 execute slots 0..slots-1; node 2 only slots 0 and 1, then it is cut off. */
    static FirewallCluster cutOff(int slots) {
        FirewallCluster c = cluster(2);
        for (int s = 0; s < slots; s++) {
            if (s == 2) c.isolated.add(2);
            c.order(s, c.batch(100 + s, c.request(s % 2, s / 2 + 1, "op" + s)));
        }
        c.deliver(m -> true);
        return c;
    }

    /** After {@link #cutOff}: node 2 reconnects while the filters retain only from slot 12 on, and hears the re-sent checkpoints. */
    static void reconnectAndHearCheckpoints(FirewallCluster c) {
        c.isolated.clear();
        c.retainedFrom = 12;
        for (int h = 0; h < CONFIG.checkpointResendHeartbeats(); h++) {
            c.heartbeat(0);
            c.heartbeat(1);
        }
        c.deliver(ofType(ExecutionCheckpoint.class));
    }

    /** Node 2 gives the filters (which no longer have slot 2) their chance, then asks a peer for state. */
    static void askForState(FirewallCluster c) {
        for (int h = 0; h <= CONFIG.stateTransferPatience(); h++) {
            c.heartbeat(2);
            c.answerQueries(2, 0);
        }
    }

    @Test
    void stateTransferStillWorksAndCheckpointsStayInsideTheExecutionCluster() {
        FirewallCluster c = cutOff(14);
        assertThat(c.nodes[0].certifiedCheckpoint().slot()).isEqualTo(11);
        assertThat(c.nodes[2].nextSlot()).isEqualTo(2);
        // The filters retain only from slot 12 on; node 2 reconnects and hears the re-sent checkpoints.
        reconnectAndHearCheckpoints(c);
        assertThat(c.nodes[2].certifiedCheckpoint().slot()).isEqualTo(11);
        askForState(c);
        assertThat(c.inFlight).filteredOn(ofType(StateRequest.class)::test).singleElement()
                .satisfies(m -> assertThat(((StateRequest) m.message()).slot()).isEqualTo(2));
        // Slots 12 and 13, which the filters did have, wait in the buffer until the state is in.
        assertThat(c.nodes[2].nextSlot()).isEqualTo(2);
        c.deliver(ofType(StateRequest.class).or(ofType(StateSnapshot.class)));
        assertThat(c.nodes[2].stateTransfersDone()).isEqualTo(1);
        assertThat(c.nodes[2].nextSlot()).isEqualTo(14);
        assertThat(c.machines[2].entries).isEqualTo(c.machines[0].entries);

        // From then on node 2's shares match the others' byte for byte.
        c.order(14, c.batch(300));
        c.order(15, c.batch(301, c.request(0, 100, "late")));
        for (long s = 12; s < 16; s++) {
            assertThat(c.nodes[2].retainedShare(s).replies()).isEqualTo(c.nodes[0].retainedShare(s).replies());
        }
        assertThat(c.nodes[2].latestCheckpoint().stateDigest()).isEqualTo(c.nodes[0].latestCheckpoint().stateDigest());
        assertThat(c.nodes[2].replyCache()).isEqualTo(c.nodes[0].replyCache());
    }

    /**
     * The gap the simulator found (seed 293 of the safety campaign): a node that installs a
     * snapshot skips its slots, and if one of them still lacks g + 1 shares (the other correct
     * node cut off, the faulty one withholding) nobody can certify it. The checkpoint state
     * carries the slots' sealed replies, so the node signs its share when row h asks.
     */
    @Test
    void aNodeThatSkippedSlotsByStateTransferSignsSharesForThemFromTheCertifiedState() {
        FirewallCluster c = cutOff(14);
        reconnectAndHearCheckpoints(c);
        askForState(c);
        c.deliver(ofType(StateRequest.class).or(ofType(StateSnapshot.class)));
        assertThat(c.nodes[2].stateTransfersDone()).isEqualTo(1);
        assertThat(c.nodes[2].retainedShare(9)).isNull(); // never executed here
        assertThat(c.nodes[2].recentReplySlots()).contains(2L, 11L, 13L);

        // Row h misses slots 8..11: node 2 signs them now, over the same leaves as node 0.
        c.heartbeat(2);
        int before = c.sent[2].size();
        c.inject(Principal.node(c.filter(0)), 2, new DecisionQuery(8, 4));
        List<ReplyShare> late = c.sent[2].subList(before, c.sent[2].size()).stream()
                .filter(x -> x.to().equals(Principal.node(c.filter(0)))).map(x -> (ReplyShare) x.message()).toList();
        assertThat(late).extracting(ReplyShare::slot).containsExactly(8L, 9L, 10L, 11L);
        assertThat(c.nodes[2].sharesSignedLate()).isEqualTo(4);
        for (ReplyShare share : late) {
            ReplyShare own = c.nodes[0].retainedShare(share.slot());
            assertThat(share.replies()).isEqualTo(own.replies());
            byte[] statement = WireCodec.slotRepliesSignedBytes(share.slot(), ReplyMerkleTree.root(share.slot(), share.replies()));
            assertThat(c.executionKey.verifyShare(statement, share.share())).isEqualTo(3);
            Bytes combined = c.executionKey.combine(statement, List.of(own.share(), share.share())).orElseThrow();
            assertThat(c.executionKey.verify(statement, combined)).isTrue();
        }
        // Signed once, then retained: asked again on a later heartbeat, it re-sends the same bytes.
        c.heartbeat(2);
        int again = c.sent[2].size();
        c.inject(Principal.node(c.filter(1)), 2, new DecisionQuery(11, 1));
        assertThat(c.nodes[2].sharesSignedLate()).isEqualTo(4);
        assertThat(c.sent[2].subList(again, c.sent[2].size())).extracting(Outbox.Send::message).containsOnly(late.get(3));
    }

    @Test
    void aRestartedNodeKeepsExactlyOnceAndReSendsTheSameShares() {
        FirewallCluster c = cluster(2);
        List<Request> requests = new ArrayList<>();
        for (int s = 0; s < 6; s++) {
            requests.add(c.request(s % 2, s / 2 + 1, "op" + s));
            c.order(s, c.batch(100 + s, requests.get(s)));
        }
        assertThat(c.disks[0]).hasSize(2); // the checkpoint at slot 3 and the shares of slots 0..3
        assertThat(c.disks[0].get(1)).isInstanceOfSatisfying(ExecutionPersisted.ReplyShares.class,
                r -> assertThat(r.shares()).extracting(ReplyShare::slot).containsExactly(0L, 1L, 2L, 3L));
        List<ReplyShare> before = c.sharesTo(0, 0);
        List<String> entries = List.copyOf(c.machines[0].entries);

        c.restart(0);
        assertThat(c.nodes[0].nextSlot()).isEqualTo(4);
        assertThat(c.nodes[0].latestShare()).isEqualTo(before.get(3));
        assertThat(c.machines[0].entries).isEqualTo(entries.subList(0, 4));
        // A nudge for a request executed before the checkpoint (client 0's last, in slot 2) is
        // answered with the same bytes; one for a request its client has followed up is not.
        int sent = c.sent[0].size();
        c.inject(Principal.node(c.filter(0)), 0, requests.get(2));
        c.inject(Principal.node(c.filter(0)), 0, requests.get(1));
        assertThat(c.sent[0].subList(sent, c.sent[0].size())).hasSize(2).extracting(Outbox.Send::message)
                .containsOnly(before.get(2));

        // The restart probe fetches slots 4 and 5: executed again, with identical shares.
        c.heartbeat(0);
        assertThat(c.toFilters[0]).contains(new DecisionQuery(4, CONFIG.trackedSlots()));
        c.answerQueries(0, 0);
        assertThat(c.nodes[0].nextSlot()).isEqualTo(6);
        assertThat(c.machines[0].entries).isEqualTo(entries);
        List<ReplyShare> after = c.sharesTo(0, 0);
        assertThat(after.subList(after.size() - 2, after.size())).isEqualTo(before.subList(4, 6));
        // Exactly once: the same requests ordered again execute nothing and get no leaf.
        c.order(6, c.batch(200, requests.get(5), requests.get(0)));
        assertThat(c.machines[0].entries).isEqualTo(entries);
        assertThat(c.nodes[0].latestShare().replies()).isEmpty();
        assertThat(c.nodes[0].replyCache()).isEqualTo(c.nodes[1].replyCache());
    }

    // ---------------------------------------------------------------- who it talks to

    @Test
    void overAWholeRunANodeSendsOnlyToExecutionPeersAndRowHFilters() {
        FirewallCluster c = cutOff(14);
        c.isolated.clear();
        c.retainedFrom = 12;
        Random random = new Random(5);
        for (int round = 0; round < 40; round++) {
            int i = random.nextInt(3);
            c.heartbeat(i);
            c.answerQueries(i, random.nextInt(2));
            c.deliver(m -> true);
            if (round % 5 == 0) c.order(14 + round / 5, c.batch(400 + round, c.request(round % 2, 100 + round, "r" + round)));
            c.inject(Principal.node(c.filter(random.nextInt(2))), i, c.request(0, 7, "op12"));
        }
        assertThat(c.nodes[2].stateTransfersDone()).isEqualTo(1);
        for (int i = 0; i < 3; i++) {
            assertThat(c.sent[i]).isNotEmpty();
            for (Outbox.Send s : c.sent[i]) {
                assertThat(s.to().kind()).isEqualTo(Principal.Kind.NODE);
                int to = (int) s.to().id();
                boolean peer = c.spec.isExecutionNode(to) && to != c.id(i);
                boolean rowH = c.spec.isFilterNode(to) && c.spec.filterRow(to) == c.spec.h();
                assertThat(peer || rowH).as("%s to %s", s.message().getClass().getSimpleName(), s.to()).isTrue();
                if (rowH) assertThat(s.message()).isInstanceOfAny(ReplyShare.class, DecisionQuery.class);
            }
        }
    }

    // ---------------------------------------------------------------- hostile input and configuration

    @Test
    void randomInputFromAnySenderNeverThrows() {
        FirewallCluster c = cluster(2);
        Random random = new Random(3);
        List<Batch> batches = List.of(Batch.EMPTY, c.batch(100, c.request(0, 1, "a")), c.batch(101, c.request(1, 1, "b")));
        List<Principal> senders = new ArrayList<>();
        for (int n = 0; n < c.spec.totalNodes() + 2; n++) senders.add(Principal.node(n));
        senders.add(Principal.client(0));
        senders.add(Principal.client(9));
        for (int step = 0; step < 1500; step++) {
            Batch b = batches.get(random.nextInt(batches.size()));
            long slot = random.nextInt(24);
            Message m = switch (random.nextInt(7)) {
                case 0 -> c.ordered(slot, b);
                case 1 -> c.ordered(slot, b, random.nextInt(6));
                case 2 -> new Ordered(slot, b, List.of(new DecisionSignature(random.nextInt(9), Bytes.wrapOwned(new byte[64])),
                        c.decision(1, slot, b)));
                case 3 -> c.request(random.nextInt(2), random.nextInt(3), "n");
                case 4 -> new DecisionQuery(slot, 1 + random.nextInt(8));
                case 5 -> new ReplyShare(slot, List.of(), Bytes.wrapOwned(new byte[] {1}));
                default -> new StateRequest(slot);
            };
            c.inject(senders.get(random.nextInt(senders.size())), random.nextInt(3), m);
            if (step % 50 == 0) c.heartbeat(random.nextInt(3));
            c.deliver(m2 -> random.nextBoolean());
        }
        assertThat(c.nodes[0].orderedAccepted()).isPositive();
        assertThat(c.nodes[0].orderedRejected()).isPositive();
    }

    @Test
    void firewallKeysAreRequiredExactlyInFirewallModeAndMustBeTheNodesOwn() {
        FirewallCluster c = cluster(1);
        io.bulwark.core.cluster.ClusterSpec plain = new io.bulwark.core.cluster.ClusterSpec(1, 1, 1, -1);
        assertThatThrownBy(() -> new ExecutionNode(c.spec, c.quorums, CONFIG, c.id(0), c.signer(c.id(0)), c.keys, new AppendLog()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ExecutionNode(plain, c.quorums, CONFIG, c.id(0), c.signer(c.id(0)), c.keys, new AppendLog(),
                c.firewall(0))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ExecutionNode(c.spec, c.quorums, CONFIG, c.id(0), c.signer(c.id(0)), c.keys, new AppendLog(),
                c.firewall(1))).isInstanceOf(IllegalArgumentException.class);
        assertThat(c.nodes[0].firewall()).isTrue();
    }
}
