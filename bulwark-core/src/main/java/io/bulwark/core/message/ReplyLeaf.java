package io.bulwark.core.message;

import io.bulwark.core.bytes.Bytes;
import java.util.Objects;

/**
 * One reply of a slot in firewall mode: the result of request (clientId, timestamp), sealed to
 * that client ({@link io.bulwark.core.crypto.ClientSeal}, deterministic, so every correct
 * execution node produces the same bytes). A leaf of the slot's {@link io.bulwark.core.crypto.ReplyMerkleTree}.
 */
public record ReplyLeaf(long clientId, long timestamp, Bytes sealedResult) {
    public ReplyLeaf {
        Objects.requireNonNull(sealedResult, "sealedResult");
        if (clientId < 0) throw new IllegalArgumentException("clientId < 0");
        Sequences.check(timestamp, "timestamp");
        if (sealedResult.length() > WireLimits.RESULT_BYTES_MAX + 64) throw new IllegalArgumentException("result too large");
    }
}
