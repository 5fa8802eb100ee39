package io.bulwark.sim.execution;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.sim.ExecutionFault;
import io.bulwark.sim.FaultyExecutor;

/** Never sends anything: no replies, no checkpoints, no state. */
public final class SilentExecutor implements ExecutionFault {
    @Override
    public String name() {
        return "silent-executor";
    }

    @Override
    public String description() {
        return "Never replies, never checkpoints, never serves state.";
    }

    @Override
    public FaultyExecutor create(FaultyExecutor.Context context) {
        return new FaultyExecutor() {
            @Override public void start() {}
            @Override public void onMessage(Principal from, Message message) {}
            @Override public void onTimer(Object key) {}
        };
    }
}
