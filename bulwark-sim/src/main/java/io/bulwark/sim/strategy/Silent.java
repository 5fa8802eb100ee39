package io.bulwark.sim.strategy;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.sim.ByzantineStrategy;
import io.bulwark.sim.FaultyNode;

/** A node that never sends anything: a crash at time zero that nobody can tell from a very slow node. */
public final class Silent implements ByzantineStrategy {
    @Override
    public String name() {
        return "silent";
    }

    @Override
    public String description() {
        return "Never sends anything.";
    }

    @Override
    public FaultyNode create(FaultyNode.Context context) {
        return new FaultyNode() {
            @Override public void start() {}
            @Override public void onMessage(Principal from, Message message) {}
            @Override public void onTimer(Object key) {}
        };
    }
}
