package io.bulwark.execution;

import io.bulwark.core.bytes.Bytes;
import java.util.Objects;

/**
 * Facts an execution node writes durably before sending the messages that depend on them.
 * {@link ExecutionNode#recover} restarts from the latest one; slots after it are learned again
 * from the agreement cluster and re-executed (deterministically, so with the same results).
 * A host may discard every record older than the latest one it has durably written.
 */
public sealed interface ExecutionPersisted {
    /**
     * The node's state after executing every slot up to and including {@code slot}: an
     * {@link ExecutionState} encoding, the very bytes whose SHA-256 the node signed in its
     * ExecutionCheckpoint (or the bytes it restored by state transfer).
     */
    record Checkpoint(long slot, Bytes state) implements ExecutionPersisted {
        public Checkpoint {
            Objects.requireNonNull(state, "state");
            if (slot < 0) throw new IllegalArgumentException("slot < 0");
        }
    }
}
