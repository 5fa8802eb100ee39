package io.bulwark.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.cluster.ClusterSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The simulator's stand-in threshold signature: unique, k shares needed, shares bound to their signer. */
class SimThresholdSchemeTest {
    private static final byte[] M = "slot 7 replies".getBytes(StandardCharsets.UTF_8);
    private final SimThresholdScheme scheme = SimThresholdScheme.forCluster(new ClusterSpec(1, 1, 2, -1), 42);

    private Bytes share(int index, byte[] message) {
        return scheme.shareSigner(index).signShare(message);
    }

    @Test
    void anyKValidSharesCombineIntoTheSameBytes() {
        assertThat(scheme.threshold()).isEqualTo(3);
        assertThat(scheme.signers()).isEqualTo(5);
        Bytes first = scheme.combine(M, List.of(share(1, M), share(2, M), share(3, M))).orElseThrow();
        for (List<Integer> set : List.of(List.of(3, 4, 5), List.of(5, 1, 3), List.of(2, 4, 5), List.of(4, 2, 1, 5, 3))) {
            List<Bytes> shares = new ArrayList<>();
            for (int i : set) shares.add(share(i, M));
            assertThat(scheme.combine(M, shares)).as("signers %s", set).contains(first);
        }
        assertThat(scheme.verify(M, first)).isTrue();
        assertThat(first.length()).isEqualTo(SimThresholdScheme.SIGNATURE_BYTES);
        byte[] other = "slot 8 replies".getBytes(StandardCharsets.UTF_8);
        Bytes second = scheme.combine(other, List.of(share(1, other), share(2, other), share(3, other))).orElseThrow();
        assertThat(second).isNotEqualTo(first);
        assertThat(scheme.verify(M, second)).isFalse();
        assertThat(SimThresholdScheme.forCluster(new ClusterSpec(1, 1, 2, -1), 43).verify(M, first)).as("another run's key").isFalse();
    }

    @Test
    void aShareVerifiesOnlyForItsSignerAndMessage() {
        Bytes s2 = share(2, M);
        assertThat(scheme.verifyShare(M, s2)).isEqualTo(2);
        assertThat(scheme.verifyShare("other".getBytes(StandardCharsets.UTF_8), s2)).isZero();
        byte[] relabelled = s2.toByteArray();
        relabelled[1] = 3; // claims to be signer 3's share
        assertThat(scheme.verifyShare(M, Bytes.wrapOwned(relabelled))).isZero();
        byte[] flipped = s2.toByteArray();
        flipped[10] ^= 1;
        assertThat(scheme.verifyShare(M, Bytes.wrapOwned(flipped))).isZero();
        assertThat(scheme.verifyShare(M, Bytes.EMPTY)).isZero();
        assertThat(scheme.verifyShare(M, Bytes.wrapOwned(new byte[SimThresholdScheme.SHARE_BYTES]))).isZero();
        assertThat(scheme.verifyShare(M, null)).isZero();
        assertThat(scheme.verifyShare(null, s2)).isZero();
    }

    @Test
    void fewerThanKDistinctValidSharesDoNotCombine() {
        assertThat(scheme.combine(M, List.of(share(1, M), share(2, M)))).isEmpty();
        assertThat(scheme.combine(M, List.of(share(1, M), share(1, M), share(2, M)))).as("a repeated signer counts once").isEmpty();
        Bytes bad = share(3, "something else".getBytes(StandardCharsets.UTF_8));
        assertThat(scheme.combine(M, List.of(share(1, M), bad, share(2, M)))).as("a bad share among the first k").isEmpty();
        assertThat(scheme.combine(M, List.of(share(1, M), share(2, M), share(3, M), bad)))
                .as("shares after the first k valid ones are not examined").isPresent();
        assertThat(scheme.combine(M, List.of(Bytes.EMPTY, share(1, M), share(2, M), share(4, M)))).as("unshaped bytes are skipped").isPresent();
        assertThat(scheme.combine(M, List.of())).isEmpty();
        assertThat(scheme.combine(null, List.of(share(1, M)))).isEmpty();
    }

    @Test
    void oneSignerCannotForgeTheOthersShares() {
        // A faulty node holding share signer 1 only, relabelling its share as everyone else's.
        Bytes own = share(1, M);
        List<Bytes> forged = new ArrayList<>();
        forged.add(own);
        for (int i = 2; i <= 5; i++) {
            byte[] b = own.toByteArray();
            b[1] = (byte) i;
            forged.add(Bytes.wrapOwned(b));
        }
        assertThat(scheme.combine(M, forged)).isEqualTo(Optional.empty());
        assertThat(scheme.verify(M, Bytes.wrapOwned(own.toByteArray()))).isFalse();
        assertThat(scheme.verify(M, Bytes.wrapOwned(java.util.Arrays.copyOfRange(own.toByteArray(), 2, 34)))).isFalse();
    }
}
