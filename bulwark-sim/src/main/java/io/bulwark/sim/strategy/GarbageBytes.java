package io.bulwark.sim.strategy;

import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.sim.ByzantineStrategy;
import io.bulwark.sim.FaultyNode;
import io.bulwark.sim.TamperingNode;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Follows the protocol, and every millisecond or two also sends raw bytes to random nodes:
 * random byte strings of 0–2048 bytes, and real encodings of its own recent messages with bits
 * flipped, cut short, extended, or with their version or type byte changed.
 */
public final class GarbageBytes implements ByzantineStrategy {
    @Override
    public String name() {
        return "garbage-bytes";
    }

    @Override
    public String description() {
        return "Follows the protocol but floods random nodes with random bytes and bit-flipped, truncated or "
                + "extended encodings of real messages.";
    }

    @Override
    public FaultyNode create(FaultyNode.Context context) {
        return new Node(context);
    }

    private enum Timer { SEND }

    private static final class Node extends TamperingNode {
        private final SplittableRandom r;
        private final Ring<byte[]> encodings = new Ring<>(64);

        Node(FaultyNode.Context ctx) {
            super(ctx);
            this.r = ctx.random();
        }

        @Override
        public void start() {
            ctx.setTimer(Timer.SEND, Forgery.MS);
        }

        @Override
        protected void tamper(Principal to, Message m) {
            if (r.nextInt(8) == 0) encodings.add(WireCodec.encode(m));
            ctx.send(to, m);
        }

        @Override
        protected boolean admit(Principal from, Message m) {
            if (r.nextInt(16) == 0) encodings.add(WireCodec.encode(m));
            return true;
        }

        @Override
        protected void onOwnTimer(Object key) {
            if (key != Timer.SEND) return;
            ctx.setTimer(Timer.SEND, (1 + r.nextInt(2)) * Forgery.MS);
            int burst = 1 + r.nextInt(3);
            for (int i = 0; i < burst; i++) {
                Principal to = Principal.node(Forgery.randomPeer(ctx));
                ctx.sendRaw(to, garbage());
            }
        }

        private byte[] garbage() {
            if (encodings.isEmpty() || r.nextInt(4) == 0) {
                byte[] b = new byte[r.nextInt(2049)];
                r.nextBytes(b);
                if (b.length > 1 && r.nextBoolean()) b[0] = (byte) WireCodec.VERSION; // get past the version check
                return b;
            }
            byte[] e = encodings.random(r).clone();
            switch (r.nextInt(5)) {
                case 0, 1 -> {
                    int flips = 1 + r.nextInt(8);
                    for (int i = 0; i < flips && e.length > 0; i++) e[r.nextInt(e.length)] ^= (byte) (1 << r.nextInt(8));
                    return e;
                }
                case 2 -> {
                    return Arrays.copyOf(e, e.length == 0 ? 0 : r.nextInt(e.length));
                }
                case 3 -> {
                    byte[] longer = Arrays.copyOf(e, e.length + 1 + r.nextInt(16));
                    for (int i = e.length; i < longer.length; i++) longer[i] = (byte) r.nextInt(256);
                    return longer;
                }
                default -> {
                    if (e.length >= 2) e[r.nextInt(2)] = (byte) r.nextInt(256);
                    return e;
                }
            }
        }
    }
}
