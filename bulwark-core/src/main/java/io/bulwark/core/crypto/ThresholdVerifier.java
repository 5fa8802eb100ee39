package io.bulwark.core.crypto;

import io.bulwark.core.bytes.Bytes;
import java.util.List;
import java.util.Optional;

/**
 * The public side of the execution cluster's threshold signature: check shares, combine k of
 * them, check a combined signature. The combined signature must be <em>unique</em> for a
 * message (the same bytes whichever k signers took part), so that the choice of signers and
 * their randomness cannot carry a covert channel out of the execution cluster.
 *
 * <p>Implementations: Shoup threshold RSA ({@code bulwark-firewall}) in real deployments; the
 * simulator's stand-in. Thread-safe; never throws on malformed input.
 */
public interface ThresholdVerifier {
    /** k: shares needed to combine. */
    int threshold();

    /** l: share holders; indices 1..l. */
    int signers();

    /** The index (1..l) of the signer whose valid share on {@code message} this is, or 0 if it is not one. */
    int verifyShare(byte[] message, Bytes share);

    /**
     * The combined signature from {@code shares}, which must hold at least k shares on
     * {@code message} from distinct signers; empty if they do not combine into a signature that
     * {@link #verify}s (some share is bad: the caller then checks them one by one with
     * {@link #verifyShare} to find whose). Implementations may combine without checking each
     * share first (optimistic combination), since the result is checked.
     */
    Optional<Bytes> combine(byte[] message, List<Bytes> shares);

    /** Whether {@code signature} is the combined signature on {@code message}. */
    boolean verify(byte[] message, Bytes signature);
}
