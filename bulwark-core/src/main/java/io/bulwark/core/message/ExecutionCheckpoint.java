package io.bulwark.core.message;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import java.util.Objects;

/**
 * An execution node's signed statement that after executing every slot up to and including
 * {@code slot}, its state (application state and reply cache) hashes to {@code stateDigest}.
 * g+1 matching ones certify a checkpoint: at least one comes from a correct node. Sent to the
 * other execution nodes (state transfer) and to the agreement nodes (flow control and log
 * garbage collection).
 */
public record ExecutionCheckpoint(int sender, long slot, Digest stateDigest, Bytes signature) implements Message {
    public ExecutionCheckpoint {
        Objects.requireNonNull(stateDigest, "stateDigest");
        Objects.requireNonNull(signature, "signature");
        Sequences.checkNode(sender, "sender");
        Sequences.check(slot, "slot");
        if (signature.length() > WireLimits.SIGNATURE_BYTES_MAX) throw new IllegalArgumentException("signature too large");
    }
}
