package io.bulwark.sim.filter;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.sim.FaultyFilter;
import io.bulwark.sim.FilterFault;

/**
 * A filter that is a plain wire downwards: everything it receives from above — messages and raw
 * bytes, the secret handed over by a colluding execution node included — it sends on to everyone
 * below, unchecked (row 0: straight to the agreement nodes and the clients). It also runs the
 * correct filter core.
 */
public final class PassDownFilter implements FilterFault {
    @Override
    public String name() {
        return "filter-pass-down";
    }

    @Override
    public String description() {
        return "Forwards everything from above (messages and raw bytes, the secret included) to everyone below, unchecked.";
    }

    @Override
    public FaultyFilter create(FaultyFilter.Context context) {
        return new TamperingFilter(context) {
            @Override
            protected void received(Principal from, Message m) {
                if (!fromAbove(from)) return;
                for (Principal to : below()) ctx.send(to, m);
            }

            @Override
            protected void receivedRaw(Principal from, byte[] bytes) {
                if (!fromAbove(from)) return;
                for (Principal to : below()) ctx.sendRaw(to, bytes);
            }
        };
    }
}
