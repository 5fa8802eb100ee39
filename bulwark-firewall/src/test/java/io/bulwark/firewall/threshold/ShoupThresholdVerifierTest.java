package io.bulwark.firewall.threshold;

import static org.assertj.core.api.Assertions.assertThat;

import io.bulwark.core.bytes.Bytes;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ShoupThresholdVerifierTest {
    private static final byte[] MESSAGE = "slot 9, root of its replies".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER = "slot 9, root of other replies".getBytes(StandardCharsets.UTF_8);

    private static ThresholdKeyDealer.Dealing dealing(int g) {
        return TestKeys.forG(g);
    }

    private static ShoupThresholdVerifier verifier(int g) {
        return new ShoupThresholdVerifier(dealing(g).keys().publicKey());
    }

    private static List<Bytes> encodedShares(int g, byte[] message) {
        return dealing(g).keys().shares().stream().map(s -> new ShoupShareSigner(s).signShare(message)).toList();
    }

    /** The unique signature, through the proof-checking combination. */
    private static Bytes uniqueSignature(int g, byte[] message) {
        var keys = dealing(g).keys();
        var shares = keys.shares().stream().map(s -> ThresholdRsa.sign(s, message)).toList();
        return ((CombineResult.Combined) ThresholdRsa.combine(keys.publicKey(), message, shares)).signature().value();
    }

    // ---------------------------------------------------------------- the adapters

    @ParameterizedTest(name = "g={0}")
    @ValueSource(ints = {1, 2})
    void signerAndVerifierAgree(int g) {
        ShoupThresholdVerifier verifier = verifier(g);
        assertThat(verifier.threshold()).isEqualTo(g + 1);
        assertThat(verifier.signers()).isEqualTo(2 * g + 1);
        for (ThresholdKeyShare keyShare : dealing(g).keys().shares()) {
            ShoupShareSigner signer = new ShoupShareSigner(keyShare);
            assertThat(signer.index()).isEqualTo(keyShare.index());
            Bytes share = signer.signShare(MESSAGE);
            assertThat(share).as("deterministic").isEqualTo(signer.signShare(MESSAGE));
            assertThat(share.toByteArray()).isEqualTo(ThresholdRsa.sign(keyShare, MESSAGE).encode());
            assertThat(verifier.verifyShare(MESSAGE, share)).isEqualTo(keyShare.index());
            assertThat(verifier.verifyShare(OTHER, share)).isZero();
        }
    }

    @ParameterizedTest(name = "g={0}")
    @ValueSource(ints = {1, 2})
    void everyKSubsetCombinesOptimisticallyToTheUniqueSignature(int g) {
        ShoupThresholdVerifier verifier = verifier(g);
        List<Bytes> shares = encodedShares(g, MESSAGE);
        Bytes expected = uniqueSignature(g, MESSAGE);
        for (List<Bytes> subset : ThresholdRsaTest.subsets(shares, g + 1)) {
            assertThat(verifier.combine(MESSAGE, subset)).contains(expected);
        }
        assertThat(verifier.verify(MESSAGE, expected)).isTrue();
        assertThat(verifier.verify(OTHER, expected)).isFalse();
    }

    static Stream<Arguments> badShares() {
        var keys = dealing(1).keys();
        SignatureShare good = ThresholdRsa.sign(keys.shares().get(0), MESSAGE);
        SignatureShare second = ThresholdRsa.sign(keys.shares().get(1), MESSAGE);
        BigInteger n = keys.publicKey().n();
        Map<String, Bytes> bad = new LinkedHashMap<>();
        bad.put("xi + 1", encode(new SignatureShare(1, good.xi().add(BigInteger.ONE), good.c(), good.z())));
        bad.put("xi = n - 1", encode(new SignatureShare(1, n.subtract(BigInteger.ONE), good.c(), good.z())));
        bad.put("xi = 1", encode(new SignatureShare(1, BigInteger.ONE, good.c(), good.z())));
        bad.put("xi = 0", encode(new SignatureShare(1, BigInteger.ZERO, good.c(), good.z())));
        bad.put("xi a multiple of p", encode(new SignatureShare(1, dealing(1).trapdoor().p(), good.c(), good.z())));
        bad.put("xi >= n", encode(new SignatureShare(1, n.add(BigInteger.TWO), good.c(), good.z())));
        bad.put("share on another message", encode(ThresholdRsa.sign(keys.shares().get(0), OTHER)));
        bad.put("signer 2's xi under index 1", encode(new SignatureShare(1, second.xi(), good.c(), good.z())));
        bad.put("index 0", Bytes.wrapOwned(withIndex(good, 0)));
        bad.put("index l+1", Bytes.wrapOwned(withIndex(good, 4)));
        bad.put("garbage", Bytes.ofUtf8("not a share"));
        bad.put("empty", Bytes.EMPTY);
        bad.put("truncated", Bytes.copyOf(good.encode(), 0, good.encode().length - 1));
        return bad.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    private static Bytes encode(SignatureShare s) {
        return Bytes.wrapOwned(s.encode());
    }

    /** The encoding with the index field overwritten (the decoder accepts 1..64, verification checks l). */
    private static byte[] withIndex(SignatureShare s, int index) {
        byte[] bytes = s.encode();
        bytes[2] = (byte) (index >>> 24);
        bytes[3] = (byte) (index >>> 16);
        bytes[4] = (byte) (index >>> 8);
        bytes[5] = (byte) index;
        return bytes;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badShares")
    void oneBadShareAmongKPlusOneStillYieldsTheUniqueSignature(String what, Bytes bad) {
        ShoupThresholdVerifier verifier = verifier(1);
        List<Bytes> good = encodedShares(1, MESSAGE);
        Bytes expected = uniqueSignature(1, MESSAGE);
        assertThat(verifier.verifyShare(MESSAGE, bad)).isZero();
        // k = 2: the bad share (claiming index 1) in every position among two good shares of signers 2 and 3.
        for (int position = 0; position <= 2; position++) {
            List<Bytes> offered = new ArrayList<>(List.of(good.get(1), good.get(2)));
            offered.add(position, bad);
            assertThat(verifier.combine(MESSAGE, offered)).as("bad share at %d", position).contains(expected);
        }
        // Exactly k with the bad one: no signature, and no exception.
        assertThat(verifier.combine(MESSAGE, List.of(bad, good.get(1)))).isEmpty();
        assertThat(verifier.combine(MESSAGE, List.of(good.get(2), bad))).isEmpty();
    }

    @Test
    void combineOptimisticallySkipsNothingItShouldNotAndNeverThrows() {
        var keys = dealing(2).keys();
        ThresholdPublicKey key = keys.publicKey();
        List<SignatureShare> shares = keys.shares().stream().map(s -> ThresholdRsa.sign(s, MESSAGE)).toList();
        Bytes expected = uniqueSignature(2, MESSAGE);
        // Repeated indices and out-of-range ones are skipped; k usable ones remain.
        List<SignatureShare> offered = List.of(shares.get(0), shares.get(0),
                new SignatureShare(9, shares.get(1).xi(), shares.get(1).c(), shares.get(1).z()), shares.get(3), shares.get(4));
        assertThat(ThresholdRsa.combineOptimistically(key, MESSAGE, offered).map(ThresholdSignature::value)).contains(expected);
        // Fewer than k usable.
        assertThat(ThresholdRsa.combineOptimistically(key, MESSAGE, shares.subList(0, 2))).isEmpty();
        assertThat(ThresholdRsa.combineOptimistically(key, MESSAGE, List.of())).isEmpty();
        assertThat(ThresholdRsa.combineOptimistically(null, MESSAGE, shares)).isEmpty();
        assertThat(ThresholdRsa.combineOptimistically(key, null, shares)).isEmpty();
        // A non-unit xi (a multiple of p) would factor n: it must fail cleanly, not throw.
        SignatureShare nonUnit = new SignatureShare(1, dealing(2).trapdoor().p(), shares.get(0).c(), shares.get(0).z());
        assertThat(ThresholdRsa.combineOptimistically(key, MESSAGE, List.of(nonUnit, shares.get(1), shares.get(2)))).isEmpty();
        // Shares on another message combine to nothing for this one.
        List<SignatureShare> other = keys.shares().stream().map(s -> ThresholdRsa.sign(s, OTHER)).toList();
        assertThat(ThresholdRsa.combineOptimistically(key, MESSAGE, other)).isEmpty();
    }

    @Test
    void optimisticAndCheckedCombinationGiveTheSameBytes() {
        var keys = dealing(2).keys();
        List<SignatureShare> shares = keys.shares().stream().map(s -> ThresholdRsa.sign(s, MESSAGE)).toList();
        Optional<ThresholdSignature> optimistic = ThresholdRsa.combineOptimistically(keys.publicKey(), MESSAGE, shares.subList(2, 5));
        assertThat(optimistic).isPresent();
        assertThat(optimistic.get()).isEqualTo(((CombineResult.Combined) ThresholdRsa.combine(keys.publicKey(), MESSAGE, shares)).signature());
    }

    @Test
    void verifierNeverThrowsOnNulls() {
        ShoupThresholdVerifier verifier = verifier(1);
        Bytes share = encodedShares(1, MESSAGE).get(0);
        assertThat(verifier.verifyShare(null, share)).isZero();
        assertThat(verifier.verifyShare(MESSAGE, null)).isZero();
        assertThat(verifier.combine(null, List.of(share))).isEmpty();
        assertThat(verifier.combine(MESSAGE, null)).isEmpty();
        assertThat(verifier.verify(MESSAGE, null)).isFalse();
        assertThat(verifier.verify(null, uniqueSignature(1, MESSAGE))).isFalse();
        assertThat(verifier.verifyShare(MESSAGE, Bytes.wrapOwned(new byte[5000]))).as("longer than any share").isZero();
    }
}
