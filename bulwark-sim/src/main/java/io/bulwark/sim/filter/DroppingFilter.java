package io.bulwark.sim.filter;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.sim.FaultyFilter;
import io.bulwark.sim.FilterFault;

/**
 * A filter that chooses what to pass: a message about slot s that it would send down goes out
 * only if bit s of the secret (as far as a colluder handed it over) is 1; everything else as a
 * correct filter would.
 */
public final class DroppingFilter implements FilterFault {
    @Override
    public String name() {
        return "filter-drop";
    }

    @Override
    public String description() {
        return "Passes a slot's replies and certificates down only when the secret's bit for that slot is 1.";
    }

    @Override
    public FaultyFilter create(FaultyFilter.Context context) {
        return new TamperingFilter(context) {
            @Override
            protected void tamper(Principal to, Message m) {
                long slot = slotOf(m);
                boolean down = !(m instanceof io.bulwark.core.message.Ordered) && !(m instanceof io.bulwark.core.message.DecisionQuery)
                        && slot >= 0;
                if (down && knowsSecret() && bit(slot) == 0) return;
                ctx.send(to, m);
            }
        };
    }
}
