package io.bulwark.sim.filter;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.sim.FaultyFilter;
import io.bulwark.sim.FilterFault;
import java.util.HashMap;
import java.util.Map;

/**
 * A filter that reorders: holds each message it would send until the next one to the same
 * destination and sends the pair in an order chosen by the next bit of the secret (a message
 * left alone goes out after 50 ms).
 */
public final class ReorderFilter implements FilterFault {
    private record Flush(Principal to, Message held) {}

    @Override
    public String name() {
        return "filter-reorder";
    }

    @Override
    public String description() {
        return "Sends its genuine messages in pairs, swapped or not by the bits of the secret a colluder handed over.";
    }

    @Override
    public FaultyFilter create(FaultyFilter.Context context) {
        return new TamperingFilter(context) {
            private final Map<Principal, Message> held = new HashMap<>();
            private long pairs;

            @Override
            protected void tamper(Principal to, Message m) {
                Message first = held.remove(to);
                if (first == null) {
                    held.put(to, m);
                    ctx.setTimer(new Flush(to, m), 50_000_000L);
                    return;
                }
                boolean swap = bit(pairs++) == 1;
                ctx.send(to, swap ? m : first);
                ctx.send(to, swap ? first : m);
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
