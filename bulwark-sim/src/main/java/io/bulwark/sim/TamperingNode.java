package io.bulwark.sim;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;

/**
 * Base for strategies that run the correct protocol and tamper with it: every message the
 * honest core would send passes through {@link #tamper}, every message it would receive
 * through {@link #admit}. Subclasses override only what they change.
 */
public abstract class TamperingNode implements FaultyNode {
    protected final Context ctx;
    protected final HonestCore core;

    protected TamperingNode(Context ctx) {
        this.ctx = ctx;
        this.core = ctx.honest(this::tamper);
    }

    @Override
    public void start() {}

    @Override
    public void onMessage(Principal from, Message message) {
        if (core.isUp() && admit(from, message)) core.onMessage(from, message);
    }

    @Override
    public void onTimer(Object key) {
        if (core.ownsTimer(key)) {
            if (core.isUp()) core.onTimer(key);
        } else {
            onOwnTimer(key);
        }
    }

    /** Decide what actually leaves when the honest core sends {@code m} to {@code to}. Default: send it. */
    protected void tamper(Principal to, Message m) {
        ctx.send(to, m);
    }

    /** Whether the honest core gets to see an incoming message. Default: yes. */
    protected boolean admit(Principal from, Message m) {
        return true;
    }

    /** Timers the strategy set for itself. */
    protected void onOwnTimer(Object key) {}
}
