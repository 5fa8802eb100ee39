package io.bulwark.agreement;

import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.crypto.Signer;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.CheckpointCertificate;
import io.bulwark.core.message.Commit;
import io.bulwark.core.message.CommitCertificate;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.NewView;
import io.bulwark.core.message.Proposal;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.RequestId;
import io.bulwark.core.message.SignedAccept;
import io.bulwark.core.message.SlotReport;
import io.bulwark.core.message.ViewChange;
import io.bulwark.core.message.Vote;
import io.bulwark.core.step.Outbox;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * FaB acceptor (Martin and Alvisi, "Fast Byzantine Consensus", TDSC 2006, parameterized
 * form with a = 3f + 2t + 1 acceptors), one instance per slot of the log.
 *
 * <pre>
 *   PROPOSE(pn, s, v) from leader(pn), pn = current, first for (pn, s), v valid
 *       → persist vote (pn, s, v); ACCEPTED(pn, s, digest v) to learners
 *   no decision after slowPathDelay (or a peer went slow)
 *       → SIGNED-ACCEPT(pn, s, digest) to acceptors
 *   commit = 2f+t+1 signed accepts matching my vote, still in pn
 *       → persist commit certificate; COMMIT(pn, s, digest) to learners
 *   leader suspected
 *       → persist promise pn' > pn; signed VIEW-CHANGE(pn', reports) to all
 *   NEW-VIEW(pn') from leader(pn') whose proposals are exactly what its progress
 *   certificate forces ({@link ProgressCertificate})
 *       → enter pn'; vote for each proposal as for a PROPOSE
 * </pre>
 *
 * A correct acceptor never votes under a proposal number below its promise, votes at most
 * once per (pn, slot), and only sends COMMIT for the proposal number it is still in: that is
 * what lets a report quorum of view changes carry every decision forward.
 */
public final class FabAcceptor {
    /** A commit certificate held for a slot, with the batch it certifies. */
    public record Certified(CommitCertificate certificate, Batch batch) {}

    private final ClusterSpec spec;
    private final FabConfig config;
    private final int self;
    private final Signer signer;
    private final SignatureVerifier clientSignatures;
    private final io.bulwark.core.crypto.RequestAuthenticator clientMacs;
    private final CertificateVerifier certificates;
    private final int[] learners;

    private long pn;
    private boolean normal = true;
    private CheckpointCertificate stable;
    private long stableSlot = -1;
    private final TreeMap<Long, Vote> votes = new TreeMap<>();
    private final TreeMap<Long, Certified> certified = new TreeMap<>();
    /** Latest signed accept per acceptor, per slot. */
    private final TreeMap<Long, SignedAccept[]> signedAccepts = new TreeMap<>();
    /** The pn under which this acceptor signed its own accept, per slot. */
    private final TreeMap<Long, Long> signedUnder = new TreeMap<>();

    private long rejectedProposals;
    private long rejectedNewViews;
    private long rejectedSignatures;

    /**
     * @param learners every node that learns (agreement nodes first, then any external learners)
     */
    public FabAcceptor(ClusterSpec spec, FabConfig config, int self, Signer signer, SignatureVerifier signatures,
            io.bulwark.core.crypto.RequestAuthenticator clientMacs, int[] learners) {
        this.spec = spec;
        this.clientMacs = clientMacs;
        this.config = config;
        this.self = self;
        this.signer = signer;
        this.clientSignatures = signatures;
        this.certificates = new CertificateVerifier(config.quorums(), signatures);
        this.learners = learners.clone();
    }

    // ---------------------------------------------------------------- common case

    /** Returns true if this acceptor voted for the proposal (now or before, same value). */
    public boolean onPropose(long nowMillis, int from, Propose p, Outbox out) {
        if (from != spec.leaderOf(p.pn()) || p.pn() != pn || !normal || !inWindow(p.slot())) {
            rejectedProposals++;
            return false;
        }
        Vote existing = votes.get(p.slot());
        if (existing != null && existing.pn() == p.pn()) {
            if (!existing.batch().digest().equals(p.batch().digest())) {
                rejectedProposals++; // the leader equivocated: the first proposal stands
                return false;
            }
            sendToLearners(new Accepted(pn, p.slot(), p.batch().digest()), out); // a retransmission
            return true;
        }
        if (!validFreshBatch(nowMillis, p.batch())) {
            rejectedProposals++;
            return false;
        }
        vote(p.slot(), p.batch(), out);
        return true;
    }

    private void vote(long slot, Batch batch, Outbox out) {
        votes.put(slot, new Vote(pn, batch));
        out.persist(new Persisted.Voted(slot, pn, batch));
        sendToLearners(new Accepted(pn, slot, batch.digest()), out);
        out.setTimer(new AgreementNode.SlowPathTimer(slot), config.slowPathDelayNanos());
    }

    /** The fast path did not decide {@code slot} in time: sign the vote so a commit certificate can form. */
    public void startSlowPath(long slot, Outbox out) {
        Vote v = votes.get(slot);
        if (v == null || v.pn() != pn || !normal) return;
        Long signedPn = signedUnder.get(slot);
        if (signedPn != null && signedPn == pn) return;
        signedUnder.put(slot, pn);
        byte[] toSign = WireCodec.signedAcceptSignedBytes(self, pn, slot, v.batch().digest());
        SignedAccept sa = new SignedAccept(self, pn, slot, v.batch().digest(), signer.sign(toSign));
        for (int node = 0; node < spec.agreementNodes(); node++) out.sendToNode(node, sa);
    }

    public void onSignedAccept(int from, SignedAccept sa, Outbox out) {
        if (from != sa.acceptor() || !inWindow(sa.slot())) return;
        if (!certificates.verify(sa)) {
            rejectedSignatures++;
            return;
        }
        SignedAccept[] bySender = signedAccepts.computeIfAbsent(sa.slot(), s -> new SignedAccept[spec.agreementNodes()]);
        SignedAccept old = bySender[from];
        if (old != null && old.pn() >= sa.pn()) return;
        bySender[from] = sa;

        Vote mine = votes.get(sa.slot());
        if (mine == null || mine.pn() != sa.pn() || !mine.batch().digest().equals(sa.digest())) return;
        startSlowPath(sa.slot(), out); // a peer went slow: join it so the certificate can form
        tryCertify(sa.slot(), mine, bySender, out);
    }

    private void tryCertify(long slot, Vote mine, SignedAccept[] bySender, Outbox out) {
        Certified held = certified.get(slot);
        if (held != null && held.certificate().pn() >= mine.pn()) return;
        List<SignedAccept> matching = new ArrayList<>();
        for (SignedAccept s : bySender) {
            if (s != null && s.pn() == mine.pn() && s.digest().equals(mine.batch().digest())) matching.add(s);
        }
        if (matching.size() < config.quorums().commit()) return;
        CommitCertificate cc = new CommitCertificate(mine.pn(), slot, mine.batch().digest(), matching);
        certified.put(slot, new Certified(cc, mine.batch()));
        out.persist(new Persisted.Certified(cc, mine.batch()));
        // Only while still in that pn: a COMMIT sent after leaving it could back a decision
        // that the view change which made us leave did not see.
        if (mine.pn() == pn && normal) sendToLearners(new Commit(pn, slot, mine.batch().digest()), out);
    }

    // ---------------------------------------------------------------- recovery

    /** Promises {@code newPn} and reports everything above the stable checkpoint, signed. */
    public ViewChange startViewChange(long newPn, Outbox out) {
        if (newPn <= pn) throw new IllegalArgumentException("view change must move forward: " + newPn + " <= " + pn);
        pn = newPn;
        normal = false;
        out.persist(new Persisted.Promised(newPn));
        ViewChange vc = currentViewChange();
        for (int node = 0; node < spec.agreementNodes(); node++) out.sendToNode(node, vc);
        return vc;
    }

    /** This acceptor's signed report for its current pn (also used to retransmit it). */
    public ViewChange currentViewChange() {
        List<SlotReport> reports = new ArrayList<>();
        Set<Long> slots = new java.util.TreeSet<>(votes.keySet());
        slots.addAll(certified.keySet());
        for (long slot : slots) {
            Certified c = certified.get(slot);
            reports.add(new SlotReport(slot, votes.get(slot), c == null ? null : c.certificate(), c == null ? null : c.batch()));
        }
        byte[] toSign = WireCodec.viewChangeSignedBytes(self, pn, stable, reports);
        return new ViewChange(self, pn, stable, reports, signer.sign(toSign));
    }

    /**
     * Enters {@code nv.pn()} if the NewView is exactly what its certificate forces and every
     * batch in it is valid; then votes for each of its proposals. Returns the outcome, or
     * null if the NewView was rejected.
     */
    public ProgressCertificate.Outcome onNewView(int from, NewView nv, Outbox out) {
        if (from != spec.leaderOf(nv.pn()) || nv.pn() < pn || (nv.pn() == pn && normal)) {
            return null;
        }
        ProgressCertificate.Outcome outcome = ProgressCertificate.verify(nv, certificates, config.logWindowSlots());
        if (outcome == null) {
            rejectedNewViews++;
            return null;
        }
        for (Proposal p : nv.proposals()) {
            if (!validRequests(p.batch())) {
                rejectedNewViews++;
                return null;
            }
        }
        if (outcome.stable() != null) adoptStable(outcome.stable(), out);
        if (nv.pn() > pn) out.persist(new Persisted.Promised(nv.pn()));
        pn = nv.pn();
        normal = true;
        out.persist(new Persisted.EnteredView(pn));
        for (Proposal p : nv.proposals()) {
            if (inWindow(p.slot())) vote(p.slot(), p.batch(), out);
        }
        return outcome;
    }

    /** Moves the low watermark up to a stable checkpoint; forgets everything at or below it. */
    public void adoptStable(CheckpointCertificate cert, Outbox out) {
        if (cert.slot() <= stableSlot) return;
        stable = cert;
        stableSlot = cert.slot();
        votes.headMap(stableSlot, true).clear();
        certified.headMap(stableSlot, true).clear();
        signedAccepts.headMap(stableSlot, true).clear();
        signedUnder.headMap(stableSlot, true).clear();
        out.persist(new Persisted.Stable(cert));
    }

    /** Replays one persisted record (in order) after a restart. */
    public void recover(Persisted record) {
        switch (record) {
            case Persisted.Promised p -> {
                if (p.pn() > pn) {
                    pn = p.pn();
                    normal = p.pn() == 0;
                }
            }
            case Persisted.EnteredView e -> {
                if (e.pn() == pn) normal = true;
            }
            case Persisted.Voted v -> {
                if (v.slot() > stableSlot) votes.put(v.slot(), new Vote(v.pn(), v.batch()));
            }
            case Persisted.Certified c -> {
                if (c.certificate().slot() > stableSlot) {
                    certified.put(c.certificate().slot(), new Certified(c.certificate(), c.batch()));
                }
            }
            case Persisted.Stable s -> {
                if (s.certificate().slot() > stableSlot) {
                    stable = s.certificate();
                    stableSlot = stable.slot();
                    votes.headMap(stableSlot, true).clear();
                    certified.headMap(stableSlot, true).clear();
                }
            }
            case Persisted.Delivered d -> { }
            case Persisted.Compacted c -> { }
        }
    }

    /** The acceptor's durable state as records: promise, view, stable checkpoint, votes and certificates above it. */
    public List<Persisted> liveState() {
        List<Persisted> records = new ArrayList<>();
        records.add(new Persisted.Promised(pn));
        if (normal) records.add(new Persisted.EnteredView(pn));
        if (stable != null) records.add(new Persisted.Stable(stable));
        for (Map.Entry<Long, Vote> v : votes.entrySet()) {
            records.add(new Persisted.Voted(v.getKey(), v.getValue().pn(), v.getValue().batch()));
        }
        for (Certified c : certified.values()) records.add(new Persisted.Certified(c.certificate(), c.batch()));
        return records;
    }

    // ---------------------------------------------------------------- validity

    private boolean inWindow(long slot) {
        return slot > stableSlot && slot <= stableSlot + config.logWindowSlots();
    }

    /** A fresh batch: valid requests and a time within the allowed skew of this acceptor's clock. */
    private boolean validFreshBatch(long nowMillis, Batch b) {
        if (b.isEmpty()) return b.equals(Batch.EMPTY);
        if (Math.abs(b.timeMillis() - nowMillis) > config.batchClockSkewMillis()) return false;
        return validRequests(b);
    }

    /**
     * Every request vouched for by its client, none twice, not too many: a leader cannot invent
     * requests. The client's MAC for this acceptor is enough; without a good one, the signature.
     */
    boolean validRequests(Batch b) {
        if (b.requests().size() > config.batchRequestsMax()) return false;
        Set<RequestId> seen = new HashSet<>();
        for (Request r : b.requests()) {
            if (!seen.add(r.id())) return false;
            byte[] signed = WireCodec.signedBytes(r);
            if (!r.authenticator().equals(io.bulwark.core.bytes.Bytes.EMPTY)
                    && clientMacs.verify(self, r.clientId(), signed, r.authenticator())) {
                continue;
            }
            if (!clientSignatures.verify(Principal.client(r.clientId()), signed, r.signature())) {
                rejectedSignatures++;
                return false;
            }
        }
        return true;
    }

    private void sendToLearners(Message m, Outbox out) {
        for (int node : learners) out.sendToNode(node, m);
    }

    // ---------------------------------------------------------------- state for hosts and tests

    public long pn() {
        return pn;
    }

    public boolean isNormal() {
        return normal;
    }

    public long stableSlot() {
        return stableSlot;
    }

    public CheckpointCertificate stable() {
        return stable;
    }

    public CertificateVerifier certificates() {
        return certificates;
    }

    /** Whether this acceptor voted in some slot at or above {@code slot}. */
    public boolean hasVoteAtOrAbove(long slot) {
        return votes.ceilingKey(slot) != null;
    }

    public Map<Long, Vote> votes() {
        return java.util.Collections.unmodifiableMap(votes);
    }

    public long rejectedProposals() {
        return rejectedProposals;
    }

    public long rejectedNewViews() {
        return rejectedNewViews;
    }

    public long rejectedSignatures() {
        return rejectedSignatures;
    }
}
