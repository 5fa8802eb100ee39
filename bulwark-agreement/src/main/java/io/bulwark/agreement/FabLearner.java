package io.bulwark.agreement;

import io.bulwark.core.cluster.FabQuorums;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.Accepted;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Commit;
import io.bulwark.core.message.Decided;
import io.bulwark.core.message.DecisionQuery;
import io.bulwark.core.message.WireLimits;
import io.bulwark.core.step.Outbox;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * FaB learner (Martin and Alvisi, "Fast Byzantine Consensus", TDSC 2006), for a log of slots.
 *
 * <pre>
 *   fast path:  learn v for slot s on {@code fast = a − t} matching ACCEPTED(pn, s, v)    (two message delays)
 *   slow path:  learn v on {@code commit = 2f + t + 1} matching COMMIT(pn, s, v)
 *   catch-up:   learn v on {@code proof = f + 1} matching DECIDED(s, v) from distinct acceptors
 * </pre>
 *
 * Each acceptor counts once per (slot, pn): a second, different ACCEPTED from it is ignored.
 * A learned batch whose body is known (from the leader's PROPOSE, a NewView, or a DECIDED, each
 * checked against the learned digest) goes to the {@link OrderedLog}, which delivers strictly in
 * slot order and keeps the hash chain and the retained batches.
 *
 * <p>Stands alone: agreement nodes embed it, and execution nodes run it fed directly by
 * acceptors. It only tracks slots in {@code [nextSlot, nextSlot + trackedSlots)}, so faulty
 * acceptors cannot make it hold state for arbitrary slots.
 */
public final class FabLearner {
    /** Told about every delivered slot, in order. */
    public interface Listener extends OrderedLog.Listener {}

    private static final int BODIES_PER_SLOT_MAX = 8;

    private final FabQuorums quorums;
    private final int trackedSlots;
    /** Learned slots with their bodies, delivered in order; its retained batches answer DECISION-QUERY. */
    private final OrderedLog log;

    private long highestSlotSeen = -1;
    /** Slots being learned: not yet handed to {@link #log}. */
    private final TreeMap<Long, SlotLearning> slots = new TreeMap<>();

    // Progress tracking for catch-up: what nextSlot was at the last gap check, and for how many checks.
    private long nextSlotAtLastCheck = -1;
    private int idleChecks;
    private int stuckChecks;
    private boolean probeRequested;
    private int queryCooldown;
    private static final int QUERY_COOLDOWN_CHECKS = 4;
    private static final int IDLE_CHECKS_BEFORE_PROBE = 32;
    private static final int PROBE_SLOTS = 64;

    // Counters, read by hosts for metrics and by tests.
    private long learnedFast;
    private long learnedSlow;
    private long learnedFromPeers;
    private long ignoredMessages;

    public FabLearner(FabQuorums quorums, int trackedSlots, int retainedSlots, Listener listener) {
        if (trackedSlots < 1 || trackedSlots > WireLimits.REPORT_SLOTS_MAX) throw new IllegalArgumentException("trackedSlots");
        this.quorums = quorums;
        this.trackedSlots = trackedSlots;
        this.log = new OrderedLog(trackedSlots, retainedSlots, listener);
    }

    private static final class SlotLearning {
        final Map<Long, Votes> acceptedByPn = new HashMap<>();
        final Map<Long, Votes> commitsByPn = new HashMap<>();
        final Votes decidedReports = new Votes();
        final Map<Digest, Batch> bodies = new HashMap<>();
        Digest learned;
        /** Which path learned it, for metrics: 0 fast, 1 slow, 2 peers. */
        int path = -1;
    }

    /** Distinct senders per value within one (slot, pn): each sender counts once. */
    private static final class Votes {
        final BitSet senders = new BitSet();
        final Map<Digest, BitSet> byDigest = new HashMap<>();

        /** Records the vote; returns how many distinct senders now back {@code d}, or 0 if ignored. */
        int add(int sender, Digest d) {
            if (senders.get(sender)) return 0;
            senders.set(sender);
            BitSet b = byDigest.computeIfAbsent(d, x -> new BitSet());
            b.set(sender);
            return b.cardinality();
        }
    }

    // ---------------------------------------------------------------- inputs

    public void onAccepted(int from, Accepted m, Outbox out) {
        SlotLearning s = track(from, m.slot());
        if (s == null || s.learned != null) return;
        int n = s.acceptedByPn.computeIfAbsent(m.pn(), x -> new Votes()).add(from, m.digest());
        if (n >= quorums.fast()) learn(m.slot(), s, m.digest(), 0, out);
    }

    public void onCommit(int from, Commit m, Outbox out) {
        SlotLearning s = track(from, m.slot());
        if (s == null || s.learned != null) return;
        int n = s.commitsByPn.computeIfAbsent(m.pn(), x -> new Votes()).add(from, m.digest());
        if (n >= quorums.commit()) learn(m.slot(), s, m.digest(), 1, out);
    }

    public void onDecided(int from, Decided m, Outbox out) {
        SlotLearning s = track(from, m.slot());
        if (s == null) return;
        highestSlotSeen = Math.max(highestSlotSeen, m.slot()); // a peer says it is decided: worth asking for
        Digest d = m.batch().digest();
        addBody(s, d, m.batch());
        if (s.learned == null) {
            int n = s.decidedReports.add(from, d);
            if (n >= quorums.proof()) learn(m.slot(), s, d, 2, out);
        }
        promote(m.slot(), s, out);
    }

    /**
     * A batch body for a slot from an authenticated source (the leader's PROPOSE, an accepted
     * NewView). Bodies are only believed once a learned digest matches them.
     */
    public void onBody(long slot, Batch batch, Outbox out) {
        if (!log.inWindow(slot) || log.holds(slot)) return;
        SlotLearning s = slots.computeIfAbsent(slot, x -> new SlotLearning());
        addBody(s, batch.digest(), batch);
        promote(slot, s, out);
    }

    /** Serves peers that fell behind from the retained delivered log. */
    public void onDecisionQuery(int from, DecisionQuery q, Outbox out) {
        long end = Math.min(q.fromSlot() + q.count(), log.nextSlot());
        for (long slot = Math.max(q.fromSlot(), log.retainedFirstSlot()); slot < end; slot++) {
            out.sendToNode(from, new Decided(slot, log.deliveredBatch(slot)));
        }
    }

    /**
     * Ask the peers at the next check what they decided from this learner's next slot on, without
     * claiming anything is missing (after a restart: probably something is).
     */
    public void requestProbe() {
        probeRequested = true;
    }

    /** A slot is known to be decided up to {@code slot} (a stable checkpoint): worth catching up to. */
    public void noteSlotExists(long slot) {
        highestSlotSeen = Math.max(highestSlotSeen, slot);
    }

    /**
     * Periodic check: if nothing was delivered since the last check while later slots are
     * known to exist, ask the acceptors for the decisions we are missing.
     *
     * @param acceptors agreement node ids to ask
     */
    public void checkGap(int acceptors, int self, Outbox out) {
        long nextSlot = log.nextSlot();
        boolean still = nextSlot == nextSlotAtLastCheck;
        nextSlotAtLastCheck = nextSlot;
        idleChecks = still ? idleChecks + 1 : 0;
        // A learner that missed the end of the traffic (it crashed, or was cut off until the
        // cluster went quiet) has no later message to notice the gap by: now and then, probe.
        boolean probe = idleChecks >= IDLE_CHECKS_BEFORE_PROBE || probeRequested;
        if (probe) {
            idleChecks = 0;
            probeRequested = false;
        }
        stuckChecks = still && highestSlotSeen >= nextSlot ? stuckChecks + 1 : 0;
        // Two checks in a row: a slot learned late by the ordinary path is not a gap.
        boolean stuck = stuckChecks >= 2;
        if (queryCooldown > 0 && !probe) {
            // The last query's answers may still be arriving: don't ask every peer again yet.
            queryCooldown--;
            if (still) return;
        }
        if (!stuck && !probe) return;
        queryCooldown = QUERY_COOLDOWN_CHECKS;
        long wanted = Math.max(highestSlotSeen - nextSlot + 1, probe ? PROBE_SLOTS : 1);
        int count = (int) Math.min(WireLimits.QUERY_SLOTS_MAX, Math.min(trackedSlots, wanted));
        DecisionQuery q = new DecisionQuery(nextSlot, count);
        for (int node = 0; node < acceptors; node++) {
            if (node != self) out.sendToNode(node, q);
        }
    }

    // ---------------------------------------------------------------- state

    private SlotLearning track(int from, long slot) {
        if (from < 0 || from >= quorums.acceptors()) {
            ignoredMessages++;
            return null;
        }
        if (!log.inWindow(slot)) {
            if (slot >= log.nextSlot()) ignoredMessages++;
            return null;
        }
        if (log.holds(slot)) return null; // learned already, waiting for an earlier slot
        return slots.computeIfAbsent(slot, x -> new SlotLearning());
    }

    private static void addBody(SlotLearning s, Digest d, Batch b) {
        if (s.bodies.size() < BODIES_PER_SLOT_MAX || (s.learned != null && s.learned.equals(d))) {
            s.bodies.putIfAbsent(d, b);
        }
    }

    private void learn(long slot, SlotLearning s, Digest d, int path, Outbox out) {
        // A later slot decided is what shows an earlier one is missing, not a later one proposed.
        highestSlotSeen = Math.max(highestSlotSeen, slot);
        s.learned = d;
        s.path = path;
        switch (path) {
            case 0 -> learnedFast++;
            case 1 -> learnedSlow++;
            default -> learnedFromPeers++;
        }
        // Free the vote tallies: only the learned digest and its body matter now.
        s.acceptedByPn.clear();
        s.commitsByPn.clear();
        s.bodies.keySet().removeIf(k -> !k.equals(d));
        promote(slot, s, out);
    }

    /** A learned slot whose body is known leaves the tallies for the ordered log, which delivers what is ready. */
    private void promote(long slot, SlotLearning s, Outbox out) {
        if (s.learned == null) return;
        Batch b = s.bodies.get(s.learned);
        if (b == null) return;
        slots.remove(slot);
        log.offer(slot, b, out);
    }

    /** Rebuilds delivered state from the persisted log without telling the listener again. */
    public void recoverDelivered(long slot, Batch b) {
        slots.remove(slot);
        log.recoverDelivered(slot, b);
    }

    /**
     * Skips to just after a stable checkpoint this learner cannot fill from peers (everyone
     * retained less than it is missing). Only hosts whose application state is transferred
     * separately do this; the log hash continues from the certified one.
     */
    public void jumpTo(long stableSlot, Digest stableLogHash, Outbox out) {
        if (stableSlot < log.nextSlot()) return;
        slots.headMap(stableSlot, true).clear();
        log.jumpTo(stableSlot, stableLogHash, out); // slots above it that were already learned need no further input
    }

    public void jumpTo(long stableSlot, Digest stableLogHash) {
        if (stableSlot < log.nextSlot()) return;
        slots.headMap(stableSlot, true).clear();
        log.jumpTo(stableSlot, stableLogHash);
    }

    /** The delivered batch of {@code slot} if still retained, else null. */
    public Batch deliveredBatch(long slot) {
        return log.deliveredBatch(slot);
    }

    /** Lowest delivered slot still retained (equal to {@link #nextSlot()} when none is). */
    public long retainedFirstSlot() {
        return log.retainedFirstSlot();
    }

    /** Whether a later slot is known to be decided while this learner still misses an earlier one. */
    public boolean isCatchingUp() {
        return highestSlotSeen >= log.nextSlot();
    }

    public boolean isLearned(long slot) {
        if (slot < log.nextSlot() || log.holds(slot)) return true;
        SlotLearning s = slots.get(slot);
        return s != null && s.learned != null;
    }

    /** The next slot to deliver: everything below it is delivered. */
    public long nextSlot() {
        return log.nextSlot();
    }

    /** Hash chain over delivered batch digests up to {@code nextSlot() - 1}. */
    public Digest logHash() {
        return log.logHash();
    }

    public long learnedFast() {
        return learnedFast;
    }

    public long learnedSlow() {
        return learnedSlow;
    }

    public long learnedFromPeers() {
        return learnedFromPeers;
    }

    public long ignoredMessages() {
        return ignoredMessages;
    }
}
