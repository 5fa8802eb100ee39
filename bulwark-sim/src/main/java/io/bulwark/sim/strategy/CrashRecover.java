package io.bulwark.sim.strategy;

import io.bulwark.sim.ByzantineStrategy;
import io.bulwark.sim.FaultyNode;
import io.bulwark.sim.TamperingNode;

/** A correct node that keeps crashing at random times and restarting from what it persisted. */
public final class CrashRecover implements ByzantineStrategy {
    @Override
    public String name() {
        return "crash-recover";
    }

    @Override
    public String description() {
        return "Follows the protocol but crashes at random times for 10-300 ms and restarts from its persisted state, over and over.";
    }

    @Override
    public FaultyNode create(FaultyNode.Context context) {
        return new Node(context);
    }

    private enum Timer { CRASH, RESTART }

    private static final class Node extends TamperingNode {
        Node(FaultyNode.Context ctx) {
            super(ctx);
        }

        @Override
        public void start() {
            scheduleCrash();
        }

        private void scheduleCrash() {
            ctx.setTimer(Timer.CRASH, (5 + ctx.random().nextInt(250)) * Forgery.MS);
        }

        @Override
        protected void onOwnTimer(Object key) {
            if (key == Timer.CRASH) {
                core.crash();
                ctx.setTimer(Timer.RESTART, (10 + ctx.random().nextInt(290)) * Forgery.MS);
            } else if (key == Timer.RESTART) {
                core.restart();
                scheduleCrash();
            }
        }
    }
}
