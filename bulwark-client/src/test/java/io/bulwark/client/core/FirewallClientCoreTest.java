package io.bulwark.client.core;

import static io.bulwark.client.core.CoreHarness.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.client.firewall.FirewallFixture;
import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.ClientSeal;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Ed25519Keys;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.ReplyMerkleTree;
import io.bulwark.core.crypto.RequestAuthenticator;
import io.bulwark.core.crypto.ThresholdVerifier;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.WireLimits;
import io.bulwark.core.step.Outbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The client behind a privacy firewall (docs/firewall.md): sealed request bodies, retransmission
 * to row 0, and one reply certificate (Merkle path + Shoup threshold signature + sealed result)
 * that must check out completely. Certificates are made with a real 512-bit Shoup key.
 */
class FirewallClientCoreTest {
    /** Agreement nodes 0..3, execution nodes 4, 5, 6 (k = 2 of 3), filters row 0: 7, 8; row 1: 9, 10. */
    static final ClusterSpec FIREWALL = new ClusterSpec(1, 0, 1, 1);
    static final ClientConfig CONFIG = ClientCoreTest.CONFIG;
    static final long T0 = 5_000_000;
    static final int ROW0_A = 7;
    static final int ROW0_B = 8;

    final FirewallFixture fx = new FirewallFixture(FIREWALL, 7);

    CoreHarness harness() {
        return new CoreHarness(FIREWALL, CONFIG, T0, fx.clientSeal, fx.executionKey);
    }

    static Bytes flip(Bytes b, int index) {
        byte[] x = b.toByteArray();
        x[index % x.length] ^= 1;
        return Bytes.wrapOwned(x);
    }

    static ReplyCertificate withSignature(ReplyCertificate c, Bytes signature) {
        return new ReplyCertificate(c.slot(), c.reply(), c.leafIndex(), c.leafCount(), c.path(), signature);
    }

    static ReplyCertificate withPath(ReplyCertificate c, List<Digest> path) {
        return new ReplyCertificate(c.slot(), c.reply(), c.leafIndex(), c.leafCount(), path, c.signature());
    }

    // ---------------------------------------------------------------- requests

    @Test
    void requestOperationsAreSealedSoTheAgreementNodesSeeCiphertextOnly() {
        CoreHarness h = harness();
        Bytes plaintext = Bytes.ofUtf8("PUT salary/alice 123456");
        h.submit(plaintext.toUtf8());
        List<Outbox.Send> sent = h.takeSent();
        assertThat(h.recipients(sent)).containsExactly(0);
        Request r = h.requestIn(sent.get(0));
        assertThat(r.timestamp()).isEqualTo(T0);
        assertThat(r.operation()).isNotEqualTo(plaintext);
        assertThat(r.operation().length()).isEqualTo(plaintext.length() + ClientSeal.TAG_BYTES);
        assertThat(r.operation().toUtf8()).doesNotContain("salary", "alice", "123456");
        // Only the execution cluster's side of the seal opens it, and only for this timestamp and direction.
        assertThat(fx.openRequest(r)).isEqualTo(plaintext);
        assertThat(fx.clusterSeal.open(ClientSeal.Direction.REQUEST, T0 + 1, r.operation())).isEmpty();
        assertThat(fx.clusterSeal.open(ClientSeal.Direction.REPLY, T0, r.operation())).isEmpty();
        assertThat(fx.sealFor(8).open(ClientSeal.Direction.REQUEST, T0, r.operation())).isEmpty();
        // The client signs what the agreement nodes order: the sealed body.
        assertThat(h.keys.verify(Principal.client(7), WireCodec.signedBytes(r), r.signature())).isTrue();
        assertThat(h.keys.verify(Principal.client(7), WireCodec.requestSignedBytes(7, T0, plaintext), r.signature())).isFalse();
    }

    @Test
    void theSameOperationSealedForTwoTimestampsGivesUnrelatedCiphertexts() {
        CoreHarness h = harness();
        h.submit("GET x");
        Request first = h.requestIn(h.takeSent().get(0));
        h.deliver(Principal.node(ROW0_A), fx.certify(1, T0, Bytes.ofUtf8("v")));
        h.submit("GET x");
        Request second = h.requestIn(h.takeSent().get(0));
        assertThat(second.timestamp()).isEqualTo(T0 + 1);
        assertThat(second.operation()).isNotEqualTo(first.operation());
        assertThat(second.operation().length()).isEqualTo(first.operation().length());
        int same = 0;
        for (int i = 0; i < first.operation().length(); i++) {
            if (first.operation().byteAt(i) == second.operation().byteAt(i)) same++;
        }
        assertThat(same).as("bytes in common, of %d", first.operation().length()).isLessThan(first.operation().length());
        assertThat(fx.openRequest(first)).isEqualTo(fx.openRequest(second)).isEqualTo(Bytes.ofUtf8("GET x"));
    }

    @Test
    void retransmissionsGoToTheAgreementNodesAndEveryRow0FilterWithTheSameSealedRequest() {
        CoreHarness h = harness();
        long start = h.now;
        h.submit("op");
        Request first = h.requestIn(h.takeSent().get(0));
        for (long ms : new long[] {100, 300, 700}) {
            h.advanceTo(start + ms * MS);
            List<Outbox.Send> sent = h.takeSent();
            // No execution node (they talk to no client) and no filter beyond row 0.
            assertThat(h.recipients(sent)).as("at %d ms", ms).containsExactly(0, 1, 2, 3, ROW0_A, ROW0_B);
            for (Outbox.Send s : sent) assertThat(s.message()).isEqualTo(first);
        }
        assertThat(h.core.retransmissions()).isEqualTo(3);
    }

    @Test
    void peersAreTheAgreementNodesAndRow0AndOnlyRow0Replies() {
        CoreHarness h = harness();
        assertThat(h.core.firewall()).isTrue();
        assertThat(h.core.peers()).containsExactly(0, 1, 2, 3, ROW0_A, ROW0_B);
        assertThat(h.core.repliers()).containsExactly(ROW0_A, ROW0_B);
        assertThat(h.core.replyQuorum()).isOne();
        ClusterSpec h2 = new ClusterSpec(1, 1, 2, 2); // a = 6, execution 6..10, row 0 = 11, 12, 13
        assertThat(ClientCore.peersOf(h2)).containsExactly(0, 1, 2, 3, 4, 5, 11, 12, 13);
        assertThat(ClientCore.repliersOf(h2)).containsExactly(11, 12, 13);
        // Without a firewall: as before.
        assertThat(ClientCore.peersOf(ClientCoreTest.SEPARATED)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(ClientCore.repliersOf(ClientCoreTest.SEPARATED)).containsExactly(6, 7, 8);
        assertThat(ClientCore.peersOf(ClientCoreTest.AGREEMENT_ONLY)).containsExactly(0, 1, 2, 3, 4, 5);
        assertThat(ClientCore.repliersOf(ClientCoreTest.AGREEMENT_ONLY)).containsExactly(0, 1, 2, 3, 4, 5);
    }

    @Test
    void theOperationLimitLeavesRoomForTheSealsTag() {
        CoreHarness h = harness();
        int max = WireLimits.OPERATION_BYTES_MAX - ClientSeal.TAG_BYTES;
        assertThat(h.core.maxOperationBytes()).isEqualTo(max);
        assertThatThrownBy(() -> h.core.submit(h.now, Bytes.wrapOwned(new byte[max + 1]), new Outbox()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds the limit of " + max);
        Outbox out = new Outbox();
        h.core.submit(h.now, Bytes.wrapOwned(new byte[max]), out);
        assertThat(((Request) out.sends().get(0).message()).operation().length()).isEqualTo(WireLimits.OPERATION_BYTES_MAX);
    }

    // ---------------------------------------------------------------- accepting a certificate

    @Test
    void oneValidCertificateFromARow0FilterCompletesTheCall() {
        CoreHarness h = harness();
        long start = h.now;
        long call = h.submit("GET x");
        h.advanceTo(start + 20 * MS);
        ReplyCertificate cert = fx.certify(42, T0, Bytes.ofUtf8("the value"));
        assertThat(cert.path()).isNotEmpty();
        h.deliver(Principal.node(ROW0_B), cert);
        assertThat(h.takeOutcomes()).containsExactly(
                new CallOutcome.Completed(call, T0, 42, Bytes.ofUtf8("the value"), 20 * MS, 0));
        assertThat(h.timers).isEmpty();
        assertThat(h.core.rejectedCertificates()).isZero();
        // The other row-0 filter's copy, late: ignored, not rejected.
        h.deliver(Principal.node(ROW0_A), cert);
        assertThat(h.outcomes).isEmpty();
        assertThat(h.core.ignoredMessages()).isOne();
        assertThat(h.core.rejectedCertificates()).isZero();
    }

    @Test
    void aSlotWhoseOnlyReplyIsThisClientsCertifiesWithAnEmptyPath() {
        CoreHarness h = harness();
        h.submit("op");
        ReplyCertificate cert = fx.certificate(3, List.of(fx.leaf(7, T0, Bytes.EMPTY)), 0);
        assertThat(cert.path()).isEmpty();
        h.deliver(Principal.node(ROW0_A), cert);
        assertThat(h.takeOutcomes()).singleElement().isInstanceOfSatisfying(CallOutcome.Completed.class, c -> {
            assertThat(c.result()).isEqualTo(Bytes.EMPTY);
            assertThat(c.slot()).isEqualTo(3);
        });
    }

    @Test
    void everyLeafPositionOfALargerSlotCertifies() {
        CoreHarness h = harness();
        for (int n : new int[] {2, 5, 8}) {
            for (int index = 0; index < n; index++) {
                long ts = h.core.nextTimestamp();
                h.submit("op");
                List<ReplyLeaf> leaves = new ArrayList<>();
                for (int i = 0; i < n; i++) leaves.add(i == index ? fx.leaf(7, ts, Bytes.ofUtf8("r" + i)) : fx.leaf(20 + i, i, Bytes.ofUtf8("x")));
                h.deliver(Principal.node(ROW0_A), fx.certificate(100 + n, leaves, index));
                assertThat(h.takeOutcomes()).as("leaf %d of %d", index, n).singleElement()
                        .isInstanceOfSatisfying(CallOutcome.Completed.class, c -> assertThat(c.result().toUtf8()).startsWith("r"));
            }
        }
        assertThat(h.core.rejectedCertificates()).isZero();
    }

    // ---------------------------------------------------------------- rejecting

    @Test
    void certificatesForAnotherClientOrAnotherTimestampAreIgnored() {
        CoreHarness h = harness();
        h.submit("op");
        List<ReplyLeaf> leaves = fx.slotLeaves(9, T0, Bytes.ofUtf8("mine"));
        h.deliver(Principal.node(ROW0_A), fx.certificate(9, leaves, 0)); // client 8's leaf, validly signed
        h.deliver(Principal.node(ROW0_A), fx.certificate(9, leaves, 2)); // client 9's
        h.deliver(Principal.node(ROW0_A), fx.certify(9, T0 - 1, Bytes.ofUtf8("old"))); // an earlier request
        h.deliver(Principal.node(ROW0_A), fx.certify(9, T0 + 1, Bytes.ofUtf8("future")));
        assertThat(h.outcomes).isEmpty();
        assertThat(h.core.ignoredMessages()).isEqualTo(4);
        h.deliver(Principal.node(ROW0_A), fx.certificate(9, leaves, 1));
        assertThat(h.takeOutcomes()).singleElement().isInstanceOfSatisfying(CallOutcome.Completed.class,
                c -> assertThat(c.result()).isEqualTo(Bytes.ofUtf8("mine")));
    }

    @Test
    void aCertificateWhosePathDoesNotLeadToTheSignedRootIsRejected() {
        CoreHarness h = harness();
        h.submit("op");
        ReplyCertificate good = fx.certify(9, T0, Bytes.ofUtf8("r")); // leaf 1 of 3: path of 2
        assertThat(good.path()).hasSize(2);
        List<Digest> altered = new ArrayList<>(good.path());
        altered.set(0, new Digest(flip(altered.get(0).value(), 5)));
        List<ReplyCertificate> bad = List.of(
                withPath(good, altered),
                withPath(good, good.path().subList(0, 1)), // too short
                withPath(good, List.of(good.path().get(0), good.path().get(1), good.path().get(1))), // too long
                withPath(good, List.of(good.path().get(1), good.path().get(0))), // swapped
                new ReplyCertificate(9, good.reply(), 0, 3, good.path(), good.signature()), // another position
                new ReplyCertificate(9, good.reply(), 1, 4, good.path(), good.signature()), // another tree size
                new ReplyCertificate(9, good.reply(), 1, 2, good.path(), good.signature()));
        for (ReplyCertificate c : bad) h.deliver(Principal.node(ROW0_A), c);
        assertThat(h.outcomes).isEmpty();
        assertThat(h.core.rejectedCertificates()).isEqualTo(bad.size());
        assertThat(h.core.ignoredMessages()).isEqualTo(bad.size());
        h.deliver(Principal.node(ROW0_A), good);
        assertThat(h.takeOutcomes()).singleElement().isInstanceOf(CallOutcome.Completed.class);
    }

    @Test
    void aCertificateWithABadSignatureOrOneForAnotherSlotOrRootIsRejected() {
        CoreHarness h = harness();
        h.submit("op");
        List<ReplyLeaf> leaves = fx.slotLeaves(9, T0, Bytes.ofUtf8("r"));
        ReplyCertificate good = fx.certificate(9, leaves, 1);
        Digest root = ReplyMerkleTree.root(9, leaves);
        // The same leaves under slot 10: a valid signature, for another statement.
        ReplyCertificate otherSlotsSignature = withSignature(good, fx.sign(10, ReplyMerkleTree.root(10, leaves)));
        ReplyCertificate sameRootOtherSlot = withSignature(good, fx.sign(10, root));
        // A valid signature on another root of slot 9 (other replies).
        ReplyCertificate otherRoot = withSignature(good, fx.sign(9, ReplyMerkleTree.root(9, leaves.subList(0, 2))));
        // A certificate moved to another slot: the path and the signature no longer match it.
        ReplyCertificate moved = new ReplyCertificate(10, good.reply(), 1, 3, good.path(), good.signature());
        List<ReplyCertificate> bad = List.of(
                withSignature(good, flip(good.signature(), 3)),
                withSignature(good, flip(good.signature(), good.signature().length() - 1)),
                withSignature(good, Bytes.EMPTY),
                withSignature(good, Bytes.wrapOwned(new byte[good.signature().length()])),
                withSignature(good, Bytes.wrapOwned(new byte[good.signature().length() + 1])),
                withSignature(good, Bytes.fromHex("ff".repeat(good.signature().length()))), // >= n
                otherSlotsSignature, sameRootOtherSlot, otherRoot, moved);
        for (ReplyCertificate c : bad) h.deliver(Principal.node(ROW0_B), c);
        assertThat(h.outcomes).isEmpty();
        assertThat(h.core.rejectedCertificates()).isEqualTo(bad.size());
        h.deliver(Principal.node(ROW0_B), good);
        assertThat(h.takeOutcomes()).singleElement().isInstanceOf(CallOutcome.Completed.class);
    }

    @Test
    void aCertificateSignedWithAnotherExecutionClustersKeyIsRejected() {
        CoreHarness h = harness();
        h.submit("op");
        FirewallFixture otherCluster = new FirewallFixture(new ClusterSpec(1, 0, 2, 1), 7); // another dealt key
        ReplyCertificate foreign = otherCluster.certify(9, T0, Bytes.ofUtf8("r"));
        h.deliver(Principal.node(ROW0_A), foreign);
        assertThat(h.outcomes).isEmpty();
        assertThat(h.core.rejectedCertificates()).isOne();
    }

    @Test
    void validCertificatesFromAnywhereButRow0AreRejected() {
        CoreHarness h = harness();
        h.submit("op");
        ReplyCertificate good = fx.certify(9, T0, Bytes.ofUtf8("r"));
        for (int node : new int[] {0, 3, 4, 6, 9, 10, 11, 1_000}) h.deliver(Principal.node(node), good);
        h.deliver(Principal.client(8), good);
        assertThat(h.outcomes).isEmpty();
        assertThat(h.core.ignoredMessages()).isEqualTo(9);
        assertThat(h.core.rejectedCertificates()).isEqualTo(8); // the client's is not even a node's
        h.deliver(Principal.node(ROW0_A), good);
        assertThat(h.takeOutcomes()).singleElement().isInstanceOf(CallOutcome.Completed.class);
    }

    @Test
    void aTamperedOrMisSealedResultIsRejectedEvenUnderAValidSignature() {
        CoreHarness h = harness();
        h.submit("op");
        ReplyLeaf good = fx.leaf(7, T0, Bytes.ofUtf8("r"));
        Bytes sealed = good.sealedResult();
        List<ReplyLeaf> unopenable = List.of(
                new ReplyLeaf(7, T0, flip(sealed, 0)), // ciphertext bit
                new ReplyLeaf(7, T0, flip(sealed, sealed.length() - 1)), // tag bit
                new ReplyLeaf(7, T0, Bytes.EMPTY),
                new ReplyLeaf(7, T0, fx.clusterSeal.seal(ClientSeal.Direction.REPLY, T0 - 1, Bytes.ofUtf8("r"))), // another timestamp's
                new ReplyLeaf(7, T0, fx.clusterSeal.seal(ClientSeal.Direction.REQUEST, T0, Bytes.ofUtf8("r"))), // the other direction
                new ReplyLeaf(7, T0, fx.sealFor(8).seal(ClientSeal.Direction.REPLY, T0, Bytes.ofUtf8("r"))), // another client's key
                new ReplyLeaf(7, T0, Bytes.ofUtf8("r"))); // not sealed at all
        for (ReplyLeaf leaf : unopenable) {
            // Signed by the execution cluster as it is: only the seal can catch it.
            h.deliver(Principal.node(ROW0_A), fx.certificate(9, List.of(leaf), 0));
            // And a leaf altered after signing: the path no longer leads to the signed root.
            ReplyCertificate signedGood = fx.certificate(9, List.of(good), 0);
            h.deliver(Principal.node(ROW0_A), new ReplyCertificate(9, leaf, 0, 1, List.of(), signedGood.signature()));
        }
        assertThat(h.outcomes).isEmpty();
        assertThat(h.core.rejectedCertificates()).isEqualTo(2L * unopenable.size());
        h.deliver(Principal.node(ROW0_A), fx.certificate(9, List.of(good), 0));
        assertThat(h.takeOutcomes()).singleElement().isInstanceOfSatisfying(CallOutcome.Completed.class,
                c -> assertThat(c.result()).isEqualTo(Bytes.ofUtf8("r")));
    }

    @Test
    void plainRepliesCountForNothingBehindTheFirewall() {
        CoreHarness h = harness();
        h.submit("op");
        for (int node : new int[] {4, 5, 6, ROW0_A, ROW0_B, 0, 1}) h.reply(node, 9, "forged"); // g+1 and more, matching
        h.deliver(Principal.node(ROW0_A), null);
        assertThat(h.outcomes).isEmpty();
        assertThat(h.core.ignoredMessages()).isEqualTo(8);
        assertThat(h.core.rejectedCertificates()).isZero();
        h.deliver(Principal.node(ROW0_A), fx.certify(9, T0, Bytes.ofUtf8("real")));
        assertThat(h.takeOutcomes()).singleElement().isInstanceOfSatisfying(CallOutcome.Completed.class,
                c -> assertThat(c.result()).isEqualTo(Bytes.ofUtf8("real")));
    }

    @Test
    void aVerifierThatThrowsRejectsTheCertificateInsteadOfStoppingTheClient() {
        ThresholdVerifier broken = new ThresholdVerifier() {
            @Override public int threshold() { return 2; }
            @Override public int signers() { return 3; }
            @Override public int verifyShare(byte[] message, Bytes share) { return 0; }
            @Override public Optional<Bytes> combine(byte[] message, List<Bytes> shares) { return Optional.empty(); }
            @Override public boolean verify(byte[] message, Bytes signature) { throw new ArithmeticException("BigInteger not invertible"); }
        };
        CoreHarness h = new CoreHarness(FIREWALL, CONFIG, T0, fx.clientSeal, broken);
        h.submit("op");
        h.deliver(Principal.node(ROW0_A), fx.certify(9, T0, Bytes.ofUtf8("r")));
        assertThat(h.outcomes).isEmpty();
        assertThat(h.core.rejectedCertificates()).isOne();
    }

    @Test
    void withoutAFirewallCertificatesAreIgnored() {
        CoreHarness h = new CoreHarness(ClientCoreTest.SEPARATED, CONFIG, T0);
        h.submit("op");
        h.deliver(Principal.node(6), fx.certify(9, T0, Bytes.ofUtf8("r")));
        assertThat(h.outcomes).isEmpty();
        assertThat(h.core.ignoredMessages()).isOne();
        assertThat(h.core.firewall()).isFalse();
    }

    @Test
    void aCallWithoutACertificateTimesOutAndSaysWhatWasMissing() {
        CoreHarness h = harness();
        h.submit("op");
        h.advanceBy(CONFIG.callTimeoutNanos());
        assertThat(h.takeOutcomes()).singleElement().isInstanceOfSatisfying(CallOutcome.Failed.class, f -> {
            assertThat(f.reason()).isEqualTo(CallOutcome.Reason.TIMEOUT);
            assertThat(f.detail()).contains("REPLY-CERTIFICATE", "row 0");
        });
    }

    // ---------------------------------------------------------------- configuration

    @Test
    void aFirewallClusterNeedsTheSealAndTheKeyAndOnlyItTakesThem() {
        var signer = Ed25519Keys.signer(Principal.client(7), Ed25519Keys.generateSecretKey(new Random(1)));
        var none = RequestAuthenticator.NONE;
        assertThatThrownBy(() -> new ClientCore(FIREWALL, 7, signer, none, CONFIG, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("privacy firewall");
        assertThatThrownBy(() -> new ClientCore(FIREWALL, 7, signer, none, CONFIG, 0, fx.clientSeal, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("threshold key");
        assertThatThrownBy(() -> new ClientCore(FIREWALL, 7, signer, none, CONFIG, 0, null, fx.executionKey))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seal");
        var otherClientsSeal = new FirewallFixture(FIREWALL, 8).clientSeal;
        assertThatThrownBy(() -> new ClientCore(FIREWALL, 7, signer, none, CONFIG, 0, otherClientsSeal, fx.executionKey))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("client-8");
        assertThatThrownBy(() -> new ClientCore(ClientCoreTest.SEPARATED, 7, signer, none, CONFIG, 0, fx.clientSeal, fx.executionKey))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("firewall only");
        assertThat(new ClientCore(FIREWALL, 7, signer, none, CONFIG, 0, fx.clientSeal, fx.executionKey).firewall()).isTrue();
    }
}
