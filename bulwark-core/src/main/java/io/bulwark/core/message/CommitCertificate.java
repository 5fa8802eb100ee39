package io.bulwark.core.message;

import io.bulwark.core.crypto.Digest;
import java.util.List;
import java.util.Objects;

/**
 * Proof that a commit quorum of acceptors accepted {@code digest} for {@code slot} under
 * {@code pn}: their signed accepts. Whether it is valid (distinct acceptors, matching fields,
 * good signatures, enough of them) is for the receiving core to check.
 */
public record CommitCertificate(long pn, long slot, Digest digest, List<SignedAccept> accepts) {
    public CommitCertificate {
        Objects.requireNonNull(digest, "digest");
        Sequences.check(pn, "pn");
        Sequences.check(slot, "slot");
        accepts = List.copyOf(accepts);
        if (accepts.size() > WireLimits.NODES_MAX) throw new IllegalArgumentException("too many accepts");
    }
}
