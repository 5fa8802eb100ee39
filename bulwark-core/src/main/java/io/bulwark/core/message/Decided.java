package io.bulwark.core.message;

import java.util.Objects;

/**
 * Peer → learner: {@code batch} was decided in {@code slot}. A learner that did not see the
 * decision itself learns from f+1 matching {@code Decided} (one of them is from a correct node).
 */
public record Decided(long slot, Batch batch) implements Message {
    public Decided {
        Objects.requireNonNull(batch, "batch");
        Sequences.check(slot, "slot");
    }
}
