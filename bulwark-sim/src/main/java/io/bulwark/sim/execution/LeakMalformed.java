package io.bulwark.sim.execution;

import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.sim.ExecutionFault;
import io.bulwark.sim.FaultyExecutor;
import java.util.Arrays;

/**
 * Leak through malformed messages: besides each correct reply (or REPLY-SHARE), sends a broken
 * one that carries the secret — the correct encoding with the secret appended (non-canonical:
 * receivers must reject it), or cut short with the secret in place of its tail; behind a
 * firewall also a REPLY-SHARE whose share is the secret.
 */
public final class LeakMalformed implements ExecutionFault {
    @Override
    public String name() {
        return "leak-malformed";
    }

    @Override
    public String description() {
        return "Knows the secret; sends malformed copies of its replies and shares with the secret appended, spliced in, or as the share.";
    }

    @Override
    public FaultyExecutor create(FaultyExecutor.Context context) {
        return new LeakingExecutor(context) {
            @Override
            protected void leak(Principal to, Message m) {
                ctx.send(to, m);
                if (m instanceof Reply || m instanceof ReplyShare) sendMalformed(to, WireCodec.encode(m));
                if (m instanceof ReplyShare s) ctx.send(to, new ReplyShare(s.slot(), s.replies(), ctx.secret()));
            }

            private void sendMalformed(Principal to, byte[] good) {
                byte[] secret = ctx.secret().toByteArray();
                byte[] bad;
                if (ctx.random().nextBoolean()) {
                    bad = Arrays.copyOf(good, good.length + secret.length);
                    System.arraycopy(secret, 0, bad, good.length, secret.length);
                } else {
                    int keep = Math.max(2, good.length - secret.length / 2);
                    bad = Arrays.copyOf(good, keep + secret.length / 2);
                    System.arraycopy(secret, 0, bad, keep, secret.length / 2);
                }
                ctx.sendRaw(to, bad);
            }
        };
    }
}
