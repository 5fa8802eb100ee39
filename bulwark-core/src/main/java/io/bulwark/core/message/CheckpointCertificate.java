package io.bulwark.core.message;

import io.bulwark.core.crypto.Digest;
import java.util.List;
import java.util.Objects;

/** Matching signed checkpoints from a checkpoint quorum: the log up to {@code slot} is decided and stable. */
public record CheckpointCertificate(long slot, Digest logHash, List<Checkpoint> signatures) {
    public CheckpointCertificate {
        Objects.requireNonNull(logHash, "logHash");
        Sequences.check(slot, "slot");
        signatures = List.copyOf(signatures);
        if (signatures.size() > WireLimits.NODES_MAX) throw new IllegalArgumentException("too many signatures");
    }
}
