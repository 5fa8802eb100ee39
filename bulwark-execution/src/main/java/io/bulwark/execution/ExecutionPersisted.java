package io.bulwark.execution;

import io.bulwark.core.bytes.Bytes;
import io.bulwark.core.message.ReplyShare;
import java.util.List;
import java.util.Objects;

/**
 * Facts an execution node writes durably before sending the messages that depend on them.
 * {@link ExecutionNode#recover} restarts from the latest readable {@link Checkpoint}; slots after
 * it are learned again (from the agreement cluster, or in firewall mode from the filters) and
 * re-executed, deterministically, so with the same results, the same sealed replies and the same
 * threshold signature shares. A host may discard every record older than the latest checkpoint
 * it has durably written, together with the {@link ReplyShares} of the same slot.
 */
public sealed interface ExecutionPersisted {
    /**
     * The node's state after executing every slot up to and including {@code slot}: an
     * {@link ExecutionState} encoding, the very bytes whose SHA-256 the node signed in its
     * ExecutionCheckpoint (or the bytes it restored by state transfer). Exactly-once survives a
     * restart through the reply cache inside it.
     */
    record Checkpoint(long slot, Bytes state) implements ExecutionPersisted {
        public Checkpoint {
            Objects.requireNonNull(state, "state");
            if (slot < 0) throw new IllegalArgumentException("slot < 0");
        }
    }

    /**
     * Firewall mode, written in the same step as the {@link Checkpoint} of {@code slot}: this
     * node's REPLY-SHAREs of the slots since the previous checkpoint ((slot − K, slot], those it
     * still retains). Slots after a checkpoint are re-executed after a restart and so give their
     * shares again; these are the ones that would otherwise be lost, so that a restarted node can
     * still answer a filter's nudge for them and re-send its latest share on heartbeats.
     */
    record ReplyShares(long slot, List<ReplyShare> shares) implements ExecutionPersisted {
        public ReplyShares {
            shares = List.copyOf(shares);
            if (slot < 0) throw new IllegalArgumentException("slot < 0");
        }
    }
}
