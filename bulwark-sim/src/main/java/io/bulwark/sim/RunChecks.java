package io.bulwark.sim;

import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.RequestId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The checkers, fed as the run goes:
 * <ul>
 *   <li><b>agreement</b>: no two correct nodes deliver different batches for one slot;</li>
 *   <li><b>validity</b>: every delivered request is one a client submitted, unaltered, at most
 *       once per batch, and every client got the slot where its request first appears in the log;</li>
 *   <li><b>liveness</b>: after GST every submitted request is answered within the bound, and
 *       every correct node delivers the whole log;</li>
 *   <li><b>fast path</b>: with a correct leader and at most t faulty nodes, after GST and after
 *       the last leader change, each slot is delivered exactly two message delays after PROPOSE.</li>
 * </ul>
 */
final class RunChecks implements RunObserver {
    private static final int VIOLATIONS_KEPT_MAX = 20;

    private final ClusterSpec spec;
    private final List<Integer> correct;
    private final long gstNanos;

    private final Map<RequestId, Request> submitted = new HashMap<>();
    private final Map<RequestId, Long> completedSlot = new HashMap<>();
    private long requestsCompleted;
    private final TreeMap<Long, Digest> decided = new TreeMap<>();
    private final TreeMap<Long, Integer> decidedBy = new TreeMap<>();
    /** The first slot each request appears in, in the canonical log. */
    private final Map<RequestId, Long> firstSlot = new HashMap<>();
    private final Map<Long, Long> proposedAt = new HashMap<>();
    /** Per slot, the delays observed at correct nodes. */
    private final Map<Long, List<Integer>> deliveryDepths = new HashMap<>();

    private final List<String> safety = new ArrayList<>();
    private final List<String> liveness = new ArrayList<>();
    private final List<String> fastPath = new ArrayList<>();

    RunChecks(ClusterSpec spec, List<Integer> correct, long gstNanos) {
        this.spec = spec;
        this.correct = List.copyOf(correct);
        this.gstNanos = gstNanos;
    }

    private static void add(List<String> list, String violation) {
        if (list.size() < VIOLATIONS_KEPT_MAX) list.add(violation);
        else if (list.size() == VIOLATIONS_KEPT_MAX) list.add("…");
    }

    @Override
    public void submitted(Request r, long now) {
        submitted.put(r.id(), r);
    }

    @Override
    public void completed(Request r, long slot, long now) {
        requestsCompleted++;
        completedSlot.put(r.id(), slot);
    }

    @Override
    public void proposed(int leader, long pn, long slot, long now, boolean everyoneInView) {
        // Only slots proposed while every correct node takes part can promise the fast path.
        if (everyoneInView) {
            proposedAt.putIfAbsent(slot, now);
        } else {
            proposedAt.put(slot, Long.MIN_VALUE);
        }
    }

    @Override
    public void delivered(int node, long slot, Batch batch, int depth, long now) {
        Digest d = batch.digest();
        Digest prior = decided.putIfAbsent(slot, d);
        if (prior == null) {
            decidedBy.put(slot, node);
            Set<RequestId> inBatch = new HashSet<>();
            for (Request r : batch.requests()) {
                Request s = submitted.get(r.id());
                if (s == null) {
                    add(safety, "validity: slot " + slot + " decided request " + r.id() + " that no client submitted");
                } else if (!s.equals(r)) {
                    add(safety, "validity: slot " + slot + " decided an altered request " + r.id());
                }
                if (!inBatch.add(r.id())) add(safety, "validity: slot " + slot + " holds request " + r.id() + " twice");
                firstSlot.putIfAbsent(r.id(), slot);
            }
        } else if (!prior.equals(d)) {
            add(safety, "agreement: slot " + slot + ": node " + decidedBy.get(slot) + " delivered " + prior
                    + " but node " + node + " delivered " + d);
        }
        deliveryDepths.computeIfAbsent(slot, s -> new ArrayList<>()).add(depth);
    }

    SimResult finish(long seed, long now, long[] heights, List<Request> outstanding, long lastViewChangeStart,
            long messages, long bytes, long malformed) {
        for (Map.Entry<RequestId, Long> e : completedSlot.entrySet()) {
            Long first = firstSlot.get(e.getKey());
            if (first == null) {
                add(safety, "validity: client got a reply for " + e.getKey() + " in slot " + e.getValue()
                        + " but no correct node delivered it");
            } else if (!first.equals(e.getValue())) {
                add(safety, "validity: client was told " + e.getKey() + " was decided in slot " + e.getValue()
                        + " but it first appears in slot " + first);
            }
        }
        for (Request r : outstanding) {
            add(liveness, "request " + r.id() + " still unanswered at " + now / 1_000_000 + " ms");
        }
        long top = 0;
        for (int i : correct) top = Math.max(top, heights[i]);
        for (int i : correct) {
            if (heights[i] < top) add(liveness, "node " + i + " delivered up to slot " + heights[i] + " of " + top);
        }
        long fastSlots = 0;
        int min = Integer.MAX_VALUE;
        int max = -1;
        int faultyCount = spec.agreementNodes() - correct.size();
        if (faultyCount <= spec.t()) {
            long since = Math.max(gstNanos, lastViewChangeStart);
            for (Map.Entry<Long, Long> e : proposedAt.entrySet()) {
                if (e.getValue() <= since) continue;
                List<Integer> depths = deliveryDepths.get(e.getKey());
                if (depths == null) continue;
                for (int d : depths) {
                    fastSlots++;
                    min = Math.min(min, d);
                    max = Math.max(max, d);
                    if (d != 2) {
                        add(fastPath, "slot " + e.getKey() + " delivered " + (d < 0 ? "with unknown delay" : d + " message delays")
                                + " after PROPOSE, expected 2");
                    }
                }
            }
        }
        return new SimResult(seed, top, submitted.size(), requestsCompleted, List.copyOf(safety), List.copyOf(liveness),
                List.copyOf(fastPath), fastSlots, fastSlots == 0 ? -1 : min, max, messages, bytes, malformed, now);
    }
}
