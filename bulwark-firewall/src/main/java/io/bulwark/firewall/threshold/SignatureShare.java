package io.bulwark.firewall.threshold;

import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import java.math.BigInteger;
import java.util.Objects;

/**
 * Signer {@code index}'s share of a signature on one message: {@code xi = x^{2Δ s_i} mod n},
 * with a non-interactive proof {@code (c, z)} that {@code log_v(v_i) = log_{x^{4Δ}}(xi^2)}.
 * See {@link ThresholdRsa#sign} and {@link ThresholdRsa#verifyShare}.
 *
 * <p>The constructor checks nothing but non-null: a share comes from the network, and
 * {@link ThresholdRsa#verifyShare} is what decides whether it is any good (index in range,
 * values in range, proof valid).
 *
 * <p><b>Encoding</b> ({@link #encode()}): {@code [version=1 u8][type=3 u8][index i32][xi
 * natural][c natural][z natural]}, a natural being {@code [u16 length][shortest big-endian
 * magnitude]} (no leading zero byte), bounded by {@link #XI_BYTES_MAX}, {@link #C_BYTES_MAX},
 * {@link #Z_BYTES_MAX}. The decoder needs no key; checking against the key is
 * {@code verifyShare}'s job.
 */
public record SignatureShare(int index, BigInteger xi, BigInteger c, BigInteger z) {
    public static final int XI_BYTES_MAX = ThresholdPublicKey.MAX_MODULUS_BYTES;
    public static final int C_BYTES_MAX = ThresholdRsa.CHALLENGE_BITS / 8;
    /** z = s_i c + r < 2^(|n| + 2·256 + 1). */
    public static final int Z_BYTES_MAX = ThresholdPublicKey.MAX_MODULUS_BYTES + (2 * ThresholdRsa.CHALLENGE_BITS + 8) / 8;

    public SignatureShare {
        Objects.requireNonNull(xi, "xi");
        Objects.requireNonNull(c, "c");
        Objects.requireNonNull(z, "z");
    }

    /** @throws IllegalArgumentException if a value is negative (no share from {@link ThresholdRsa#sign} is) */
    public byte[] encode() {
        WireWriter w = new WireWriter(16 + XI_BYTES_MAX + Z_BYTES_MAX);
        writeTo(w);
        return w.toByteArray();
    }

    /** @throws IllegalArgumentException if a value is negative (no share from {@link ThresholdRsa#sign} is) */
    public void writeTo(WireWriter w) {
        ThresholdWire.header(w, ThresholdWire.SIGNATURE_SHARE);
        w.i32(index);
        ThresholdWire.natural(w, xi);
        ThresholdWire.natural(w, c);
        ThresholdWire.natural(w, z);
    }

    public static SignatureShare decode(byte[] bytes) throws MalformedMessageException {
        WireReader r = new WireReader(bytes);
        SignatureShare share = readFrom(r);
        r.expectEnd();
        return share;
    }

    public static SignatureShare readFrom(WireReader r) throws MalformedMessageException {
        ThresholdWire.expectHeader(r, ThresholdWire.SIGNATURE_SHARE);
        int index = r.intIn(1, ThresholdPublicKey.MAX_SIGNERS, "index");
        BigInteger xi = ThresholdWire.readNatural(r, XI_BYTES_MAX, "xi");
        BigInteger c = ThresholdWire.readNatural(r, C_BYTES_MAX, "c");
        BigInteger z = ThresholdWire.readNatural(r, Z_BYTES_MAX, "z");
        return new SignatureShare(index, xi, c, z);
    }

    @Override
    public String toString() {
        String hex = xi.toString(16);
        return "SignatureShare[index=" + index + ", xi=" + hex.substring(0, Math.min(12, hex.length())) + "…]";
    }
}
