package io.bulwark.sim.execution;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.ClientSeal;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.ReplyMerkleTree;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.ReplyLeaf;
import io.bulwark.core.message.ReplyShare;
import io.bulwark.sim.Collusion;
import java.util.List;

/**
 * Base of the leak strategies: a node that runs the correct protocol, knows the secret (it reads
 * its own replica), and tries to get it out. Behind a firewall it also hands the secret to any
 * faulty filter it can reach ({@link Collusion}: raw bytes to the filters of row h, now and then
 * alongside its REPLY-SHAREs), so that colluding filters can try their part.
 */
abstract class LeakingExecutor extends TamperingExecutor {
    protected final SecretBits bits;
    private long handOvers;

    LeakingExecutor(Context ctx) {
        super(ctx);
        this.bits = new SecretBits(ctx.secret());
    }

    @Override
    protected final void tamper(Principal to, Message m) {
        if (m instanceof ReplyShare && handOvers++ % 8 == 0) ctx.sendRaw(to, Collusion.handOver(ctx.secret()));
        leak(to, m);
    }

    /** What leaves when the honest core sends {@code m} to {@code to}. */
    protected abstract void leak(Principal to, Message m);

    /** {@code leaves} with a threshold share of this node on them: what a REPLY-SHARE for changed replies looks like. */
    protected ReplyShare signed(long slot, List<ReplyLeaf> leaves) {
        Bytes share = ctx.shareSigner().signShare(WireCodec.slotRepliesSignedBytes(slot, ReplyMerkleTree.root(slot, leaves)));
        return new ReplyShare(slot, leaves, share);
    }

    /** The secret as a result sealed to {@code client} for {@code timestamp} (as the client would open it), or in clear. */
    protected Bytes sealedSecret(long client, long timestamp, Bytes result) {
        return ctx.seals() == null ? result
                : ctx.seals().forClient(client).map(s -> s.seal(ClientSeal.Direction.REPLY, timestamp, result)).orElse(result);
    }
}
