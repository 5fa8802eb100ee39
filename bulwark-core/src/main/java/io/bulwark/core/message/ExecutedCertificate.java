package io.bulwark.core.message;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import java.util.Objects;

/**
 * Filter row 0 → agreement nodes: the execution cluster's combined signature on
 * {@code WireCodec.slotRepliesSignedBytes(slot, root)}: the execution cluster (at least one
 * correct node) executed every slot up to {@code slot}. Flow control in firewall mode, where no
 * execution checkpoint (a digest of secret state) may leave the execution cluster.
 */
public record ExecutedCertificate(long slot, Digest root, Bytes signature) implements Message {
    public ExecutedCertificate {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(signature, "signature");
        Sequences.check(slot, "slot");
        if (signature.length() > WireLimits.THRESHOLD_SIGNATURE_BYTES_MAX) throw new IllegalArgumentException("signature too large");
    }
}
