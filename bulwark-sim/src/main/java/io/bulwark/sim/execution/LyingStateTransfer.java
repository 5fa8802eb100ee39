package io.bulwark.sim.execution;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.message.ExecutionCheckpoint;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.StateRequest;
import io.bulwark.core.message.StateSnapshot;
import io.bulwark.sim.ExecutionFault;
import io.bulwark.sim.FaultyExecutor;
import java.util.ArrayList;
import java.util.List;

/**
 * Lies during state transfer: answers (and volunteers) snapshots of made-up state, backed by
 * its own valid signature and borrowed or bogus ones from others, and asks peers for state to
 * make them work.
 */
public final class LyingStateTransfer implements ExecutionFault {
    @Override
    public String name() {
        return "lying-state-transfer";
    }

    @Override
    public String description() {
        return "Serves and volunteers snapshots of invented state with a certificate of its own signature plus replayed or bogus ones.";
    }

    @Override
    public FaultyExecutor create(FaultyExecutor.Context context) {
        return new TamperingExecutor(context) {
            private final List<ExecutionCheckpoint> seen = new ArrayList<>();

            @Override
            public void onMessage(Principal from, Message message) {
                if (message instanceof ExecutionCheckpoint c && seen.size() < 64) seen.add(c);
                if (message instanceof StateRequest q && from.kind() == Principal.Kind.NODE) {
                    ctx.send(from, forged(q.slot() + 1 + ctx.random().nextInt(128)));
                    return;
                }
                super.onMessage(from, message);
                if (ctx.random().nextInt(50) == 0) volunteer();
            }

            private void volunteer() {
                int first = ctx.spec().agreementNodes();
                int peer = first + ctx.random().nextInt(ctx.spec().executionNodes());
                if (peer != ctx.self()) ctx.send(Principal.node(peer), forged(ctx.random().nextInt(512)));
                if (ctx.random().nextBoolean()) ctx.send(Principal.node(peer), new StateRequest(0));
            }

            private StateSnapshot forged(long slot) {
                byte[] state = new byte[16 + ctx.random().nextInt(64)];
                ctx.random().nextBytes(state);
                Digest digest = Digest.sha256(state);
                List<ExecutionCheckpoint> certificate = new ArrayList<>();
                certificate.add(new ExecutionCheckpoint(ctx.self(), slot, digest,
                        ctx.signer().sign(WireCodec.executionCheckpointSignedBytes(ctx.self(), slot, digest))));
                for (ExecutionCheckpoint c : seen) {
                    // Others' real signatures, but over their own digests: they cannot vouch for this state.
                    if (certificate.size() > ctx.spec().g() + 1) break;
                    certificate.add(new ExecutionCheckpoint(c.sender(), slot, digest, c.signature()));
                }
                return new StateSnapshot(slot, Bytes.wrapOwned(state), certificate);
            }
        };
    }
}
