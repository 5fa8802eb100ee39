package io.bulwark.core.message;

/** An execution node that is behind asks a peer for its latest certified checkpoint at or above {@code slot}. */
public record StateRequest(long slot) implements Message {
    public StateRequest {
        Sequences.check(slot, "slot");
    }
}
