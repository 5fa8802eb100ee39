package io.bulwark.sim.filter;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.sim.FaultyFilter;
import io.bulwark.sim.FilterFault;

/** A filter that never sends anything: the firewall must stay live through the other filter of each row. */
public final class SilentFilter implements FilterFault {
    @Override
    public String name() {
        return "filter-silent";
    }

    @Override
    public String description() {
        return "Never sends anything, up or down.";
    }

    @Override
    public FaultyFilter create(FaultyFilter.Context context) {
        return new FaultyFilter() {
            @Override public void start() {}
            @Override public void onMessage(Principal from, Message message) {}
            @Override public void onTimer(Object key) {}
        };
    }
}
