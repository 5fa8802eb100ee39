package io.bulwark.firewall.threshold;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.crypto.ThresholdVerifier;
import io.bulwark.core.message.WireLimits;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The execution cluster's public threshold key as a {@link ThresholdVerifier}: Shoup RSA
 * ({@link ThresholdRsa}). Shares on the wire are {@link SignatureShare#encode()} bytes; a
 * combined signature is the |n|-byte RSA signature ({@link ThresholdSignature#value()}).
 *
 * <p>{@link #combine} is optimistic: it combines k shares without checking their proofs and
 * checks the one result (y^e = H(M)), which is cheap and, when it succeeds, yields the unique
 * signature no matter which shares went in. Only if that fails and more than k shares were
 * given does it fall back to checking proofs ({@link ThresholdRsa#combine}) to find k good
 * ones. A caller that must blame the sender of a bad share (a filter) passes exactly k and, on
 * failure, calls {@link #verifyShare} on each.
 *
 * <p>Stateless and thread-safe; never throws on malformed input.
 */
public final class ShoupThresholdVerifier implements ThresholdVerifier {
    private final ThresholdPublicKey key;

    public ShoupThresholdVerifier(ThresholdPublicKey key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    public ThresholdPublicKey publicKey() {
        return key;
    }

    @Override
    public int threshold() {
        return key.k();
    }

    @Override
    public int signers() {
        return key.l();
    }

    @Override
    public int verifyShare(byte[] message, Bytes share) {
        SignatureShare decoded = decode(share);
        return decoded != null && ThresholdRsa.verifyShare(key, message, decoded) ? decoded.index() : 0;
    }

    @Override
    public Optional<Bytes> combine(byte[] message, List<Bytes> shares) {
        if (message == null || shares == null) return Optional.empty();
        List<SignatureShare> decoded = new ArrayList<>(shares.size());
        for (Bytes share : shares) {
            SignatureShare s = decode(share);
            if (s != null) decoded.add(s); // undecodable: a bad share, left out
        }
        Optional<ThresholdSignature> optimistic = ThresholdRsa.combineOptimistically(key, message, decoded);
        if (optimistic.isPresent()) return Optional.of(optimistic.get().value());
        if (decoded.size() <= key.k()) return Optional.empty(); // no spare share to replace a bad one with
        try {
            return ThresholdRsa.combine(key, message, decoded) instanceof CombineResult.Combined c
                    ? Optional.of(c.signature().value()) : Optional.empty();
        } catch (RuntimeException notAShoupKey) {
            return Optional.empty();
        }
    }

    @Override
    public boolean verify(byte[] message, Bytes signature) {
        return ThresholdRsa.verify(key, message, signature);
    }

    private static SignatureShare decode(Bytes share) {
        if (share == null || share.length() > WireLimits.THRESHOLD_SHARE_BYTES_MAX) return null;
        try {
            return SignatureShare.decode(share.toByteArray());
        } catch (MalformedMessageException malformed) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "ShoupThresholdVerifier[" + key + "]";
    }
}
