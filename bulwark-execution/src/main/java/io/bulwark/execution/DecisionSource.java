package io.bulwark.execution;

import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.Message;
import io.bulwark.core.step.Outbox;

/**
 * Where an execution node's decided slots come from: the FaB learner fed by the agreement nodes
 * ({@link LearnerDecisions}), or in firewall mode ORDERED from the filters next to the execution
 * cluster ({@link FilterDecisions}). Both end in an {@link io.bulwark.agreement.OrderedLog}, which
 * delivers strictly in slot order to the node; the node itself sees only this interface.
 */
interface DecisionSource {
    /** A message from a sender the node has already checked is of the right kind for this source. */
    void onMessage(int from, Message m, Outbox out);

    /** The next slot to execute. */
    long nextSlot();

    /** The hash chain over the delivered batches (part of every checkpoint). */
    Digest logHash();

    /** Continue after {@code slot} (a recovered checkpoint), delivering nothing yet. */
    void jumpTo(long slot, Digest logHash);

    /** Continue after {@code slot} (state installed by state transfer), delivering what is now ready. */
    void jumpTo(long slot, Digest logHash, Outbox out);

    /** Slots up to {@code slot} are known to be decided (a certified checkpoint): worth catching up to. */
    void noteSlotExists(long slot);

    /** Ask at the next heartbeat what was decided from the next slot on (after a restart or a state transfer). */
    void requestProbe();

    /** Periodic catch-up check. */
    void heartbeat(Outbox out);

    /** Inputs this source dropped as useless (duplicates, out of window, unexpected types). */
    long ignoredMessages();
}
