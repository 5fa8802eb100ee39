package io.bulwark.agreement;

import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Firewall mode, agreement side: what one row-0 filter has acknowledged — the slots whose
 * EXECUTED-CERTIFICATE came back from it (or that this node gave up re-sending), how often each
 * other slot was re-sent to it, and the incarnation it last announced. Unverified: a filter's word
 * only decides what is re-sent to that filter itself. Bounded: acknowledgements are kept at most
 * {@code horizonSlots} beyond the acknowledged prefix, re-send counts only above it.
 */
final class FilterAcknowledgements {
    private final long horizonSlots;
    /** Every slot up to this one is acknowledged. */
    private long through = -1;
    /** Acknowledged slots above {@link #through}. */
    private final TreeSet<Long> above = new TreeSet<>();
    /** Re-sends so far of unacknowledged slots above {@link #through}. */
    private final TreeMap<Long, Integer> resends = new TreeMap<>();
    private long incarnation;
    private boolean incarnationKnown;
    /** Where the next re-send round goes on (downwards): one round's budget must not keep meeting the same slots. */
    private long resumeBelow = Long.MAX_VALUE;

    FilterAcknowledgements(long horizonSlots) {
        this.horizonSlots = horizonSlots;
    }

    long through() {
        return through;
    }

    boolean isAcknowledged(long slot) {
        return slot <= through || above.contains(slot);
    }

    void acknowledge(long slot) {
        if (slot <= through || slot > through + horizonSlots) return;
        above.add(slot);
        resends.remove(slot);
        advance();
    }

    /** Slots below {@code first} are no longer retained here: nothing to re-send for them. */
    void giveUpBelow(long first) {
        if (through >= first - 1) return;
        through = first - 1;
        above.headSet(first).clear();
        advance();
    }

    /** After a restart of this node: what it delivered counts as acknowledged (the filters had it, or get it from the others). */
    void assumeThrough(long slot) {
        through = Math.max(through, slot);
        advance();
    }

    /** The slot the next re-send round starts below: where the last one stopped, or {@code below} once it reached the bottom. */
    long resumeBelow(long below) {
        return resumeBelow <= through + 1 ? below : Math.min(resumeBelow, below);
    }

    void resumeBelowNextRound(long slot) {
        resumeBelow = slot;
    }

    /** Counts one more re-send of {@code slot}; false once it has had {@code max}. */
    boolean mayResend(long slot, int max) {
        return resends.merge(slot, 1, Integer::sum) <= max;
    }

    /**
     * The filter announced {@code value}. A new incarnation (or the first this node hears) holds
     * nothing it was sent before: every acknowledgement is forgotten. True if it replaced an
     * earlier one (the filter restarted).
     */
    boolean announce(long value) {
        if (incarnationKnown && incarnation == value) return false;
        boolean restarted = incarnationKnown;
        incarnationKnown = true;
        incarnation = value;
        through = -1;
        above.clear();
        resends.clear();
        resumeBelow = Long.MAX_VALUE;
        return restarted;
    }

    private void advance() {
        while (!above.isEmpty() && above.first() == through + 1) through = above.pollFirst();
        above.headSet(through, true).clear();
        resends.headMap(through, true).clear();
    }
}
