package io.bulwark.firewall.threshold;

import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import java.math.BigInteger;
import java.util.Objects;

/**
 * Signer {@code index}'s secret share {@code s_index = f(index) mod m} of a threshold RSA key,
 * with the public key it belongs to. <b>Secret</b>: {@link #toString()} never prints it; store
 * the {@link #encode() encoding} like any private key (owner-only file permissions).
 *
 * <p>The constructor checks the share against its verification key ({@code v^{s_i} = v_i mod
 * n}), so a corrupted key file is caught when it is loaded, not when shares start failing.
 *
 * <p><b>Encoding</b> ({@link #encode()}): {@code [version=1 u8][type=2 u8][public key, its own
 * encoding][index i32][s_i: |n| bytes big-endian]}.
 *
 * @param publicKey the key this share belongs to
 * @param index     signer index i in [1, l]
 * @param secret    s_i, in [0, n)
 */
public record ThresholdKeyShare(ThresholdPublicKey publicKey, int index, BigInteger secret) {
    public ThresholdKeyShare {
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(secret, "secret");
        if (index < 1 || index > publicKey.l()) {
            throw new IllegalArgumentException("index " + index + " not in [1, " + publicKey.l() + "]");
        }
        if (secret.signum() < 0 || secret.compareTo(publicKey.n()) >= 0) {
            throw new IllegalArgumentException("secret share out of range");
        }
        if (!publicKey.v().modPow(secret, publicKey.n()).equals(publicKey.verificationKey(index))) {
            throw new IllegalArgumentException("secret share " + index + " does not match its verification key");
        }
    }

    public byte[] encode() {
        WireWriter w = new WireWriter(32 + (publicKey.l() + 3) * publicKey.modulusBytes());
        writeTo(w);
        return w.toByteArray();
    }

    public void writeTo(WireWriter w) {
        ThresholdWire.header(w, ThresholdWire.KEY_SHARE);
        publicKey.writeTo(w);
        w.i32(index);
        ThresholdWire.fixed(w, secret, publicKey.modulusBytes());
    }

    public static ThresholdKeyShare decode(byte[] bytes) throws MalformedMessageException {
        WireReader r = new WireReader(bytes);
        ThresholdKeyShare share = readFrom(r);
        r.expectEnd();
        return share;
    }

    public static ThresholdKeyShare readFrom(WireReader r) throws MalformedMessageException {
        ThresholdWire.expectHeader(r, ThresholdWire.KEY_SHARE);
        ThresholdPublicKey publicKey = ThresholdPublicKey.readFrom(r);
        int index = r.intIn(1, publicKey.l(), "index");
        BigInteger secret = ThresholdWire.readFixed(r, publicKey.modulusBytes());
        try {
            return new ThresholdKeyShare(publicKey, index, secret);
        } catch (IllegalArgumentException invalid) {
            throw new MalformedMessageException(Reason.INVALID_FIELD, invalid.getMessage());
        }
    }

    /** Names the share without revealing it. */
    @Override
    public String toString() {
        return "ThresholdKeyShare[index=" + index + " of " + publicKey + ", secret=<redacted>]";
    }
}
