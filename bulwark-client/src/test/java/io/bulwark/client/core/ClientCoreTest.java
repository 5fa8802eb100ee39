package io.bulwark.client.core;

import static io.bulwark.client.core.CoreHarness.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.RequestAuthenticator;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.WireLimits;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.step.Outbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ClientCoreTest {
    /** f=1, t=1: agreement nodes 0..5; g=1: execution nodes 6, 7, 8; a reply certificate is 2 replies. */
    static final ClusterSpec SEPARATED = new ClusterSpec(1, 1, 1, -1);
    /** f=1, t=0: agreement nodes 0..3; g=2: execution nodes 4..8; a reply certificate is 3 replies. */
    static final ClusterSpec SEPARATED_G2 = new ClusterSpec(1, 0, 2, -1);
    /** Agreement nodes 0..5 are the learners; a reply certificate is f+1 = 2 replies. */
    static final ClusterSpec AGREEMENT_ONLY = ClusterSpec.agreementOnly(1, 1);

    static final ClientConfig CONFIG = new ClientConfig(100 * MS, 2.0, 400 * MS, 2_000 * MS, 8);
    static final long T0 = 5_000_000;

    CoreHarness harness(ClusterSpec spec) {
        return new CoreHarness(spec, CONFIG, T0);
    }

    // ---------------------------------------------------------------- sending

    @Test
    void firstSendGoesToThePresumedLeaderOnly() {
        CoreHarness h = harness(SEPARATED);
        h.submit("op");
        List<Outbox.Send> sent = h.takeSent();
        assertThat(h.recipients(sent)).containsExactly(0);
        Request r = h.requestIn(sent.get(0));
        assertThat(r.clientId()).isEqualTo(7);
        assertThat(r.timestamp()).isEqualTo(T0);
        assertThat(r.operation()).isEqualTo(Bytes.ofUtf8("op"));
        assertThat(h.timers).containsKeys(new ClientCore.RetransmitTimer(T0));
        assertThat(h.timers.get(new ClientCore.RetransmitTimer(T0))).isEqualTo(h.now + 100 * MS);
    }

    @Test
    void requestSignatureVerifiesUnderTheClientsPublicKey() {
        CoreHarness h = harness(SEPARATED);
        h.submit("transfer 10");
        Request r = h.requestIn(h.takeSent().get(0));
        byte[] signed = WireCodec.signedBytes(r);
        assertThat(r.signature().length()).isEqualTo(Ed25519Keys.SIGNATURE_LENGTH);
        assertThat(h.keys.verify(Principal.client(7), signed, r.signature())).isTrue();
        assertThat(h.keys.verify(Principal.client(8), signed, r.signature())).isFalse();
        // It covers the operation and the timestamp.
        byte[] other = WireCodec.requestSignedBytes(7, r.timestamp() + 1, r.operation());
        assertThat(h.keys.verify(Principal.client(7), other, r.signature())).isFalse();
        assertThat(r.authenticator()).isEqualTo(Bytes.EMPTY); // RequestAuthenticator.NONE
    }

    @Test
    void authenticatorCoversTheSignedBytesForEveryAgreementNode() {
        List<Object[]> calls = new ArrayList<>();
        RequestAuthenticator macs = new RequestAuthenticator() {
            @Override
            public Bytes authenticate(long clientId, byte[] signedBytes, int nodes) {
                calls.add(new Object[] {clientId, signedBytes.clone(), nodes});
                return Bytes.wrapOwned(new byte[nodes * TAG_LENGTH]);
            }

            @Override
            public boolean verify(int node, long clientId, byte[] signedBytes, Bytes authenticator) {
                return false;
            }
        };
        CoreHarness h = new CoreHarness(SEPARATED, CONFIG, T0, macs);
        h.submit("op");
        Request r = h.requestIn(h.takeSent().get(0));
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0)[0]).isEqualTo(7L);
        assertThat((byte[]) calls.get(0)[1]).isEqualTo(WireCodec.signedBytes(r));
        assertThat(calls.get(0)[2]).isEqualTo(SEPARATED.agreementNodes());
        assertThat(r.authenticator().length()).isEqualTo(6 * RequestAuthenticator.TAG_LENGTH);
    }

    @Test
    void retransmitsToAllAgreementAndExecutionNodesWithCappedExponentialBackoffUntilTheDeadline() {
        CoreHarness h = harness(SEPARATED);
        long start = h.now;
        h.submit("op");
        Request first = h.requestIn(h.takeSent().get(0));
        // waits 100, 200, 400 (cap), 400, 400, 400 ms; the next would pass the 2 s deadline
        long[] at = {100, 300, 700, 1_100, 1_500, 1_900};
        for (long ms : at) {
            h.advanceTo(start + ms * MS - 1);
            assertThat(h.takeSent()).as("nothing before %d ms", ms).isEmpty();
            h.advanceTo(start + ms * MS);
            List<Outbox.Send> sent = h.takeSent();
            assertThat(h.recipients(sent)).as("at %d ms", ms).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
            for (Outbox.Send s : sent) assertThat(s.message()).isEqualTo(first); // same timestamp, same signature
        }
        assertThat(h.outcomes).isEmpty();
        h.advanceTo(start + 2_000 * MS);
        assertThat(h.takeSent()).isEmpty();
        assertThat(h.takeOutcomes()).singleElement().isInstanceOfSatisfying(CallOutcome.Failed.class, f -> {
            assertThat(f.reason()).isEqualTo(CallOutcome.Reason.TIMEOUT);
            assertThat(f.detail()).contains("2000 ms", "6 retransmissions");
        });
        assertThat(h.core.retransmissions()).isEqualTo(6);
        assertThat(h.timers).isEmpty(); // nothing left armed: the call is over
        h.advanceBy(60_000 * MS);
        assertThat(h.takeSent()).isEmpty();
    }

    @Test
    void agreementOnlyClusterRetransmitsToAgreementNodes() {
        CoreHarness h = harness(AGREEMENT_ONLY);
        h.submit("op");
        h.takeSent();
        h.advanceBy(100 * MS);
        assertThat(h.recipients(h.takeSent())).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void aCallThatNeededRetransmissionMovesThePresumedLeaderOn() {
        CoreHarness h = harness(SEPARATED);
        h.submit("a");
        h.takeSent();
        h.advanceBy(100 * MS); // node 0 did not answer in time
        h.reply(6, 1, "A");
        h.reply(7, 1, "A");
        assertThat(h.core.leaderGuess()).isEqualTo(1);
        h.takeSent();
        h.submit("b");
        assertThat(h.recipients(h.takeSent())).containsExactly(1);
        h.reply(6, 2, "B");
        h.reply(7, 2, "B");
        assertThat(h.core.leaderGuess()).isEqualTo(1); // answered at once: keep it
    }

    // ---------------------------------------------------------------- reply certificates

    @Test
    void completesAtGPlusOneMatchingRepliesFromDistinctExecutionNodes() {
        CoreHarness h = harness(SEPARATED);
        long start = h.now;
        long call = h.submit("get x");
        h.advanceTo(start + 30 * MS);
        h.reply(6, 41, "42");
        assertThat(h.outcomes).isEmpty();
        h.advanceTo(start + 50 * MS);
        h.reply(8, 41, "42");
        assertThat(h.takeOutcomes()).containsExactly(
                new CallOutcome.Completed(call, T0, 41, Bytes.ofUtf8("42"), 50 * MS, 0));
        assertThat(h.core.pendingCalls()).isZero();
        assertThat(h.timers).isEmpty();
        h.reply(7, T0, 41, "42"); // the third, late: ignored
        assertThat(h.outcomes).isEmpty();
    }

    @Test
    void repliesFromAgreementNodesDoNotCountWhenThereIsAnExecutionCluster() {
        CoreHarness h = harness(SEPARATED);
        h.submit("op");
        for (int node = 0; node < 6; node++) h.reply(node, 1, "");
        h.reply(6, 1, "r");
        assertThat(h.outcomes).isEmpty();
        h.reply(7, 1, "r");
        assertThat(h.takeOutcomes()).singleElement().isInstanceOf(CallOutcome.Completed.class);
    }

    @Test
    void agreementOnlyClusterCompletesAtFPlusOneMatchingAgreementReplies() {
        CoreHarness h = harness(AGREEMENT_ONLY);
        assertThat(h.core.replyQuorum()).isEqualTo(2);
        h.submit("op");
        h.reply(3, 9, "");
        assertThat(h.outcomes).isEmpty();
        h.reply(5, 9, "");
        assertThat(h.takeOutcomes()).singleElement().isInstanceOfSatisfying(CallOutcome.Completed.class,
                c -> assertThat(c.slot()).isEqualTo(9));
    }

    @Test
    void conflictingRepliesFromFaultyNodesDoNotCompleteUntilGPlusOneAgree() {
        CoreHarness h = harness(SEPARATED_G2); // execution nodes 4..8, certificate = 3
        h.submit("op");
        h.reply(4, 10, "evil"); // faulty
        h.reply(5, 10, "evil"); // faulty, agrees with the other faulty one: only g = 2
        h.reply(6, 10, "good");
        h.reply(7, 11, "good"); // right result, wrong slot: does not match
        assertThat(h.outcomes).isEmpty();
        h.reply(8, 10, "good");
        assertThat(h.outcomes).isEmpty(); // 6 and 8 only: 7 voted for slot 11
        h.advanceBy(100 * MS); // retransmission; the faulty nodes' first votes still stand
        h.reply(4, 10, "good");
        assertThat(h.takeOutcomes()).isEmpty();
    }

    @Test
    void conflictingRepliesCompleteWithTheValueGPlusOneNodesReport() {
        CoreHarness h = harness(SEPARATED_G2);
        h.submit("op");
        h.reply(4, 10, "evil");
        h.reply(5, 12, "worse");
        h.reply(6, 10, "good");
        h.reply(7, 10, "good");
        assertThat(h.outcomes).isEmpty();
        h.reply(8, 10, "good");
        assertThat(h.takeOutcomes()).singleElement().isInstanceOfSatisfying(CallOutcome.Completed.class, c -> {
            assertThat(c.result()).isEqualTo(Bytes.ofUtf8("good"));
            assertThat(c.slot()).isEqualTo(10);
        });
    }

    @Test
    void duplicateRepliesFromOneNodeCountOnceAndItsFirstReplyStands() {
        CoreHarness h = harness(SEPARATED); // certificate = 2
        h.submit("op");
        h.reply(6, 3, "r");
        h.reply(6, 3, "r");
        h.reply(6, 3, "r");
        assertThat(h.outcomes).isEmpty();
        h.reply(7, 3, "x"); // node 7's vote is "x" ...
        h.reply(7, 3, "r"); // ... and it cannot change it
        assertThat(h.outcomes).isEmpty();
        h.reply(8, 3, "r");
        assertThat(h.takeOutcomes()).singleElement().isInstanceOfSatisfying(CallOutcome.Completed.class,
                c -> assertThat(c.result()).isEqualTo(Bytes.ofUtf8("r")));
        assertThat(h.core.ignoredMessages()).isEqualTo(3);
    }

    @Test
    void ignoresRepliesForOtherRequestsOtherClientsUnknownNodesAndNonReplies() {
        CoreHarness h = harness(SEPARATED);
        h.submit("op");
        long ts = h.core.outstandingTimestamp().orElseThrow();
        h.reply(6, ts - 1, 1, "r"); // an earlier request
        h.reply(7, ts + 1, 1, "r"); // a later one
        h.deliver(Principal.node(6), new Reply(8, ts, 1, Bytes.ofUtf8("r"))); // another client's
        h.deliver(Principal.node(9), new Reply(7, ts, 1, Bytes.ofUtf8("r"))); // node 9 does not exist here
        h.deliver(Principal.node(1_000), new Reply(7, ts, 1, Bytes.ofUtf8("r")));
        h.deliver(Principal.client(6), new Reply(7, ts, 1, Bytes.ofUtf8("r"))); // a client, not a node
        h.deliver(Principal.node(7), new Accepted(0, 1, Digest.ZERO));
        assertThat(h.outcomes).isEmpty();
        assertThat(h.core.ignoredMessages()).isEqualTo(7);
        h.reply(6, 1, "r");
        h.reply(7, 1, "r");
        assertThat(h.takeOutcomes()).singleElement().isInstanceOf(CallOutcome.Completed.class);
    }

    @Test
    void repliesWhenNothingIsOutstandingAreIgnored() {
        CoreHarness h = harness(SEPARATED);
        h.reply(6, T0, 1, "r");
        h.reply(7, T0, 1, "r");
        assertThat(h.outcomes).isEmpty();
        assertThat(h.core.ignoredMessages()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- one outstanding, FIFO

    @Test
    void oneRequestOutstandingAtATimeInSubmissionOrder() {
        CoreHarness h = harness(SEPARATED);
        long a = h.submit("a");
        long b = h.submit("b");
        long c = h.submit("c");
        List<Outbox.Send> sent = h.takeSent();
        assertThat(sent).hasSize(1);
        assertThat(h.requestIn(sent.get(0)).operation()).isEqualTo(Bytes.ofUtf8("a"));
        assertThat(h.core.pendingCalls()).isEqualTo(3);

        h.reply(6, 1, "A");
        h.reply(7, 1, "A");
        sent = h.takeSent();
        assertThat(sent).hasSize(1);
        assertThat(h.requestIn(sent.get(0)).operation()).isEqualTo(Bytes.ofUtf8("b"));
        assertThat(h.requestIn(sent.get(0)).timestamp()).isEqualTo(T0 + 1);

        h.reply(6, 2, "B");
        h.reply(8, 2, "B");
        sent = h.takeSent();
        assertThat(h.requestIn(sent.get(0)).operation()).isEqualTo(Bytes.ofUtf8("c"));
        h.reply(7, 3, "C");
        h.reply(8, 3, "C");
        assertThat(h.takeSent()).isEmpty();
        assertThat(h.takeOutcomes()).extracting(CallOutcome::callId).containsExactly(a, b, c);
        assertThat(h.core.pendingCalls()).isZero();
    }

    @Test
    void timestampsIncreaseStrictlyFromTheInitialOneAcrossCompletionsAndTimeouts() {
        CoreHarness h = harness(SEPARATED);
        List<Long> timestamps = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            h.submit("op" + i);
            timestamps.add(h.requestIn(h.takeSent().get(0)).timestamp());
            if (i == 2) {
                h.advanceBy(CONFIG.callTimeoutNanos()); // this one times out: its timestamp is not reused
                h.takeSent();
            } else {
                h.reply(6, i, "r");
                h.reply(7, i, "r");
            }
        }
        assertThat(timestamps).containsExactly(T0, T0 + 1, T0 + 2, T0 + 3, T0 + 4);
        assertThat(h.core.nextTimestamp()).isEqualTo(T0 + 5);
    }

    @Test
    void aRestartedClientStartsFromItsNewInitialTimestamp() {
        CoreHarness before = new CoreHarness(SEPARATED, CONFIG, 1_000_000);
        before.submit("x");
        CoreHarness after = new CoreHarness(SEPARATED, CONFIG, 2_000_000);
        after.submit("y");
        assertThat(after.requestIn(after.takeSent().get(0)).timestamp()).isEqualTo(2_000_000);
    }

    // ---------------------------------------------------------------- timeouts

    @Test
    void aTimedOutCallFailsAndTheNextQueuedCallGoesOutWithAFreshTimestamp() {
        CoreHarness h = harness(SEPARATED);
        long start = h.now;
        long a = h.submit("a");
        h.advanceTo(start + 500 * MS);
        long b = h.submit("b");
        h.advanceTo(start + 2_000 * MS - 1);
        h.takeSent();
        h.advanceTo(start + 2_000 * MS);
        assertThat(h.takeOutcomes()).singleElement().isInstanceOfSatisfying(CallOutcome.Failed.class, f -> {
            assertThat(f.callId()).isEqualTo(a);
            assertThat(f.reason()).isEqualTo(CallOutcome.Reason.TIMEOUT);
        });
        List<Outbox.Send> sent = h.takeSent();
        assertThat(h.recipients(sent)).containsExactly(1); // the presumed leader moved on after the retransmissions
        assertThat(h.requestIn(sent.get(0)).timestamp()).isEqualTo(T0 + 1);
        // Late replies for a's timestamp are ignored.
        h.reply(6, T0, 1, "A");
        h.reply(7, T0, 1, "A");
        assertThat(h.outcomes).isEmpty();
        // b's own deadline counts from its submission (500 ms), not from when it was sent.
        h.advanceTo(start + 2_499 * MS);
        assertThat(h.outcomes).isEmpty();
        h.advanceTo(start + 2_500 * MS);
        assertThat(h.takeOutcomes()).singleElement().isInstanceOfSatisfying(CallOutcome.Failed.class, f -> {
            assertThat(f.callId()).isEqualTo(b);
            assertThat(f.reason()).isEqualTo(CallOutcome.Reason.TIMEOUT);
        });
    }

    @Test
    void callsWhoseDeadlinePassedWhileQueuedFailWithoutBeingSent() {
        CoreHarness h = harness(SEPARATED);
        long a = h.submit("a");
        long b = h.submit("b"); // same deadline as a
        long c = h.submit("c");
        h.takeSent();
        h.advanceBy(CONFIG.callTimeoutNanos());
        assertThat(h.takeOutcomes()).extracting(CallOutcome::callId).containsExactly(a, b, c);
        assertThat(h.takeSent()).allSatisfy(s -> assertThat(h.requestIn(s).timestamp()).isEqualTo(T0)); // a's retransmissions
        assertThat(h.core.nextTimestamp()).isEqualTo(T0 + 1); // only a used one
    }

    @Test
    void staleTimersAreIgnored() {
        CoreHarness h = harness(SEPARATED);
        long call = h.submit("a");
        h.reply(6, 1, "A");
        h.reply(7, 1, "A");
        h.takeSent();
        h.core.onTimer(h.now, new ClientCore.RetransmitTimer(T0), new Outbox());
        h.core.onTimer(h.now, new ClientCore.DeadlineTimer(call), new Outbox());
        h.core.onTimer(h.now, "something else", new Outbox());
        assertThat(h.core.ignoredTimers()).isEqualTo(3);
        assertThat(h.core.drainOutcomes()).isEmpty();
    }

    // ---------------------------------------------------------------- bounds and shutdown

    @Test
    void submittingBeyondMaxQueuedCallsFailsFast() {
        CoreHarness h = new CoreHarness(SEPARATED, CONFIG.withMaxQueuedCalls(2), T0);
        h.submit("a");
        h.submit("b");
        long c = h.submit("c");
        assertThat(h.takeOutcomes()).singleElement().isInstanceOfSatisfying(CallOutcome.Failed.class, f -> {
            assertThat(f.callId()).isEqualTo(c);
            assertThat(f.reason()).isEqualTo(CallOutcome.Reason.QUEUE_FULL);
            assertThat(f.detail()).contains("maxQueuedCalls = 2");
        });
        assertThat(h.core.pendingCalls()).isEqualTo(2);
        h.reply(6, 1, "A");
        h.reply(7, 1, "A");
        h.submit("d"); // room again
        assertThat(h.core.pendingCalls()).isEqualTo(2);
        assertThat(h.takeOutcomes()).singleElement().isInstanceOf(CallOutcome.Completed.class);
    }

    @Test
    void anOperationOverTheWireLimitIsRejected() {
        CoreHarness h = harness(SEPARATED);
        Bytes big = Bytes.wrapOwned(new byte[WireLimits.OPERATION_BYTES_MAX + 1]);
        assertThatThrownBy(() -> h.core.submit(h.now, big, new Outbox()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("exceeds the limit");
        assertThat(h.core.pendingCalls()).isZero();
        h.core.submit(h.now, Bytes.wrapOwned(new byte[WireLimits.OPERATION_BYTES_MAX]), new Outbox());
        assertThat(h.core.pendingCalls()).isOne();
    }

    @Test
    void shutdownFailsEveryPendingCallAndLaterSubmissions() {
        CoreHarness h = harness(SEPARATED);
        long a = h.submit("a");
        long b = h.submit("b");
        h.takeSent();
        Outbox out = new Outbox();
        h.core.shutdown(h.now, "closing", out);
        assertThat(out.timers()).allSatisfy(t -> assertThat(t.cancel()).isTrue());
        assertThat(out.sends()).isEmpty();
        List<CallOutcome> outcomes = h.core.drainOutcomes();
        assertThat(outcomes).extracting(CallOutcome::callId).containsExactly(a, b);
        assertThat(outcomes).allSatisfy(o -> assertThat(((CallOutcome.Failed) o).reason()).isEqualTo(CallOutcome.Reason.CLOSED));
        long c = h.submit("c");
        assertThat(h.takeSent()).isEmpty();
        assertThat(h.takeOutcomes()).containsExactly(new CallOutcome.Failed(c, CallOutcome.Reason.CLOSED, "client-7 is closed"));
    }

    @Test
    void rejectsAMismatchedSignerAFirewallClusterAndBadTimestamps() {
        var signer = Ed25519Keys.signer(Principal.client(8), Ed25519Keys.generateSecretKey(new Random(1)));
        assertThatThrownBy(() -> new ClientCore(SEPARATED, 7, signer, RequestAuthenticator.NONE, CONFIG, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("signs as client-8");
        var own = Ed25519Keys.signer(Principal.client(7), Ed25519Keys.generateSecretKey(new Random(1)));
        assertThatThrownBy(() -> new ClientCore(new ClusterSpec(1, 1, 1, 1), 7, own, RequestAuthenticator.NONE, CONFIG, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("firewall");
        assertThatThrownBy(() -> new ClientCore(SEPARATED, 7, own, RequestAuthenticator.NONE, CONFIG, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void configRejectsNonsense() {
        assertThatThrownBy(() -> new ClientConfig(0, 2, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientConfig(10, 0.5, 10, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientConfig(10, Double.NaN, 10, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientConfig(10, 2, 5, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientConfig(10, 2, 10, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ClientConfig(10, 2, 10, 1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ClientConfig.defaults().callTimeoutNanos()).isEqualTo(10_000 * MS);
        // Backoff never overflows, whatever the factor.
        ClientConfig huge = new ClientConfig(1, 1e300, Long.MAX_VALUE, 1, 1);
        assertThat(huge.nextRetransmitWait(1)).isEqualTo(Long.MAX_VALUE);
        ClientConfig flat = new ClientConfig(100, 1.0, 100, 1, 1);
        assertThat(IntStream.range(0, 3).mapToLong(i -> flat.nextRetransmitWait(100))).containsOnly(100L);
    }
}
