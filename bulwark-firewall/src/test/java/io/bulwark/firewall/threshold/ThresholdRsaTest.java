package io.bulwark.firewall.threshold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.bulwark.core.bytes.Bytes;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ThresholdRsaTest {
    private static final byte[] MESSAGE = "reply: client 7, timestamp 42, slot 9, result ok".getBytes(StandardCharsets.UTF_8);
    private static final byte[] OTHER_MESSAGE = "reply: client 7, timestamp 42, slot 9, result no".getBytes(StandardCharsets.UTF_8);

    // ---------------------------------------------------------------- the dealt key

    @ParameterizedTest(name = "g={0}")
    @ValueSource(ints = {1, 2, 3})
    void dealtKeyHasShoupsShape(int g) {
        var dealing = TestKeys.forG(g);
        ThresholdPublicKey key = dealing.keys().publicKey();
        var trapdoor = dealing.trapdoor();
        BigInteger pPrime = trapdoor.p().shiftRight(1), qPrime = trapdoor.q().shiftRight(1);

        assertThat(key.k()).isEqualTo(g + 1);
        assertThat(key.l()).isEqualTo(2 * g + 1);
        assertThat(key.modulusBits()).isEqualTo(TestKeys.BITS);
        assertThat(key.n()).isEqualTo(trapdoor.p().multiply(trapdoor.q()));
        for (BigInteger prime : List.of(trapdoor.p(), trapdoor.q(), pPrime, qPrime)) {
            assertThat(prime.isProbablePrime(100)).isTrue();
        }
        assertThat(key.e()).isEqualTo(65537);
        BigInteger m = pPrime.multiply(qPrime);
        assertThat(BigInteger.valueOf(key.e()).multiply(trapdoor.d()).mod(m)).isEqualTo(BigInteger.ONE);
        assertThat(dealing.keys().shares()).hasSize(key.l());
        for (ThresholdKeyShare share : dealing.keys().shares()) {
            assertThat(share.publicKey()).isEqualTo(key);
            assertThat(key.v().modPow(share.secret(), key.n())).isEqualTo(key.verificationKey(share.index()));
        }
        // v generates the squares: its order is m, not 1, p' or q'.
        assertThat(key.v().modPow(m, key.n())).isEqualTo(BigInteger.ONE);
        assertThat(key.v().modPow(pPrime, key.n())).isNotEqualTo(BigInteger.ONE);
        assertThat(key.v().modPow(qPrime, key.n())).isNotEqualTo(BigInteger.ONE);
    }

    @Test
    void safePrimesAreSafeAndExactlySized() {
        Random random = new Random(5);
        for (int bits : new int[] {64, 100, 256, 257}) {
            BigInteger p = ThresholdKeyDealer.safePrime(bits, random);
            assertThat(p.bitLength()).isEqualTo(bits);
            assertThat(p.testBit(bits - 2)).as("top two bits set").isTrue();
            assertThat(p.isProbablePrime(100)).isTrue();
            assertThat(p.shiftRight(1).isProbablePrime(100)).isTrue();
        }
    }

    @Test
    void dealingIsReproducibleFromTheSeed() {
        var a = ThresholdKeyDealer.deal(2, 3, 512, new Random(77));
        var b = ThresholdKeyDealer.deal(2, 3, 512, new Random(77));
        assertThat(a).isEqualTo(b);
        assertThat(ThresholdKeyDealer.deal(2, 3, 512, new Random(78)).publicKey()).isNotEqualTo(a.publicKey());
    }

    @Test
    void dealerRejectsBadParameters() {
        Random random = new Random(1);
        assertThatThrownBy(() -> ThresholdKeyDealer.deal(0, 3, 512, random)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ThresholdKeyDealer.deal(4, 3, 512, random)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ThresholdKeyDealer.deal(2, 65, 512, random)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ThresholdKeyDealer.deal(2, 3, 510, random)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ThresholdKeyDealer.deal(2, 3, 513, random)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ThresholdKeyDealer.deal(2, 3, 4098, random)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keyShareToStringRedactsTheSecret() {
        var dealing = TestKeys.forG(1);
        for (ThresholdKeyShare share : dealing.keys().shares()) {
            String text = share.toString();
            assertThat(text).contains("redacted").contains("index=" + share.index());
            assertThat(text).doesNotContain(share.secret().toString()).doesNotContain(share.secret().toString(16));
            assertThat(dealing.keys().toString()).doesNotContain(share.secret().toString())
                    .doesNotContain(share.secret().toString(16));
        }
        assertThat(dealing.trapdoor().toString()).doesNotContain(dealing.trapdoor().d().toString());
    }

    // ---------------------------------------------------------------- uniqueness

    @ParameterizedTest(name = "g={0}")
    @ValueSource(ints = {1, 2, 3})
    void everySubsetOfKSharesCombinesToTheOneRsaSignature(int g) {
        var dealing = TestKeys.forG(g);
        ThresholdPublicKey key = dealing.keys().publicKey();
        List<SignatureShare> shares = signAll(dealing, MESSAGE);
        for (SignatureShare share : shares) assertThat(ThresholdRsa.verifyShare(key, MESSAGE, share)).isTrue();

        // Textbook RSA with the dealer's d: the one and only signature.
        BigInteger x = ThresholdRsa.messageRepresentative(key, MESSAGE);
        Bytes expected = Bytes.wrapOwned(ThresholdWire.toFixed(textbookSignature(dealing, x), key.modulusBytes()));

        List<List<SignatureShare>> subsets = subsets(shares, key.k());
        assertThat(subsets).hasSize(binomial(key.l(), key.k()));
        for (List<SignatureShare> subset : subsets) {
            CombineResult result = ThresholdRsa.combine(key, MESSAGE, subset);
            assertThat(result).isInstanceOf(CombineResult.Combined.class);
            var combined = (CombineResult.Combined) result;
            assertThat(combined.signature().value()).as("subset %s", combined.usedIndices()).isEqualTo(expected);
            assertThat(combined.usedIndices()).containsExactlyElementsOf(subset.stream().map(SignatureShare::index).sorted().toList());
            assertThat(combined.invalidShares()).isEmpty();
            assertThat(ThresholdRsa.verify(key, MESSAGE, combined.signature())).isTrue();
        }
    }

    @Test
    void orderAndSurplusSharesDoNotChangeTheSignature() {
        var dealing = TestKeys.forG(2);
        ThresholdPublicKey key = dealing.keys().publicKey();
        List<SignatureShare> shares = new ArrayList<>(signAll(dealing, MESSAGE));
        Bytes first = signature(ThresholdRsa.combine(key, MESSAGE, shares));
        Random random = new Random(3);
        for (int i = 0; i < 10; i++) {
            Collections.shuffle(shares, random);
            assertThat(signature(ThresholdRsa.combine(key, MESSAGE, shares))).isEqualTo(first);
        }
    }

    @Test
    void negatedShareStillVerifiesAndCombinesToTheSameSignature() {
        // xi and n - xi have the same square, so both pass the proof; combination squares the
        // difference away and the signature stays unique.
        var dealing = TestKeys.forG(1);
        ThresholdPublicKey key = dealing.keys().publicKey();
        List<SignatureShare> shares = signAll(dealing, MESSAGE);
        SignatureShare honest = shares.get(0);
        SignatureShare negated = new SignatureShare(honest.index(), key.n().subtract(honest.xi()), honest.c(), honest.z());
        assertThat(ThresholdRsa.verifyShare(key, MESSAGE, negated)).isTrue();
        assertThat(signature(ThresholdRsa.combine(key, MESSAGE, List.of(negated, shares.get(1)))))
                .isEqualTo(signature(ThresholdRsa.combine(key, MESSAGE, List.of(honest, shares.get(1)))));
    }

    @Test
    void signingIsDeterministic() {
        var dealing = TestKeys.forG(1);
        ThresholdKeyShare share = dealing.keys().shares().get(1);
        assertThat(ThresholdRsa.sign(share, MESSAGE)).isEqualTo(ThresholdRsa.sign(share, MESSAGE));
        assertThat(ThresholdRsa.sign(share, MESSAGE)).isNotEqualTo(ThresholdRsa.sign(share, OTHER_MESSAGE));
    }

    @Test
    void thresholdOneOfOneIsPlainRsa() {
        var dealing = TestKeys.dealing(1, 1, 512, 9);
        ThresholdPublicKey key = dealing.keys().publicKey();
        SignatureShare share = ThresholdRsa.sign(dealing.keys().shares().get(0), MESSAGE);
        BigInteger x = ThresholdRsa.messageRepresentative(key, MESSAGE);
        assertThat(new BigInteger(1, signature(ThresholdRsa.combine(key, MESSAGE, List.of(share))).toByteArray()))
                .isEqualTo(textbookSignature(dealing, x));
    }

    @Test
    void messageRepresentativeIsDeterministicAndKeyBound() {
        ThresholdPublicKey a = TestKeys.forG(1).keys().publicKey();
        ThresholdPublicKey b = TestKeys.forG(2).keys().publicKey();
        BigInteger x = ThresholdRsa.messageRepresentative(a, MESSAGE);
        assertThat(x).isEqualTo(ThresholdRsa.messageRepresentative(a, MESSAGE));
        assertThat(x.signum()).isPositive();
        assertThat(x).isLessThan(a.n());
        assertThat(x).isNotEqualTo(ThresholdRsa.messageRepresentative(a, OTHER_MESSAGE));
        assertThat(x).isNotEqualTo(ThresholdRsa.messageRepresentative(b, MESSAGE));
        assertThat(ThresholdRsa.messageRepresentative(a, new byte[0])).isLessThan(a.n());
    }

    // ---------------------------------------------------------------- bad shares

    static Stream<Arguments> badShares() {
        var dealing = TestKeys.forG(2);
        ThresholdPublicKey key = dealing.keys().publicKey();
        BigInteger n = key.n();
        SignatureShare good = ThresholdRsa.sign(dealing.keys().shares().get(0), MESSAGE);
        SignatureShare fromIndex2 = ThresholdRsa.sign(dealing.keys().shares().get(1), MESSAGE);
        Map<String, SignatureShare> bad = new LinkedHashMap<>();
        bad.put("xi + 1", new SignatureShare(1, good.xi().add(BigInteger.ONE), good.c(), good.z()));
        bad.put("xi doubled", new SignatureShare(1, good.xi().shiftLeft(1).mod(n), good.c(), good.z()));
        bad.put("xi from another signer", new SignatureShare(1, fromIndex2.xi(), good.c(), good.z()));
        bad.put("c + 1", new SignatureShare(1, good.xi(), good.c().add(BigInteger.ONE), good.z()));
        bad.put("z + 1", new SignatureShare(1, good.xi(), good.c(), good.z().add(BigInteger.ONE)));
        bad.put("z - 1", new SignatureShare(1, good.xi(), good.c(), good.z().subtract(BigInteger.ONE)));
        bad.put("proof of another signer", new SignatureShare(1, good.xi(), fromIndex2.c(), fromIndex2.z()));
        bad.put("share for another message", ThresholdRsa.sign(dealing.keys().shares().get(0), OTHER_MESSAGE));
        bad.put("claimed by another index", new SignatureShare(2, good.xi(), good.c(), good.z()));
        bad.put("signer 2's share claimed as 1", new SignatureShare(1, fromIndex2.xi(), fromIndex2.c(), fromIndex2.z()));
        bad.put("share under another key", ThresholdRsa.sign(TestKeys.dealing(3, 5, 512, 4242).keys().shares().get(0), MESSAGE));
        bad.put("index 0", new SignatureShare(0, good.xi(), good.c(), good.z()));
        bad.put("index l+1", new SignatureShare(key.l() + 1, good.xi(), good.c(), good.z()));
        bad.put("index -1", new SignatureShare(-1, good.xi(), good.c(), good.z()));
        bad.put("xi = 0", new SignatureShare(1, BigInteger.ZERO, good.c(), good.z()));
        bad.put("xi = n", new SignatureShare(1, n, good.c(), good.z()));
        bad.put("xi + n", new SignatureShare(1, good.xi().add(n), good.c(), good.z()));
        bad.put("xi negative", new SignatureShare(1, good.xi().negate(), good.c(), good.z()));
        bad.put("xi - n", new SignatureShare(1, good.xi().subtract(n), good.c(), good.z()));
        bad.put("xi a multiple of p", new SignatureShare(1, dealing.trapdoor().p(), good.c(), good.z()));
        bad.put("c negative", new SignatureShare(1, good.xi(), good.c().negate(), good.z()));
        bad.put("c + 2^256", new SignatureShare(1, good.xi(), good.c().setBit(256), good.z()));
        bad.put("z negative", new SignatureShare(1, good.xi(), good.c(), good.z().negate()));
        bad.put("z huge", new SignatureShare(1, good.xi(), good.c(), BigInteger.ONE.shiftLeft(1 << 20)));
        bad.put("all zero", new SignatureShare(1, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO));
        return bad.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badShares")
    void badShareIsRejectedAndIdentified(String what, SignatureShare bad) {
        var dealing = TestKeys.forG(2);
        ThresholdPublicKey key = dealing.keys().publicKey();
        assertThat(ThresholdRsa.verifyShare(key, MESSAGE, bad)).isFalse();

        List<SignatureShare> good = signAll(dealing, MESSAGE);
        // The bad share first, then enough good ones with other indices.
        List<SignatureShare> offered = new ArrayList<>();
        offered.add(bad);
        good.stream().filter(s -> s.index() != bad.index()).limit(key.k()).forEach(offered::add);
        CombineResult result = ThresholdRsa.combine(key, MESSAGE, offered);
        assertThat(result).isInstanceOf(CombineResult.Combined.class);
        assertThat(result.invalidShares()).containsExactly(bad);
        assertThat(result.invalidIndices()).containsExactly(bad.index());
        assertThat(ThresholdRsa.verify(key, MESSAGE, ((CombineResult.Combined) result).signature())).isTrue();
    }

    @Test
    void verifyShareNeverThrows() {
        ThresholdPublicKey key = TestKeys.forG(1).keys().publicKey();
        SignatureShare good = ThresholdRsa.sign(TestKeys.forG(1).keys().shares().get(0), MESSAGE);
        assertThat(ThresholdRsa.verifyShare(null, MESSAGE, good)).isFalse();
        assertThat(ThresholdRsa.verifyShare(key, null, good)).isFalse();
        assertThat(ThresholdRsa.verifyShare(key, MESSAGE, null)).isFalse();
        assertThat(ThresholdRsa.verifyShare(key, MESSAGE, good)).isTrue();
        Random random = new Random(11);
        for (int i = 0; i < 200; i++) {
            var share = new SignatureShare(random.nextInt(7) - 2, new BigInteger(600, random).subtract(BigInteger.ONE.shiftLeft(590)),
                    new BigInteger(260, random).subtract(BigInteger.ONE.shiftLeft(250)), new BigInteger(1100, random));
            assertThat(ThresholdRsa.verifyShare(key, MESSAGE, share)).isFalse();
        }
    }

    @ParameterizedTest(name = "g={0}")
    @ValueSource(ints = {1, 2, 3})
    void tooFewValidSharesFailClearly(int g) {
        var dealing = TestKeys.forG(g);
        ThresholdPublicKey key = dealing.keys().publicKey();
        List<SignatureShare> good = signAll(dealing, MESSAGE);
        List<SignatureShare> bad = good.stream()
                .map(s -> new SignatureShare(s.index(), s.xi().add(BigInteger.ONE), s.c(), s.z())).toList();

        // k-1 valid shares, each offered twice, plus invalid shares for every other signer.
        List<SignatureShare> offered = new ArrayList<>();
        for (int i = 0; i < key.k() - 1; i++) {
            offered.add(good.get(i));
            offered.add(good.get(i));
        }
        offered.addAll(bad.subList(key.k() - 1, key.l()));
        CombineResult result = ThresholdRsa.combine(key, MESSAGE, offered);
        assertThat(result).isEqualTo(new CombineResult.TooFewValidShares(key.k() - 1, key.k(), bad.subList(key.k() - 1, key.l())));
        assertThat(result.invalidIndices()).containsExactlyElementsOf(
                bad.subList(key.k() - 1, key.l()).stream().map(SignatureShare::index).toList());

        assertThat(ThresholdRsa.combine(key, MESSAGE, List.of())).isEqualTo(new CombineResult.TooFewValidShares(0, key.k(), List.of()));
        // Valid shares for another message do not count either.
        assertThat(ThresholdRsa.combine(key, MESSAGE, signAll(dealing, OTHER_MESSAGE)))
                .isInstanceOfSatisfying(CombineResult.TooFewValidShares.class, r -> {
                    assertThat(r.validShares()).isZero();
                    assertThat(r.invalidShares()).hasSize(key.l());
                });
    }

    // ---------------------------------------------------------------- client verification

    @Test
    void verifyRejectsWrongMessagesAndTamperedSignatures() {
        var dealing = TestKeys.forG(1);
        ThresholdPublicKey key = dealing.keys().publicKey();
        Bytes signature = signature(ThresholdRsa.combine(key, MESSAGE, signAll(dealing, MESSAGE)));
        assertThat(ThresholdRsa.verify(key, MESSAGE, signature)).isTrue();
        assertThat(ThresholdRsa.verify(key, OTHER_MESSAGE, signature)).isFalse();
        assertThat(ThresholdRsa.verify(key, new byte[0], signature)).isFalse();
        assertThat(ThresholdRsa.verify(TestKeys.forG(2).keys().publicKey(), MESSAGE, signature)).isFalse();

        byte[] raw = signature.toByteArray();
        for (int bit = 0; bit < 8 * raw.length; bit++) {
            byte[] flipped = raw.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThat(ThresholdRsa.verify(key, MESSAGE, Bytes.wrapOwned(flipped))).isFalse();
        }
        BigInteger y = new BigInteger(1, raw);
        // y + n is the same residue, but not < n (it fits in |n| bytes only if y + n < 2^|n|·8).
        BigInteger yPlusN = y.add(key.n());
        if (yPlusN.bitLength() <= 8 * key.modulusBytes()) {
            assertThat(ThresholdRsa.verify(key, MESSAGE, Bytes.wrapOwned(ThresholdWire.toFixed(yPlusN, key.modulusBytes())))).isFalse();
        }
        byte[] longer = new byte[raw.length + 1];
        System.arraycopy(raw, 0, longer, 1, raw.length);
        assertThat(ThresholdRsa.verify(key, MESSAGE, Bytes.wrapOwned(longer))).as("leading zero byte").isFalse();
        assertThat(ThresholdRsa.verify(key, MESSAGE, Bytes.copyOf(raw, 0, raw.length - 1))).isFalse();
        assertThat(ThresholdRsa.verify(key, MESSAGE, Bytes.wrapOwned(ThresholdWire.toFixed(key.n(), key.modulusBytes())))).isFalse();
        assertThat(ThresholdRsa.verify(key, MESSAGE, Bytes.wrapOwned(new byte[key.modulusBytes()]))).isFalse();
        assertThat(ThresholdRsa.verify(key, MESSAGE, Bytes.EMPTY)).isFalse();
        assertThat(ThresholdRsa.verify(key, MESSAGE, (Bytes) null)).isFalse();
        assertThat(ThresholdRsa.verify(key, MESSAGE, (ThresholdSignature) null)).isFalse();
        assertThat(ThresholdRsa.verify(null, MESSAGE, signature)).isFalse();
        assertThat(ThresholdRsa.verify(key, null, signature)).isFalse();
    }

    @Test
    void lagrangeCoefficientsAreIntegersThatInterpolate() {
        // Σ λ_j s_j ≡ Δ d (mod m) for every k-subset: the identity combination relies on.
        var dealing = TestKeys.forG(3);
        ThresholdPublicKey key = dealing.keys().publicKey();
        BigInteger m = dealing.trapdoor().p().shiftRight(1).multiply(dealing.trapdoor().q().shiftRight(1));
        List<ThresholdKeyShare> shares = dealing.keys().shares();
        for (List<ThresholdKeyShare> subset : subsets(shares, key.k())) {
            List<Integer> indices = subset.stream().map(ThresholdKeyShare::index).toList();
            BigInteger sum = BigInteger.ZERO;
            for (ThresholdKeyShare share : subset) {
                sum = sum.add(ThresholdRsa.lagrangeAtZero(key.delta(), indices, share.index()).multiply(share.secret()));
            }
            assertThat(sum.mod(m)).isEqualTo(key.delta().multiply(dealing.trapdoor().d()).mod(m));
        }
    }

    // ---------------------------------------------------------------- helpers

    static List<SignatureShare> signAll(ThresholdKeyDealer.Dealing dealing, byte[] message) {
        return dealing.keys().shares().stream().map(s -> ThresholdRsa.sign(s, message)).toList();
    }

    static Bytes signature(CombineResult result) {
        assertThat(result).isInstanceOf(CombineResult.Combined.class);
        return ((CombineResult.Combined) result).signature().value();
    }

    static <T> List<List<T>> subsets(List<T> items, int size) {
        List<List<T>> out = new ArrayList<>();
        collect(items, size, 0, new ArrayList<>(), out);
        return out;
    }

    private static <T> void collect(List<T> items, int size, int from, List<T> current, List<List<T>> out) {
        if (current.size() == size) {
            out.add(List.copyOf(current));
            return;
        }
        for (int i = from; i < items.size(); i++) {
            current.add(items.get(i));
            collect(items, size, i + 1, current, out);
            current.remove(current.size() - 1);
        }
    }

    private static int binomial(int n, int k) {
        long r = 1;
        for (int i = 1; i <= k; i++) r = r * (n - k + i) / i;
        return (int) r;
    }

    /** x^{e^-1 mod φ(n)}: the RSA signature computed with the factors. (The dealer's d is e^-1 mod m = p'q', right only on squares.) */
    private static BigInteger textbookSignature(ThresholdKeyDealer.Dealing dealing, BigInteger x) {
        BigInteger p = dealing.trapdoor().p(), q = dealing.trapdoor().q();
        BigInteger phi = p.subtract(BigInteger.ONE).multiply(q.subtract(BigInteger.ONE));
        BigInteger key = BigInteger.valueOf(dealing.keys().publicKey().e()).modInverse(phi);
        return x.modPow(key, p.multiply(q));
    }
}
