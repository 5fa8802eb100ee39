package io.bulwark.firewall.threshold;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.ThresholdShareSigner;
import java.util.Objects;

/**
 * One execution node's key share as a {@link ThresholdShareSigner}: Shoup RSA
 * ({@link ThresholdRsa#sign}), deterministic (the proof's nonce is derived from the share and
 * the message), so a protocol core may call it. The output is {@link SignatureShare#encode()}.
 * Execution node {@code a + index − 1} must hold the share with this {@link #index()}.
 */
public final class ShoupShareSigner implements ThresholdShareSigner {
    private final ThresholdKeyShare share;

    public ShoupShareSigner(ThresholdKeyShare share) {
        this.share = Objects.requireNonNull(share, "share");
    }

    @Override
    public int index() {
        return share.index();
    }

    @Override
    public Bytes signShare(byte[] message) {
        return Bytes.wrapOwned(ThresholdRsa.sign(share, message).encode());
    }

    public ThresholdPublicKey publicKey() {
        return share.publicKey();
    }

    @Override
    public String toString() {
        return "ShoupShareSigner[index=" + share.index() + "]";
    }
}
