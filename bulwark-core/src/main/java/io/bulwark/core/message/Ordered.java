package io.bulwark.core.message;

import java.util.List;
import java.util.Objects;

/**
 * Firewall mode, travelling up: {@code batch} was decided in {@code slot}, with {@code proof}
 * signatures of agreement nodes over (slot, batch digest). Agreement node → filter row 0 carries
 * the sender's own signature only; a filter that holds f+1 from distinct agreement nodes sends
 * them on to the next row up (row h: to the execution nodes), which check them again.
 */
public record Ordered(long slot, Batch batch, List<DecisionSignature> proof) implements Message {
    public Ordered {
        Objects.requireNonNull(batch, "batch");
        Sequences.check(slot, "slot");
        proof = List.copyOf(proof);
        if (proof.size() > WireLimits.NODES_MAX) throw new IllegalArgumentException("proof too large");
    }
}
