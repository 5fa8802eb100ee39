package io.bulwark.execution;

import io.bulwark.agreement.FabLearner;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Commit;
import io.bulwark.core.message.Decided;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.NewView;
import io.bulwark.core.message.Proposal;
import io.bulwark.core.message.Propose;
import io.bulwark.core.step.Outbox;

/**
 * Without a firewall: the execution node is a FaB learner fed directly by the acceptors
 * (a − t matching ACCEPTED, 2f + t + 1 COMMIT, or f + 1 DECIDED), with bodies from PROPOSE,
 * NEW-VIEW or DECIDED, believed only once a learned digest matches.
 */
final class LearnerDecisions implements DecisionSource {
    private final FabLearner learner;
    private final int agreementNodes;
    private final int self;
    private long ignoredMessages;

    LearnerDecisions(FabLearner learner, int agreementNodes, int self) {
        this.learner = learner;
        this.agreementNodes = agreementNodes;
        this.self = self;
    }

    @Override
    public void onMessage(int from, Message m, Outbox out) {
        switch (m) {
            case Accepted a -> learner.onAccepted(from, a, out);
            case Commit c -> learner.onCommit(from, c, out);
            case Decided d -> learner.onDecided(from, d, out);
            // A proposal is not evidence of a gap: only decisions are (see FabLearner.checkGap).
            case Propose p -> learner.onBody(p.slot(), p.batch(), out);
            case NewView nv -> {
                for (Proposal p : nv.proposals()) learner.onBody(p.slot(), p.batch(), out);
            }
            default -> ignoredMessages++;
        }
    }

    @Override
    public long nextSlot() {
        return learner.nextSlot();
    }

    @Override
    public Digest logHash() {
        return learner.logHash();
    }

    @Override
    public void jumpTo(long slot, Digest logHash) {
        learner.jumpTo(slot, logHash);
    }

    @Override
    public void jumpTo(long slot, Digest logHash, Outbox out) {
        learner.jumpTo(slot, logHash, out);
    }

    @Override
    public void noteSlotExists(long slot) {
        learner.noteSlotExists(slot);
    }

    @Override
    public void requestProbe() {
        learner.requestProbe();
    }

    @Override
    public void heartbeat(Outbox out) {
        learner.checkGap(agreementNodes, self, out);
    }

    @Override
    public long ignoredMessages() {
        return ignoredMessages + learner.ignoredMessages();
    }
}
