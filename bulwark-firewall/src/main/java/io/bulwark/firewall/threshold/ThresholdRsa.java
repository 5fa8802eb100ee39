package io.bulwark.firewall.threshold;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Digest;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.MGF1BytesGenerator;
import org.bouncycastle.crypto.params.MGFParameters;

/**
 * Shoup's practical threshold RSA signatures (V. Shoup, "Practical Threshold Signatures",
 * EUROCRYPT 2000), the scheme that signs the privacy firewall's replies.
 *
 * <h2>Sizes</h2>
 * The l = 2g+1 execution nodes each hold one share of an RSA key; any k = g+1 valid shares
 * combine into a signature, and g shares reveal nothing about it. So the g+1 correct nodes can
 * always sign without the faulty ones, and the g faulty nodes cannot sign anything alone.
 * (The code allows any 1 <= k <= l <= {@link ThresholdPublicKey#MAX_SIGNERS}.)
 *
 * <h2>Why this scheme: uniqueness</h2>
 * The combined signature is a <em>standard RSA signature</em> {@code y = H(M)^d mod n}, and
 * since RSA is a permutation of Z_n*, it is the <em>only</em> value that verifies for M. It is
 * the same bit string whichever k signers produced it, whatever randomness they used, and
 * whatever a faulty signer or filter does. A faulty execution node therefore cannot encode
 * confidential state into the signature bits a client sees (a covert channel), as it could with
 * a randomized or aggregate signature whose encoding the signers choose. The same holds for
 * shares that are malleable ({@code xi} and {@code n - xi} both verify, see below): combination
 * squares them away. Shares themselves never reach clients; the filters combine them.
 *
 * <h2>Scheme</h2>
 * Key ({@link ThresholdKeyDealer}): n = pq with safe primes p = 2p'+1, q = 2q'+1, m = p'q',
 * public prime e > l, d = e^{-1} mod m; a random polynomial f of degree k-1 over Z_m with
 * f(0) = d; signer i holds s_i = f(i) mod m. v is a random generator of the squares Q_n,
 * v_i = v^{s_i}; Δ = l!.
 * <ol>
 *   <li><b>Hash</b> ({@link #messageRepresentative}): x = H(M) in Z_n, a full-domain hash.
 *   <li><b>Share</b> ({@link #sign}): x_i = x^{2Δ s_i} mod n, with a Fiat–Shamir proof that
 *       log_v(v_i) = log_{x~}(x_i^2), x~ = x^{4Δ}: c = H'(v, x~, v_i, x_i^2, v^r, x~^r) (256 bits),
 *       z = s_i c + r, r of |n| + 2·256 bits.
 *   <li><b>Verify a share</b> ({@link #verifyShare}): c = H'(v, x~, v_i, x_i^2, v^z v_i^{-c},
 *       x~^z x_i^{-2c}).
 *   <li><b>Combine</b> ({@link #combine}): for a set S of k valid shares,
 *       w = Π x_j^{2λ_j} with the integer Lagrange coefficients
 *       λ_j = Δ Π_{j' in S, j' != j} j' / (j' - j); then w^e = x^{e'} with e' = 4Δ², and
 *       gcd(e', e) = 1 gives a e' + b e = 1 and y = w^a x^b, so y^e = x.
 *       {@link #combineOptimistically} skips the share proofs and checks y^e = x instead: far
 *       cheaper when every share is good, and the result is the unique signature either way.
 *   <li><b>Verify</b> ({@link #verify}): y^e = H(M) mod n, for y of exactly |n| bytes and y < n.
 * </ol>
 *
 * <h2>Choices left open by the paper</h2>
 * <ul>
 *   <li><b>H</b>: h = SHA-256("bulwark/threshold-rsa/v1/fdh" || u16 |n|-bytes || n || M), then
 *       MGF1-SHA256(h) expanded to |n| + 128 bits, read big-endian and reduced mod n. The 128
 *       extra bits make x statistically close to uniform on Z_n (a full-domain hash, as
 *       Shoup's random-oracle proof assumes). Binding n in makes a signature for one key useless
 *       for another.
 *   <li><b>H'</b>: SHA-256("bulwark/threshold-rsa/v1/proof" || n || v || x~ || v_i || x_i^2 ||
 *       v^r || x~^r), each value as |n| bytes big-endian, read as a 256-bit number.
 *   <li><b>r</b> is derived, not drawn: the |n| + 512 leading bits of HMAC-SHA256 in counter
 *       mode, keyed with s_i, over ("bulwark/threshold-rsa/v1/nonce" || i || x || counter), as
 *       EdDSA and RFC 6979 derive their nonces. It is pseudorandom to anyone without s_i, which
 *       is all the zero-knowledge argument needs, and signing becomes a pure function: no
 *       randomness source in the protocol core, and the same share for the same message.
 * </ul>
 *
 * <p>All methods are stateless and thread-safe. Verification never throws on malformed input.
 */
public final class ThresholdRsa {
    /** Bits of the proof's challenge c (Shoup's L1). */
    public static final int CHALLENGE_BITS = 256;
    /** Extra bits of the full-domain hash beyond |n|, reduced away mod n. */
    static final int FDH_EXTRA_BITS = 128;

    private static final byte[] FDH_TAG = "bulwark/threshold-rsa/v1/fdh".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PROOF_TAG = "bulwark/threshold-rsa/v1/proof".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NONCE_TAG = "bulwark/threshold-rsa/v1/nonce".getBytes(StandardCharsets.US_ASCII);

    private ThresholdRsa() {}

    // ---------------------------------------------------------------- hashing

    /**
     * x = H(M): the full-domain hash of {@code message} into Z_n (see the class comment). It is
     * a unit mod n except with probability about 2^-(|n|/2), and a message that hashed to a
     * non-unit would factor n.
     */
    public static BigInteger messageRepresentative(ThresholdPublicKey key, byte[] message) {
        int length = key.modulusBytes();
        MessageDigest sha256 = Digest.newSha256();
        sha256.update(FDH_TAG);
        sha256.update((byte) (length >>> 8));
        sha256.update((byte) length);
        sha256.update(ThresholdWire.toFixed(key.n(), length));
        sha256.update(message);
        byte[] seed = sha256.digest();

        byte[] expanded = new byte[(key.modulusBits() + FDH_EXTRA_BITS + 7) / 8];
        MGF1BytesGenerator mgf1 = new MGF1BytesGenerator(new SHA256Digest());
        mgf1.init(new MGFParameters(seed));
        mgf1.generateBytes(expanded, 0, expanded.length);
        return new BigInteger(1, expanded).mod(key.n());
    }

    // ---------------------------------------------------------------- signing a share

    /** Signer {@code share.index()}'s signature share on {@code message}, with its proof. Deterministic. */
    public static SignatureShare sign(ThresholdKeyShare share, byte[] message) {
        Objects.requireNonNull(share, "share");
        Objects.requireNonNull(message, "message");
        ThresholdPublicKey key = share.publicKey();
        BigInteger n = key.n();
        BigInteger x = unitRepresentative(key, message);
        BigInteger delta = key.delta();
        BigInteger si = share.secret();

        BigInteger xi = x.modPow(delta.shiftLeft(1).multiply(si), n);
        BigInteger xTilde = x.modPow(delta.shiftLeft(2), n);
        BigInteger r = nonce(share, x);
        BigInteger c = challenge(key, xTilde, key.verificationKey(share.index()), xi.multiply(xi).mod(n),
                key.v().modPow(r, n), xTilde.modPow(r, n));
        BigInteger z = si.multiply(c).add(r);
        return new SignatureShare(share.index(), xi, c, z);
    }

    /** r: the |n| + 2·{@value #CHALLENGE_BITS} leading bits of HMAC-SHA256(s_i; tag || i || x || counter), counter = 0, 1, ... */
    private static BigInteger nonce(ThresholdKeyShare share, BigInteger x) {
        ThresholdPublicKey key = share.publicKey();
        int bits = key.modulusBits() + 2 * CHALLENGE_BITS;
        byte[] out = new byte[(bits + 7) / 8];
        try {
            Mac hmac = Mac.getInstance("HmacSHA256");
            hmac.init(new SecretKeySpec(ThresholdWire.toFixed(share.secret(), key.modulusBytes()), "HmacSHA256"));
            byte[] xBytes = ThresholdWire.toFixed(x, key.modulusBytes());
            for (int counter = 0, filled = 0; filled < out.length; counter++) {
                hmac.update(NONCE_TAG);
                hmac.update(intBytes(share.index()));
                hmac.update(xBytes);
                hmac.update(intBytes(counter));
                byte[] block = hmac.doFinal();
                int take = Math.min(block.length, out.length - filled);
                System.arraycopy(block, 0, out, filled, take);
                filled += take;
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK ships HmacSHA256", e);
        }
        return new BigInteger(1, out).shiftRight(8 * out.length - bits);
    }

    private static byte[] intBytes(int v) {
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** H'(v, x~, v_i, x_i^2, v', x') as a {@value #CHALLENGE_BITS}-bit number. */
    private static BigInteger challenge(ThresholdPublicKey key, BigInteger xTilde, BigInteger vi, BigInteger xiSquared,
            BigInteger vCommit, BigInteger xCommit) {
        int length = key.modulusBytes();
        MessageDigest sha256 = Digest.newSha256();
        sha256.update(PROOF_TAG);
        for (BigInteger value : new BigInteger[] {key.n(), key.v(), xTilde, vi, xiSquared, vCommit, xCommit}) {
            sha256.update(ThresholdWire.toFixed(value, length));
        }
        return new BigInteger(1, sha256.digest());
    }

    // ---------------------------------------------------------------- verifying a share

    /**
     * Whether {@code share} is signer {@code share.index()}'s correct share on {@code message}
     * under {@code key}. False, never an exception, for anything wrong: null, an index outside
     * [1, l], values out of range (xi not a unit in (0, n), c outside [0, 2^256), z negative or
     * longer than |n| + 513 bits), a proof that does not check, a share for another message or
     * key.
     */
    public static boolean verifyShare(ThresholdPublicKey key, byte[] message, SignatureShare share) {
        if (key == null || message == null || share == null) return false;
        try {
            BigInteger x = messageRepresentative(key, message);
            return verifyShare(key, x.modPow(key.delta().shiftLeft(2), key.n()), share);
        } catch (RuntimeException malformed) {
            return false;
        }
    }

    private static boolean verifyShare(ThresholdPublicKey key, BigInteger xTilde, SignatureShare share) {
        BigInteger n = key.n();
        int index = share.index();
        BigInteger xi = share.xi(), c = share.c(), z = share.z();
        if (index < 1 || index > key.l()) return false;
        if (xi.signum() <= 0 || xi.compareTo(n) >= 0 || !xi.gcd(n).equals(BigInteger.ONE)) return false;
        if (c.signum() < 0 || c.bitLength() > CHALLENGE_BITS) return false;
        if (z.signum() < 0 || z.bitLength() > key.modulusBits() + 2 * CHALLENGE_BITS + 1) return false;

        BigInteger vi = key.verificationKey(index);
        BigInteger xiSquared = xi.multiply(xi).mod(n);
        BigInteger vCommit = key.v().modPow(z, n).multiply(vi.modPow(c, n).modInverse(n)).mod(n);
        BigInteger xCommit = xTilde.modPow(z, n).multiply(xiSquared.modPow(c, n).modInverse(n)).mod(n);
        return challenge(key, xTilde, vi, xiSquared, vCommit, xCommit).equals(c);
    }

    // ---------------------------------------------------------------- combining

    /**
     * Verifies {@code shares} in the order given until k valid ones with distinct indices are
     * found, and combines those into the signature. A share whose index already has a valid
     * share is skipped; shares after the k-th valid one are not examined. Every share examined
     * and found invalid is reported in the result, so their senders can be blamed.
     *
     * @throws IllegalStateException only if k verified shares fail to combine, which a correctly
     *                               dealt key makes impossible (it would break the proofs'
     *                               soundness), or H(M) is not a unit mod n (it would factor n)
     */
    public static CombineResult combine(ThresholdPublicKey key, byte[] message, Collection<SignatureShare> shares) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
        BigInteger n = key.n();
        BigInteger x = unitRepresentative(key, message);
        BigInteger delta = key.delta();
        BigInteger xTilde = x.modPow(delta.shiftLeft(2), n);

        TreeMap<Integer, BigInteger> chosen = new TreeMap<>();
        List<SignatureShare> invalid = new ArrayList<>();
        for (SignatureShare share : shares) {
            Objects.requireNonNull(share, "share");
            if (chosen.size() == key.k()) break;
            if (chosen.containsKey(share.index())) continue;
            boolean valid;
            try {
                valid = verifyShare(key, xTilde, share);
            } catch (RuntimeException malformed) {
                valid = false;
            }
            if (valid) {
                chosen.put(share.index(), share.xi());
            } else {
                invalid.add(share);
            }
        }
        if (chosen.size() < key.k()) {
            return new CombineResult.TooFewValidShares(chosen.size(), key.k(), invalid);
        }

        BigInteger y = interpolate(key, x, chosen);
        if (!y.modPow(BigInteger.valueOf(key.e()), n).equals(x)) {
            throw new IllegalStateException("verified shares " + chosen.keySet() + " did not combine: the key is not a Shoup key");
        }
        return new CombineResult.Combined(
                new ThresholdSignature(Bytes.wrapOwned(ThresholdWire.toFixed(y, key.modulusBytes()))),
                List.copyOf(chosen.keySet()), invalid);
    }

    /**
     * Optimistic combination: combines the first k shares with distinct indices in [1, l]
     * <em>without</em> checking their proofs, and keeps the result only if it is the signature,
     * i.e. y^e = H(M) mod n. Checking k proofs costs about 4k full-length exponentiations; one
     * check of y costs an exponentiation by e = 65537, so when every share is good (the common
     * case) this is several times cheaper than {@link #combine}.
     *
     * <p>The result needs no trust in the shares: RSA is a permutation, so a y with y^e = H(M)
     * is <em>the</em> unique signature whichever shares produced it. A bad share only makes the
     * result fail the check; the caller then falls back to checking shares one by one
     * ({@link #verifyShare}, or {@link #combine}, which does both). A share whose index repeats
     * an earlier one or is out of range, or whose xi is not in (0, n), is skipped.
     *
     * @return the signature, or empty if fewer than k usable shares were given or they did not
     *         combine into the signature (some share is bad). Never throws on malformed shares.
     */
    public static Optional<ThresholdSignature> combineOptimistically(ThresholdPublicKey key, byte[] message,
            Collection<SignatureShare> shares) {
        if (key == null || message == null || shares == null) return Optional.empty();
        try {
            BigInteger n = key.n();
            TreeMap<Integer, BigInteger> chosen = new TreeMap<>();
            for (SignatureShare share : shares) {
                if (chosen.size() == key.k()) break;
                if (share == null || share.index() < 1 || share.index() > key.l() || chosen.containsKey(share.index())) continue;
                BigInteger xi = share.xi();
                if (xi.signum() <= 0 || xi.compareTo(n) >= 0) continue;
                chosen.put(share.index(), xi);
            }
            if (chosen.size() < key.k()) return Optional.empty();
            BigInteger x = messageRepresentative(key, message);
            BigInteger y = interpolate(key, x, chosen);
            if (!y.modPow(BigInteger.valueOf(key.e()), n).equals(x)) return Optional.empty();
            return Optional.of(new ThresholdSignature(Bytes.wrapOwned(ThresholdWire.toFixed(y, key.modulusBytes()))));
        } catch (RuntimeException malformed) {
            // An xi that is not a unit has no inverse (a negative Lagrange exponent needs one).
            return Optional.empty();
        }
    }

    /**
     * The candidate signature y = w^a x^b from k shares x_j (by index); the caller checks
     * y^e = x. With good shares w = Π x_j^{2λ_j} = x^{4Δ Σ λ_j s_j} = x^{4Δ² d}, as
     * Σ λ_j s_j ≡ Δ f(0) = Δ d (mod m) and x^4 has order dividing m; d e ≡ 1 (mod m) then gives
     * w^e = x^{4Δ²} = x^{e'}, and a e' + b e = 1 gives y^e = x.
     */
    private static BigInteger interpolate(ThresholdPublicKey key, BigInteger x, TreeMap<Integer, BigInteger> chosen) {
        BigInteger n = key.n();
        BigInteger delta = key.delta();
        BigInteger w = BigInteger.ONE;
        for (var entry : chosen.entrySet()) {
            BigInteger exponent = lagrangeAtZero(delta, chosen.keySet(), entry.getKey()).shiftLeft(1);
            w = w.multiply(power(entry.getValue(), exponent, n)).mod(n);
        }
        BigInteger e = BigInteger.valueOf(key.e());
        BigInteger ePrime = delta.multiply(delta).shiftLeft(2);
        BigInteger a = ePrime.modInverse(e);                              // a e' ≡ 1 (mod e)
        BigInteger b = BigInteger.ONE.subtract(a.multiply(ePrime)).divide(e); // exact: a e' + b e = 1
        return power(w, a, n).multiply(power(x, b, n)).mod(n);
    }

    /** λ_{0,j}^S = Δ Π_{j' in S \ {j}} (0 - j') / (j - j'), an integer thanks to the factor Δ. */
    static BigInteger lagrangeAtZero(BigInteger delta, Collection<Integer> set, int j) {
        BigInteger numerator = delta;
        BigInteger denominator = BigInteger.ONE;
        for (int other : set) {
            if (other == j) continue;
            numerator = numerator.multiply(BigInteger.valueOf(-other));
            denominator = denominator.multiply(BigInteger.valueOf(j - other));
        }
        BigInteger[] qr = numerator.divideAndRemainder(denominator);
        if (qr[1].signum() != 0) throw new IllegalStateException("Δ·λ is not an integer: indices beyond l?");
        return qr[0];
    }

    /** base^exponent mod n for any sign of exponent (base a unit). */
    private static BigInteger power(BigInteger base, BigInteger exponent, BigInteger n) {
        return exponent.signum() >= 0 ? base.modPow(exponent, n) : base.modInverse(n).modPow(exponent.negate(), n);
    }

    private static BigInteger unitRepresentative(ThresholdPublicKey key, byte[] message) {
        BigInteger x = messageRepresentative(key, message);
        if (!x.gcd(key.n()).equals(BigInteger.ONE)) {
            throw new IllegalStateException("the message hashes to a non-unit mod n, which factors n");
        }
        return x;
    }

    // ---------------------------------------------------------------- client verification

    /**
     * The client's check: {@code signature} is exactly |n| bytes, as a big-endian number y < n,
     * and y^e = H(M) mod n. False, never an exception, for anything else.
     */
    public static boolean verify(ThresholdPublicKey key, byte[] message, Bytes signature) {
        if (key == null || message == null || signature == null || signature.length() != key.modulusBytes()) return false;
        try {
            BigInteger y = new BigInteger(1, signature.toByteArray());
            if (y.compareTo(key.n()) >= 0) return false;
            return y.modPow(BigInteger.valueOf(key.e()), key.n()).equals(messageRepresentative(key, message));
        } catch (RuntimeException malformed) {
            return false;
        }
    }

    /** {@link #verify(ThresholdPublicKey, byte[], Bytes)} on {@code signature.value()}. */
    public static boolean verify(ThresholdPublicKey key, byte[] message, ThresholdSignature signature) {
        return signature != null && verify(key, message, signature.value());
    }
}
