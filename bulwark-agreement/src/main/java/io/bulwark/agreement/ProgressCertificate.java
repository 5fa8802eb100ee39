package io.bulwark.agreement;

import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.CheckpointCertificate;
import io.bulwark.core.message.NewView;
import io.bulwark.core.message.Proposal;
import io.bulwark.core.message.SlotReport;
import io.bulwark.core.message.ViewChange;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * FaB recovery: which value a new leader must propose in each slot, given a progress
 * certificate of at least {@code report = a − f} signed {@link ViewChange}s for proposal
 * number {@code pn}. The leader and every acceptor run this same function, so an acceptor
 * can reject a NewView whose proposals differ from what the certificate forces.
 *
 * <p><b>The rule, ordered by proposal number.</b> For each slot, candidates are
 * <ul>
 *   <li>the highest commit certificate reported (pn c, value x), and</li>
 *   <li>for every value y, the proposal number U(y) such that at least {@code support = f+t+1}
 *       reports' latest votes are for y at or above U(y) (the support-th highest vote pn for y).</li>
 * </ul>
 * The candidate with the highest proposal number wins; at equal numbers a commit certificate
 * beats vote support, and otherwise the smaller digest wins (any fixed rule will do: two
 * values can tie only when neither can have been decided). With no candidate, the slot is
 * free and the leader fills it with the empty batch.
 *
 * <p><b>Why it is safe.</b> If v was decided under w: fast (a−t acceptors voted (w,v)), then at
 * least a−t−2f = f+t+1 correct reporters' latest votes are for v at pn ≥ w (correct acceptors only
 * ever vote v above w, by induction), while any other value gets at most t correct plus f
 * faulty supporters at pn ≥ w, and no commit certificate at or above w can be for another value.
 * Slow (a commit quorum of acceptors holds a certificate for (w,v)): at least one correct one is
 * in any report quorum, so a certificate at pn ≥ w is reported, and another value's vote
 * support can reach w but not pass it — the tie goes to the certificate.
 *
 * <p><b>Why it is live, unlike the published recovery.</b> Abraham et al., "Revisiting Fast
 * Practical Byzantine Fault Tolerance" (arXiv 1712.01367 §3) show FaB's recovery can get stuck:
 * a progress certificate in which a commit proof points at one value while enough unordered
 * reports point at another vouches for nothing, forever. Here evidence is ranked by proposal
 * number first, as PBFT ranks by view and as the follow-up (arXiv 1801.10022, "Thelma")
 * prescribes, so the function always returns a value for every slot.
 */
public final class ProgressCertificate {
    /** What a valid certificate forces: the stable checkpoint to start from and one proposal per slot above it. */
    public record Outcome(CheckpointCertificate stable, List<Proposal> proposals) {
        public long firstSlot() {
            return stable == null ? 0 : stable.slot() + 1;
        }
    }

    private ProgressCertificate() {}

    /**
     * Validates a certificate for {@code pn} and computes what it forces, or returns null if
     * it is not a valid progress certificate (too few distinct valid reports, wrong pn).
     *
     * @param logWindowSlots slots above the stable checkpoint a correct acceptor can have voted in;
     *                       reports above it can only come from faulty acceptors and are ignored
     */
    public static Outcome evaluate(long pn, List<ViewChange> certificate, CertificateVerifier verifier, int logWindowSlots) {
        int support = verifier.quorums().support();
        BitSet senders = new BitSet();
        CheckpointCertificate stable = null;
        for (ViewChange vc : certificate) {
            if (vc.pn() != pn || senders.get(vc.sender()) || !verifier.verify(vc)) return null;
            senders.set(vc.sender());
            if (vc.stable() != null && (stable == null || vc.stable().slot() > stable.slot())) stable = vc.stable();
        }
        if (senders.cardinality() < verifier.quorums().report()) return null;

        long first = stable == null ? 0 : stable.slot() + 1;
        long lastAllowed = first + logWindowSlots - 1;
        TreeMap<Long, SlotEvidence> slots = new TreeMap<>();
        for (ViewChange vc : certificate) {
            for (SlotReport r : vc.reports()) {
                if (r.slot() < first || r.slot() > lastAllowed) continue;
                slots.computeIfAbsent(r.slot(), s -> new SlotEvidence()).add(r);
            }
        }
        List<Proposal> proposals = new ArrayList<>();
        if (!slots.isEmpty()) {
            long last = slots.lastKey();
            for (long s = first; s <= last; s++) {
                SlotEvidence e = slots.get(s);
                proposals.add(new Proposal(s, e == null ? Batch.EMPTY : e.select(support)));
            }
        }
        return new Outcome(stable, proposals);
    }

    /** True when {@code nv} carries exactly the proposals its certificate forces. */
    public static Outcome verify(NewView nv, CertificateVerifier verifier, int logWindowSlots) {
        Outcome o = evaluate(nv.pn(), nv.certificate(), verifier, logWindowSlots);
        if (o == null || !o.proposals().equals(nv.proposals())) return null;
        return o;
    }

    /** The evidence about one slot gathered from all reports. */
    private static final class SlotEvidence {
        private final Map<Digest, List<Long>> votePns = new HashMap<>();
        private final Map<Digest, Batch> bodies = new HashMap<>();
        private long certPn = -1;
        private Digest certDigest;

        void add(SlotReport r) {
            if (r.vote() != null) {
                Digest d = r.vote().batch().digest();
                votePns.computeIfAbsent(d, x -> new ArrayList<>()).add(r.vote().pn());
                bodies.putIfAbsent(d, r.vote().batch());
            }
            if (r.commit() != null) {
                bodies.putIfAbsent(r.commit().digest(), r.commitBatch());
                if (r.commit().pn() > certPn
                        || (r.commit().pn() == certPn && r.commit().digest().compareTo(certDigest) < 0)) {
                    // Two valid certificates at one pn cannot name different values; the
                    // digest order only keeps this deterministic if keys were ever broken.
                    certPn = r.commit().pn();
                    certDigest = r.commit().digest();
                }
            }
        }

        Batch select(int support) {
            long bestPn = certPn;
            boolean bestIsCert = certDigest != null;
            Digest best = certDigest;
            for (Map.Entry<Digest, List<Long>> e : votePns.entrySet()) {
                List<Long> pns = e.getValue();
                if (pns.size() < support) continue;
                pns.sort((a, b) -> Long.compare(b, a));
                long u = pns.get(support - 1);
                boolean better = u > bestPn
                        || (u == bestPn && !bestIsCert && (best == null || e.getKey().compareTo(best) < 0));
                if (better) {
                    bestPn = u;
                    bestIsCert = false;
                    best = e.getKey();
                }
            }
            return best == null ? Batch.EMPTY : bodies.get(best);
        }
    }
}
