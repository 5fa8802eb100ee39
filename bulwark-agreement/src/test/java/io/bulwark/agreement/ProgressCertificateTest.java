package io.bulwark.agreement;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.FabQuorums;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.CommitCertificate;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.SignedAccept;
import io.bulwark.core.message.SlotReport;
import io.bulwark.core.message.ViewChange;
import io.bulwark.core.message.Vote;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The recovery rule against every way the reports of a progress certificate can look when a
 * value was decided — with up to f faulty reporters lying freely — and against malformed
 * certificates. Signatures are out of scope here (accept-all verifier); CertificateVerifier's
 * own tests and the simulator cover them.
 */
class ProgressCertificateTest {
    private static final Bytes SIG = Bytes.wrapOwned(new byte[32]);

    private static Batch value(int i) {
        return new Batch(i + 1, List.of(new Request(i, 1, Bytes.ofUtf8("v" + i), SIG)));
    }

    private static CertificateVerifier verifier(FabQuorums q) {
        return new CertificateVerifier(q, (signer, message, offset, length, signature) -> true);
    }

    private static CommitCertificate certificate(FabQuorums q, long pn, Batch v) {
        List<SignedAccept> accepts = new ArrayList<>();
        for (int i = 0; i < q.commit(); i++) accepts.add(new SignedAccept(i, pn, 0, v.digest(), SIG));
        return new CommitCertificate(pn, 0, v.digest(), accepts);
    }

    private static ViewChange report(int sender, long pn, Vote vote, CommitCertificate cc, Batch ccBatch) {
        List<SlotReport> reports = vote == null && cc == null ? List.of() : List.of(new SlotReport(0, vote, cc, ccBatch));
        return new ViewChange(sender, pn, null, reports, SIG);
    }

    private static Batch select(FabQuorums q, long pn, List<ViewChange> certificate) {
        ProgressCertificate.Outcome o = ProgressCertificate.evaluate(pn, certificate, verifier(q), 256);
        assertThat(o).as("certificate must be valid").isNotNull();
        return o.proposals().isEmpty() ? Batch.EMPTY : o.proposals().getFirst().batch();
    }

    /**
     * v was decided on the fast path under w: a − t acceptors voted (w, v). Correct ones only
     * ever vote v above w; correct ones outside the quorum may have voted another value at w
     * (an equivocating leader) or anything below. Faulty reporters say whatever they like
     * below the new pn. Every report quorum must select v.
     */
    @Property(tries = 3000, seed = "7")
    void aFastDecisionIsAlwaysCarriedForward(@ForAll @IntRange(min = 1, max = 4) int f, @ForAll @IntRange(min = 0, max = 4) int tRaw,
            @ForAll long seed) {
        int t = Math.min(tRaw, f);
        FabQuorums q = FabQuorums.of(f, t);
        Random r = new Random(seed);
        int a = q.acceptors();
        long w = r.nextInt(5);
        long newPn = w + 1 + r.nextInt(4);
        Batch v = value(0);
        List<Integer> ids = shuffled(a, r);
        List<Integer> fastQuorum = ids.subList(0, q.fast());
        List<Integer> faulty = shuffled(a, r).subList(0, f);
        List<ViewChange> reports = new ArrayList<>();
        for (int id = 0; id < a; id++) {
            Vote vote;
            if (faulty.contains(id)) {
                vote = r.nextInt(4) == 0 ? null : new Vote(r.nextInt((int) newPn), value(1 + r.nextInt(3)));
            } else if (fastQuorum.contains(id)) {
                vote = new Vote(w + r.nextInt((int) (newPn - w)), v);
            } else {
                // Outside the fast quorum: nothing, anything up to w (an equivocating leader at w),
                // or v above w (the only value a correct acceptor can accept there).
                int choice = r.nextInt(3);
                if (choice == 0) {
                    vote = null;
                } else if (choice == 1 || newPn == w + 1) {
                    vote = new Vote(r.nextInt((int) w + 1), value(1 + r.nextInt(3)));
                } else {
                    vote = new Vote(w + 1 + r.nextInt((int) (newPn - w - 1)), v);
                }
            }
            reports.add(report(id, newPn, vote, null, null));
        }
        List<ViewChange> quorum = pick(reports, q.report(), r);
        assertThat(select(q, newPn, quorum)).isEqualTo(v);
    }

    /**
     * v was decided on the slow path under w: a commit quorum of acceptors holds a commit
     * certificate for (w, v). Another value may have f + t correct voters at w and any number
     * of faulty supporters; the certificate must still win.
     */
    @Property(tries = 3000, seed = "11")
    void aSlowDecisionIsAlwaysCarriedForward(@ForAll @IntRange(min = 1, max = 4) int f, @ForAll @IntRange(min = 0, max = 4) int tRaw,
            @ForAll long seed) {
        int t = Math.min(tRaw, f);
        FabQuorums q = FabQuorums.of(f, t);
        Random r = new Random(seed);
        int a = q.acceptors();
        long w = 1 + r.nextInt(4);
        long newPn = w + 1 + r.nextInt(3);
        Batch v = value(0);
        Batch y = value(1);
        CommitCertificate cc = certificate(q, w, v);
        List<Integer> ids = shuffled(a, r);
        List<Integer> holders = ids.subList(0, q.commit());
        List<Integer> faulty = shuffled(a, r).subList(0, f);
        List<ViewChange> reports = new ArrayList<>();
        for (int id = 0; id < a; id++) {
            if (faulty.contains(id)) {
                // Faulty reporters back y as high as they can, and hide any certificate.
                reports.add(report(id, newPn, new Vote(newPn - 1, y), null, null));
            } else if (holders.contains(id)) {
                reports.add(report(id, newPn, new Vote(w, v), cc, v));
            } else {
                reports.add(report(id, newPn, new Vote(w, y), null, null)); // voted y at w (equivocation)
            }
        }
        assertThat(select(q, newPn, pick(reports, q.report(), r))).isEqualTo(v);
    }

    @Test
    void withNoEvidenceTheSlotIsFreeAndFilledWithTheEmptyBatch() {
        FabQuorums q = FabQuorums.of(1, 1);
        List<ViewChange> cert = new ArrayList<>();
        for (int i = 0; i < q.report(); i++) cert.add(report(i, 3, i == 0 ? new Vote(1, value(7)) : null, null, null));
        cert.add(report(q.report(), 3, new Vote(2, value(8)), null, null));
        ProgressCertificate.Outcome o = ProgressCertificate.evaluate(3, cert, verifier(q), 256);
        assertThat(o.proposals()).singleElement().satisfies(p -> assertThat(p.batch()).isEqualTo(Batch.EMPTY));
    }

    @Test
    void invalidCertificatesAreRejected() {
        FabQuorums q = FabQuorums.of(1, 1);
        List<ViewChange> ok = new ArrayList<>();
        for (int i = 0; i < q.report(); i++) ok.add(report(i, 3, null, null, null));
        assertThat(ProgressCertificate.evaluate(3, ok, verifier(q), 256)).isNotNull();
        // Too few reports.
        assertThat(ProgressCertificate.evaluate(3, ok.subList(1, ok.size()), verifier(q), 256)).isNull();
        // The same sender twice does not count twice.
        List<ViewChange> dup = new ArrayList<>(ok.subList(1, ok.size()));
        dup.add(ok.get(1));
        assertThat(ProgressCertificate.evaluate(3, dup, verifier(q), 256)).isNull();
        // A report for another pn.
        List<ViewChange> wrongPn = new ArrayList<>(ok);
        wrongPn.set(0, report(0, 2, null, null, null));
        assertThat(ProgressCertificate.evaluate(3, wrongPn, verifier(q), 256)).isNull();
        // A vote claimed at or above the new pn.
        List<ViewChange> future = new ArrayList<>(ok);
        future.set(0, report(0, 3, new Vote(3, value(1)), null, null));
        assertThat(ProgressCertificate.evaluate(3, future, verifier(q), 256)).isNull();
        // A commit certificate with too few accepts.
        CommitCertificate thin = new CommitCertificate(1, 0, value(1).digest(),
                certificate(q, 1, value(1)).accepts().subList(0, q.commit() - 1));
        List<ViewChange> weak = new ArrayList<>(ok);
        weak.set(0, report(0, 3, null, thin, value(1)));
        assertThat(ProgressCertificate.evaluate(3, weak, verifier(q), 256)).isNull();
        // A certificate whose batch does not hash to its digest.
        List<ViewChange> mismatched = new ArrayList<>(ok);
        mismatched.set(0, report(0, 3, null, certificate(q, 1, value(1)), value(2)));
        assertThat(ProgressCertificate.evaluate(3, mismatched, verifier(q), 256)).isNull();
        // A signature that does not verify.
        CertificateVerifier rejectAll = new CertificateVerifier(q, (s, m, o, l, sig) -> false);
        assertThat(ProgressCertificate.evaluate(3, ok, rejectAll, 256)).isNull();
    }

    @Test
    void theHighestCommitCertificateWinsAndBeatsEqualVoteSupport() {
        FabQuorums q = FabQuorums.of(1, 0); // a = 4, report 3, support 2
        Batch x = value(1);
        Batch y = value(2);
        List<ViewChange> cert = List.of(
                report(0, 5, new Vote(3, x), certificate(q, 3, x), x),
                report(1, 5, new Vote(3, y), null, null),
                report(2, 5, new Vote(3, y), null, null));
        assertThat(select(q, 5, cert)).isEqualTo(x);
        List<ViewChange> higherVotes = List.of(
                report(0, 5, new Vote(3, x), certificate(q, 3, x), x),
                report(1, 5, new Vote(4, y), null, null),
                report(2, 5, new Vote(4, y), null, null));
        assertThat(select(q, 5, higherVotes)).isEqualTo(y);
    }

    private static List<Integer> shuffled(int n, Random r) {
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) ids.add(i);
        Collections.shuffle(ids, r);
        return ids;
    }

    private static <T> List<T> pick(List<T> all, int n, Random r) {
        List<T> copy = new ArrayList<>(all);
        Collections.shuffle(copy, r);
        return new ArrayList<>(copy.subList(0, n));
    }

    @SuppressWarnings("unused")
    private static Digest digest(Batch b) {
        return b.digest();
    }
}
