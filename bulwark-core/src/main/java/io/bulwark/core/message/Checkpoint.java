package io.bulwark.core.message;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import java.util.Objects;

/**
 * A node's signed statement that the decided log up to and including {@code slot} hashes to
 * {@code logHash} (a hash chain over batch digests).
 */
public record Checkpoint(int sender, long slot, Digest logHash, Bytes signature) implements Message {
    public Checkpoint {
        Objects.requireNonNull(logHash, "logHash");
        Objects.requireNonNull(signature, "signature");
        Sequences.checkNode(sender, "sender");
        Sequences.check(slot, "slot");
        if (signature.length() > WireLimits.SIGNATURE_BYTES_MAX) throw new IllegalArgumentException("signature too large");
    }
}
