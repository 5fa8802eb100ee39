package io.bulwark.sim.filter;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.sim.FaultyFilter;
import io.bulwark.sim.FilterFault;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A filter that replays: runs correctly, remembers the last 16 messages it sent to each
 * destination, and after every fourth replays one of them chosen by the next bits of the secret
 * (as far as a colluder has handed it over).
 */
public final class ReplayFilter implements FilterFault {
    @Override
    public String name() {
        return "filter-replay";
    }

    @Override
    public String description() {
        return "Replays earlier genuine messages of its own, chosen by the bits of the secret a colluder handed over.";
    }

    @Override
    public FaultyFilter create(FaultyFilter.Context context) {
        return new TamperingFilter(context) {
            private final Map<Principal, List<Message>> sent = new HashMap<>();
            private final Map<Principal, Long> counts = new HashMap<>();
            private long signalled;

            @Override
            protected void tamper(Principal to, Message m) {
                ctx.send(to, m);
                List<Message> history = sent.computeIfAbsent(to, k -> new ArrayList<>());
                history.add(m);
                if (history.size() > 16) history.removeFirst();
                if (counts.merge(to, 1L, Long::sum) % 4 == 0) {
                    int pick = bit(signalled) | bit(signalled + 1) << 1;
                    signalled += 2;
                    ctx.send(to, history.get(history.size() - 1 - pick));
                }
            }
        };
    }
}
