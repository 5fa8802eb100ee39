package io.bulwark.agreement;

import io.bulwark.core.cluster.FabQuorums;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.message.Checkpoint;
import io.bulwark.core.message.CheckpointCertificate;
import io.bulwark.core.message.CommitCertificate;
import io.bulwark.core.message.SignedAccept;
import io.bulwark.core.message.SlotReport;
import io.bulwark.core.message.ViewChange;
import java.util.BitSet;

/**
 * Checks the signed evidence agreement nodes show each other: commit certificates,
 * checkpoint certificates and view-change reports. Every check is total: bad evidence
 * returns false, it never throws.
 */
public final class CertificateVerifier {
    private final FabQuorums quorums;
    private final SignatureVerifier signatures;

    public CertificateVerifier(FabQuorums quorums, SignatureVerifier signatures) {
        this.quorums = quorums;
        this.signatures = signatures;
    }

    public FabQuorums quorums() {
        return quorums;
    }

    public boolean isAcceptor(int node) {
        return node >= 0 && node < quorums.acceptors();
    }

    public boolean verify(SignedAccept s) {
        return isAcceptor(s.acceptor())
                && signatures.verify(Principal.node(s.acceptor()), WireCodec.signedBytes(s), s.signature());
    }

    public boolean verify(Checkpoint c) {
        return isAcceptor(c.sender())
                && signatures.verify(Principal.node(c.sender()), WireCodec.signedBytes(c), c.signature());
    }

    /** A commit quorum of distinct acceptors' valid signed accepts, all for the certificate's (pn, slot, digest). */
    public boolean verify(CommitCertificate cc) {
        BitSet signers = new BitSet();
        for (SignedAccept s : cc.accepts()) {
            if (s.pn() != cc.pn() || s.slot() != cc.slot() || !s.digest().equals(cc.digest())) return false;
            if (!isAcceptor(s.acceptor()) || signers.get(s.acceptor())) return false;
            signers.set(s.acceptor());
        }
        if (signers.cardinality() < quorums.commit()) return false;
        for (SignedAccept s : cc.accepts()) {
            if (!verify(s)) return false;
        }
        return true;
    }

    /** A commit quorum of distinct nodes' valid signed checkpoints, all for the certificate's (slot, hash). */
    public boolean verify(CheckpointCertificate cert) {
        BitSet signers = new BitSet();
        for (Checkpoint c : cert.signatures()) {
            if (c.slot() != cert.slot() || !c.logHash().equals(cert.logHash())) return false;
            if (!isAcceptor(c.sender()) || signers.get(c.sender())) return false;
            signers.set(c.sender());
        }
        if (signers.cardinality() < quorums.commit()) return false;
        for (Checkpoint c : cert.signatures()) {
            if (!verify(c)) return false;
        }
        return true;
    }

    /**
     * A view change is valid when its sender signed it, its checkpoint certificate is valid,
     * and every slot report is self-consistent: votes and certificates from proposal numbers
     * below the one being moved to, certificates valid and matching their batches.
     */
    public boolean verify(ViewChange vc) {
        if (!isAcceptor(vc.sender())) return false;
        if (!signatures.verify(Principal.node(vc.sender()), WireCodec.signedBytes(vc), vc.signature())) return false;
        if (vc.stable() != null && !verify(vc.stable())) return false;
        for (SlotReport r : vc.reports()) {
            if (r.vote() != null && r.vote().pn() >= vc.pn()) return false;
            if (r.commit() != null) {
                if (r.commit().pn() >= vc.pn()) return false;
                if (!r.commitBatch().digest().equals(r.commit().digest())) return false;
                if (!verify(r.commit())) return false;
            }
        }
        return true;
    }
}
