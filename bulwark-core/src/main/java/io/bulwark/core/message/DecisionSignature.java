package io.bulwark.core.message;

import io.bulwark.core.bytes.Bytes;
import java.util.Objects;

/**
 * Agreement node {@code sender}'s signature over {@code WireCodec.decisionSignedBytes(slot,
 * digest)}: "the batch with this digest was decided in this slot". f+1 of them from distinct
 * agreement nodes make a decision transferable (one signer is correct), which is what lets the
 * filters and execution nodes, who see no ACCEPTED messages, trust an ordered batch.
 */
public record DecisionSignature(int sender, Bytes signature) {
    public DecisionSignature {
        Objects.requireNonNull(signature, "signature");
        Sequences.checkNode(sender, "sender");
        if (signature.length() > WireLimits.SIGNATURE_BYTES_MAX) throw new IllegalArgumentException("signature too large");
    }
}
