package io.bulwark.kv;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException;
import io.bulwark.core.codec.MalformedMessageException.Reason;
import io.bulwark.core.codec.WireReader;
import io.bulwark.core.codec.WireWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;

/** Shared pieces of the operation, result and snapshot encodings. Package-private. */
final class KvCodec {
    /** The only version of the operation and result encodings so far. */
    static final int VERSION = 1;

    private KvCodec() {}

    static void checkVersion(WireReader r, String what) throws MalformedMessageException {
        int v = r.u8();
        if (v != VERSION) throw new MalformedMessageException(Reason.UNKNOWN_VERSION, what + " version " + v);
    }

    /** Absent: {@code 0x00}. Present: {@code 0x01} then the length-prefixed bytes. */
    static void writeOptional(WireWriter w, Bytes valueOrNull) {
        if (valueOrNull == null) {
            w.u8(0);
        } else {
            w.u8(1).bytes(valueOrNull);
        }
    }

    static Bytes readOptional(WireReader r, int max, String field) throws MalformedMessageException {
        return r.bool() ? r.bytes(max, field) : null;
    }

    static Bytes toBytes(WireWriter w) {
        return Bytes.wrapOwned(w.toByteArray());
    }

    static void checkLength(Bytes b, int max, String field) {
        if (b == null) throw new NullPointerException(field);
        if (b.length() > max) throw new IllegalArgumentException(field + " is " + b.length() + " bytes, at most " + max);
    }

    static void checkOptionalLength(Bytes b, int max, String field) {
        if (b != null && b.length() > max) {
            throw new IllegalArgumentException(field + " is " + b.length() + " bytes, at most " + max);
        }
    }

    /** Strict UTF-8: no lone surrogates, so that decoding gives back exactly the same string. */
    static byte[] utf8(String s) {
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(s));
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("not well-formed Unicode text", e);
        }
    }

    /** Strict UTF-8 decoding (rejects malformed, overlong and surrogate encodings). */
    static String utf8(Bytes b, String field) throws MalformedMessageException {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(b.asReadOnlyBuffer()).toString();
        } catch (CharacterCodingException e) {
            throw new MalformedMessageException(Reason.NON_CANONICAL, field + " is not well-formed UTF-8");
        }
    }
}
