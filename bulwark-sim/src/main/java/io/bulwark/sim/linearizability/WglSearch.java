package io.bulwark.sim.linearizability;

import io.bulwark.kv.KvOperation;
import io.bulwark.kv.KvResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The Wing &amp; Gong linearizability search with Lowe's memoization (as in Porcupine): walk the
 * history's call/return events in time order; at a call, try to linearize that operation now
 * (the model must accept its result in the current state) and restart from the first
 * remaining event; at a return whose operation is not linearized yet, backtrack. A
 * configuration (set of linearized operations, model state) already explored is never explored
 * again.
 *
 * <p>Pending operations have a call event and no return event: the search may linearize one
 * at any point after its call, or never. The history is linearizable as soon as every
 * completed operation is linearized.
 */
final class WglSearch {

    /** One operation as the search sees it. {@code observed == null}: pending (result unknown). */
    record Op(KvOperation operation, KvResult observed, long call, long ret) {
        boolean pending() {
            return observed == null;
        }
    }

    enum Kind { LINEARIZABLE, NOT_LINEARIZABLE, STEP_LIMIT }

    /**
     * The search's answer. For {@code NOT_LINEARIZABLE}: the longest sequence of operations it
     * managed to linearize (indices into the input list, in order), the model state after it,
     * and the completed operation that then had to be linearized (its return came next) and
     * could not be; {@code blocking} is -1 otherwise.
     */
    record Outcome(Kind kind, long steps, int[] longestPrefix, KvModel.State stateAfterPrefix, int blocking) {}

    private static final class Node {
        final int op; // -1 for the head sentinel
        final boolean call;
        final long time;
        Node match; // a call's return node; null for pending operations and for return nodes
        Node prev;
        Node next;

        Node(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    private record Frame(Node call, KvModel.State before) {}

    private record Seen(BitSet linearized, KvModel.State state) {}

    private WglSearch() {}

    static Outcome run(KvModel model, List<Op> ops, long maxSteps) {
        int n = ops.size();
        List<Node> events = new ArrayList<>(2 * n);
        int remaining = 0; // completed operations not yet linearized
        for (int i = 0; i < n; i++) {
            Op o = ops.get(i);
            Node call = new Node(i, true, o.call());
            events.add(call);
            if (!o.pending()) {
                Node ret = new Node(i, false, o.ret());
                call.match = ret;
                events.add(ret);
                remaining++;
            }
        }
        // time order; at equal times calls first, so that touching intervals count as overlapping
        events.sort(Comparator.comparingLong((Node e) -> e.time)
                .thenComparing(e -> !e.call)
                .thenComparingInt(e -> e.op));
        Node head = new Node(-1, false, Long.MIN_VALUE);
        Node last = head;
        for (Node e : events) {
            last.next = e;
            e.prev = last;
            last = e;
        }

        KvModel.State state = model.initial();
        if (remaining == 0) return new Outcome(Kind.LINEARIZABLE, 0, new int[0], state, -1);

        BitSet linearized = new BitSet(n);
        Set<Seen> seen = new HashSet<>();
        Deque<Frame> stack = new ArrayDeque<>();
        int[] longest = null;
        KvModel.State longestState = state;
        int blocking = -1;
        long steps = 0;
        Node entry = head.next;

        while (true) {
            if (++steps > maxSteps) return new Outcome(Kind.STEP_LIMIT, steps - 1, null, null, -1);
            if (entry != null && entry.call) {
                Op o = ops.get(entry.op);
                KvModel.State next = model.step(state, o.operation(), o.observed());
                boolean advanced = false;
                if (next != null) {
                    linearized.set(entry.op);
                    if (seen.add(new Seen((BitSet) linearized.clone(), next))) {
                        stack.push(new Frame(entry, state));
                        state = next;
                        lift(entry);
                        if (!o.pending() && --remaining == 0) {
                            return new Outcome(Kind.LINEARIZABLE, steps, null, null, -1);
                        }
                        entry = head.next;
                        advanced = true;
                    } else {
                        linearized.clear(entry.op);
                    }
                }
                if (!advanced) entry = entry.next;
            } else {
                // a return (or, defensively, the end): its operation must be linearized by now
                if (longest == null || stack.size() > longest.length) {
                    longest = order(stack);
                    longestState = state;
                    blocking = entry == null ? -1 : entry.op;
                }
                if (stack.isEmpty()) {
                    return new Outcome(Kind.NOT_LINEARIZABLE, steps, longest, longestState, blocking);
                }
                Frame top = stack.pop();
                state = top.before();
                linearized.clear(top.call().op);
                if (!ops.get(top.call().op).pending()) remaining++;
                unlift(top.call());
                entry = top.call().next;
            }
        }
    }

    private static int[] order(Deque<Frame> stack) {
        int[] out = new int[stack.size()];
        int i = 0;
        for (Iterator<Frame> it = stack.descendingIterator(); it.hasNext(); ) {
            out[i++] = it.next().call().op;
        }
        return out;
    }

    private static void remove(Node e) {
        e.prev.next = e.next;
        if (e.next != null) e.next.prev = e.prev;
    }

    private static void reinsert(Node e) {
        e.prev.next = e;
        if (e.next != null) e.next.prev = e;
    }

    private static void lift(Node call) {
        remove(call);
        if (call.match != null) remove(call.match);
    }

    private static void unlift(Node call) {
        if (call.match != null) reinsert(call.match);
        reinsert(call);
    }
}
