package io.bulwark.sim.execution;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.sim.ExecutionFault;
import io.bulwark.sim.FaultyExecutor;

/** Executes correctly but answers clients with wrong results (and sometimes the wrong slot). */
public final class WrongResults implements ExecutionFault {
    @Override
    public String name() {
        return "wrong-results";
    }

    @Override
    public String description() {
        return "Runs the store correctly but sends clients forged results: random bytes, other clients' results, wrong slots.";
    }

    @Override
    public FaultyExecutor create(FaultyExecutor.Context context) {
        return new TamperingExecutor(context) {
            private Bytes previous = Bytes.EMPTY;

            @Override
            protected void tamper(Principal to, Message m) {
                if (m instanceof Reply r) {
                    Bytes forged = switch (ctx.random().nextInt(3)) {
                        case 0 -> previous; // a result that belongs to someone else
                        case 1 -> randomBytes(1 + ctx.random().nextInt(24));
                        default -> r.result();
                    };
                    long slot = ctx.random().nextInt(4) == 0 ? r.slot() + 1 : r.slot();
                    previous = r.result();
                    ctx.send(to, new Reply(r.clientId(), r.timestamp(), slot, forged.equals(r.result()) && slot == r.slot()
                            ? randomBytes(8) : forged));
                    return;
                }
                ctx.send(to, m);
            }

            private Bytes randomBytes(int n) {
                byte[] b = new byte[n];
                ctx.random().nextBytes(b);
                return Bytes.wrapOwned(b);
            }
        };
    }
}
