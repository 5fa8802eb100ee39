package io.bulwark.core.message;

import java.util.List;

/**
 * The new leader's first message under proposal number {@code pn}: the progress certificate
 * (a report quorum of signed {@link ViewChange}s) and one proposal for every slot from the
 * highest stable checkpoint in it up to the highest slot reported. Acceptors recompute
 * which value each slot must carry from the certificate and reject a NewView that differs.
 */
public record NewView(long pn, List<ViewChange> certificate, List<Proposal> proposals) implements Message {
    public NewView {
        Sequences.check(pn, "pn");
        certificate = List.copyOf(certificate);
        proposals = List.copyOf(proposals);
        if (certificate.size() > WireLimits.NODES_MAX) throw new IllegalArgumentException("certificate too large");
        if (proposals.size() > WireLimits.REPORT_SLOTS_MAX) throw new IllegalArgumentException("too many proposals");
        long previous = -1;
        for (Proposal p : proposals) {
            if (p.slot() <= previous) throw new IllegalArgumentException("proposals must be strictly increasing");
            previous = p.slot();
        }
    }
}
