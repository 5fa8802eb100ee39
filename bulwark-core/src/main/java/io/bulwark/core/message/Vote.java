package io.bulwark.core.message;

import java.util.Objects;

/** What an acceptor last accepted for a slot: the batch, under proposal number {@code pn}. */
public record Vote(long pn, Batch batch) {
    public Vote {
        Objects.requireNonNull(batch, "batch");
        Sequences.check(pn, "pn");
    }
}
