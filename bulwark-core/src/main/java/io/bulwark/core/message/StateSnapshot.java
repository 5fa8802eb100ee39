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
    /**
     * Leaves room in a frame for the rest of the message: the header, slot and length and count
     * prefixes, and a certificate of up to {@code NODES_MAX} entries of 48 bytes plus a signature
     * of up to {@code SIGNATURE_BYTES_MAX} (256 × 560 = 140 KiB), so that every snapshot the
     * record accepts encodes to a frame the decoder accepts.
     */
    public static final int STATE_BYTES_MAX = WireLimits.FRAME_BYTES_MAX - 256 * 1024;

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
