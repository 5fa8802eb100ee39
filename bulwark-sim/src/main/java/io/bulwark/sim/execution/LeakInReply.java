package io.bulwark.sim.execution;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.kv.KvResult;
import io.bulwark.sim.ExecutionFault;
import io.bulwark.sim.FaultyExecutor;
import java.util.ArrayList;
import java.util.List;

/**
 * Leak through reply contents: executes correctly, but every result it sends is a well-formed
 * key-value result whose value is the secret. Behind a firewall: every leaf of its REPLY-SHAREs
 * carries that result, properly sealed to the client, under a valid share of its own.
 */
public final class LeakInReply implements ExecutionFault {
    @Override
    public String name() {
        return "leak-in-reply";
    }

    @Override
    public String description() {
        return "Knows the secret; answers every request with a wrong result that carries it (sealed and share-signed behind a firewall).";
    }

    @Override
    public FaultyExecutor create(FaultyExecutor.Context context) {
        return new LeakingExecutor(context) {
            @Override
            protected void leak(Principal to, Message m) {
                Bytes result = KvResult.Value.of(ctx.secret()).encode();
                switch (m) {
                    case Reply r -> ctx.send(to, new Reply(r.clientId(), r.timestamp(), r.slot(), result));
                    case ReplyShare s -> {
                        List<ReplyLeaf> leaves = new ArrayList<>();
                        for (ReplyLeaf l : s.replies()) {
                            leaves.add(new ReplyLeaf(l.clientId(), l.timestamp(), sealedSecret(l.clientId(), l.timestamp(), result)));
                        }
                        ctx.send(to, signed(s.slot(), leaves));
                    }
                    default -> ctx.send(to, m);
                }
            }
        };
    }
}
