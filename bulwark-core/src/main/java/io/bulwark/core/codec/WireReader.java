package io.bulwark.core.codec;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.MalformedMessageException.Reason;

/**
 * Bounds-checked big-endian reader over a byte array. Every length is checked against both
 * the caller's limit and the bytes actually remaining before anything is allocated, so a
 * hostile length prefix can never make the decoder allocate more than the input's size.
 */
public final class WireReader {
    private final byte[] buf;
    private final int end;
    private int pos;

    public WireReader(byte[] buf) {
        this(buf, 0, buf.length);
    }

    public WireReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    public int position() {
        return pos;
    }

    public int remaining() {
        return end - pos;
    }

    public byte[] buffer() {
        return buf;
    }

    private void need(int n) throws MalformedMessageException {
        if (n < 0 || end - pos < n) {
            throw new MalformedMessageException(Reason.TRUNCATED, "need " + n + " bytes at " + pos + ", have " + (end - pos));
        }
    }

    public int u8() throws MalformedMessageException {
        need(1);
        return buf[pos++] & 0xff;
    }

    public boolean bool() throws MalformedMessageException {
        int b = u8();
        if (b > 1) throw new MalformedMessageException(Reason.NON_CANONICAL, "boolean byte " + b);
        return b == 1;
    }

    public int u16() throws MalformedMessageException {
        need(2);
        int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    public int i32() throws MalformedMessageException {
        need(4);
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public long i64() throws MalformedMessageException {
        need(8);
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (buf[pos + i] & 0xff);
        }
        pos += 8;
        return v;
    }

    /** A non-negative long no larger than {@code max}. */
    public long u63(long max, String field) throws MalformedMessageException {
        long v = i64();
        if (v < 0 || v > max) throw new MalformedMessageException(Reason.INVALID_FIELD, field + "=" + v + " not in [0, " + max + "]");
        return v;
    }

    /** An int in {@code [min, max]}. */
    public int intIn(int min, int max, String field) throws MalformedMessageException {
        int v = i32();
        if (v < min || v > max) throw new MalformedMessageException(Reason.INVALID_FIELD, field + "=" + v + " not in [" + min + ", " + max + "]");
        return v;
    }

    /** A count prefix (u32) checked against {@code max} and against what could possibly fit. */
    public int count(int max, int minBytesPerItem, String field) throws MalformedMessageException {
        int n = i32();
        if (n < 0 || n > max) throw new MalformedMessageException(Reason.LENGTH_OUT_OF_BOUNDS, field + " count " + n + " exceeds " + max);
        if ((long) n * minBytesPerItem > remaining()) {
            throw new MalformedMessageException(Reason.TRUNCATED, field + " count " + n + " cannot fit in " + remaining() + " bytes");
        }
        return n;
    }

    /** Length-prefixed (u32) bytes, at most {@code max}. */
    public Bytes bytes(int max, String field) throws MalformedMessageException {
        int n = i32();
        if (n < 0 || n > max) throw new MalformedMessageException(Reason.LENGTH_OUT_OF_BOUNDS, field + " length " + n + " exceeds " + max);
        need(n);
        Bytes b = Bytes.copyOf(buf, pos, n);
        pos += n;
        return b;
    }

    /** Exactly {@code n} raw bytes. */
    public Bytes fixed(int n) throws MalformedMessageException {
        need(n);
        Bytes b = Bytes.copyOf(buf, pos, n);
        pos += n;
        return b;
    }

    public void expectEnd() throws MalformedMessageException {
        if (pos != end) throw new MalformedMessageException(Reason.TRAILING_BYTES, (end - pos) + " bytes after the message");
    }
}
