package io.bulwark.firewall.threshold;

import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import java.math.BigInteger;

/**
 * The pieces the threshold-signature encodings share: a two-byte header
 * {@code [version u8][type u8]} and two ways of writing a non-negative integer.
 *
 * <ul>
 *   <li><b>fixed</b>: exactly {@code length} bytes, big-endian, left-padded with zeros (values
 *       that live mod n are written with the modulus length, so every one has one encoding);
 *   <li><b>natural</b>: {@code [u16 length][magnitude]} with the shortest big-endian magnitude
 *       (no leading zero byte; zero is the empty magnitude), for values whose size the decoder
 *       does not know in advance (the parts of a signature share).
 * </ul>
 */
final class ThresholdWire {
    static final int VERSION = 1;

    /** Type tags. Never renumber: they are the stored and wire format. */
    static final int PUBLIC_KEY = 1, KEY_SHARE = 2, SIGNATURE_SHARE = 3, SIGNATURE = 4;

    private ThresholdWire() {}

    static void header(WireWriter w, int type) {
        w.u8(VERSION).u8(type);
    }

    static void expectHeader(WireReader r, int type) throws MalformedMessageException {
        int version = r.u8();
        if (version != VERSION) throw new MalformedMessageException(Reason.UNKNOWN_VERSION, "threshold encoding version " + version);
        int actual = r.u8();
        if (actual != type) throw new MalformedMessageException(Reason.UNKNOWN_TYPE, "expected threshold type " + type + ", got " + actual);
    }

    /** Writes {@code value} (0 <= value < 2^(8*length)) as exactly {@code length} bytes. */
    static void fixed(WireWriter w, BigInteger value, int length) {
        byte[] out = toFixed(value, length);
        w.raw(out, 0, out.length);
    }

    static byte[] toFixed(BigInteger value, int length) {
        if (value.signum() < 0 || value.bitLength() > 8 * length) {
            throw new IllegalArgumentException("value does not fit in " + length + " unsigned bytes");
        }
        byte[] magnitude = value.toByteArray(); // two's complement: may carry one leading zero byte
        byte[] out = new byte[length];
        int copy = Math.min(magnitude.length, length);
        System.arraycopy(magnitude, magnitude.length - copy, out, length - copy, copy);
        return out;
    }

    static BigInteger readFixed(WireReader r, int length) throws MalformedMessageException {
        return new BigInteger(1, r.fixed(length).toByteArray());
    }

    static void natural(WireWriter w, BigInteger value) {
        if (value.signum() < 0) throw new IllegalArgumentException("negative value has no natural encoding");
        int length = (value.bitLength() + 7) / 8;
        if (length > 0xffff) throw new IllegalArgumentException("value too large to encode");
        w.u16(length);
        fixed(w, value, length);
    }

    static BigInteger readNatural(WireReader r, int maxBytes, String field) throws MalformedMessageException {
        int length = r.u16();
        if (length > maxBytes) {
            throw new MalformedMessageException(Reason.LENGTH_OUT_OF_BOUNDS, field + " length " + length + " exceeds " + maxBytes);
        }
        byte[] magnitude = r.fixed(length).toByteArray();
        if (length > 0 && magnitude[0] == 0) {
            throw new MalformedMessageException(Reason.NON_CANONICAL, field + " has a leading zero byte");
        }
        return new BigInteger(1, magnitude);
    }
}
