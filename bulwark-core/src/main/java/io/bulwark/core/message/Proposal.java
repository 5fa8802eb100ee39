package io.bulwark.core.message;

import java.util.Objects;

/** One slot's value in a {@link NewView}. */
public record Proposal(long slot, Batch batch) {
    public Proposal {
        Objects.requireNonNull(batch, "batch");
        Sequences.check(slot, "slot");
    }
}
