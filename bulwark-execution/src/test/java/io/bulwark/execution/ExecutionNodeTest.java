package io.bulwark.execution;

import static io.bulwark.execution.ExecCluster.ofType;
import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Decided;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.ExecutionCheckpoint;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.StateRequest;
import io.bulwark.core.message.StateSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Execution nodes driven by hand: execution, replies, checkpoints, state transfer, recovery. */
class ExecutionNodeTest {
    /** K = 4, state transfer after 3 idle heartbeats, checkpoints re-sent every 4 heartbeats. */
    static final ExecutionConfig CONFIG = new ExecutionConfig(4, 64, ExecutionConfig.ms(10), 3, 4, 4);

    static Bytes utf8(String s) {
        return Bytes.ofUtf8(s);
    }

    // ---------------------------------------------------------------- execution and replies

    @Test
    void executesInSlotOrderExactlyOncePerClientAndTimestamp() {
        ExecCluster c = new ExecCluster(1, 1, 1, CONFIG, 2);
        Request a = c.request(0, 1, "a");
        Request b = c.request(1, 1, "b");
        Request cc = c.request(0, 2, "c");
        Request d = c.request(1, 2, "d");
        // Slot 1 is decided first: nothing runs until slot 0 is in.
        c.tell(0, 1, c.batch(90, cc, cc));
        assertThat(c.nodes[0].nextSlot()).isZero();
        assertThat(c.machines[0].entries).isEmpty();
        c.tell(0, 0, c.batch(100, a, b, a));
        // A later slot repeats a request already executed (and an older one of the same client).
        c.tell(0, 2, c.batch(120, a, cc));
        c.tell(0, 3, c.batch(130, d));

        // Batch time never goes back: slot 1's 90 runs at 100.
        assertThat(c.machines[0].entries).containsExactly("0:a@100", "1:b@100", "0:c@100", "1:d@130");
        assertThat(c.nodes[0].nextSlot()).isEqualTo(4);
        assertThat(c.nodes[0].timeMillis()).isEqualTo(130);
        assertThat(c.nodes[0].executedRequests()).isEqualTo(4);
        assertThat(c.nodes[0].resentReplies()).isEqualTo(3);
        assertThat(c.nodes[0].staleRequests()).isEqualTo(1);
        assertThat(c.replies[0]).containsExactly(
                new Reply(0, 1, 0, utf8("1:a")),
                new Reply(1, 1, 0, utf8("2:b")),
                new Reply(0, 1, 0, utf8("1:a")),
                new Reply(0, 2, 1, utf8("3:c")),
                new Reply(0, 2, 1, utf8("3:c")),
                new Reply(0, 2, 1, utf8("3:c")),
                new Reply(1, 2, 3, utf8("4:d")));
        assertThat(c.delivered[0]).extracting(x -> x.slot()).containsExactly(0L, 1L, 2L, 3L);
        assertThat(c.nodes[0].cachedReply(0)).isEqualTo(new CachedReply(2, 1, utf8("3:c")));
    }

    @Test
    void correctReplicasSendIdenticalRepliesWhicheverWayTheyLearn() {
        ExecCluster c = new ExecCluster(1, 1, 1, CONFIG, 4);
        List<Batch> batches = new ArrayList<>();
        for (int s = 0; s < 6; s++) {
            batches.add(c.batch(200 - s, c.request(s % 3, s + 1, "op" + s), c.request(3, s + 1, "x" + s)));
        }
        // Node 0: PROPOSE then ACCEPTED, in order.
        for (int s = 0; s < 6; s++) c.tell(0, s, batches.get(s));
        // Node 1: slots in reverse, ACCEPTED before the bodies.
        for (int s = 5; s >= 0; s--) {
            for (int a = 0; a < c.quorums.fast(); a++) {
                c.inject(Principal.node(a), 1, new Accepted(0, s, batches.get(s).digest()));
            }
        }
        assertThat(c.nodes[1].nextSlot()).isZero();
        for (int s = 5; s >= 0; s--) c.inject(Principal.node(0), 1, new Propose(0, s, batches.get(s)));
        // Node 2: from f + 1 matching DECIDED only (catch-up path).
        for (int s = 0; s < 6; s++) {
            for (int a = 0; a < c.quorums.proof(); a++) c.inject(Principal.node(a), 2, new Decided(s, batches.get(s)));
        }
        for (int i = 0; i < 3; i++) assertThat(c.nodes[i].nextSlot()).isEqualTo(6);
        assertThat(c.replies[1]).isEqualTo(c.replies[0]);
        assertThat(c.replies[2]).isEqualTo(c.replies[0]);
        assertThat(c.machines[1].entries).isEqualTo(c.machines[0].entries);
        assertThat(c.machines[2].entries).isEqualTo(c.machines[0].entries);
        assertThat(c.replies[0]).hasSize(12);
    }

    @Test
    void aClientRetransmissionGetsTheCachedReplyAndIsNeverExecuted() {
        ExecCluster c = new ExecCluster(1, 1, 1, CONFIG, 2);
        Request r = c.request(0, 5, "put");
        c.tell(0, 0, c.batch(100, r));
        assertThat(c.replies[0]).containsExactly(new Reply(0, 5, 0, utf8("1:put")));

        c.inject(Principal.client(0), 0, r);
        assertThat(c.replies[0]).containsExactly(new Reply(0, 5, 0, utf8("1:put")), new Reply(0, 5, 0, utf8("1:put")));
        // A new request straight from the client is not executed: only agreement orders requests.
        c.inject(Principal.client(0), 0, c.request(0, 6, "next"));
        // Another client cannot ask for client 0's reply.
        c.inject(Principal.client(1), 0, r);
        assertThat(c.replies[0]).hasSize(2);
        assertThat(c.machines[0].entries).containsExactly("0:put@100");
        assertThat(c.nodes[0].resentReplies()).isEqualTo(1);
        assertThat(c.nodes[0].ignoredMessages()).isEqualTo(2);
    }

    @Test
    void anApplicationThatThrowsGetsAnEmptyResultOnEveryReplica() {
        ExecCluster c = new ExecCluster(1, 1, 1, CONFIG, 1);
        c.decide(0, c.batch(100, c.request(0, 1, "boom"), c.request(0, 2, "fine")));
        for (int i = 0; i < 3; i++) {
            assertThat(c.replies[i]).containsExactly(new Reply(0, 1, 0, Bytes.EMPTY), new Reply(0, 2, 0, utf8("1:fine")));
            assertThat(c.nodes[i].applicationErrors()).isEqualTo(1);
        }
    }

    // ---------------------------------------------------------------- checkpoints

    @Test
    void checkpointsEveryKSlotsMatchAcrossReplicasAndCertifyAtGPlusOne() {
        ExecCluster c = new ExecCluster(1, 1, 2, CONFIG, 2); // 5 execution nodes, g + 1 = 3
        for (int s = 0; s < 8; s++) c.decide(s, c.batch(100 + s, c.request(s % 2, s + 1, "op" + s)));

        for (int i = 0; i < 5; i++) {
            assertThat(c.nodes[i].checkpointsTaken()).isEqualTo(2);
            assertThat(c.disks[i]).extracting(p -> ((ExecutionPersisted.Checkpoint) p).slot()).containsExactly(3L, 7L);
            assertThat(c.nodes[i].certifiedCheckpoint()).isNull(); // its own checkpoint alone is not enough
            // Sent to the four other execution nodes and the six agreement nodes.
            int self = c.id(i);
            assertThat(c.inFlight.stream().filter(m -> m.from() == self && m.message() instanceof ExecutionCheckpoint))
                    .hasSize(2 * (4 + 6));
        }
        Digest at3 = digestAt(c, 0, 3);
        for (int i = 1; i < 5; i++) assertThat(digestAt(c, i, 3)).isEqualTo(at3);
        assertThat(digestAt(c, 0, 7)).isNotEqualTo(at3);

        // Node 0 hears slot 3 from node 1 (2 matching, incl. its own): not yet; from node 2: certified.
        int n0 = c.id(0);
        c.deliver(m -> m.to().id() == n0 && m.from() == c.id(1) && m.message() instanceof ExecutionCheckpoint x && x.slot() == 3);
        assertThat(c.nodes[0].certifiedCheckpoint()).isNull();
        c.deliver(m -> m.to().id() == n0 && m.from() == c.id(2) && m.message() instanceof ExecutionCheckpoint x && x.slot() == 3);
        CertifiedCheckpoint cert = c.nodes[0].certifiedCheckpoint();
        assertThat(cert.slot()).isEqualTo(3);
        assertThat(cert.stateDigest()).isEqualTo(at3);
        assertThat(cert.signatures()).extracting(ExecutionCheckpoint::sender).containsExactlyInAnyOrder(c.id(0), c.id(1), c.id(2));
        for (ExecutionCheckpoint x : cert.signatures()) {
            assertThat(c.keys.verify(Principal.node(x.sender()), WireCodec.signedBytes(x), x.signature())).isTrue();
        }
        assertThat(c.nodes[0].servableSlot()).isEqualTo(3);

        // Everything else: every node certifies slot 7, and the checkpoints after the (g+1)-th are late.
        c.deliver(m -> m.message() instanceof ExecutionCheckpoint && m.to().id() >= c.agreementNodes);
        for (int i = 0; i < 5; i++) {
            assertThat(c.nodes[i].certifiedCheckpoint().slot()).isEqualTo(7);
            assertThat(c.nodes[i].servableSlot()).isEqualTo(7);
            assertThat(c.nodes[i].divergentCheckpoints()).isZero();
            assertThat(c.nodes[i].malformedMessages()).isZero();
        }
        assertThat(c.nodes[4].lateCheckpoints()).isPositive();
    }

    @Test
    void gFaultyNodesCannotCertifyAStateAndForgedCheckpointsDoNotCount() {
        ExecCluster c = new ExecCluster(1, 1, 2, CONFIG, 1); // g = 2
        for (int s = 0; s < 4; s++) c.decide(s, c.batch(100, c.request(0, s + 1, "op")));
        c.drop(m -> true);
        Digest lie = Digest.sha256(new byte[] {1, 2, 3});
        // The two faulty nodes 3 and 4 agree on a lie and tell node 0; node 0's own digest differs.
        c.inject(Principal.node(c.id(3)), 0, c.checkpoint(c.id(3), 3, lie));
        c.inject(Principal.node(c.id(4)), 0, c.checkpoint(c.id(4), 3, lie));
        assertThat(c.nodes[0].certifiedCheckpoint()).isNull();
        // Node 4 claims to be node 1 (sender mismatch), then signs in node 1's name with its own key.
        c.inject(Principal.node(c.id(4)), 0, c.checkpoint(c.id(1), 3, lie));
        ExecutionCheckpoint real1 = c.checkpoint(c.id(1), 3, lie);
        c.inject(Principal.node(c.id(1)), 0, new ExecutionCheckpoint(c.id(1), 3, lie,
                c.signer(c.id(4)).sign(WireCodec.signedBytes(real1))));
        // An agreement node's checkpoint, and a checkpoint at a slot that is not a checkpoint slot.
        c.inject(Principal.node(0), 0, c.checkpoint(0, 3, lie));
        c.inject(Principal.node(c.id(3)), 0, c.checkpoint(c.id(3), 5, lie));
        assertThat(c.nodes[0].certifiedCheckpoint()).isNull();
        assertThat(c.nodes[0].malformedMessages()).isEqualTo(3);
        // Honest nodes 1 and 2 certify the truth; node 3's second statement for the slot is ignored.
        Digest truth = digestAt(c, 0, 3);
        c.inject(Principal.node(c.id(3)), 0, c.checkpoint(c.id(3), 3, truth));
        c.inject(Principal.node(c.id(1)), 0, c.checkpoint(c.id(1), 3, truth));
        assertThat(c.nodes[0].certifiedCheckpoint()).isNull();
        c.inject(Principal.node(c.id(2)), 0, c.checkpoint(c.id(2), 3, truth));
        assertThat(c.nodes[0].certifiedCheckpoint().stateDigest()).isEqualTo(truth);
    }

    // ---------------------------------------------------------------- state transfer

    /**
     * Nodes 0 and 1 execute slots 0..slots-1; node 2 executes only slots 0 and 1, then is cut
     * off. Checkpoints flow between nodes 0 and 1 (certified at g + 1 = 2).
     */
    static ExecCluster cutOff(int slots) {
        ExecCluster c = new ExecCluster(1, 1, 1, CONFIG, 2);
        for (int s = 0; s < slots; s++) {
            if (s == 2) c.isolated.add(2);
            c.decide(s, c.batch(100 + s, c.request(s % 2, s / 2 + 1, "op" + s)));
        }
        c.deliver(m -> true);
        return c;
    }

    /** Reconnects node 2 without the early slots at the agreement nodes; it hears the re-sent checkpoints. */
    static void reconnect(ExecCluster c, long agreementRetainsFrom) {
        c.isolated.clear();
        c.retainedFrom = agreementRetainsFrom;
        for (int h = 0; h < CONFIG.checkpointResendHeartbeats(); h++) {
            c.heartbeat(0);
            c.heartbeat(1);
        }
        c.deliver(ofType(ExecutionCheckpoint.class).or(ofType(DecisionQuery.class)));
    }

    @Test
    void aCutOffNodeCatchesUpFromACertifiedCheckpointThenFromTheAgreementNodes() {
        ExecCluster c = cutOff(14);
        assertThat(c.nodes[2].nextSlot()).isEqualTo(2);
        assertThat(c.nodes[0].servableSlot()).isEqualTo(11);
        reconnect(c, 12);
        assertThat(c.nodes[2].certifiedCheckpoint().slot()).isEqualTo(11);

        // Asking the agreement nodes for slot 2 brings nothing; after stateTransferPatience idle
        // heartbeats node 2 asks one peer.
        for (int h = 0; h <= CONFIG.stateTransferPatience(); h++) {
            c.heartbeat(2);
            c.deliver(ofType(DecisionQuery.class));
        }
        assertThat(c.inFlight).filteredOn(ofType(StateRequest.class)::test).singleElement()
                .satisfies(m -> assertThat(m.to()).isEqualTo(Principal.node(c.id(0))))
                .satisfies(m -> assertThat(((StateRequest) m.message()).slot()).isEqualTo(2));
        c.deliver(ofType(StateRequest.class).or(ofType(StateSnapshot.class)));

        assertThat(c.nodes[2].stateTransfersDone()).isEqualTo(1);
        assertThat(c.nodes[2].nextSlot()).isEqualTo(12);
        assertThat(c.nodes[2].learner().logHash()).isNotEqualTo(Digest.ZERO);
        assertThat(c.nodes[2].replyCache()).isEqualTo(replyCacheAfter(c, 0, 11));
        assertThat(c.machines[2].entries).isEqualTo(c.machines[0].entries.subList(0, 12));
        assertThat(c.disks[2]).last().satisfies(p -> assertThat(((ExecutionPersisted.Checkpoint) p).slot()).isEqualTo(11));
        assertThat(c.nodes[2].servableSlot()).isEqualTo(11);

        // New traffic shows node 2 the gap after the checkpoint; the agreement nodes still have it.
        c.decide(14, c.batch(300, c.request(0, 100, "late")));
        // Stuck on two heartbeats in a row (three checks) before asking: a late slot is not a gap.
        c.heartbeat(2);
        c.heartbeat(2);
        c.heartbeat(2);
        c.deliver(ofType(DecisionQuery.class));
        assertThat(c.nodes[2].nextSlot()).isEqualTo(15);
        assertThat(c.machines[2].entries).isEqualTo(c.machines[0].entries);
        assertThat(c.nodes[2].replyCache()).isEqualTo(c.nodes[0].replyCache());
        // Slot 15 completes a checkpoint that matches everyone else's.
        c.decide(15, c.batch(301));
        assertThat(c.nodes[2].latestCheckpoint().stateDigest()).isEqualTo(c.nodes[0].latestCheckpoint().stateDigest());
        assertThat(c.nodes[2].stateTransfersRejected()).isZero();
    }

    @Test
    void forgedOrMismatchedSnapshotsAreRejectedAndHarmNothing() {
        ExecCluster c = cutOff(12);
        Bytes genuine = ((ExecutionPersisted.Checkpoint) c.disks[0].getLast()).state();
        List<ExecutionCheckpoint> cert = c.nodes[0].certifiedCheckpoint().signatures();
        Digest digest = c.nodes[0].certifiedCheckpoint().stateDigest();
        int liar = c.id(0);
        ExecutionNode victim = c.nodes[2];
        List<String> before = List.copyOf(c.machines[2].entries);

        // Unsolicited: node 2 has not asked for state.
        c.inject(Principal.node(liar), 2, new StateSnapshot(11, genuine, cert));
        assertThat(victim.nextSlot()).isEqualTo(2);

        reconnect(c, 12);
        for (int h = 0; h <= CONFIG.stateTransferPatience(); h++) c.heartbeat(2);
        assertThat(c.drop(ofType(StateRequest.class))).isEqualTo(1);

        byte[] tampered = genuine.toByteArray();
        tampered[tampered.length - 1] ^= 1;
        Digest other = Digest.sha256(new byte[] {9});
        ExecutionCheckpoint sig0 = cert.get(0);
        ExecutionCheckpoint badSig = new ExecutionCheckpoint(sig0.sender(), 11, digest, Bytes.wrapOwned(new byte[64]));
        Bytes unreadable = Bytes.ofUtf8("not a state at all");
        Bytes refusedByApplication = new ExecutionState(11, 0, Digest.ZERO, new TreeMap<>(), Bytes.ofUtf8("garbage")).encode();
        List<StateSnapshot> forgeries = List.of(
                // the state does not hash to the certified digest
                new StateSnapshot(11, Bytes.wrapOwned(tampered), cert),
                // g signatures only
                new StateSnapshot(11, genuine, List.of(sig0)),
                // g + 1 valid signatures, but of agreement nodes
                new StateSnapshot(11, genuine, List.of(c.checkpoint(0, 11, digest), c.checkpoint(1, 11, digest))),
                // one execution node counted twice
                new StateSnapshot(11, genuine, List.of(sig0, sig0)),
                // signatures on different digests
                new StateSnapshot(11, genuine, List.of(sig0, c.checkpoint(c.id(1), 11, other))),
                // a signature that does not verify
                new StateSnapshot(11, genuine, List.of(badSig, cert.get(1))),
                // beyond the fault assumption (g + 1 liars), still no harm and no crash: a state of another slot,
                new StateSnapshot(15, genuine, List.of(c.checkpoint(c.id(0), 15, digest), c.checkpoint(c.id(1), 15, digest))),
                // bytes that are no state,
                new StateSnapshot(11, unreadable, List.of(
                        c.checkpoint(c.id(0), 11, ExecutionState.digestOf(unreadable)),
                        c.checkpoint(c.id(1), 11, ExecutionState.digestOf(unreadable)))),
                // and a state the application refuses (it is rolled back)
                new StateSnapshot(11, refusedByApplication, List.of(
                        c.checkpoint(c.id(0), 11, ExecutionState.digestOf(refusedByApplication)),
                        c.checkpoint(c.id(1), 11, ExecutionState.digestOf(refusedByApplication)))));
        int rejected = 0;
        for (StateSnapshot forged : forgeries) {
            c.inject(Principal.node(liar), 2, forged);
            assertThat(victim.stateTransfersRejected()).as("rejected %s", forged.certificate()).isEqualTo(++rejected);
            assertThat(victim.nextSlot()).isEqualTo(2);
            assertThat(c.machines[2].entries).isEqualTo(before);
            assertThat(c.disks[2]).isEmpty();
        }
        // A snapshot from a non-execution node is not even looked at.
        c.inject(Principal.node(0), 2, new StateSnapshot(11, genuine, cert));
        assertThat(victim.nextSlot()).isEqualTo(2);

        // The genuine one is still accepted afterwards.
        c.inject(Principal.node(c.id(1)), 2, new StateSnapshot(11, genuine, cert));
        assertThat(victim.stateTransfersDone()).isEqualTo(1);
        assertThat(victim.nextSlot()).isEqualTo(12);
        assertThat(c.machines[2].entries).isEqualTo(c.machines[0].entries);
        assertThat(victim.stateTransfersRejected()).isEqualTo(rejected);
    }

    @Test
    void aPeerServesOnlyCertifiedStateItHoldsAndAtMostOncePerHeartbeat() {
        ExecCluster c = cutOff(12);
        int asker = c.id(2);
        c.inject(Principal.node(asker), 0, new StateRequest(12)); // beyond its certified checkpoint
        c.inject(Principal.node(asker), 0, new StateRequest(3));
        c.inject(Principal.node(asker), 0, new StateRequest(3)); // same heartbeat
        assertThat(c.inFlight).filteredOn(ofType(StateSnapshot.class)::test).singleElement()
                .satisfies(m -> assertThat(((StateSnapshot) m.message()).slot()).isEqualTo(11));
        c.heartbeat(0);
        c.inject(Principal.node(asker), 0, new StateRequest(3));
        assertThat(c.nodes[0].stateSnapshotsServed()).isEqualTo(2);
        // Node 2 never reached a certified checkpoint: nothing to serve.
        c.inject(Principal.node(c.id(0)), 2, new StateRequest(0));
        assertThat(c.nodes[2].stateSnapshotsServed()).isZero();
    }

    // ---------------------------------------------------------------- recovery

    @Test
    void aRestartedNodeResumesFromItsLatestCheckpointAndReLearnsTheRest() {
        ExecCluster c = new ExecCluster(1, 1, 1, CONFIG, 2);
        List<Request> requests = new ArrayList<>();
        for (int s = 0; s < 6; s++) {
            requests.add(c.request(s % 2, s / 2 + 1, "op" + s));
            c.decide(s, c.batch(100 + s, requests.get(s)));
        }
        List<String> entries = List.copyOf(c.machines[0].entries);
        List<Reply> replies = List.copyOf(c.replies[0]);
        c.replies[0].clear();
        c.drop(m -> true);

        c.restart(0);
        assertThat(c.nodes[0].nextSlot()).isEqualTo(4);
        assertThat(c.machines[0].entries).isEqualTo(entries.subList(0, 4));
        assertThat(c.nodes[0].replyCache()).isEqualTo(replyCacheAfter(c, 1, 3));
        assertThat(c.nodes[0].latestCheckpoint().slot()).isEqualTo(3);

        // Slots 4 and 5 come back from the agreement nodes, executed again with the same results;
        // slot 6 repeats an old request (dropped) and the last one of client 1 (cached reply).
        c.heartbeat(0);
        c.heartbeat(0);
        c.heartbeat(0);
        c.deliver(ofType(DecisionQuery.class));
        assertThat(c.nodes[0].nextSlot()).isEqualTo(6); // the restart probe asks for everything after the checkpoint
        c.decide(6, c.batch(200, requests.get(1), requests.get(5)));
        c.heartbeat(0);
        c.heartbeat(0);
        c.heartbeat(0);
        c.deliver(ofType(DecisionQuery.class));
        assertThat(c.nodes[0].nextSlot()).isEqualTo(7);
        assertThat(c.machines[0].entries).isEqualTo(entries);
        assertThat(c.replies[0].subList(0, 2)).isEqualTo(replies.subList(4, 6));
        assertThat(c.replies[0].subList(2, 3)).containsExactly(replies.get(5));
        assertThat(c.nodes[0].staleRequests()).isEqualTo(1);
        assertThat(c.machines[0].entries).isEqualTo(c.machines[1].entries);
    }

    @Test
    void recoveryFallsBackPastAnUnreadableRecordAndStartsEmptyWithoutRecords() {
        ExecCluster c = new ExecCluster(1, 1, 1, CONFIG, 1);
        for (int s = 0; s < 4; s++) c.decide(s, c.batch(100, c.request(0, s + 1, "op")));
        c.disks[0].add(new ExecutionPersisted.Checkpoint(7, Bytes.ofUtf8("torn write")));
        c.restart(0);
        assertThat(c.nodes[0].unreadableRecords()).isEqualTo(1);
        assertThat(c.nodes[0].nextSlot()).isEqualTo(4);
        assertThat(c.machines[0].entries).hasSize(4);

        c.disks[1].clear();
        c.restart(1);
        assertThat(c.nodes[1].nextSlot()).isZero();
        assertThat(c.machines[1].entries).isEmpty();
        assertThat(c.nodes[1].replyCache()).isEmpty();
    }

    @Test
    void aNodeRestartedWithoutRecordsUsesStateTransferWhenTheAgreementNodesForgotSlotZero() {
        ExecCluster c = new ExecCluster(1, 1, 1, CONFIG, 2);
        for (int s = 0; s < 8; s++) c.decide(s, c.batch(100 + s, c.request(s % 2, s + 1, "op" + s)));
        c.deliver(m -> true);
        c.disks[2].clear(); // a new machine, or a lost disk
        c.restart(2);
        c.retainedFrom = 4;
        assertThat(c.nodes[2].nextSlot()).isZero();

        for (int h = 0; h < CONFIG.checkpointResendHeartbeats(); h++) {
            c.heartbeat(0);
            c.heartbeat(1);
        }
        for (int h = 0; h <= CONFIG.stateTransferPatience() + 1; h++) {
            c.heartbeat(2);
            c.deliver(m -> true);
        }
        assertThat(c.nodes[2].stateTransfersDone()).isEqualTo(1);
        assertThat(c.nodes[2].nextSlot()).isEqualTo(8);
        assertThat(c.machines[2].entries).isEqualTo(c.machines[0].entries);
        assertThat(c.nodes[2].replyCache()).isEqualTo(c.nodes[0].replyCache());
    }

    // ---------------------------------------------------------------- helpers

    /** Node {@code index}'s persisted state digest at {@code slot}. */
    static Digest digestAt(ExecCluster c, int index, long slot) {
        return c.disks[index].stream()
                .map(p -> (ExecutionPersisted.Checkpoint) p)
                .filter(p -> p.slot() == slot)
                .map(p -> ExecutionState.digestOf(p.state()))
                .findFirst().orElseThrow();
    }

    /** The reply cache in node {@code index}'s persisted checkpoint at {@code slot}. */
    static Map<Long, CachedReply> replyCacheAfter(ExecCluster c, int index, long slot) {
        try {
            Bytes state = c.disks[index].stream()
                    .map(p -> (ExecutionPersisted.Checkpoint) p)
                    .filter(p -> p.slot() == slot)
                    .findFirst().orElseThrow().state();
            return ExecutionState.decode(state).replies();
        } catch (MalformedMessageException e) {
            throw new AssertionError(e);
        }
    }
}
