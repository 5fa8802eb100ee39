package io.bulwark.core.message;

/** Learner → peers: tell me what was decided in slots {@code [fromSlot, fromSlot + count)}. */
public record DecisionQuery(long fromSlot, int count) implements Message {
    public DecisionQuery {
        Sequences.check(fromSlot, "fromSlot");
        if (count < 1 || count > WireLimits.QUERY_SLOTS_MAX) throw new IllegalArgumentException("count out of range");
    }
}
