package io.bulwark.firewall.threshold;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import java.util.Objects;

/**
 * A combined threshold signature: a plain RSA signature {@code y = x^d mod n} as exactly |n|
 * bytes, big-endian, left-padded with zeros. There is exactly one valid value per (key,
 * message); {@link ThresholdRsa#verify} checks it.
 *
 * <p><b>Encoding</b> ({@link #encode()}): {@code [version=1 u8][type=4 u8][u16 length][value]},
 * length in [64, 512]. (A protocol message that already knows the key may carry
 * {@link #value()} alone.)
 */
public record ThresholdSignature(Bytes value) {
    public ThresholdSignature {
        Objects.requireNonNull(value, "value");
        if (value.length() < ThresholdPublicKey.MIN_MODULUS_BYTES || value.length() > ThresholdPublicKey.MAX_MODULUS_BYTES) {
            throw new IllegalArgumentException("signature length " + value.length() + " not in ["
                    + ThresholdPublicKey.MIN_MODULUS_BYTES + ", " + ThresholdPublicKey.MAX_MODULUS_BYTES + "]");
        }
    }

    public byte[] encode() {
        WireWriter w = new WireWriter(4 + value.length());
        writeTo(w);
        return w.toByteArray();
    }

    public void writeTo(WireWriter w) {
        ThresholdWire.header(w, ThresholdWire.SIGNATURE);
        w.u16(value.length());
        w.fixed(value);
    }

    public static ThresholdSignature decode(byte[] bytes) throws MalformedMessageException {
        WireReader r = new WireReader(bytes);
        ThresholdSignature signature = readFrom(r);
        r.expectEnd();
        return signature;
    }

    public static ThresholdSignature readFrom(WireReader r) throws MalformedMessageException {
        ThresholdWire.expectHeader(r, ThresholdWire.SIGNATURE);
        int length = r.u16();
        if (length < ThresholdPublicKey.MIN_MODULUS_BYTES || length > ThresholdPublicKey.MAX_MODULUS_BYTES) {
            throw new MalformedMessageException(Reason.LENGTH_OUT_OF_BOUNDS, "signature length " + length);
        }
        return new ThresholdSignature(r.fixed(length));
    }

    @Override
    public String toString() {
        return "ThresholdSignature[" + value + "]";
    }
}
