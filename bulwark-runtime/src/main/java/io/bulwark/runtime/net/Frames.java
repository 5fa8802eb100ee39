package io.bulwark.runtime.net;

import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.codec.WireWriter;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.WireLimits;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;

/**
 * The framing on every connection: {@code [u32 big-endian length][WireCodec bytes]}. A length
 * above {@link WireLimits#FRAME_BYTES_MAX} closes the connection (the stream cannot be trusted
 * after it); a frame whose bytes do not decode is counted and dropped, and the connection goes on.
 */
public final class Frames {
    public static final int LENGTH_BYTES = 4;

    private Frames() {}

    /** One encoded frame, shareable between recipients (never modified after encoding). */
    public record Encoded(byte[] bytes, int type) {}

    public static Encoded encode(Message m) {
        WireWriter w = new WireWriter(128);
        w.i32(0);
        WireCodec.encode(m, w);
        byte[] b = w.toByteArray();
        int len = b.length - LENGTH_BYTES;
        if (len > WireLimits.FRAME_BYTES_MAX) throw new IllegalArgumentException("message of " + len + " bytes exceeds the frame limit");
        b[0] = (byte) (len >>> 24);
        b[1] = (byte) (len >>> 16);
        b[2] = (byte) (len >>> 8);
        b[3] = (byte) len;
        return new Encoded(b, TransportStats.typeOf(m));
    }

    static LengthFieldBasedFrameDecoder decoder() {
        return new LengthFieldBasedFrameDecoder(WireLimits.FRAME_BYTES_MAX + LENGTH_BYTES, 0, LENGTH_BYTES, 0, LENGTH_BYTES, true);
    }
}
