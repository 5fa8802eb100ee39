package io.bulwark.firewall.threshold;

import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import java.math.BigInteger;
import java.util.List;
import java.util.Objects;

/**
 * The public key of a k-of-l Shoup threshold RSA scheme (see {@link ThresholdRsa}).
 *
 * <p>Clients need only {@code (n, e)}: a combined signature is a plain RSA signature. The
 * verification base {@code v} and the verification keys {@code v_i = v^{s_i} mod n} let anyone
 * check a signature share from signer i.
 *
 * <p><b>Encoding</b> ({@link #encode()}): {@code [version=1 u8][type=1 u8][nLen u16][n: nLen
 * bytes, first byte non-zero][e i32][k i32][l i32][v: nLen bytes][v_1 .. v_l: nLen bytes each]},
 * all big-endian. The decoder accepts exactly this and nothing else.
 *
 * @param n                the RSA modulus pq, p and q safe primes
 * @param e                the public exponent, a prime larger than l
 * @param v                the verification base, a square mod n
 * @param verificationKeys v_1 .. v_l (element i-1 belongs to signer i)
 * @param k                signatures need k shares (k = g+1 in Bulwark)
 * @param l                number of signers (l = 2g+1 in Bulwark)
 */
public record ThresholdPublicKey(BigInteger n, int e, BigInteger v, List<BigInteger> verificationKeys, int k, int l) {
    public static final int MIN_MODULUS_BITS = 512;
    public static final int MAX_MODULUS_BITS = 4096;
    /** Most signers a key may have; keeps Δ = l! (an exponent factor) small. */
    public static final int MAX_SIGNERS = 64;

    static final int MIN_MODULUS_BYTES = MIN_MODULUS_BITS / 8;
    static final int MAX_MODULUS_BYTES = MAX_MODULUS_BITS / 8;

    public ThresholdPublicKey {
        Objects.requireNonNull(n, "n");
        Objects.requireNonNull(v, "v");
        verificationKeys = List.copyOf(verificationKeys);
        if (l < 1 || l > MAX_SIGNERS) throw new IllegalArgumentException("l=" + l + " not in [1, " + MAX_SIGNERS + "]");
        if (k < 1 || k > l) throw new IllegalArgumentException("k=" + k + " not in [1, l=" + l + "]");
        if (n.bitLength() < MIN_MODULUS_BITS || n.bitLength() > MAX_MODULUS_BITS || !n.testBit(0)) {
            throw new IllegalArgumentException("n must be an odd " + MIN_MODULUS_BITS + ".." + MAX_MODULUS_BITS + "-bit modulus");
        }
        if (e <= l || !BigInteger.valueOf(e).isProbablePrime(64)) {
            throw new IllegalArgumentException("e=" + e + " must be a prime larger than l=" + l);
        }
        if (verificationKeys.size() != l) {
            throw new IllegalArgumentException(verificationKeys.size() + " verification keys for l=" + l);
        }
        requireUnit(v, n, "v");
        for (int i = 0; i < l; i++) requireUnit(verificationKeys.get(i), n, "v_" + (i + 1));
    }

    private static void requireUnit(BigInteger x, BigInteger n, String name) {
        if (x.signum() <= 0 || x.compareTo(n) >= 0 || !x.gcd(n).equals(BigInteger.ONE)) {
            throw new IllegalArgumentException(name + " must be a unit in [1, n)");
        }
    }

    /** |n| in bits. */
    public int modulusBits() {
        return n.bitLength();
    }

    /** |n| in bytes: the length of a signature and of every fixed-length value mod n. */
    public int modulusBytes() {
        return (n.bitLength() + 7) / 8;
    }

    /** Signer {@code index}'s verification key v_index (1-based). */
    public BigInteger verificationKey(int index) {
        return verificationKeys.get(index - 1);
    }

    /** Δ = l!. */
    public BigInteger delta() {
        BigInteger delta = BigInteger.ONE;
        for (int i = 2; i <= l; i++) delta = delta.multiply(BigInteger.valueOf(i));
        return delta;
    }

    public byte[] encode() {
        WireWriter w = new WireWriter(16 + (l + 2) * modulusBytes());
        writeTo(w);
        return w.toByteArray();
    }

    public void writeTo(WireWriter w) {
        int length = modulusBytes();
        ThresholdWire.header(w, ThresholdWire.PUBLIC_KEY);
        w.u16(length);
        ThresholdWire.fixed(w, n, length);
        w.i32(e).i32(k).i32(l);
        ThresholdWire.fixed(w, v, length);
        for (BigInteger vi : verificationKeys) ThresholdWire.fixed(w, vi, length);
    }

    public static ThresholdPublicKey decode(byte[] bytes) throws MalformedMessageException {
        WireReader r = new WireReader(bytes);
        ThresholdPublicKey key = readFrom(r);
        r.expectEnd();
        return key;
    }

    public static ThresholdPublicKey readFrom(WireReader r) throws MalformedMessageException {
        ThresholdWire.expectHeader(r, ThresholdWire.PUBLIC_KEY);
        int length = r.u16();
        if (length < MIN_MODULUS_BYTES || length > MAX_MODULUS_BYTES) {
            throw new MalformedMessageException(Reason.LENGTH_OUT_OF_BOUNDS,
                    "modulus length " + length + " not in [" + MIN_MODULUS_BYTES + ", " + MAX_MODULUS_BYTES + "]");
        }
        BigInteger n = ThresholdWire.readFixed(r, length);
        if (n.bitLength() <= 8 * (length - 1)) {
            throw new MalformedMessageException(Reason.NON_CANONICAL, "modulus has a leading zero byte");
        }
        int e = r.intIn(3, Integer.MAX_VALUE, "e");
        int k = r.intIn(1, MAX_SIGNERS, "k");
        int l = r.intIn(k, MAX_SIGNERS, "l");
        if ((long) (l + 1) * length > r.remaining()) {
            throw new MalformedMessageException(Reason.TRUNCATED, "verification keys cannot fit in " + r.remaining() + " bytes");
        }
        BigInteger v = ThresholdWire.readFixed(r, length);
        BigInteger[] keys = new BigInteger[l];
        for (int i = 0; i < l; i++) keys[i] = ThresholdWire.readFixed(r, length);
        try {
            return new ThresholdPublicKey(n, e, v, List.of(keys), k, l);
        } catch (IllegalArgumentException invalid) {
            throw new MalformedMessageException(Reason.INVALID_FIELD, invalid.getMessage());
        }
    }

    @Override
    public String toString() {
        String hex = n.toString(16);
        return "ThresholdPublicKey[k=" + k + ", l=" + l + ", n=" + n.bitLength() + " bits " + hex.substring(0, Math.min(16, hex.length()))
                + "…, e=" + e + "]";
    }
}
