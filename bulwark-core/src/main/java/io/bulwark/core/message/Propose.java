package io.bulwark.core.message;

import java.util.Objects;

/** Leader → acceptors (and learners): take {@code batch} for {@code slot} under proposal number {@code pn}. */
public record Propose(long pn, long slot, Batch batch) implements Message {
    public Propose {
        Objects.requireNonNull(batch, "batch");
        Sequences.check(pn, "pn");
        Sequences.check(slot, "slot");
    }
}
