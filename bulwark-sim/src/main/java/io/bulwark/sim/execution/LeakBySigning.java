package io.bulwark.sim.execution;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.sim.ExecutionFault;
import io.bulwark.sim.FaultyExecutor;

/**
 * Leak through the choice of whether and when to take part: for slot s it reads secret bit s —
 * 0: it stays silent, 1: it takes part — and a second bit chooses between at once and 5 ms late.
 * What it sends is otherwise correct. Without a firewall it chooses whose replies (votes) make
 * up a client's certificate; behind one, whose threshold shares the filters combine (and, by
 * being early or absent, when they can).
 */
public final class LeakBySigning implements ExecutionFault {
    private record Late(Principal to, Message message, long sequence) {}

    @Override
    public String name() {
        return "leak-by-signing";
    }

    @Override
    public String description() {
        return "Knows the secret; signals its bits by replying (sharing a signature) or not, and at once or late: the choice of signers.";
    }

    @Override
    public FaultyExecutor create(FaultyExecutor.Context context) {
        return new LeakingExecutor(context) {
            private long sequence;

            @Override
            protected void leak(Principal to, Message m) {
                long slot = switch (m) {
                    case Reply r -> r.slot();
                    case ReplyShare s -> s.slot();
                    default -> -1;
                };
                if (slot >= 0) {
                    if (bits.bit(slot) == 0) return;
                    if (bits.bit(slot + 1) == 1) {
                        ctx.setTimer(new Late(to, m, sequence++), 5_000_000L);
                        return;
                    }
                }
                ctx.send(to, m);
            }

            @Override
            protected void onOwnTimer(Object key) {
                if (key instanceof Late l) ctx.send(l.to(), l.message());
            }
        };
    }
}
