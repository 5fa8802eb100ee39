package io.bulwark.sim.execution;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.sim.ExecutionFault;
import io.bulwark.sim.FaultyExecutor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Leak through replays: runs correctly, remembers the last 16 messages it sent (to anyone), and
 * after every fourth message to a destination sends that destination one of them again, chosen
 * by the next four bits of the secret — often a message first sent to someone else (another
 * client's reply, a share of another slot). Every replayed message is one it legitimately sent.
 */
public final class LeakByReplay implements ExecutionFault {
    private static final int KEPT = 16;

    @Override
    public String name() {
        return "leak-by-replay";
    }

    @Override
    public String description() {
        return "Knows the secret; replays its earlier genuine messages, possibly to other destinations, chosen by its bits.";
    }

    @Override
    public FaultyExecutor create(FaultyExecutor.Context context) {
        return new LeakingExecutor(context) {
            private final List<Message> sent = new ArrayList<>();
            private final Map<Principal, Long> counts = new HashMap<>();
            private long signalled;

            @Override
            protected void leak(Principal to, Message m) {
                ctx.send(to, m);
                sent.add(m);
                if (sent.size() > KEPT) sent.removeFirst();
                if (counts.merge(to, 1L, Long::sum) % 4 == 0) {
                    int pick = bits.bits(signalled, 4) % sent.size();
                    signalled += 4;
                    ctx.send(to, sent.get(sent.size() - 1 - pick));
                }
            }
        };
    }
}
