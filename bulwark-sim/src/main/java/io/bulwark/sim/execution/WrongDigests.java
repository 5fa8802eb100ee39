package io.bulwark.sim.execution;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.ExecutionCheckpoint;
import io.bulwark.core.message.Message;
import io.bulwark.sim.ExecutionFault;
import io.bulwark.sim.FaultyExecutor;

/** Signs checkpoints for states it does not have, and claims checkpoints far ahead. */
public final class WrongDigests implements ExecutionFault {
    @Override
    public String name() {
        return "wrong-digests";
    }

    @Override
    public String description() {
        return "Signs execution checkpoints with random digests, and for slots it never reached, to mislead flow control and state transfer.";
    }

    @Override
    public FaultyExecutor create(FaultyExecutor.Context context) {
        return new TamperingExecutor(context) {
            @Override
            protected void tamper(Principal to, Message m) {
                if (m instanceof ExecutionCheckpoint c) {
                    byte[] d = new byte[Digest.LENGTH];
                    ctx.random().nextBytes(d);
                    Digest digest = new Digest(Bytes.wrapOwned(d));
                    long slot = ctx.random().nextBoolean() ? c.slot() : c.slot() + 64L * (1 + ctx.random().nextInt(4));
                    ctx.send(to, new ExecutionCheckpoint(c.sender(), slot, digest,
                            ctx.signer().sign(WireCodec.executionCheckpointSignedBytes(c.sender(), slot, digest))));
                    return;
                }
                ctx.send(to, m);
            }
        };
    }
}
