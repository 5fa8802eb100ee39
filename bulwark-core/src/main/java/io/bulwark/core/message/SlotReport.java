package io.bulwark.core.message;

/**
 * One acceptor's account of one slot in a {@link ViewChange}: its latest vote, and the
 * highest commit certificate it holds with that certificate's batch.
 *
 * @param vote    latest vote, or null if it never accepted anything for the slot
 * @param commit  highest commit certificate held, or null
 * @param commitBatch the certified batch; null exactly when {@code commit} is null
 */
public record SlotReport(long slot, Vote vote, CommitCertificate commit, Batch commitBatch) {
    public SlotReport {
        Sequences.check(slot, "slot");
        if ((commit == null) != (commitBatch == null)) {
            throw new IllegalArgumentException("commit and commitBatch come together");
        }
        if (commit != null && commit.slot() != slot) throw new IllegalArgumentException("certificate for another slot");
        if (vote == null && commit == null) throw new IllegalArgumentException("an empty report is omitted, not sent");
    }
}
