package io.bulwark.sim.execution;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.sim.FaultyExecutor;

/** Base for execution faults that run the correct core and tamper with what it sends. */
abstract class TamperingExecutor implements FaultyExecutor {
    protected final Context ctx;
    protected final HonestExecution core;

    TamperingExecutor(Context ctx) {
        this.ctx = ctx;
        this.core = ctx.honest(this::tamper);
    }

    @Override
    public void start() {}

    @Override
    public void onMessage(Principal from, Message message) {
        core.onMessage(from, message);
    }

    @Override
    public void onTimer(Object key) {
        if (core.ownsTimer(key)) core.onTimer(key);
        else onOwnTimer(key);
    }

    protected void tamper(Principal to, Message m) {
        ctx.send(to, m);
    }

    protected void onOwnTimer(Object key) {}
}
