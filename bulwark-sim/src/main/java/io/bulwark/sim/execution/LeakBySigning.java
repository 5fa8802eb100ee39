package io.bulwark.sim.execution;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.sim.ExecutionFault;
import io.bulwark.sim.FaultyExecutor;

/**
 * Leak through the choice of whether and when to take part: for the reply to slot s it reads
 * secret bit s — 0: it stays silent, 1: it replies — and a second bit chooses between replying
 * at once and 5 ms late. Its replies are otherwise correct: all it chooses is whose signatures
 * (votes) make up the certificate, and when.
 */
public final class LeakBySigning implements ExecutionFault {
    private record Late(Principal to, Message message, long sequence) {}

    @Override
    public String name() {
        return "leak-by-signing";
    }

    @Override
    public String description() {
        return "Knows the secret; signals its bits by replying or not, and at once or late (the choice of signers).";
    }

    @Override
    public FaultyExecutor create(FaultyExecutor.Context context) {
        return new TamperingExecutor(context) {
            private final SecretBits bits = new SecretBits(ctx.secret());
            private long sequence;

            @Override
            protected void tamper(Principal to, Message m) {
                if (m instanceof Reply r) {
                    if (bits.bit(r.slot()) == 0) return;
                    if (bits.bit(r.slot() + 1) == 1) {
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
