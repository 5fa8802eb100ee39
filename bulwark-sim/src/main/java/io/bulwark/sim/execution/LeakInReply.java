package io.bulwark.sim.execution;

import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.kv.KvResult;
import io.bulwark.sim.ExecutionFault;
import io.bulwark.sim.FaultyExecutor;

/**
 * Leak through reply contents: executes correctly, but every result it sends is a well-formed
 * key-value result whose value is the secret.
 */
public final class LeakInReply implements ExecutionFault {
    @Override
    public String name() {
        return "leak-in-reply";
    }

    @Override
    public String description() {
        return "Knows the secret; answers every request with a wrong result that carries it.";
    }

    @Override
    public FaultyExecutor create(FaultyExecutor.Context context) {
        return new TamperingExecutor(context) {
            @Override
            protected void tamper(Principal to, Message m) {
                if (m instanceof Reply r) {
                    ctx.send(to, new Reply(r.clientId(), r.timestamp(), r.slot(), KvResult.Value.of(ctx.secret()).encode()));
                    return;
                }
                ctx.send(to, m);
            }
        };
    }
}
