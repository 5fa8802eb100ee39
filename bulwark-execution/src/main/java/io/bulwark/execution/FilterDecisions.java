package io.bulwark.execution;

import io.bulwark.agreement.OrderedLog;
import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.codec.WireCodec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.crypto.Principal;
import io.bulwark.core.crypto.SignatureVerifier;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.DecisionSignature;
import io.bulwark.core.message.Message;
import io.bulwark.core.message.Ordered;
import io.bulwark.core.message.WireLimits;
import io.bulwark.core.step.Outbox;
import java.util.BitSet;

/**
 * Firewall mode (docs/firewall.md): decided slots arrive as ORDERED(slot, batch, proof) from the
 * filters of row h, which the caller has checked the sender is.
 *
 * <pre>
 *   proof = f + 1 valid signatures of distinct agreement nodes on decisionSignedBytes(slot, digest(batch))
 *                                      → one signer is correct: batch was decided in slot; buffered
 *                                        (within trackedSlots of the next slot) and delivered in order
 *   anything else (fewer, a non-agreement or repeated signer, a signature that does not verify,
 *   one on another digest)             → dropped and counted; the node is not harmed
 *   a heartbeat with a gap, or no delivery since the last one
 *                                      → DECISION-QUERY(next slot, count) to every row-h filter
 * </pre>
 *
 * A slot already buffered is not checked again (h + 1 filters each send it). Checking a proof
 * costs at most f + 1 signature verifications: the first bad one ends it.
 */
final class FilterDecisions implements DecisionSource {
    private final int proofSize;
    private final int agreementNodes;
    private final SignatureVerifier signatures;
    private final OrderedLog log;
    private final int firstFilter;
    private final int filters;

    private long highestSlotSeen = -1;
    private long nextSlotAtLastHeartbeat = -1;
    private boolean probeRequested;

    private long orderedAccepted;
    private long orderedRejected;
    private long decisionQueriesSent;
    private long ignoredMessages;

    /**
     * @param proofSize f + 1 (the simulator may pass a mutated size)
     * @param window    slots above the next one that are buffered
     */
    FilterDecisions(ClusterSpec spec, int proofSize, SignatureVerifier signatures, int window, OrderedLog.Listener listener) {
        this.proofSize = proofSize;
        this.agreementNodes = spec.agreementNodes();
        this.signatures = signatures;
        this.log = new OrderedLog(window, 1, listener);
        this.firstFilter = spec.filterNode(spec.h(), 0);
        this.filters = spec.filterRows();
    }

    @Override
    public void onMessage(int from, Message m, Outbox out) {
        if (!(m instanceof Ordered o)) {
            ignoredMessages++;
            return;
        }
        if (!log.inWindow(o.slot()) || log.holds(o.slot())) {
            ignoredMessages++; // already delivered or buffered (every filter of the row sends it), or too far ahead
            return;
        }
        if (!proves(o)) {
            orderedRejected++;
            return;
        }
        orderedAccepted++;
        highestSlotSeen = Math.max(highestSlotSeen, o.slot());
        log.offer(o.slot(), o.batch(), out);
    }

    /** Whether the proof holds f + 1 valid signatures of distinct agreement nodes on (slot, digest of the batch). */
    private boolean proves(Ordered o) {
        if (o.proof().size() < proofSize) return false;
        BitSet signers = new BitSet();
        for (DecisionSignature s : o.proof()) {
            if (s.sender() < 0 || s.sender() >= agreementNodes || signers.get(s.sender())) return false;
            signers.set(s.sender());
        }
        byte[] statement = WireCodec.decisionSignedBytes(o.slot(), o.batch().digest());
        int valid = 0;
        for (DecisionSignature s : o.proof()) {
            if (valid == proofSize) break;
            if (!signatures.verify(Principal.node(s.sender()), statement, s.signature())) return false;
            valid++;
        }
        return valid == proofSize;
    }

    @Override
    public void heartbeat(Outbox out) {
        long next = log.nextSlot();
        boolean idle = next == nextSlotAtLastHeartbeat;
        nextSlotAtLastHeartbeat = next;
        boolean gap = log.bufferedSlots() > 0 || highestSlotSeen >= next;
        if (!idle && !gap && !probeRequested) return;
        probeRequested = false;
        // With later slots buffered, ask for the missing run only; otherwise for whatever exists.
        long wanted = log.bufferedSlots() > 0 ? log.lowestBuffered() - next : log.windowSlots();
        int count = (int) Math.max(1, Math.min(WireLimits.QUERY_SLOTS_MAX, wanted));
        DecisionQuery q = new DecisionQuery(next, count);
        for (int c = 0; c < filters; c++) out.sendToNode(firstFilter + c, q);
        decisionQueriesSent++;
    }

    @Override
    public long nextSlot() {
        return log.nextSlot();
    }

    @Override
    public Digest logHash() {
        return log.logHash();
    }

    @Override
    public void jumpTo(long slot, Digest logHash) {
        log.jumpTo(slot, logHash);
    }

    @Override
    public void jumpTo(long slot, Digest logHash, Outbox out) {
        log.jumpTo(slot, logHash, out);
    }

    @Override
    public void noteSlotExists(long slot) {
        highestSlotSeen = Math.max(highestSlotSeen, slot);
    }

    @Override
    public void requestProbe() {
        probeRequested = true;
    }

    @Override
    public long ignoredMessages() {
        return ignoredMessages;
    }

    long orderedAccepted() {
        return orderedAccepted;
    }

    long orderedRejected() {
        return orderedRejected;
    }

    long decisionQueriesSent() {
        return decisionQueriesSent;
    }
}
