package io.bulwark.agreement;

import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.NewView;
import io.bulwark.core.message.Proposal;
import io.bulwark.core.message.Propose;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.RequestId;
import io.bulwark.core.message.ViewChange;
import io.bulwark.core.step.Outbox;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * FaB proposer: the leader of proposal number pn is agreement node {@code pn mod a}.
 *
 * <pre>
 *   requests arrive      → queue (at most pendingRequestsMax, each (client, timestamp) once)
 *   fewer than pipelineSlots slots in flight, slot within the log window
 *                        → PROPOSE(pn, next slot, up to batchRequestsMax queued requests)
 *   became leader of pn' → collect report = a − f valid VIEW-CHANGEs for pn'; send
 *                          NEW-VIEW(pn', certificate, what {@link ProgressCertificate} forces)
 * </pre>
 *
 * Batching falls out of the pipeline: while the window is full, requests accumulate and
 * leave together in the next slot.
 */
public final class FabProposer {
    private final ClusterSpec spec;
    private final FabConfig config;
    private final int self;
    private final int[] proposeTargets;
    private final CertificateVerifier certificates;

    private long pn;
    private boolean active;
    private long nextSlot;
    private final LinkedHashMap<RequestId, Request> pending = new LinkedHashMap<>();
    private final Map<RequestId, Long> inFlightIds = new HashMap<>();
    private final TreeMap<Long, Batch> inFlight = new TreeMap<>();
    private final TreeMap<Long, Long> proposedAtNanos = new TreeMap<>();

    /**
     * The latest valid view change from each node for a pn this node leads. A NewView is built
     * from the ones for this node's own current pn, so a faulty node announcing a far-future pn
     * only spoils its own entry (it cannot make this node drop everyone else's).
     */
    private final TreeMap<Integer, ViewChange> latestViewChanges = new TreeMap<>();
    private NewView newView;

    private long droppedRequests;
    private long proposedBatches;

    /**
     * @param proposeTargets nodes that get every PROPOSE: all acceptors, plus learners outside
     *                       the agreement cluster (they need the batch bodies)
     */
    public FabProposer(ClusterSpec spec, FabConfig config, int self, int[] proposeTargets, CertificateVerifier certificates) {
        this.spec = spec;
        this.config = config;
        this.self = self;
        this.proposeTargets = proposeTargets.clone();
        this.certificates = certificates;
        this.active = spec.leaderOf(0) == self;
    }

    /** Queues a client request if this node leads; {@code delivered} says which ones are already decided. */
    public void submit(Request r, Predicate<Request> delivered) {
        RequestId id = r.id();
        if (pending.containsKey(id) || inFlightIds.containsKey(id) || delivered.test(r)) return;
        if (pending.size() >= config.pendingRequestsMax()) {
            droppedRequests++; // the client will retransmit; a bounded queue keeps memory bounded
            return;
        }
        pending.put(id, r);
    }

    /**
     * Proposes as many batches as the pipeline allows, in slots up to {@code lastSlotAllowed}
     * (the log window above the stable checkpoint, and with an execution cluster the
     * execution window above its last certified checkpoint).
     */
    public void propose(long nowNanos, long lastSlotAllowed, Predicate<Request> delivered, Outbox out) {
        if (!active) return;
        while (!pending.isEmpty() && inFlight.size() < config.pipelineSlots() && nextSlot <= lastSlotAllowed) {
            List<Request> batch = new ArrayList<>(Math.min(pending.size(), config.batchRequestsMax()));
            Iterator<Request> it = pending.values().iterator();
            while (it.hasNext() && batch.size() < config.batchRequestsMax()) {
                Request r = it.next();
                it.remove();
                if (!delivered.test(r)) batch.add(r);
            }
            if (batch.isEmpty()) return;
            long slot = nextSlot++;
            Batch b = new Batch(Math.floorDiv(nowNanos, 1_000_000L), batch);
            track(slot, b, nowNanos);
            proposedBatches++;
            Propose p = new Propose(pn, slot, b);
            for (int node : proposeTargets) out.sendToNode(node, p);
        }
    }

    private void track(long slot, Batch b, long nowNanos) {
        inFlight.put(slot, b);
        proposedAtNanos.put(slot, nowNanos);
        for (Request r : b.requests()) inFlightIds.put(r.id(), slot);
    }

    /** A slot was decided: free its pipeline place; requests this leader proposed there but lost go back in the queue. */
    public void onDelivered(long slot, Batch decided, Predicate<Request> delivered) {
        // Delivery is in slot order: nothing at or below this slot is in flight any more.
        while (!inFlight.isEmpty() && inFlight.firstKey() <= slot) {
            Batch mine = inFlight.pollFirstEntry().getValue();
            for (Request r : mine.requests()) {
                inFlightIds.remove(r.id());
                if (!delivered.test(r) && pending.size() < config.pendingRequestsMax()) pending.putIfAbsent(r.id(), r);
            }
        }
        proposedAtNanos.headMap(slot, true).clear();
        for (Request r : decided.requests()) pending.remove(r.id());
        if (slot >= nextSlot) nextSlot = slot + 1;
    }

    /** Re-sends proposals that have been in flight for longer than a heartbeat (messages may have been lost). */
    public void retransmit(long nowNanos, Outbox out) {
        if (!active) return;
        for (Map.Entry<Long, Long> e : proposedAtNanos.entrySet()) {
            if (nowNanos - e.getValue() < config.heartbeatNanos()) continue;
            Propose p = new Propose(pn, e.getKey(), inFlight.get(e.getKey()));
            for (int node : proposeTargets) out.sendToNode(node, p);
        }
    }

    /**
     * A valid view change for a pn this node will lead. Once a report quorum is in and this
     * node itself has moved to that pn, builds the NewView and returns it (else null).
     */
    public NewView onViewChange(ViewChange vc, long myAcceptorPn, boolean myAcceptorNormal) {
        if (spec.leaderOf(vc.pn()) != self) return null;
        ViewChange previous = latestViewChanges.get(vc.sender());
        if (previous == null || vc.pn() >= previous.pn()) latestViewChanges.put(vc.sender(), vc);
        return tryNewView(myAcceptorPn, myAcceptorNormal);
    }

    /** Called also when this node's own acceptor reaches the pn it collects for. */
    public NewView tryNewView(long myAcceptorPn, boolean myAcceptorNormal) {
        if (myAcceptorNormal || spec.leaderOf(myAcceptorPn) != self) return null;
        if (newView != null && newView.pn() == myAcceptorPn) return null;
        List<ViewChange> certificate = new ArrayList<>();
        for (ViewChange vc : latestViewChanges.values()) {
            if (vc.pn() == myAcceptorPn) certificate.add(vc);
        }
        if (certificate.size() < config.quorums().report()) return null;
        ProgressCertificate.Outcome o = ProgressCertificate.evaluate(myAcceptorPn, certificate, certificates, config.logWindowSlots());
        if (o == null) return null; // cannot happen with individually verified reports; stay safe anyway
        newView = new NewView(myAcceptorPn, certificate, o.proposals());
        return newView;
    }

    /** This node's acceptor entered {@code newPn}; lead it if it is ours, follow otherwise. */
    /**
     * @param deliveredUpTo this node's next slot to deliver: re-proposed slots below it are not in flight
     */
    public void enterView(long newPn, long nowNanos, long firstFreeSlot, long deliveredUpTo, List<Proposal> reproposed) {
        pn = newPn;
        active = spec.leaderOf(newPn) == self;
        // In-flight batches of an older view are not ours to retransmit any more; their
        // requests return to the queue (the new view may or may not decide them).
        for (Batch b : inFlight.values()) {
            for (Request r : b.requests()) {
                inFlightIds.remove(r.id());
                if (active && pending.size() < config.pendingRequestsMax()) pending.putIfAbsent(r.id(), r);
            }
        }
        inFlight.clear();
        proposedAtNanos.clear();
        if (!active) {
            pending.clear();
            return;
        }
        nextSlot = Math.max(firstFreeSlot, deliveredUpTo);
        for (Proposal p : reproposed) {
            nextSlot = Math.max(nextSlot, p.slot() + 1);
            if (p.slot() < deliveredUpTo) continue; // already decided here: nothing to wait for
            track(p.slot(), p.batch(), nowNanos);
            for (Request r : p.batch().requests()) pending.remove(r.id());
        }
    }

    /** A view change started: stop proposing until a NewView is accepted. */
    public void leaveView() {
        active = false;
    }

    /** The NewView this node sent for its current pn, to re-send to acceptors that missed it. */
    public NewView newViewFor(long pnWanted) {
        return newView != null && newView.pn() == pnWanted ? newView : null;
    }

    public boolean isActive() {
        return active;
    }

    public int inFlightSlots() {
        return inFlight.size();
    }

    public int pendingRequests() {
        return pending.size();
    }

    public long droppedRequests() {
        return droppedRequests;
    }

    public long proposedBatches() {
        return proposedBatches;
    }

    public long nextSlot() {
        return nextSlot;
    }
}
