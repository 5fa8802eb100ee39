package io.bulwark.sim.execution;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.sim.ExecutionFault;
import io.bulwark.sim.FaultyExecutor;

/** Correct, but everything it sends leaves tens to hundreds of milliseconds late. */
public final class SlowExecutor implements ExecutionFault {
    private record Release(Principal to, Message message, long sequence) {}

    @Override
    public String name() {
        return "slow-executor";
    }

    @Override
    public String description() {
        return "Executes correctly but holds every outgoing message back for 20-300 ms.";
    }

    @Override
    public FaultyExecutor create(FaultyExecutor.Context context) {
        return new TamperingExecutor(context) {
            private long sequence;

            @Override
            protected void tamper(Principal to, Message m) {
                ctx.setTimer(new Release(to, m, sequence++), (20 + ctx.random().nextInt(281)) * 1_000_000L);
            }

            @Override
            protected void onOwnTimer(Object key) {
                if (key instanceof Release r) ctx.send(r.to(), r.message());
            }
        };
    }
}
