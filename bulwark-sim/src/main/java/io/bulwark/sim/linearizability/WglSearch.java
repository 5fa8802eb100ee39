package io.bulwark.sim.linearizability;

import io.bulwark.kv.KvOperation;
import io.bulwark.kv.KvResult;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The Wing &amp; Gong linearizability search with Lowe's memoization (as in Porcupine): walk the
 * history's call/return events in time order; at a call, try to linearize that operation now
 * (the model must accept its result in the current state) and restart from the first remaining
 * event; at a return whose operation is not linearized yet, backtrack. A configuration (set of
 * linearized operations, model state) known to fail is never explored again.
 *
 * <p>Three kinds of operation: <em>required</em> ones (completed, result known) must be
 * linearized between their call and return; <em>pending</em> ones (never returned) have no return
 * event and may be linearized at any point after their call, or never; <em>optional</em> ones
 * (used to shrink witnesses: completed, result ignored) may be linearized between their call and
 * return, or dropped when their return comes. The history is linearizable as soon as every
 * required operation is linearized.
 *
 * <p>Refinements, each sound on its own:
 * <ul>
 *   <li><b>Pending last.</b> At each point the other candidates are tried before the pending
 *       ones (only the order of trying changes).
 *   <li><b>Dominance.</b> Pending and optional operations may be left out, so a configuration
 *       that has used (linearized or dropped) a subset of the pending and optional operations
 *       another one has used, with the same required ones linearized and the same state, can do
 *       everything the other can. A configuration is skipped if one that dominates it has
 *       already failed.
 *   <li><b>Identical pending operations</b> (same operation; results unknown) are interchangeable
 *       except for their invocation times, so they are used in invocation order: a later one
 *       only once the earlier ones are linearized.
 *   <li><b>Forced reads.</b> A completed operation whose result means it changes nothing wherever
 *       it is placed ({@link KvModel#preservesState}: a read, a failed compare-and-set, a delete
 *       that found nothing) and that can be linearized at the current point is linearized there
 *       without keeping alternatives open. That loses nothing: being a candidate, every operation
 *       that returned before its invocation is already linearized, so moving it forward from a
 *       later place in a valid order breaks no real-time constraint and changes no other result.
 *       So if the search fails after it, the configuration before it fails too. Pending
 *       operations never qualify: a no-op now would rule out an effect later.
 * </ul>
 */
final class WglSearch {

    /**
     * One operation as the search sees it: required ({@code observed != null}), pending
     * ({@code observed == null}, {@code ret == History.NEVER}) or optional ({@code observed == null},
     * a real {@code ret}).
     */
    record Op(KvOperation operation, KvResult observed, long call, long ret) {
        boolean required() {
            return observed != null;
        }

        boolean pending() {
            return observed == null && ret == History.NEVER;
        }

        boolean optional() {
            return observed == null && ret != History.NEVER;
        }
    }

    enum Kind { LINEARIZABLE, NOT_LINEARIZABLE, STEP_LIMIT }

    /**
     * The search's answer. For {@code NOT_LINEARIZABLE}: the longest sequence of operations it
     * managed to linearize (indices into the input list, in order), the model state after it,
     * and the completed operation whose return came next (it had to be linearized and could not
     * be), or -1.
     */
    record Outcome(Kind kind, long steps, int[] longestPrefix, KvModel.State stateAfterPrefix, int blocking) {}

    private static final class Node {
        final int op; // -1 for the head sentinel
        final boolean call;
        final long time;
        Node match; // a call's return node (null for pending operations), a return's call node
        Node prev;
        Node next;

        Node(int op, boolean call, long time) {
            this.op = op;
            this.call = call;
            this.time = time;
        }
    }

    /**
     * {@code forced}: no alternative is tried in its place (the operation changes nothing
     * wherever it goes, or it is the dropping of an optional operation at its return).
     * {@code pass}: 1 if it was tried among non-pending candidates, 2 among pending ones.
     */
    private record Frame(Node call, KvModel.State before, boolean forced, int pass, boolean dropped) {}

    /** Required operations linearized, and the state: what failed configurations are filed under. */
    private record Key(BitSet completed, KvModel.State state) {}

    private WglSearch() {}

    static Outcome run(KvModel model, List<Op> ops, long maxSteps) {
        int n = ops.size();
        List<Node> events = new ArrayList<>(2 * n);
        int remaining = 0; // required operations not yet linearized
        for (int i = 0; i < n; i++) {
            Op o = ops.get(i);
            Node call = new Node(i, true, o.call());
            events.add(call);
            if (!o.pending()) {
                Node ret = new Node(i, false, o.ret());
                call.match = ret;
                ret.match = call;
                events.add(ret);
            }
            if (o.required()) remaining++;
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
        int[] earlierTwin = earlierIdenticalPending(ops);

        KvModel.State state = model.initial();
        if (remaining == 0) return new Outcome(Kind.LINEARIZABLE, 0, new int[0], state, -1);

        BitSet completed = new BitSet(n); // required operations linearized
        BitSet used = new BitSet(n); // pending and optional operations linearized or dropped
        Map<Key, List<BitSet>> failed = new HashMap<>();
        Deque<Frame> stack = new ArrayDeque<>();
        int[] longest = null;
        KvModel.State longestState = state;
        int blocking = -1;
        long steps = 0;
        Node entry = head.next;
        int pass = 1;

        while (true) {
            if (++steps > maxSteps) return new Outcome(Kind.STEP_LIMIT, steps - 1, null, null, -1);
            if (entry != null && entry.call) {
                Op o = ops.get(entry.op);
                boolean pending = o.pending();
                if (pending != (pass == 2) || (pending && earlierTwin[entry.op] >= 0 && !used.get(earlierTwin[entry.op]))) {
                    entry = entry.next;
                    continue;
                }
                KvModel.State next = model.step(state, o.operation(), o.observed());
                if (next == null) {
                    entry = entry.next;
                    continue;
                }
                boolean forced = KvModel.preservesState(o.operation(), o.observed());
                BitSet mark = o.required() ? completed : used;
                mark.set(entry.op);
                if (!isDominated(failed, completed, used, next)) {
                    stack.push(new Frame(entry, state, forced, pass, false));
                    state = next;
                    lift(entry);
                    if (o.required() && --remaining == 0) {
                        return new Outcome(Kind.LINEARIZABLE, steps, null, null, -1);
                    }
                    entry = head.next;
                    pass = 1;
                    continue;
                }
                mark.clear(entry.op);
                if (!forced) {
                    entry = entry.next;
                    continue;
                }
                // a forced operation leads to a failed configuration: so does this one; fall through
            } else if (pass == 1) {
                // no other candidate left before this return: now try the pending ones
                pass = 2;
                entry = head.next;
                continue;
            } else if (entry != null && ops.get(entry.op).optional()) {
                // an optional operation's return with nothing else left to try: drop it
                used.set(entry.op);
                if (!isDominated(failed, completed, used, state)) {
                    Node call = entry.match;
                    stack.push(new Frame(call, state, true, 1, true));
                    lift(call);
                    entry = head.next;
                    pass = 1;
                    continue;
                }
                used.clear(entry.op);
            }
            // backtrack
            if (longest == null || linearizedCount(stack) > longest.length) {
                longest = order(stack);
                longestState = state;
                blocking = firstRequiredReturn(entry, ops);
            }
            Frame top;
            do {
                if (stack.isEmpty()) {
                    return new Outcome(Kind.NOT_LINEARIZABLE, steps, longest, longestState, blocking);
                }
                top = stack.pop();
                recordFailure(failed, completed, used, state); // the configuration after top
                state = top.before();
                if (ops.get(top.call().op).required()) {
                    completed.clear(top.call().op);
                    remaining++;
                } else {
                    used.clear(top.call().op);
                }
                unlift(top.call());
            } while (top.forced());
            entry = top.call().next;
            pass = top.pass();
        }
    }

    /** For each pending operation, the previous identical pending operation (by invocation), or -1. */
    private static int[] earlierIdenticalPending(List<Op> ops) {
        int[] twin = new int[ops.size()];
        Arrays.fill(twin, -1);
        List<Integer> pending = new ArrayList<>();
        for (int i = 0; i < ops.size(); i++) if (ops.get(i).pending()) pending.add(i);
        pending.sort(Comparator.comparingLong((Integer i) -> ops.get(i).call()).thenComparingInt(i -> i));
        Map<KvOperation, Integer> lastSeen = new HashMap<>();
        for (int i : pending) {
            Integer prev = lastSeen.put(ops.get(i).operation(), i);
            if (prev != null) twin[i] = prev;
        }
        return twin;
    }

    private static boolean isDominated(Map<Key, List<BitSet>> failed, BitSet completed, BitSet used, KvModel.State state) {
        List<BitSet> fails = failed.get(new Key(completed, state));
        if (fails == null) return false;
        for (BitSet f : fails) {
            if (subset(f, used)) return true;
        }
        return false;
    }

    private static void recordFailure(Map<Key, List<BitSet>> failed, BitSet completed, BitSet used, KvModel.State state) {
        List<BitSet> fails = failed.get(new Key(completed, state));
        if (fails == null) {
            fails = new ArrayList<>(1);
            failed.put(new Key((BitSet) completed.clone(), state), fails);
        }
        for (BitSet f : fails) {
            if (subset(f, used)) return; // already implied
        }
        fails.removeIf(f -> subset(used, f)); // now implied by this one
        fails.add((BitSet) used.clone());
    }

    private static boolean subset(BitSet a, BitSet b) {
        for (int i = a.nextSetBit(0); i >= 0; i = a.nextSetBit(i + 1)) {
            if (!b.get(i)) return false;
        }
        return true;
    }

    /** The operation of the first return event of a required operation at or after {@code e}, or -1. */
    private static int firstRequiredReturn(Node e, List<Op> ops) {
        for (Node x = e; x != null; x = x.next) {
            if (!x.call && ops.get(x.op).required()) return x.op;
        }
        return -1;
    }

    private static int linearizedCount(Deque<Frame> stack) {
        int k = 0;
        for (Frame f : stack) if (!f.dropped()) k++;
        return k;
    }

    /** The operations linearized on the current path, in order (dropped ones left out). */
    private static int[] order(Deque<Frame> stack) {
        int[] out = new int[linearizedCount(stack)];
        int i = 0;
        for (Iterator<Frame> it = stack.descendingIterator(); it.hasNext(); ) {
            Frame f = it.next();
            if (!f.dropped()) out[i++] = f.call().op;
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
