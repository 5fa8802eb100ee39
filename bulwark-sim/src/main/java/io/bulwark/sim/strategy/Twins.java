package io.bulwark.sim.strategy;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.sim.ByzantineStrategy;
import io.bulwark.sim.FaultyNode;
import java.util.BitSet;
import java.util.SplittableRandom;

/**
 * Twins (Bano et al., "Twins: BFT Systems Made Robust", 2020): two correct cores with the same
 * identity and keys. Half the nodes (a random half) talk to twin A, the other half to twin B;
 * client requests reach both, the second twin a few milliseconds later, so as leader the twins
 * cut different batches and propose conflicting values for the same slots. Both twins' output
 * goes out as this node.
 */
public final class Twins implements ByzantineStrategy {
    @Override
    public String name() {
        return "twins";
    }

    @Override
    public String description() {
        return "Two correct cores with the same identity and keys, each hearing half the nodes (clients both), "
                + "both sending; as leader they propose conflicting batches for the same slots.";
    }

    @Override
    public FaultyNode create(FaultyNode.Context context) {
        return new Node(context);
    }

    private record Late(long seq, boolean toB, Principal from, Message message) {}

    private static final int LATE_MAX = 256;

    private static final class Node implements FaultyNode {
        private final FaultyNode.Context ctx;
        private final SplittableRandom r;
        private final HonestCore twinA;
        private final HonestCore twinB;
        private final BitSet talksToB = new BitSet();
        private long lateSeq;
        private int lateInFlight;

        Node(FaultyNode.Context ctx) {
            this.ctx = ctx;
            this.r = ctx.random();
            this.twinA = ctx.honest(ctx::send);
            this.twinB = ctx.honest(ctx::send);
            for (int n = 0; n < ctx.spec().agreementNodes(); n++) {
                if (r.nextBoolean()) talksToB.set(n);
            }
        }

        @Override
        public void start() {}

        @Override
        public void onMessage(Principal from, Message message) {
            if (from.kind() == Principal.Kind.CLIENT) {
                boolean aFirst = r.nextBoolean();
                (aFirst ? twinA : twinB).onMessage(from, message);
                HonestCore second = aFirst ? twinB : twinA;
                if (lateInFlight < LATE_MAX) {
                    lateInFlight++;
                    ctx.setTimer(new Late(lateSeq++, aFirst, from, message), 1 + r.nextLong(3 * Forgery.MS));
                } else {
                    second.onMessage(from, message);
                }
                return;
            }
            (talksToB.get((int) from.id()) ? twinB : twinA).onMessage(from, message);
        }

        @Override
        public void onTimer(Object key) {
            if (twinA.ownsTimer(key)) {
                twinA.onTimer(key);
            } else if (twinB.ownsTimer(key)) {
                twinB.onTimer(key);
            } else if (key instanceof Late late) {
                lateInFlight--;
                (late.toB() ? twinB : twinA).onMessage(late.from(), late.message());
            }
        }
    }
}
