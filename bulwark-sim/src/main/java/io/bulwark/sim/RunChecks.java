package io.bulwark.sim;

import io.bulwark.core.cluster.ClusterSpec;
import io.bulwark.core.crypto.Digest;
import io.bulwark.core.message.Batch;
import io.bulwark.core.message.Request;
import io.bulwark.core.message.RequestId;
import io.bulwark.sim.linearizability.CheckResult;
import io.bulwark.sim.linearizability.History;
import io.bulwark.sim.linearizability.LinearizabilityChecker;
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
    /** Key-value calls clients made (including those on keys they may not touch, which stay out of the history). */
    private long callsMade;
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

    private final List<Integer> correctExecution;
    private final History.Builder history = History.builder();
    /** Digests of correct execution nodes' checkpoints, per slot: all must match. */
    private final Map<Long, Digest> executionDigests = new HashMap<>();
    private final Map<Long, Integer> executionDigestBy = new HashMap<>();
    private final Map<Long, List<Integer>> replyDepths = new HashMap<>();

    RunChecks(ClusterSpec spec, List<Integer> correct, List<Integer> correctExecution, long gstNanos) {
        this.spec = spec;
        this.correct = List.copyOf(correct);
        this.correctExecution = List.copyOf(correctExecution);
        this.gstNanos = gstNanos;
    }

    /** The key-value history clients record (execution runs only). */
    History.Builder history() {
        return history;
    }

    /** A correct execution node checkpointed {@code slot} with {@code digest}: every correct one must agree. */
    void executionCheckpoint(int node, long slot, Digest digest) {
        Digest prior = executionDigests.putIfAbsent(slot, digest);
        if (prior == null) {
            executionDigestBy.put(slot, node);
        } else if (!prior.equals(digest)) {
            add(safety, "execution: slot " + slot + ": node " + executionDigestBy.get(slot) + " checkpointed state " + prior
                    + " but node " + node + " checkpointed " + digest);
        }
    }

    /** A client received a correct execution node's reply that left {@code depth} message delays after its slot's PROPOSE. */
    void replyDepth(io.bulwark.core.message.Reply reply, int depth) {
        replyDepths.computeIfAbsent(reply.slot(), s -> new ArrayList<>()).add(depth);
    }

    /** A key-value client made a call. */
    void callMade() {
        callsMade++;
    }

    /** A client got a certified answer it cannot even decode: g+1 execution nodes agreed on garbage. */
    void badReply(String what) {
        add(safety, "reply certificate: " + what);
    }

    /** A key-value client's call (client, timestamp) was answered as decided in {@code slot}. */
    void completed(long client, long timestamp, long slot, long now) {
        requestsCompleted++;
        completedSlot.put(new RequestId(client, timestamp), slot);
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
        // Behind a firewall execution nodes are not FaB learners: their deliveries say nothing of the fast path.
        if (depth != NOT_A_LEARNER) deliveryDepths.computeIfAbsent(slot, s -> new ArrayList<>()).add(depth);
    }

    /** The depth passed to {@link #delivered} for a node that executes ORDERED slots (firewall mode), not a learner. */
    static final int NOT_A_LEARNER = Integer.MIN_VALUE;

    SimResult finish(long seed, long now, long[] heights, long[] executed, List<String> outstanding, long lastViewChangeStart,
            long messages, long bytes, long malformed, long offLinkMessages) {
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
        for (String r : outstanding) {
            add(liveness, r + " still unanswered at " + now / 1_000_000 + " ms");
        }
        long top = 0;
        for (int i : correct) top = Math.max(top, heights[i]);
        for (int i : correct) {
            if (heights[i] < top) add(liveness, "node " + i + " delivered up to slot " + heights[i] + " of " + top);
        }
        for (int i : correctExecution) {
            if (executed[i] < top) add(liveness, "execution node " + i + " executed up to slot " + executed[i] + " of " + top);
        }
        String linearizability = "n/a";
        if (!correctExecution.isEmpty() && history.size() > 0) {
            CheckResult lin = LinearizabilityChecker.check(history.build());
            linearizability = lin.verdict().name().toLowerCase();
            if (lin.verdict() == CheckResult.Verdict.NOT_LINEARIZABLE) {
                add(safety, "linearizability: " + lin.violations().getFirst());
            }
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
        // The whole request path on the fast path: PROPOSE, ACCEPTED, REPLY = 3 after the leader got the request.
        int replyDepthMin = Integer.MAX_VALUE;
        int replyDepthMax = -1;
        if (faultyCount <= spec.t()) {
            long since = Math.max(gstNanos, lastViewChangeStart);
            for (Map.Entry<Long, List<Integer>> e : replyDepths.entrySet()) {
                Long proposed = proposedAt.get(e.getKey());
                if (proposed == null || proposed <= since) continue;
                for (int d : e.getValue()) {
                    replyDepthMin = Math.min(replyDepthMin, d);
                    replyDepthMax = Math.max(replyDepthMax, d);
                    if (d != 3) {
                        add(fastPath, "a reply for slot " + e.getKey() + " left " + (d >= Simulation.DEPTH_UNTRACKED ? "an untracked number of"
                                : Integer.toString(d)) + " message delays after PROPOSE, expected 3 (4 from the client)");
                    }
                }
            }
        }
        long submittedCount = correctExecution.isEmpty() ? submitted.size() : callsMade;
        return new SimResult(seed, top, submittedCount, requestsCompleted, List.copyOf(safety), List.copyOf(liveness),
                List.copyOf(fastPath), fastSlots, fastSlots == 0 ? -1 : min, max, messages, bytes, malformed, now,
                linearizability, replyDepthMax < 0 ? -1 : replyDepthMin, replyDepthMax, offLinkMessages);
    }
}
