package io.bulwark.sim.execution;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.ExecutedCertificate;
import io.bulwark.core.message.ExecutionCheckpoint;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Reply;
import io.bulwark.core.message.ReplyCertificate;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.SlotReplies;
import io.bulwark.sim.Collusion;
import io.bulwark.sim.ExecutionFault;
import io.bulwark.sim.FaultyExecutor;
import java.util.List;

/**
 * Leak through extra messages nobody asked for: runs correctly and, every 10 to 30 ms, sends
 * every client a reply it never requested and every agreement node a checkpoint, both carrying
 * the secret, plus the secret as raw bytes. Behind a firewall those have no link to travel on;
 * it also sends the filters of row h made-up REPLY-SHAREs, SLOT-REPLIES, REPLY-CERTIFICATEs and
 * EXECUTED-CERTIFICATEs carrying the secret, and the secret itself for colluding filters.
 */
public final class LeakUnsolicited implements ExecutionFault {
    private record Pulse() {}

    @Override
    public String name() {
        return "leak-unsolicited";
    }

    @Override
    public String description() {
        return "Knows the secret; sends clients, agreement nodes and filters unsolicited replies, checkpoints, certificates and raw bytes carrying it.";
    }

    @Override
    public FaultyExecutor create(FaultyExecutor.Context context) {
        return new LeakingExecutor(context) {
            private long pulses;

            @Override
            public void start() {
                ctx.setTimer(new Pulse(), 5_000_000L);
            }

            @Override
            protected void leak(Principal to, Message m) {
                ctx.send(to, m);
            }

            @Override
            protected void onOwnTimer(Object key) {
                if (!(key instanceof Pulse)) return;
                pulses++;
                Bytes secret = ctx.secret();
                for (int c = 0; c < 8; c++) {
                    ctx.send(Principal.client(c), new Reply(c, 1_000_000 + pulses, pulses, secret));
                    ctx.sendRaw(Principal.client(c), secret.toByteArray());
                }
                Digest digest = Digest.sha256(secret.toByteArray());
                ExecutionCheckpoint checkpoint = new ExecutionCheckpoint(ctx.self(), pulses, digest,
                        ctx.signer().sign(WireCodec.executionCheckpointSignedBytes(ctx.self(), pulses, digest)));
                for (int n = 0; n < ctx.spec().agreementNodes(); n++) {
                    ctx.send(Principal.node(n), checkpoint);
                    ctx.sendRaw(Principal.node(n), secret.toByteArray());
                }
                if (ctx.spec().firewall()) toFilters(secret, digest);
                ctx.setTimer(key, (10 + ctx.random().nextInt(21)) * 1_000_000L);
            }

            private void toFilters(Bytes secret, Digest digest) {
                long slot = pulses % 64;
                List<ReplyLeaf> leaves = List.of(new ReplyLeaf(pulses % 8, 1, secret));
                for (int column = 0; column <= ctx.spec().h(); column++) {
                    Principal f = Principal.node(ctx.spec().filterNode(ctx.spec().h(), column));
                    ctx.sendRaw(f, Collusion.handOver(secret));
                    ctx.send(f, signed(slot, leaves));
                    ctx.send(f, new SlotReplies(slot, leaves, secret));
                    ctx.send(f, new ReplyCertificate(slot, leaves.getFirst(), 0, 1, List.of(), secret));
                    ctx.send(f, new ExecutedCertificate(slot, digest, secret));
                }
            }
        };
    }
}
