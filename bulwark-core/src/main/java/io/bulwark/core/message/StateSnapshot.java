package io.bulwark.core.message;

import io.bulwark.core.bytes.Bytes;
import java.util.List;
import java.util.Objects;

/**
 * A peer's answer to a {@link StateRequest}: the state after executing every slot up to and
 * including {@code slot}, and the certificate — g+1 matching signed checkpoints — that lets the
 * receiver check it before trusting a byte of it.
 *
 * @param state the serialized state (application snapshot and reply cache); its digest must
 *              equal the certificate's
 */
public record StateSnapshot(long slot, Bytes state, List<ExecutionCheckpoint> certificate) implements Message {
    public static final int STATE_BYTES_MAX = WireLimits.FRAME_BYTES_MAX - 64 * 1024;

    public StateSnapshot {
        Objects.requireNonNull(state, "state");
        Sequences.check(slot, "slot");
        certificate = List.copyOf(certificate);
        if (certificate.size() > WireLimits.NODES_MAX) throw new IllegalArgumentException("certificate too large");
        if (state.length() > STATE_BYTES_MAX) throw new IllegalArgumentException("state too large");
        for (ExecutionCheckpoint c : certificate) {
            if (c.slot() != slot) throw new IllegalArgumentException("certificate for another slot");
        }
    }
}
