package io.bulwark.core.message;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import java.util.Objects;

/**
 * Acceptor → acceptors on the slow path: a signed statement that {@code acceptor} accepted
 * {@code digest} for {@code slot} under {@code pn}. The commit quorum of these forms a
 * {@link CommitCertificate}, which convinces third parties (new leaders, other acceptors).
 */
public record SignedAccept(int acceptor, long pn, long slot, Digest digest, Bytes signature) implements Message {
    public SignedAccept {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(signature, "signature");
        Sequences.checkNode(acceptor, "acceptor");
        Sequences.check(pn, "pn");
        Sequences.check(slot, "slot");
        if (signature.length() > WireLimits.SIGNATURE_BYTES_MAX) throw new IllegalArgumentException("signature too large");
    }
}
