package io.bulwark.sim.strategy;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.sim.ByzantineStrategy;
import io.bulwark.sim.FaultyNode;
import io.bulwark.sim.TamperingNode;

/**
 * Follows the protocol, and keeps the last 512 messages it received (view changes, signed
 * accepts, NewViews, proposals, checkpoints, decisions, client requests…) to re-send random old
 * ones, as itself, to random nodes every few milliseconds.
 */
public final class Replay implements ByzantineStrategy {
    @Override
    public String name() {
        return "replay";
    }

    @Override
    public String description() {
        return "Follows the protocol but records the last 512 messages it received and keeps re-sending random old ones to random nodes.";
    }

    @Override
    public FaultyNode create(FaultyNode.Context context) {
        return new Node(context);
    }

    private static final int KEPT = 512;

    private enum Timer { REPLAY }

    private static final class Node extends TamperingNode {
        private final Ring<Message> seen = new Ring<>(KEPT);

        Node(FaultyNode.Context ctx) {
            super(ctx);
        }

        @Override
        public void start() {
            ctx.setTimer(Timer.REPLAY, Forgery.MS);
        }

        @Override
        protected boolean admit(Principal from, Message m) {
            if (!(m instanceof Reply)) seen.add(m);
            return true;
        }

        @Override
        protected void onOwnTimer(Object key) {
            if (key != Timer.REPLAY) return;
            ctx.setTimer(Timer.REPLAY, (1 + ctx.random().nextInt(6)) * Forgery.MS);
            if (seen.isEmpty()) return;
            int burst = 1 + ctx.random().nextInt(4);
            for (int i = 0; i < burst; i++) {
                Message m = seen.random(ctx.random());
                if (ctx.random().nextInt(8) == 0) {
                    for (int node = 0; node < ctx.spec().agreementNodes(); node++) {
                        if (node != ctx.self()) ctx.send(Principal.node(node), m);
                    }
                } else {
                    ctx.send(Principal.node(Forgery.randomPeer(ctx)), m);
                }
            }
        }
    }
}
