package io.bulwark.execution;

import io.bulwark.core.bytes.Bytes;
import java.util.Objects;

/**
 * The last reply to one client: its request's timestamp, the slot it executed in, and the
 * result. Part of the checkpointed state, so exactly-once survives state transfer and restarts.
 */
public record CachedReply(long timestamp, long slot, Bytes result) {
    public CachedReply {
        Objects.requireNonNull(result, "result");
        if (timestamp < 0 || slot < 0) throw new IllegalArgumentException("negative timestamp or slot");
    }
}
