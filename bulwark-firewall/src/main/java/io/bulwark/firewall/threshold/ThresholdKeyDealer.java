package io.bulwark.firewall.threshold;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * The trusted dealer of Shoup's scheme (see {@link ThresholdRsa}): makes an RSA modulus of two
 * safe primes, shares d = e^{-1} mod p'q' with a random polynomial of degree k-1, and publishes
 * verification keys. Run once, offline ({@code bulwark init}); it forgets p, q and d when it
 * returns. The only place in this package that uses randomness: pass a
 * {@link java.security.SecureRandom} (a seeded {@link Random} only in tests).
 */
public final class ThresholdKeyDealer {
    /** The public exponent: prime, and larger than any permitted l. */
    public static final int PUBLIC_EXPONENT = 65537;

    /** Odd primes below this sieve the safe-prime candidates before any exponentiation. */
    private static final int SIEVE_PRIME_BOUND = 1 << 16;
    /** Candidates p' = start + 2j, j in [0, WINDOW), sieved at once. */
    private static final int WINDOW = 1 << 16;
    /** For the final isProbablePrime checks (error below 2^-100, plus a Lucas test). */
    private static final int CERTAINTY = 100;
    private static final int[] SMALL_PRIMES = oddPrimesBelow(SIEVE_PRIME_BOUND);

    private ThresholdKeyDealer() {}

    /** The dealer's output: the public key and one share per signer, shares.get(i-1) for signer i. */
    public record DealtKeys(ThresholdPublicKey publicKey, List<ThresholdKeyShare> shares) {
        public DealtKeys {
            Objects.requireNonNull(publicKey, "publicKey");
            shares = List.copyOf(shares);
        }
    }

    /** What the dealer knows and forgets: for tests that compare with textbook RSA. */
    record Trapdoor(BigInteger p, BigInteger q, BigInteger d) {
        @Override
        public String toString() {
            return "Trapdoor[<redacted>]";
        }
    }

    record Dealing(DealtKeys keys, Trapdoor trapdoor) {}

    /**
     * Deals a k-of-l key with a modulus of exactly {@code modulusBits} bits.
     *
     * @param k           shares needed to sign, 1 <= k <= l (g+1 in Bulwark)
     * @param l           signers, l <= {@link ThresholdPublicKey#MAX_SIGNERS} (2g+1 in Bulwark)
     * @param modulusBits even, in [{@value ThresholdPublicKey#MIN_MODULUS_BITS},
     *                    {@value ThresholdPublicKey#MAX_MODULUS_BITS}]; 2048 or more for real use
     * @param random      a {@link java.security.SecureRandom} outside tests
     */
    public static DealtKeys deal(int k, int l, int modulusBits, Random random) {
        return dealWithTrapdoor(k, l, modulusBits, random).keys();
    }

    static Dealing dealWithTrapdoor(int k, int l, int modulusBits, Random random) {
        Objects.requireNonNull(random, "random");
        if (l < 1 || l > ThresholdPublicKey.MAX_SIGNERS) {
            throw new IllegalArgumentException("l=" + l + " not in [1, " + ThresholdPublicKey.MAX_SIGNERS + "]");
        }
        if (k < 1 || k > l) throw new IllegalArgumentException("k=" + k + " not in [1, l=" + l + "]");
        if (modulusBits < ThresholdPublicKey.MIN_MODULUS_BITS || modulusBits > ThresholdPublicKey.MAX_MODULUS_BITS
                || modulusBits % 2 != 0) {
            throw new IllegalArgumentException("modulusBits=" + modulusBits + " must be even and in ["
                    + ThresholdPublicKey.MIN_MODULUS_BITS + ", " + ThresholdPublicKey.MAX_MODULUS_BITS + "]");
        }

        BigInteger p = safePrime(modulusBits / 2, random);
        BigInteger q;
        do {
            q = safePrime(modulusBits / 2, random);
        } while (q.equals(p));
        BigInteger n = p.multiply(q);
        if (n.bitLength() != modulusBits) throw new IllegalStateException("modulus has " + n.bitLength() + " bits");
        BigInteger pPrime = p.shiftRight(1);
        BigInteger qPrime = q.shiftRight(1);
        BigInteger m = pPrime.multiply(qPrime);
        BigInteger e = BigInteger.valueOf(PUBLIC_EXPONENT);
        BigInteger d = e.modInverse(m); // p', q' are primes larger than e, so gcd(e, m) = 1

        // f(X) = d + a_1 X + ... + a_{k-1} X^{k-1} over Z_m; s_i = f(i).
        BigInteger[] coefficients = new BigInteger[k];
        coefficients[0] = d;
        for (int j = 1; j < k; j++) coefficients[j] = uniformBelow(m, random);
        BigInteger[] secrets = new BigInteger[l];
        for (int i = 1; i <= l; i++) {
            BigInteger value = BigInteger.ZERO;
            BigInteger point = BigInteger.valueOf(i);
            for (int j = k - 1; j >= 0; j--) value = value.multiply(point).add(coefficients[j]).mod(m); // Horner
            secrets[i - 1] = value;
        }

        // v: a random square whose order is m, i.e. a generator of the cyclic group Q_n of squares.
        BigInteger v;
        do {
            BigInteger root = uniformBelow(n, random);
            v = root.multiply(root).mod(n);
        } while (v.compareTo(BigInteger.ONE) <= 0 || !v.gcd(n).equals(BigInteger.ONE)
                || v.modPow(pPrime, n).equals(BigInteger.ONE) || v.modPow(qPrime, n).equals(BigInteger.ONE));

        List<BigInteger> verificationKeys = new ArrayList<>(l);
        for (BigInteger s : secrets) verificationKeys.add(v.modPow(s, n));
        ThresholdPublicKey publicKey = new ThresholdPublicKey(n, PUBLIC_EXPONENT, v, verificationKeys, k, l);
        List<ThresholdKeyShare> shares = new ArrayList<>(l);
        for (int i = 1; i <= l; i++) shares.add(new ThresholdKeyShare(publicKey, i, secrets[i - 1]));
        return new Dealing(new DealtKeys(publicKey, shares), new Trapdoor(p, q, d));
    }

    /**
     * A safe prime p = 2p' + 1 of exactly {@code bits} bits with its top two bits set (so the
     * product of two has exactly 2·bits bits), p' prime.
     *
     * <p>Candidates p' = start + 2j are sieved over a window: j is struck out when p' or 2p'+1
     * has an odd prime factor below {@value #SIEVE_PRIME_BOUND}, which leaves about 1.5% of the
     * odd candidates. Survivors get a base-2 Fermat test on p', then on p, and only a pair that
     * passes both gets the full {@link BigInteger#isProbablePrime} (Miller–Rabin and Lucas).
     */
    static BigInteger safePrime(int bits, Random random) {
        if (bits < 64) throw new IllegalArgumentException("safe primes of " + bits + " bits: too small for the sieve");
        int smallBits = bits - 1;
        boolean[] struck = new boolean[WINDOW];
        while (true) {
            BigInteger start = new BigInteger(smallBits, random).setBit(smallBits - 1).setBit(smallBits - 2).setBit(0);
            java.util.Arrays.fill(struck, false);
            for (int prime : SMALL_PRIMES) {
                long r = start.mod(BigInteger.valueOf(prime)).longValue();
                long halfInverse = (prime + 1) / 2; // 2 · halfInverse ≡ 1 (mod prime)
                // prime | p' = start + 2j  ⇔  j ≡ -r / 2
                strike(struck, (int) ((prime - r) % prime * halfInverse % prime), prime);
                // prime | 2p' + 1 = 2 start + 1 + 4j  ⇔  j ≡ -(2r + 1) / 4
                long t = (2 * r + 1) % prime;
                strike(struck, (int) ((prime - t) % prime * halfInverse % prime * halfInverse % prime), prime);
            }
            for (int j = 0; j < WINDOW; j++) {
                if (struck[j]) continue;
                BigInteger small = start.add(BigInteger.valueOf(2L * j));
                if (small.bitLength() != smallBits) break;
                if (!BigInteger.TWO.modPow(small.subtract(BigInteger.ONE), small).equals(BigInteger.ONE)) continue;
                BigInteger p = small.shiftLeft(1).setBit(0);
                if (!BigInteger.TWO.modPow(small.shiftLeft(1), p).equals(BigInteger.ONE)) continue;
                if (small.isProbablePrime(CERTAINTY) && p.isProbablePrime(CERTAINTY)) return p;
            }
        }
    }

    private static void strike(boolean[] struck, int first, int step) {
        for (int j = first; j < struck.length; j += step) struck[j] = true;
    }

    private static BigInteger uniformBelow(BigInteger bound, Random random) {
        BigInteger r;
        do {
            r = new BigInteger(bound.bitLength(), random);
        } while (r.compareTo(bound) >= 0);
        return r;
    }

    private static int[] oddPrimesBelow(int bound) {
        boolean[] composite = new boolean[bound];
        List<Integer> primes = new ArrayList<>();
        for (int i = 3; i < bound; i += 2) {
            if (composite[i]) continue;
            primes.add(i);
            for (long j = (long) i * i; j < bound; j += 2L * i) composite[(int) j] = true;
        }
        return primes.stream().mapToInt(Integer::intValue).toArray();
    }
}
