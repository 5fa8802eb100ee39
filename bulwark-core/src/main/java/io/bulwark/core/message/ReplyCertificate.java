package io.bulwark.core.message;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import java.util.List;
import java.util.Objects;

/**
 * Filter row 0 → client: the client's reply of {@code slot}, leaf {@code leafIndex} of
 * {@code leafCount}, with its Merkle authentication path and the combined threshold signature on
 * the slot's root. The client verifies one RSA signature and a few hashes; the other leaves
 * reach it only as hashes of replies sealed to other clients.
 */
public record ReplyCertificate(long slot, ReplyLeaf reply, int leafIndex, int leafCount, List<Digest> path,
        Bytes signature) implements Message {
    public static final int PATH_MAX = 32;

    public ReplyCertificate {
        Objects.requireNonNull(reply, "reply");
        Objects.requireNonNull(signature, "signature");
        Sequences.check(slot, "slot");
        path = List.copyOf(path);
        if (leafCount < 1 || leafCount > WireLimits.BATCH_REQUESTS_MAX) throw new IllegalArgumentException("leafCount out of range");
        if (leafIndex < 0 || leafIndex >= leafCount) throw new IllegalArgumentException("leafIndex out of range");
        if (path.size() > PATH_MAX) throw new IllegalArgumentException("path too long");
        if (signature.length() > WireLimits.THRESHOLD_SIGNATURE_BYTES_MAX) throw new IllegalArgumentException("signature too large");
    }
}
