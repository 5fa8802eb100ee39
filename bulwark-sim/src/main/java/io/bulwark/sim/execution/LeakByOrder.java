package io.bulwark.sim.execution;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.sim.ExecutionFault;
import io.bulwark.sim.FaultyExecutor;
import java.util.HashMap;
import java.util.Map;

/**
 * Leak through ordering: runs correctly, but holds each outgoing message until the next one to
 * the same destination and sends the pair in an order chosen by the next secret bit (a message
 * left alone goes out after a second). What it sends is exactly what a correct node sends; only
 * the order carries the secret.
 */
public final class LeakByOrder implements ExecutionFault {
    private record Flush(Principal to, Message held) {}

    @Override
    public String name() {
        return "leak-by-order";
    }

    @Override
    public String description() {
        return "Knows the secret; sends its genuine messages in pairs, swapped or not by its bits.";
    }

    @Override
    public FaultyExecutor create(FaultyExecutor.Context context) {
        return new LeakingExecutor(context) {
            private final Map<Principal, Message> held = new HashMap<>();
            private long pairs;

            @Override
            protected void leak(Principal to, Message m) {
                Message first = held.remove(to);
                if (first == null) {
                    held.put(to, m);
                    ctx.setTimer(new Flush(to, m), 1_000_000_000L);
                    return;
                }
                if (bits.bit(pairs++) == 1) {
                    ctx.send(to, m);
                    ctx.send(to, first);
                } else {
                    ctx.send(to, first);
                    ctx.send(to, m);
                }
            }

            @Override
            protected void onOwnTimer(Object key) {
                if (key instanceof Flush f && held.get(f.to()) == f.held()) {
                    held.remove(f.to());
                    ctx.send(f.to(), f.held());
                }
            }
        };
    }
}
