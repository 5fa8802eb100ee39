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
 * Leak through replays: runs correctly, remembers the last 16 messages it sent to each
 * destination, and after every fourth message to a destination replays one of them chosen by
 * the next secret bits. Every replayed message is one it legitimately sent before.
 */
public final class LeakByReplay implements ExecutionFault {
    private static final int KEPT = 16;

    @Override
    public String name() {
        return "leak-by-replay";
    }

    @Override
    public String description() {
        return "Knows the secret; replays earlier genuine messages, chosen by its bits.";
    }

    @Override
    public FaultyExecutor create(FaultyExecutor.Context context) {
        return new TamperingExecutor(context) {
            private final SecretBits bits = new SecretBits(ctx.secret());
            private final Map<Principal, List<Message>> sent = new HashMap<>();
            private long signalled;

            @Override
            protected void tamper(Principal to, Message m) {
                ctx.send(to, m);
                List<Message> history = sent.computeIfAbsent(to, k -> new ArrayList<>());
                history.add(m);
                if (history.size() > KEPT) history.removeFirst();
                if (history.size() >= 4 && history.size() % 4 == 0) {
                    int pick = bits.bits(signalled, 2);
                    signalled += 2;
                    ctx.send(to, history.get(history.size() - 1 - pick));
                }
            }
        };
    }
}
