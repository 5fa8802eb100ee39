package io.bulwark.firewall.threshold;

import java.util.List;
import java.util.Objects;

/**
 * What {@link ThresholdRsa#combine} made of a set of signature shares: the signature, or too few
 * valid shares. Either way it lists the shares that failed verification, so the caller can
 * blame their senders.
 *
 * <p>A share names the signer index it claims to be from; only the host knows who actually sent
 * it. A share that claims another signer's index fails verification (its proof does not match
 * that signer's verification key), so the host should blame the authenticated <em>sender</em> of
 * an invalid share, not the index written in it.
 */
public sealed interface CombineResult permits CombineResult.Combined, CombineResult.TooFewValidShares {

    /** Shares that failed {@link ThresholdRsa#verifyShare}, in the order they were given. */
    List<SignatureShare> invalidShares();

    /** The indices claimed by {@link #invalidShares()}, in the same order. */
    default List<Integer> invalidIndices() {
        return invalidShares().stream().map(SignatureShare::index).toList();
    }

    /**
     * k valid shares with distinct indices combined into {@code signature}. Shares after the
     * k-th valid one were not examined.
     *
     * @param usedIndices the k signer indices whose shares were combined, ascending
     */
    record Combined(ThresholdSignature signature, List<Integer> usedIndices, List<SignatureShare> invalidShares)
            implements CombineResult {
        public Combined {
            Objects.requireNonNull(signature, "signature");
            usedIndices = List.copyOf(usedIndices);
            invalidShares = List.copyOf(invalidShares);
        }
    }

    /** Fewer than {@code required} valid shares with distinct indices: no signature. */
    record TooFewValidShares(int validShares, int required, List<SignatureShare> invalidShares) implements CombineResult {
        public TooFewValidShares {
            invalidShares = List.copyOf(invalidShares);
        }
    }
}
